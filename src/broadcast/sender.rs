//! One request to Telegram, and what its answer means for the queue.

use std::time::Duration;

use teloxide::ApiError;
use teloxide::RequestError;
use teloxide::payloads::{EditMessageTextSetters, SendMessageSetters};
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, LinkPreviewOptions, MessageId, ParseMode};

use crate::ops::DeliveryOutcome;

/// The outcome of one send, edit or delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    Sent(Option<MessageId>),
    /// Telegram asked us to wait exactly this long.
    RetryAfter(Duration),
    /// The group became a supergroup with this id.
    Migrated(ChatId),
    /// Blocked, deactivated, kicked, never started, or no longer exists: stop sending.
    Gone(String),
    /// 5xx, time-out, network, a reply that cannot be read: may pass, and may mean that
    /// Telegram cannot be reached at all.
    Transient(String),
    /// Telegram will never accept this request.
    Failed(String),
}

/// The statement's own page as the preview, or none when the subscriber turned them off.
fn preview_options(preview: bool) -> LinkPreviewOptions {
    LinkPreviewOptions {
        is_disabled: !preview,
        url: None,
        prefer_small_media: false,
        prefer_large_media: false,
        show_above_text: false,
    }
}

impl SendOutcome {
    pub fn metric_label(&self) -> DeliveryOutcome {
        match self {
            SendOutcome::Sent(_) => DeliveryOutcome::Sent,
            SendOutcome::RetryAfter(_) => DeliveryOutcome::RetryAfter,
            SendOutcome::Migrated(_) => DeliveryOutcome::Migrated,
            SendOutcome::Gone(_) => DeliveryOutcome::Gone,
            SendOutcome::Transient(_) => DeliveryOutcome::Transient,
            SendOutcome::Failed(_) => DeliveryOutcome::Failed,
        }
    }
}

/// Sends one message; `keyboard` rides on it (a card's buttons, a digest's).
pub async fn send_message(
    bot: &Bot,
    chat: ChatId,
    html: &str,
    preview: bool,
    keyboard: Option<&InlineKeyboardMarkup>,
) -> SendOutcome {
    let mut request = bot
        .send_message(chat, html)
        .parse_mode(ParseMode::Html)
        .link_preview_options(preview_options(preview));
    if let Some(keyboard) = keyboard {
        request = request.reply_markup(keyboard.clone());
    }
    let result = request.await;
    match result {
        Err(RequestError::InvalidJson { raw, .. }) if telegram_said_ok(&raw) => {
            // Telegram took the message but told us about it in a shape teloxide cannot
            // read. Sending again would deliver it twice; without the id, a later /edit or
            // /delete cannot reach this copy, which is the lesser harm.
            tracing::warn!(
                "Telegram accepted a message but its reply could not be read; counting it as delivered, without a message id"
            );
            SendOutcome::Sent(None)
        }
        other => classify(other.map(|m| Some(m.id))),
    }
}

/// Whether an unreadable reply still says `"ok": true`: then Telegram carried the request
/// out. A proxy's error page, or a body cut short, says nothing of the kind.
pub(super) fn telegram_said_ok(raw: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(raw)
        .ok()
        .and_then(|reply| reply.get("ok").and_then(serde_json::Value::as_bool))
        .unwrap_or(false)
}

pub async fn edit_message(
    bot: &Bot,
    chat: ChatId,
    message: MessageId,
    html: &str,
    preview: bool,
    keyboard: Option<&InlineKeyboardMarkup>,
) -> SendOutcome {
    // Without reply_markup Telegram would drop the card's buttons from the edited copy.
    let mut request = bot
        .edit_message_text(chat, message, html)
        .parse_mode(ParseMode::Html)
        .link_preview_options(preview_options(preview));
    if let Some(keyboard) = keyboard {
        request = request.reply_markup(keyboard.clone());
    }
    let result = request.await;
    match result {
        // Editing to the same text is Telegram's way of saying "already done".
        Err(RequestError::Api(ApiError::MessageNotModified)) => SendOutcome::Sent(Some(message)),
        other => classify(other.map(|_| Some(message))),
    }
}

pub async fn delete_message(bot: &Bot, chat: ChatId, message: MessageId) -> SendOutcome {
    match bot.delete_message(chat, message).await {
        // Someone deleted it before us: the goal is reached.
        Err(RequestError::Api(ApiError::MessageToDeleteNotFound)) => SendOutcome::Sent(None),
        other => classify(other.map(|_| None)),
    }
}

