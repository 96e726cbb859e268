//! The one table of commands. Parsing, the menus of `setMyCommands`, `/help`, the admins'
//! help and the refusal of admin commands to others are all read from [`COMMANDS`]; a
//! command's words are in the catalogue (`locales/*.ftl`) under its description key.

use teloxide::types::{Me, Message};

use crate::domain::Lang;
use crate::text::catalogue;

/// Commands anyone may use. Arguments are taken as raw text and parsed by the handlers,
/// so that a malformed argument gets a helpful answer instead of silence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublicCommand {
    Start(String),
    Stop,
    Latest(String),
    Search(String),
    Archive,
    Show(String),
    Settings,
    Lang(String),
    Help,
}

/// Commands for the people in `ADMIN_IDS`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AdminCommand {
    Post(String),
    Edit(String),
    Delete(String),
    Stats,
    Cancel,
    Skip,
    Feeds,
    AddFeed(String),
    RemoveFeed(String),
    Audit,
    Scheduled,
    Topics(String),
    FeedTopic(String),
}

/// Who a command is for, and so which menu and which part of `/help` show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    Everyone,
    /// Meant for subscribed chats (anyone may still send it and be told what to do).
    Subscriber,
    /// Only the people in `ADMIN_IDS`; others are refused.
    Admin,
}

/// A command as parsed, before the handler tree sends it down the public or the admin branch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Public(PublicCommand),
    Admin(AdminCommand),
}

impl From<PublicCommand> for Command {
    fn from(command: PublicCommand) -> Self {
        Command::Public(command)
    }
}

impl From<AdminCommand> for Command {
    fn from(command: AdminCommand) -> Self {
        Command::Admin(command)
    }
}

/// What a command does with the text after it.
#[derive(Clone, Copy, Debug)]
pub enum Arguments {
    /// Ignored, as teloxide's derive ignored it for a command without fields.
    Ignored(fn() -> Command),
    /// Kept whole, for the handler to read.
    Text(fn(String) -> Command),
}

#[derive(Clone, Copy, Debug)]
pub struct CommandSpec {
    /// As typed after the slash, and as the menu shows it.
    pub name: &'static str,
    pub audience: Audience,
    /// The catalogue message whose value is the menu's line (and `.usage`, `.help` for the
    /// admins' help).
    pub description: &'static str,
    pub arguments: Arguments,
}

impl CommandSpec {
    fn command(&self, arguments: &str) -> Command {
        match self.arguments {
            Arguments::Ignored(command) => command(),
            Arguments::Text(command) => command(arguments.to_owned()),
        }
    }
}

const fn spec(
    name: &'static str,
    audience: Audience,
    description: &'static str,
    arguments: Arguments,
) -> CommandSpec {
    CommandSpec {
        name,
        audience,
        description,
        arguments,
    }
}

use AdminCommand as A;
use Arguments::{Ignored, Text};
use Audience::{Admin, Everyone, Subscriber};
use PublicCommand as P;

/// Every command, in the order of the menus and of `/help`.
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    spec("latest",     Everyone,   "command-latest",      Text(|a| P::Latest(a).into())),
    spec("search",     Everyone,   "command-search",      Text(|a| P::Search(a).into())),
    spec("archive",    Everyone,   "command-archive",     Ignored(|| P::Archive.into())),
    spec("show",       Everyone,   "command-show",        Text(|a| P::Show(a).into())),
    spec("start",      Everyone,   "command-start",       Text(|a| P::Start(a).into())),
    spec("stop",       Everyone,   "command-stop",        Ignored(|| P::Stop.into())),
    spec("settings",   Subscriber, "command-settings",    Ignored(|| P::Settings.into())),
    spec("lang",       Subscriber, "command-lang",        Text(|a| P::Lang(a).into())),
    spec("help",       Everyone,   "command-help",        Ignored(|| P::Help.into())),
    spec("post",       Admin,      "command-post",        Text(|a| A::Post(a).into())),
    spec("edit",       Admin,      "command-edit",        Text(|a| A::Edit(a).into())),
    spec("delete",     Admin,      "command-delete",      Text(|a| A::Delete(a).into())),
    spec("stats",      Admin,      "command-stats",       Ignored(|| A::Stats.into())),
    spec("cancel",     Admin,      "command-cancel",      Ignored(|| A::Cancel.into())),
    spec("skip",       Admin,      "command-skip",        Ignored(|| A::Skip.into())),
    spec("feeds",      Admin,      "command-feeds",       Ignored(|| A::Feeds.into())),
    spec("addfeed",    Admin,      "command-addfeed",     Text(|a| A::AddFeed(a).into())),
    spec("removefeed", Admin,      "command-removefeed",  Text(|a| A::RemoveFeed(a).into())),
    spec("audit",      Admin,      "command-audit",       Ignored(|| A::Audit.into())),
    spec("scheduled",  Admin,      "command-scheduled",   Ignored(|| A::Scheduled.into())),
    spec("topics",     Admin,      "command-topics",      Text(|a| A::Topics(a).into())),
    spec("feedtopic",  Admin,      "command-feedtopic",   Text(|a| A::FeedTopic(a).into())),
];

