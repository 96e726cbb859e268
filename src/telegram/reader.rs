//! The buttons under a broadcast card (issue 13 §1): "Full text" sends the whole statement
//! into the chat, as /show does. (Share needs no handler: it opens inline mode on `#id`,
//! which `inline` answers with that one statement.)

use teloxide::prelude::*;

use super::browse::open_statement;
use super::callback::ReaderButton;
use super::reply::ReplyTo;
use super::{Context, HandlerResult, JarchiBot};

pub async fn button_pressed(
    bot: JarchiBot,
    query: CallbackQuery,
    ctx: Context,
    to: ReplyTo,
    pressed: ReaderButton,
) -> HandlerResult {
    match pressed {
        ReaderButton::FullText { id } => open_statement(&bot, &query, &ctx, &to, id).await,
    }
}
