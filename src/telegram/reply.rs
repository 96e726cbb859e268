use teloxide::ApiError;
use teloxide::payloads::{EditMessageTextSetters, SendMessageSetters};
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, LinkPreviewOptions, MessageId};

use super::JarchiBot;

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