/// The commands one audience sees: `(name, description key)`.
fn listed(admin: bool) -> Vec<(&'static str, &'static str)> {
    COMMANDS
        .iter()
        .filter(|c| (c.audience == Admin) == admin)
        .map(|c| (c.name, c.description))
        .collect()
}

/// `(command, menu line)` for everyone's menu (`admin: false`) or the admins' additions.
pub fn menu(admin: bool, lang: Lang) -> Vec<(&'static str, String)> {
    listed(admin)
        .into_iter()
        .map(|(name, key)| (name, catalogue::command_description(key, lang)))
        .collect()
}

/// `/help`; admins also read their own commands under it.
pub fn help(for_admin: bool, lang: Lang) -> String {
    let mut text = catalogue::help(&listed(false), lang);
    if for_admin {
        text.push_str("\n\n");
        text.push_str(&catalogue::admin_help(&listed(true), lang));
    }
    text
}

/// A command's row in the table. Every variant has one (a test makes sure).
fn spec_of(command: &Command) -> Option<&'static CommandSpec> {
    COMMANDS
        .iter()
        .find(|spec| same_variant(&spec.command(""), command))
}

fn same_variant(a: &Command, b: &Command) -> bool {
    use std::mem::discriminant;
    match (a, b) {
        (Command::Public(a), Command::Public(b)) => discriminant(a) == discriminant(b),
        (Command::Admin(a), Command::Admin(b)) => discriminant(a) == discriminant(b),
        _ => false,
    }
}

impl AdminCommand {
    /// The command as typed, for the log when someone else sends it.
    pub fn name(&self) -> &'static str {
        spec_of(&Command::Admin(self.clone())).map_or("?", |spec| spec.name)
    }
}

/// One branch of the handler tree takes public commands, another admin ones.
pub trait FromCommand: Sized {
    fn from_command(command: Command) -> Option<Self>;
}

impl FromCommand for PublicCommand {
    fn from_command(command: Command) -> Option<Self> {
        match command {
            Command::Public(c) => Some(c),
            Command::Admin(_) => None,
        }
    }
}

impl FromCommand for AdminCommand {
    fn from_command(command: Command) -> Option<Self> {
        match command {
            Command::Admin(c) => Some(c),
            Command::Public(_) => None,
        }
    }
}

/// Reads `/name@bot arguments` the way teloxide's derive did, but for one thing: the command
/// ends at the first whitespace, not only at a space, because people on phones type `/post`
/// and a new line. The name is matched exactly as in the table, the bot's name without case,
/// and a command addressed to another bot is none of ours.
fn parse(text: &str, bot_name: &str) -> Option<Command> {
    let (word, arguments) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let mut parts = word.split('@');
    let name = parts.next()?.strip_prefix('/')?;
    if let Some(addressee) = parts.next()
        && !addressee.eq_ignore_ascii_case(bot_name)
    {
        return None;
    }
    let spec = COMMANDS.iter().find(|spec| spec.name == name)?;
    Some(spec.command(arguments))
}

/// The command that begins `text` (a caption, say), if it is one of `C`.
pub fn parse_text<C: FromCommand>(text: &str, me: &Me) -> Option<C> {
    let bot_name = me.user.username.as_deref().unwrap_or_default();
    C::from_command(parse(text, bot_name)?)
}

