use teloxide::payloads::SendMessageSetters;
use teloxide::prelude::*;
use teloxide::types::LinkPreviewOptions;

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
pub async fn send_html(
    bot: &JarchiBot,
    chat: ChatId,
    html: impl Into<String>,
    preview: Preview,
) -> Result<Message, teloxide::RequestError> {
    bot.send_message(chat, html)
        .link_preview_options(LinkPreviewOptions {
            is_disabled: preview == Preview::Off,
            url: None,
            prefer_small_media: false,
            prefer_large_media: false,
            show_above_text: false,
        })
        .await
}

/// Sends a question with inline buttons under it.
pub async fn send_html_with_keyboard(
    bot: &JarchiBot,
    chat: ChatId,
    html: impl Into<String>,
    keyboard: teloxide::types::InlineKeyboardMarkup,
) -> Result<Message, teloxide::RequestError> {
    bot.send_message(chat, html).reply_markup(keyboard).await
}
