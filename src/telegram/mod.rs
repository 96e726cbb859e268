//! Answers people in Telegram. Handlers ask `storage` and `publish` for data and `text`
//! for every word and every tag they send; no SQL and no hand-built HTML here.

mod admin;
mod browse;
mod commands;
mod errors;
mod fair_use;
mod group_admins;
mod ids;
mod inline;
mod menu;
mod public;
mod reply;
mod settings;

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
use crate::domain::{Lang, RELEASE_HOLD_PREFIX};
use crate::ops::TelegramLink;
use crate::publish::Publisher;
use crate::send_budget::SendBudget;
use crate::storage::{Storage, StorageError};

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
        .branch(dptree::filter_map(parse_command::<PublicCommand>).endpoint(public::answer))
        .branch(admin_commands)
        .branch(dptree::filter_map_async(admin::draft_in_progress).endpoint(admin::continue_draft))
        .branch(dptree::filter(is_private_command).endpoint(public::unknown_command));
    let callbacks = Update::filter_callback_query()
        .branch(
            dptree::filter(|q: CallbackQuery| has_prefix(&q, admin::BUTTON_PREFIX))
                .endpoint(admin::draft_button),
        )
        .branch(
            dptree::filter(|q: CallbackQuery| has_prefix(&q, settings::BUTTON_PREFIX))
                .endpoint(settings::button),
        )
        .branch(
            dptree::filter(|q: CallbackQuery| has_prefix(&q, RELEASE_HOLD_PREFIX))
                .endpoint(admin::hold_button),
        )
        .endpoint(browse::button);
    let inline_queries = Update::filter_inline_query().endpoint(inline::answer);
    // First, so that a flood is dropped before any handler reads the database.
    let over_the_limit = dptree::filter_map(fair_use::over_the_limit).endpoint(fair_use::refuse);
    dptree::entry()
        .branch(over_the_limit)
        .branch(messages)
        .branch(callbacks)
        .branch(inline_queries)
}

fn has_prefix(query: &CallbackQuery, prefix: &str) -> bool {
    query.data.as_deref().is_some_and(|d| d.starts_with(prefix))
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

impl Context {
    /// The language to answer in: the subscriber's choice, else their Telegram client's,
    /// else the operator's default.
    pub async fn lang_for(&self, msg: &Message) -> Result<Lang, StorageError> {
        let code = msg.from.as_ref().and_then(|u| u.language_code.as_deref());
        self.lang_for_chat(msg.chat.id, code).await
    }

    /// The same choice for a chat known by id, with the Telegram client's language code.
    pub async fn lang_for_chat(
        &self,
        chat_id: ChatId,
        telegram_code: Option<&str>,
    ) -> Result<Lang, StorageError> {
        if let Some(subscriber) = self.storage.subscriber(chat_id.into()).await? {
            return Ok(subscriber.lang);
        }
        Ok(Lang::from_telegram(
            telegram_code,
            self.settings.default_lang,
        ))
    }
}

/// The language a user's Telegram client asks for.
fn telegram_lang(msg: &Message, default: Lang) -> Lang {
    let code = msg.from.as_ref().and_then(|u| u.language_code.as_deref());
    Lang::from_telegram(code, default)
}