/// The handler tree's filter: the message's command, if it is one of `C`.
pub fn parse_command<C: FromCommand>(msg: Message, me: Me) -> Option<C> {
    let bot_name = me.user.username.as_deref().unwrap_or_default();
    C::from_command(parse(msg.text()?, bot_name)?)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::text::catalogue::tests::{every_locale, ids_in_code};

    #[test]
    fn every_command_has_a_description_in_every_language() {
        for (code, messages) in every_locale() {
            for spec in COMMANDS {
                let signature = messages.get(spec.description).unwrap_or_else(|| {
                    panic!("/{} has no {} in {code}.ftl", spec.name, spec.description)
                });
                assert!(
                    signature.contains_key(""),
                    "{}: no menu line in {code}",
                    spec.name
                );
            }
        }
        for lang in Lang::ALL {
            for (name, description) in menu(false, lang).into_iter().chain(menu(true, lang)) {
                // Telegram's limits for a menu line.
                assert!((1..=256).contains(&description.chars().count()), "/{name}");
            }
        }
    }

    #[test]
    fn menus_list_the_same_commands_in_both_languages() {
        let names = |lang| -> Vec<_> { menu(false, lang).into_iter().map(|(c, _)| c).collect() };
        assert_eq!(names(Lang::Fa), names(Lang::En));
    }

    #[test]
    fn every_message_in_the_files_is_used() {
        let mut used = ids_in_code();
        used.extend(COMMANDS.iter().map(|spec| spec.description));
        for (code, messages) in every_locale() {
            let unused: BTreeSet<_> = messages
                .keys()
                .map(String::as_str)
                .filter(|id| !used.contains(id))
                .collect();
            assert!(unused.is_empty(), "{code}.ftl: nothing uses {unused:?}");
        }
    }

    #[test]
    fn the_table_names_each_command_once_and_admin_commands_are_for_admins() {
        let names: BTreeSet<_> = COMMANDS.iter().map(|spec| spec.name).collect();
        assert_eq!(names.len(), COMMANDS.len());
        for spec in COMMANDS {
            let command = parse(&format!("/{} x", spec.name), "jarchi_bot");
            let is_admin = matches!(command, Some(Command::Admin(_)));
            assert_eq!(is_admin, spec.audience == Audience::Admin, "/{}", spec.name);
            let found = command.as_ref().and_then(spec_of).map(|s| s.name);
            assert_eq!(found, Some(spec.name));
        }
        assert_eq!(AdminCommand::RemoveFeed("2".into()).name(), "removefeed");
        assert_eq!(AdminCommand::Skip.name(), "skip");
    }

    #[test]
    fn parses_as_the_derive_did() {
        let bot = "Jarchi_Bot";
        let public = |c| Some(Command::Public(c));
        assert_eq!(
            parse("/latest 3", bot),
            public(PublicCommand::Latest("3".into()))
        );
        assert_eq!(
            parse("/latest", bot),
            public(PublicCommand::Latest(String::new()))
        );
        assert_eq!(
            parse("/search  two words ", bot),
            public(PublicCommand::Search(" two words ".into()))
        );
        assert_eq!(
            parse("/latest@jarchi_bot 2", bot),
            public(PublicCommand::Latest("2".into()))
        );
        assert_eq!(parse("/latest@other_bot 2", bot), None);
        assert_eq!(parse("/stop now", bot), public(PublicCommand::Stop));
        assert_eq!(
            parse("/post\nTitle\nText", bot),
            Some(Command::Admin(AdminCommand::Post("Title\nText".into())))
        );
        assert_eq!(
            parse("/show\t12", bot),
            public(PublicCommand::Show("12".into()))
        );
        assert_eq!(parse("/Latest", bot), None);
        assert_eq!(parse("latest", bot), None);
        assert_eq!(parse("/frobnicate", bot), None);
        assert_eq!(parse("/", bot), None);
        assert_eq!(
            parse("/addfeed https://example.org/feed", bot),
            Some(Command::Admin(AdminCommand::AddFeed(
                "https://example.org/feed".into()
            )))
        );
    }

    #[test]
    fn admins_read_their_commands_in_help_and_others_do_not() {
        for lang in Lang::ALL {
            let everyone = help(false, lang);
            let admin = help(true, lang);
            assert!(admin.starts_with(&everyone));
            for spec in COMMANDS {
                let line = format!("/{} ", spec.name);
                assert_eq!(
                    everyone.contains(&line),
                    spec.audience != Audience::Admin,
                    "{line}"
                );
                assert!(admin.contains(&line), "{line}");
            }
            assert!(crate::text::is_valid_telegram_html(&admin), "{admin}");
        }
    }
}
