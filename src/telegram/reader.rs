//! The buttons under a broadcast card (issue 13 §1): "Full text" sends the whole statement
//! into the chat, as /show does. (Share needs no handler: it opens inline mode on `#id`,
//! which `inline` answers with that one statement.)
//!
//! Under a channel post the whole statement would go to every follower of the channel, at
//! the press of any one of them; there the button opens the presser's own chat with the bot
//! instead (`t.me/<bot>?start=full_<id>`), where Start shows the statement without
//! subscribing anyone.

use teloxide::prelude::*;
use teloxide::types::Me;

use super::browse::open_statement;
use super::callback::ReaderButton;
use super::reply::ReplyTo;
use super::{Context, HandlerResult, JarchiBot};
use crate::domain::StatementId;

/// The payload of `/start` that a channel's Full text button opens the bot with.
const FULL_TEXT_LINK: &str = "full_";

pub async fn button_pressed(
    bot: JarchiBot,
    query: CallbackQuery,
    ctx: Context,
    to: ReplyTo,
    me: Me,
    pressed: ReaderButton,
) -> HandlerResult {
    let ReaderButton::FullText { id } = pressed;
    let in_channel = query
        .message
        .as_ref()
        .is_some_and(|m| m.chat().is_channel());
    let link = me
        .user
        .username
        .as_deref()
        .and_then(|bot_name| full_text_link(bot_name, id));
    match link {
        Some(link) if in_channel => {
            bot.answer_callback_query(query.id.clone())
                .url(link)
                .await?;
            Ok(())
        }
        _ => open_statement(&bot, &query, &ctx, &to, id).await,
    }
}

/// Opens the chat with the bot, whose Start then shows statement `id`.
fn full_text_link(bot_name: &str, id: StatementId) -> Option<reqwest::Url> {
    reqwest::Url::parse(&format!(
        "https://t.me/{bot_name}?start={FULL_TEXT_LINK}{id}"
    ))
    .ok()
}

/// `/start full_12`: the statement a channel's Full text button asked for, shown as /show
/// shows it and without subscribing the chat (the reader asked to read, not to follow);
/// `None` for any other `/start`.
pub fn linked_statement(start_argument: &str) -> Option<StatementId> {
    let id = start_argument.trim().strip_prefix(FULL_TEXT_LINK)?;
    id.parse().ok().filter(|id| *id > 0).map(StatementId)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_text_link_round_trips() {
        let link = full_text_link("jarchi_bot", StatementId(12)).unwrap();
        assert_eq!(link.as_str(), "https://t.me/jarchi_bot?start=full_12");
        let payload = link.query().and_then(|q| q.strip_prefix("start=")).unwrap();
        assert!(payload.len() <= 64);
        assert_eq!(linked_statement(payload), Some(StatementId(12)));
        for other in ["", "full_", "full_x", "full_0", "full_-1", "12", "ref_12"] {
            assert_eq!(linked_statement(other), None, "{other:?}");
        }
    }
}
