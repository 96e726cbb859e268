use teloxide::types::{Me, Message};
use teloxide::utils::command::BotCommands;

/// Commands anyone may use. Arguments are taken as raw text and parsed by the handlers,
/// so that a malformed argument gets a helpful answer instead of silence.
#[derive(BotCommands, Clone, Debug, PartialEq, Eq)]
#[command(rename_rule = "lowercase")]
pub enum PublicCommand {
    /// Subscribe to new statements.
    Start(String),
    /// Unsubscribe and erase what is stored about this chat.
    Stop,
    /// The latest statements: /latest [n].
    Latest(String),
    /// Search the statements: /search words, or a month such as /search khordad 1396.
    Search(String),
    /// Browse the archive by Jalali year and month.
    Archive,
    /// A whole statement: /show id.
    Show(String),
    /// Link previews, language and quiet hours.
    Settings,
    /// Change the language: /lang fa or /lang en.
    Lang(String),
    /// This help.
    Help,
}

/// Commands for the people in `ADMIN_IDS`.
#[derive(BotCommands, Clone, Debug, PartialEq, Eq)]
#[command(rename_rule = "lowercase")]
pub enum AdminCommand {
    /// Publish a statement: alone for a guided dialogue, or title, text and link on lines.
    Post(String),
    /// Revise a statement and every delivered copy: /edit id, then lines as for /post.
    Edit(String),
    /// Delete a statement and its delivered copies: /delete id.
    Delete(String),
    /// Subscribers, statements, queue and the last broadcast.
    Stats,
    /// Leave the /post dialogue.
    Cancel,
    /// Go on without a link in the /post dialogue.
    Skip,
    /// The feeds followed, with their state and last success.
    Feeds,
    /// Follow a feed, or a site whose feed jarchi finds: /addfeed url.
    AddFeed(String),
    /// Stop following a feed: /removefeed id.
    RemoveFeed(String),
}

/// Parses a command the way people type it on a phone: teloxide's derive splits the
/// command from its arguments at a space only, so `/post` followed by a new line would
/// be an unknown command. The first whitespace after the command becomes a space.
pub fn parse_command<C: BotCommands>(msg: Message, me: Me) -> Option<C> {
    let text = msg.text()?;
    let bot_name = me.user.username.as_deref().unwrap_or_default();
    let split_at = text.find(char::is_whitespace);
    let normalised = match split_at {
        Some(i) => {
            let (command, rest) = text.split_at(i);
            let mut chars = rest.chars();
            chars.next();
            format!("{command} {}", chars.as_str())
        }
        None => text.to_string(),
    };
    C::parse(&normalised, bot_name).ok()
}
