//! Answers people in Telegram. Handlers ask `storage` and `publish` for data and `text`
//! for every word and every tag they send; no SQL and no hand-built HTML here.

mod admin;
mod approvals;
mod browse;
pub mod callback;
mod commands;
mod draft_media;
mod entities;
mod errors;
mod fair_use;
mod forward;
mod group_admins;
mod ids;
mod inline;
pub mod keyboards;
pub mod media;
mod menu;
mod public;
mod reader;
mod reply;
mod schedule;
mod settings;
mod topics;

use std::ops::Deref;
use std::sync::Arc;

use teloxide::adaptors::DefaultParseMode;
use teloxide::dispatching::{UpdateFilterExt, UpdateHandler};
use teloxide::prelude::*;

pub use commands::{AdminCommand, PublicCommand, parse_command};
pub use errors::{SkipUnreadable, error_handler, listener_error_summary};
pub use fair_use::FairUseGate;
pub use group_admins::GroupAdmins;
pub use menu::set_command_menus;

use crate::config::Settings;
use crate::ops::TelegramLink;
use crate::publish::Publisher;
use crate::send_budget::SendBudget;
use crate::storage::{Storage, StorageError};
use crate::text::catalogue::{Phrase, phrase};
use callback::Callback;
use reply::{ReplyTo, say, toast};

/// Every message goes out as HTML: one escaping discipline for everything (see `text`).
pub type TelegramBot = DefaultParseMode<Bot>;

/// What handlers talk to Telegram with: the bot, and the budget of messages per second that
/// the broadcast worker draws from too. Every message a handler sends goes through `reply`,
/// which takes a slot first; other requests (answers to buttons and inline queries,
/// `getChatMember`) are not messages, Telegram does not count them, and they go straight out.
#[derive(Clone, Debug)]
pub struct JarchiBot {
    bot: TelegramBot,
    budget: Arc<SendBudget>,
}

impl JarchiBot {
    pub fn new(bot: TelegramBot, budget: Arc<SendBudget>) -> Self {
        Self { bot, budget }
    }

    /// Waits for this message's slot in the shared budget.
    async fn message_slot(&self) {
        self.budget.acquire().await;
    }
}

impl Deref for JarchiBot {
    type Target = TelegramBot;

    fn deref(&self) -> &TelegramBot {
        &self.bot
    }
}

/// What every handler may use.
#[derive(Clone, Debug)]
pub struct Context {
    pub storage: Storage,
    pub publisher: Publisher,
    pub settings: Arc<Settings>,
    /// Wakes the feed poller after /addfeed, so a new feed is fetched now, not next round.
    pub feeds_changed: Arc<tokio::sync::Notify>,
    /// Whether Telegram answers, for /stats.
    pub link: Arc<TelegramLink>,
    /// Each user's token bucket.
    pub fair_use: Arc<FairUseGate>,
    /// Who administers which group, as Telegram said a few minutes ago.
    pub group_admins: Arc<GroupAdmins>,
    /// Albums being gathered for admins' drafts.
    pub albums: Arc<draft_media::Albums>,
}

