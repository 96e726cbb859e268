//! A statement with media in one chat: the files (one send method per kind, or an album),
//! with the card as the caption when it fits, else the card as a message of its own after
//! them. Every message Telegram accepts is reported, even when a later part fails, so that
//! a retry sends only what is missing and a deletion reaches every part.

use teloxide::payloads::EditMessageCaptionSetters;
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, MessageId, ParseMode};
use teloxide::{ApiError, RequestError};

use super::sender::{self, SendOutcome, classify};
use crate::domain::{Attachment, DeliveredMessage, MessageRole};
use crate::telegram::media::{FileSendError, send_files};
use crate::text::fits_caption;

/// How sending a statement with media ended, and the messages it delivered meanwhile.
pub struct MediaSend {
    /// `Sent` with the message that carries the card, or how the part that failed failed.
    pub outcome: SendOutcome,
    pub delivered: Vec<DeliveredMessage>,
}

/// Sends what `already` does not hold yet of the statement with `media` and `card`, with
/// `keyboard` on the message that carries the card. An album cannot carry buttons
/// (sendMediaGroup takes no reply_markup): its card is its caption when it fits, without
/// them, as issue 12 asks of an album.
pub async fn send_with_media(
    bot: &Bot,
    chat: ChatId,
    card: &str,
    media: &[Attachment],
    preview: bool,
    already: &[DeliveredMessage],
    keyboard: &InlineKeyboardMarkup,
) -> MediaSend {
    let carrying = |role| already.iter().find(|m| m.role == role);
    if let Some(done) = carrying(MessageRole::Caption).or(carrying(MessageRole::Card)) {
        return MediaSend {
            outcome: SendOutcome::Sent(Some(MessageId(done.message_id))),
            delivered: Vec::new(),
        };
    }
    let mut delivered = Vec::new();
    if !already.iter().any(|m| m.role == MessageRole::Media) {
        let caption = fits_caption(card).then_some(card);
        let ids = match send_files(bot, chat, media, caption, Some(keyboard)).await {
            Ok(ids) => ids,
            // Telegram took the files but its reply could not be read (a field teloxide
            // does not know): sending again would deliver them twice. Without their ids a
            // deletion cannot reach them, the lesser harm (as for a text message).
            Err(FileSendError::Telegram(RequestError::InvalidJson { raw, .. }))
                if sender::telegram_said_ok(&raw) =>
            {
                tracing::warn!(
                    "Telegram accepted a statement's files but its reply could not be read"
                );
                Vec::new()
            }
            Err(FileSendError::Telegram(e)) => {
                let outcome = classify(Err(e));
                return MediaSend { outcome, delivered };
            }
            Err(other) => {
                let outcome = SendOutcome::Failed(other.to_string());
                return MediaSend { outcome, delivered };
            }
        };
        for (position, id) in ids.iter().enumerate() {
            let role = if position == 0 && caption.is_some() {
                MessageRole::Caption
            } else {
                MessageRole::Media
            };
            delivered.push(DeliveredMessage {
                position: u8::try_from(position).unwrap_or(u8::MAX),
                message_id: id.0,
                role,
            });
        }
        if caption.is_some() {
            return MediaSend {
                outcome: SendOutcome::Sent(ids.first().copied()),
                delivered,
            };
        }
        if ids.is_empty() {
            // Files sent without ids: remembered as a file of unknown id, so that a retry
            // of the card does not send them again.
            delivered.push(DeliveredMessage {
                position: 0,
                message_id: 0,
                role: MessageRole::Media,
            });
        }
    }
    let outcome = sender::send_message(bot, chat, card, preview, Some(keyboard)).await;
    if let SendOutcome::Sent(Some(id)) = outcome {
        delivered.push(DeliveredMessage {
            position: u8::try_from(media.len()).unwrap_or(u8::MAX),
            message_id: id.0,
            role: MessageRole::Card,
        });
    }
    MediaSend { outcome, delivered }
}

/// Replaces the card that is a caption, keeping its buttons (an edit without reply_markup
/// would drop them).
pub async fn edit_caption(
    bot: &Bot,
    chat: ChatId,
    message: MessageId,
    caption: &str,
    keyboard: &InlineKeyboardMarkup,
) -> SendOutcome {
    let result = bot
        .edit_message_caption(chat, message)
        .caption(caption)
        .parse_mode(ParseMode::Html)
        .reply_markup(keyboard.clone())
        .await;
    match result {
        Err(RequestError::Api(ApiError::MessageNotModified)) => SendOutcome::Sent(Some(message)),
        other => classify(other.map(|_| Some(message))),
    }
}

/// Takes down every message of a delivery in one request; Telegram skips those already gone.
pub async fn delete_all(bot: &Bot, chat: ChatId, messages: &[MessageId]) -> SendOutcome {
    classify(
        bot.delete_messages(chat, messages.to_vec())
            .await
            .map(|_| None),
    )
}
