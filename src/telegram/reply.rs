//! Everything a handler says goes out through here: where and in which language to answer
//! ([`ReplyTo`], worked out once per update), and the few ways of sending a message, each of
//! which takes a slot of the shared send budget first.

use teloxide::ApiError;
use teloxide::payloads::{EditMessageTextSetters, SendMessageSetters};
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, LinkPreviewOptions, MessageId, UpdateKind, User};

use super::{Context, HandlerResult, JarchiBot};
use crate::domain::{Announcement, Lang};
use crate::storage::Storage;
use crate::text::full_statement;

/// Where an answer to this update goes, and in which language: decided once, at the top of
/// the handler tree, and handed to every handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyTo {
    /// The chat the update came from; for an inline query or a button under a message
    /// Telegram no longer shows, the user's private chat with the bot.
    pub chat: ChatId,
    /// The chat's chosen language if it subscribed, else the user's Telegram client's, else
    /// the operator's default.
    pub lang: Lang,
}

impl ReplyTo {
    /// `None` for an update that asks nothing of jarchi, so it costs no database read.
    pub async fn of_update(update: Update, ctx: Context) -> Option<ReplyTo> {
        let chat = match &update.kind {
            UpdateKind::Message(msg) if asks_something(msg, &ctx) => msg.chat.id,
            UpdateKind::CallbackQuery(query) => query
                .message
                .as_ref()
                .map_or(ChatId::from(query.from.id), |m| m.chat().id),
            UpdateKind::InlineQuery(query) => ChatId::from(query.from.id),
            _ => return None,
        };
        let client = client_lang(update.from(), ctx.settings.default_lang);
        let lang = match ctx.storage.subscriber(chat.into()).await {
            Ok(subscriber) => subscriber.map_or(client, |s| s.lang),
            Err(error) => {
                // The language is a courtesy: the answer still goes out, in the client's.
                tracing::error!(%error, "the chat's language could not be read");
                client
            }
        };
        Some(ReplyTo { chat, lang })
    }
}

/// A command, or anything an admin writes (plain text continues their draft). Other plain
/// messages, group chatter most of all, are not for jarchi.
fn asks_something(msg: &Message, ctx: &Context) -> bool {
    msg.text().is_some_and(|t| t.starts_with('/'))
        || msg
            .from
            .as_ref()
            .is_some_and(|u| ctx.settings.is_admin(u.id.0))
}

/// The language a user's Telegram client asks for, else the operator's default. The one
/// choice made without the database: fair use refuses in it before any handler runs.
pub fn client_lang(user: Option<&User>, default: Lang) -> Lang {
    Lang::from_telegram(user.and_then(|u| u.language_code.as_deref()), default)
}

/// Sends a short answer (text that `text` already made safe HTML) to the update's chat.
pub async fn say(bot: &JarchiBot, to: &ReplyTo, html: impl Into<String>) -> HandlerResult {
    send_html(bot, to.chat, html, Preview::Off).await?;
    Ok(())
}

/// A whole statement in as many messages as it takes, for /show and the list buttons.
pub async fn send_statement(
    bot: &JarchiBot,
    storage: &Storage,
    to: &ReplyTo,
    statement: &Announcement,
) -> HandlerResult {
    let previews_wanted = storage
        .subscriber_settings(to.chat.into())
        .await?
        .is_none_or(|s| s.link_previews);
    super::media::reply_with_files(bot, to.chat, &statement.media, None).await?;
    let parts = full_statement(statement, to.lang);
    let last = parts.len().saturating_sub(1);
    for (i, part) in parts.into_iter().enumerate() {
        // Only the last part carries the read-more link, so only it may get a preview.
        let preview = if i == last && previews_wanted {
            Preview::On
        } else {
            Preview::Off
        };
        send_html(bot, to.chat, part, preview).await?;
    }
    Ok(())
}

/// Answers a pressed button with a short sentence over the chat, so the client stops
/// spinning; every button is answered, a stale or forged one too.
pub async fn toast(bot: &JarchiBot, query: &CallbackQuery, text: &str) -> HandlerResult {
    bot.answer_callback_query(query.id.clone())
        .text(text)
        .await?;
    Ok(())
}

/// Whether Telegram should draw a preview of the first link in a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preview {
    /// Lists carry several links; a preview of one of them would mislead.
    Off,
    /// A single statement: show its page.
    On,
}

/// Sends text that `text` already made safe HTML.
fn preview_options(preview: Preview) -> LinkPreviewOptions {
    LinkPreviewOptions {
        is_disabled: preview == Preview::Off,
        url: None,
        prefer_small_media: false,
        prefer_large_media: false,
        show_above_text: false,
    }
}

pub async fn send_html(
    bot: &JarchiBot,
    chat: ChatId,
    html: impl Into<String>,
    preview: Preview,
) -> Result<Message, teloxide::RequestError> {
    bot.message_slot().await;
    bot.send_message(chat, html)
        .link_preview_options(preview_options(preview))
        .await
}

/// Sends a question with inline buttons under it.
pub async fn send_html_with_keyboard(
    bot: &JarchiBot,
    chat: ChatId,
    html: impl Into<String>,
    keyboard: teloxide::types::InlineKeyboardMarkup,
) -> Result<Message, teloxide::RequestError> {
    bot.message_slot().await;
    bot.send_message(chat, html).reply_markup(keyboard).await
}

/// Sends a page of a list (several links, so no preview) with its buttons.
pub async fn send_page(
    bot: &JarchiBot,
    chat: ChatId,
    html: impl Into<String>,
    keyboard: InlineKeyboardMarkup,
) -> Result<Message, teloxide::RequestError> {
    bot.message_slot().await;
    bot.send_message(chat, html)
        .link_preview_options(preview_options(Preview::Off))
        .reply_markup(keyboard)
        .await
}

/// Replaces a message (and its buttons) in place.
pub async fn edit_page(
    bot: &JarchiBot,
    chat: ChatId,
    message: MessageId,
    html: impl Into<String>,
    keyboard: InlineKeyboardMarkup,
) -> Result<(), teloxide::RequestError> {
    bot.message_slot().await;
    let edited = bot
        .edit_message_text(chat, message, html)
        .link_preview_options(preview_options(Preview::Off))
        .reply_markup(keyboard)
        .await;
    match edited {
        // A double tap asks for the page already shown: nothing to do.
        Ok(_) | Err(teloxide::RequestError::Api(ApiError::MessageNotModified)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Replaces a message's text and removes its buttons.
pub async fn edit_text(
    bot: &JarchiBot,
    chat: ChatId,
    message: MessageId,
    html: impl Into<String>,
) -> Result<(), teloxide::RequestError> {
    bot.message_slot().await;
    bot.edit_message_text(chat, message, html).await?;
    Ok(())
}