impl Context {
    pub fn new(
        storage: Storage,
        publisher: Publisher,
        settings: Arc<Settings>,
        feeds_changed: Arc<tokio::sync::Notify>,
        link: Arc<TelegramLink>,
    ) -> Self {
        Self {
            storage,
            publisher,
            fair_use: Arc::new(FairUseGate::new(settings.fair_use)),
            settings,
            feeds_changed,
            link,
            group_admins: Arc::default(),
            albums: Arc::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    #[error("Telegram request failed: {0}")]
    Telegram(#[from] teloxide::RequestError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

pub type HandlerResult = Result<(), HandlerError>;

/// The handler tree, a function so that tests and startup build the same one.
pub fn schema() -> UpdateHandler<HandlerError> {
    let admin_commands = dptree::filter_map(parse_command::<AdminCommand>)
        .branch(dptree::filter(is_admin).endpoint(admin::answer))
        .endpoint(admin::refuse);
    let messages = Update::filter_message()
        // First: a forwarded "/start" is a statement to pass on, not a command.
        .branch(dptree::filter(forward::is_admin_forward).endpoint(forward::forwarded))
        .branch(dptree::filter_map(parse_command::<PublicCommand>).endpoint(public_command))
        .branch(admin_commands)
        // Before the one-file /post: an album's /post caption names every file of it.
        .branch(
            dptree::filter_map_async(draft_media::one_shot_album_part)
                .endpoint(draft_media::one_shot_album),
        )
        .branch(
            dptree::filter_map(media::media_post)
                .branch(dptree::filter(is_admin).endpoint(media::post)),
        )
        .branch(dptree::filter_map_async(schedule::waiting_for_time).endpoint(schedule::time_typed))
        .branch(
            dptree::filter_map_async(draft_media::file_for_draft)
                .endpoint(draft_media::file_received),
        )
        .branch(dptree::filter_map_async(admin::draft_in_progress).endpoint(admin::continue_draft))
        .branch(dptree::filter(is_private_command).endpoint(public::unknown_command));
    // One branch reads the button; each room gets only what it made.
    let buttons =
        dptree::filter_map(|q: CallbackQuery| q.data.as_deref().and_then(Callback::decode))
            .branch(dptree::case![Callback::Browse(pressed)].endpoint(browse::button_pressed))
            .branch(dptree::case![Callback::Settings(pressed)].endpoint(settings::button_pressed))
            .branch(dptree::case![Callback::Draft(pressed)].endpoint(admin::draft_button))
            .branch(dptree::case![Callback::ReleaseHold(hold)].endpoint(admin::hold_button))
            .branch(dptree::case![Callback::Approval(pressed)].endpoint(approvals::button_pressed))
            .branch(dptree::case![Callback::Schedule(pressed)].endpoint(schedule::button_pressed))
            .branch(dptree::case![Callback::Reader(pressed)].endpoint(reader::button_pressed))
            .branch(dptree::case![Callback::Topic(pressed)].endpoint(topics::button_pressed));
    let callbacks = Update::filter_callback_query()
        .branch(buttons)
        .endpoint(unknown_button);
    let inline_queries = Update::filter_inline_query().endpoint(inline::answer);
    // First, so that a flood is dropped before any handler reads the database.
    let over_the_limit = dptree::filter_map(fair_use::over_the_limit).endpoint(fair_use::refuse);
    // Then where and in which language to answer, decided once for every handler below.
    dptree::entry().branch(over_the_limit).branch(
        dptree::filter_map_async(ReplyTo::of_update)
            .branch(messages)
            .branch(callbacks)
            .branch(inline_queries),
    )
}

/// One endpoint for every public command, so that one place turns a failure into a
/// polite sentence instead of silence.
async fn public_command(
    bot: JarchiBot,
    msg: Message,
    cmd: PublicCommand,
    ctx: Context,
    to: ReplyTo,
) -> HandlerResult {
    let changes_the_chat = matches!(
        cmd,
        PublicCommand::Stop | PublicCommand::Settings | PublicCommand::Lang(_)
    );
    if changes_the_chat && !msg.chat.is_private() {
        let asked = ctx
            .group_admins
            .may_change(&bot, &msg.chat, msg.from.as_ref(), msg.sender_chat.as_ref())
            .await;
        match asked {
            Ok(true) => {}
            Ok(false) => return say(&bot, &to, phrase(Phrase::GroupAdminsOnly, to.lang)).await,
            Err(e) => return apologise(&bot, &to, e.into()).await,
        }
    }
    let outcome = match cmd {
        PublicCommand::Start(arg) => match reader::linked_statement(&arg) {
            Some(id) => public::show(&bot, &ctx, &to, &id.to_string()).await,
            None => public::start(&bot, &msg, &ctx, &to).await,
        },
        PublicCommand::Stop => public::stop(&bot, &ctx, &to).await,
        PublicCommand::Latest(arg) => browse::latest(&bot, &ctx, &to, &arg).await,
        PublicCommand::Search(query) => browse::search(&bot, &ctx, &to, &query).await,
        PublicCommand::Archive => browse::archive(&bot, &ctx, &to).await,
        PublicCommand::Show(arg) => public::show(&bot, &ctx, &to, &arg).await,
        PublicCommand::Settings => settings::show(&bot, &ctx, &to).await,
        PublicCommand::Lang(arg) => settings::switch_lang(&bot, &ctx, &to, &arg).await,
        PublicCommand::Help => public::help(&bot, &msg, &ctx, &to).await,
    };
    match outcome {
        Err(e) => apologise(&bot, &to, e).await,
        ok => ok,
    }
}

/// Logs the failure for the operator (without the user's text) and tells the user, once.
async fn apologise(bot: &JarchiBot, to: &ReplyTo, error: HandlerError) -> HandlerResult {
    tracing::error!(%error, "a command failed");
    if let HandlerError::Telegram(_) = error {
        // Telegram itself refused; a second message would most likely fail the same way.
        return Ok(());
    }
    say(bot, to, phrase(Phrase::SomethingWentWrong, to.lang)).await
}

/// A button jarchi did not make, or no longer reads: a short answer, so the client stops
/// spinning.
async fn unknown_button(bot: JarchiBot, query: CallbackQuery, to: ReplyTo) -> HandlerResult {
    tracing::debug!("a button that is not one of ours was pressed");
    toast(&bot, &query, phrase(Phrase::ButtonUnknown, to.lang)).await
}

fn is_admin(msg: Message, ctx: Context) -> bool {
    msg.from
        .as_ref()
        .is_some_and(|u| ctx.settings.is_admin(u.id.0))
}

/// In a private chat an unknown `/word` deserves a pointer to /help; in a group it is
/// probably meant for another bot, and silence is the polite answer.
fn is_private_command(msg: Message) -> bool {
    msg.chat.is_private() && msg.text().is_some_and(|t| t.starts_with('/'))
}