/// Maps Telegram's answer to what the queue should do next.
pub fn classify(result: Result<Option<MessageId>, RequestError>) -> SendOutcome {
    let error = match result {
        Ok(id) => return SendOutcome::Sent(id),
        Err(e) => e,
    };
    match &error {
        RequestError::RetryAfter(secs) => SendOutcome::RetryAfter(secs.duration()),
        RequestError::MigrateToChatId(id) => SendOutcome::Migrated(*id),
        RequestError::Api(api) => classify_api_error(api),
        RequestError::Network(_) | RequestError::Io(_) | RequestError::InvalidJson { .. } => {
            SendOutcome::Transient(describe(&error))
        }
    }
}

/// The kind of a failure that is not Telegram's answer, and a short reason. Never the reply
/// itself: an unreadable reply may quote a whole message, names and texts included.
fn describe(error: &RequestError) -> String {
    match error {
        RequestError::InvalidJson { source, .. } => format!(
            "unreadable reply: {:?} error at line {} column {}",
            source.classify(),
            source.line(),
            source.column()
        ),
        RequestError::Io(e) => format!("i/o: {}", e.kind()),
        // teloxide strips the URL (and with it the token) from network errors.
        RequestError::Network(e) => format!("network: {e}"),
        other => other.to_string(),
    }
}

fn classify_api_error(api: &ApiError) -> SendOutcome {
    let text = api.to_string();
    match api {
        ApiError::BotBlocked
        | ApiError::UserDeactivated
        | ApiError::BotKicked
        | ApiError::BotKickedFromSupergroup
        | ApiError::BotKickedFromChannel
        | ApiError::CantInitiateConversation
        | ApiError::ChatNotFound => SendOutcome::Gone(text),
        // teloxide 0.17 does not know every wording Telegram uses; the status word is
        // what matters (e.g. "Forbidden: bot can't initiate conversation with a user").
        ApiError::Unknown(raw) if raw.starts_with("Forbidden") => SendOutcome::Gone(raw.clone()),
        ApiError::Unknown(raw) if is_server_side(raw) => SendOutcome::Transient(raw.clone()),
        _ => SendOutcome::Failed(text),
    }
}

fn is_server_side(description: &str) -> bool {
    [
        "Internal Server Error",
        "Bad Gateway",
        "Service Unavailable",
        "Gateway Timeout",
        "Too Many Requests",
    ]
    .iter()
    .any(|w| description.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_map_to_what_the_queue_should_do() {
        let api = |e: ApiError| classify(Err(RequestError::Api(e)));
        assert!(matches!(api(ApiError::BotBlocked), SendOutcome::Gone(_)));
        assert!(matches!(api(ApiError::ChatNotFound), SendOutcome::Gone(_)));
        assert!(matches!(
            api(ApiError::Unknown(
                "Forbidden: bot can't initiate conversation with a user".into()
            )),
            SendOutcome::Gone(_)
        ));
        assert!(matches!(
            api(ApiError::Unknown("Internal Server Error".into())),
            SendOutcome::Transient(_)
        ));
        assert!(matches!(
            api(ApiError::MessageIsTooLong),
            SendOutcome::Failed(_)
        ));
        assert_eq!(
            classify(Err(RequestError::MigrateToChatId(ChatId(-100)))),
            SendOutcome::Migrated(ChatId(-100))
        );
    }

    #[test]
    fn only_a_reply_that_says_ok_means_accepted() {
        assert!(telegram_said_ok(
            r#"{"ok":true,"result":{"message_id":"x"}}"#
        ));
        assert!(!telegram_said_ok("<html>502 Bad Gateway</html>"));
        assert!(!telegram_said_ok(r#"{"ok":true,"result":{"mess"#));
        assert!(!telegram_said_ok(r#"{"ok":false,"description":"x"}"#));
    }

    #[test]
    fn an_unreadable_reply_is_described_without_quoting_it() {
        let raw = r#"{"ok":true,"result":{"chat":{"first_name":"Maryam"},"text":"secret"#;
        let source = serde_json::from_str::<serde_json::Value>(raw).unwrap_err();
        let outcome = classify(Err(RequestError::InvalidJson {
            source: std::sync::Arc::new(source),
            raw: raw.into(),
        }));
        let SendOutcome::Transient(reason) = outcome else {
            panic!("{outcome:?}");
        };
        assert!(reason.starts_with("unreadable reply: "), "{reason}");
        assert!(
            !reason.contains("Maryam") && !reason.contains("secret"),
            "{reason}"
        );
    }
}
