//! Tells admins what the feed poller noticed. The poller never talks to Telegram; it
//! sends [`FeedNotice`]s here, and this is the room allowed to send.

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, ParseMode};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::sender::{self, SendOutcome};
use crate::domain::{FeedNotice, Lang};
use crate::telegram::callback::{self, ReleaseHold};
use crate::text::catalogue::{self, Phrase, phrase};

/// Relays notices to every admin until the poller hangs up or the app stops. A notice
/// that cannot be sent is logged and dropped: the feed's state stays visible in /feeds.
pub async fn relay_feed_notices(
    bot: Bot,
    admins: Vec<crate::domain::ChatId>,
    lang: Lang,
    mut notices: mpsc::Receiver<FeedNotice>,
    shutdown: CancellationToken,
) {
    loop {
        let notice = tokio::select! {
            _ = shutdown.cancelled() => break,
            notice = notices.recv() => match notice {
                Some(notice) => notice,
                None => break,
            },
        };
        let html = catalogue::feed_notice(&notice, lang);
        // Held statements come with the button that broadcasts them after all.
        let keyboard = match &notice {
            FeedNotice::Held(held) => Some(InlineKeyboardMarkup::new([[callback::button(
                phrase(Phrase::ButtonReleaseHold, lang),
                ReleaseHold {
                    hold_id: held.hold_id,
                },
            )]])),
            _ => None,
        };
        for admin in &admins {
            let outcome = match &keyboard {
                None => sender::send_message(&bot, (*admin).into(), &html, false, None).await,
                Some(keyboard) => sender::classify(
                    bot.send_message(ChatId::from(*admin), &html)
                        .parse_mode(ParseMode::Html)
                        .reply_markup(keyboard.clone())
                        .await
                        .map(|m| Some(m.id)),
                ),
            };
            match outcome {
                SendOutcome::Sent(_) => {}
                other => {
                    tracing::warn!(outcome = ?outcome_kind(&other), "a feed notice to an admin failed")
                }
            }
        }
    }
}

/// The outcome without its text, which may quote Telegram's description of a chat.
fn outcome_kind(outcome: &SendOutcome) -> &'static str {
    match outcome {
        SendOutcome::Sent(_) => "sent",
        SendOutcome::RetryAfter(_) => "retry after",
        SendOutcome::Migrated(_) => "migrated",
        SendOutcome::Gone(_) => "gone",
        SendOutcome::Transient(_) => "transient",
        SendOutcome::Failed(_) => "failed",
    }
}
