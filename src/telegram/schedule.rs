//! "Send later" under a /post preview, the time the admin then types, and `/scheduled`
//! with a Cancel button under each held statement. The statement goes out later through
//! the schedule task (`crate::schedule`), under the key of the message that gave the time.

use chrono::Utc;
use teloxide::prelude::*;
use teloxide::types::InlineKeyboardMarkup;

use super::admin::draft_content;
use super::callback::{ScheduleButton, button};
use super::reply::{ReplyTo, edit_page, edit_text, say, send_page, toast};
use super::{Context, HandlerResult, JarchiBot};
use crate::domain::{Draft, DraftStep, ScheduledStatement, SourceKey, UserId};
use crate::text::catalogue::{self, Phrase, phrase};
use crate::text::when::parse_when;

/// Held statements /scheduled shows, each with its button: more would bury the buttons.
const MAX_LISTED: u32 = 20;

/// `/scheduled`.
pub async fn list(bot: &JarchiBot, ctx: &Context, to: &ReplyTo) -> HandlerResult {
    let held = ctx.storage.scheduled(MAX_LISTED).await?;
    if held.is_empty() {
        return say(bot, to, phrase(Phrase::ScheduledEmpty, to.lang)).await;
    }
    let text = catalogue::scheduled_list(&held, to.lang);
    send_page(bot, to.chat, text, cancel_buttons(&held, to)).await?;
    Ok(())
}

fn cancel_buttons(held: &[ScheduledStatement], to: &ReplyTo) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(held.iter().map(|statement| {
        [button(
            catalogue::cancel_schedule_label(statement.id, to.lang),
            ScheduleButton::Cancel {
                schedule_id: statement.id,
            },
        )]
    }))
}

/// The message after "Send later": the time, or a sentence saying why it is not one (the
/// draft waits for a better one, or /cancel).
pub async fn when_typed(
    bot: &JarchiBot,
    msg: &Message,
    draft: Draft,
    ctx: &Context,
    to: &ReplyTo,
    text: &str,
) -> HandlerResult {
    let Some(content) = draft_content(&draft) else {
        return say(bot, to, phrase(Phrase::PostEmptyText, to.lang)).await;
    };
    let due = match parse_when(text, Utc::now()) {
        Ok(due) => due,
        Err(refusal) => return say(bot, to, catalogue::when_refused(refusal, to.lang)).await,
    };
    // The message that gave the time keys the statement, as the confirmation does for Send.
    let key = SourceKey::admin(msg.chat.id.into(), msg.id.0);
    let schedule_id = ctx
        .publisher
        .schedule(&key, &content, due.timestamp_millis())
        .await?;
    ctx.storage.discard_draft(draft.user_id).await?;
    say(bot, to, catalogue::scheduled_for(schedule_id, due, to.lang)).await
}

/// "Send later" and Cancel. Only admins; a stale button gets a short sentence.
pub async fn button_pressed(
    bot: JarchiBot,
    query: CallbackQuery,
    ctx: Context,
    to: ReplyTo,
    pressed: ScheduleButton,
) -> HandlerResult {
    if !ctx.settings.is_admin(query.from.id.0) {
        tracing::warn!("a schedule button from someone who is not an admin was refused");
        return toast(&bot, &query, phrase(Phrase::AdminOnly, to.lang)).await;
    }
    match pressed {
        ScheduleButton::SendLater => send_later(&bot, &query, &ctx, &to).await,
        ScheduleButton::Cancel { schedule_id } => {
            cancel(&bot, &query, &ctx, &to, schedule_id).await
        }
    }
}

async fn send_later(
    bot: &JarchiBot,
    query: &CallbackQuery,
    ctx: &Context,
    to: &ReplyTo,
) -> HandlerResult {
    let user_id = UserId::from(query.from.id);
    let ready = ctx
        .storage
        .draft(user_id)
        .await?
        .filter(|d| d.step == DraftStep::Preview);
    let (Some(mut draft), Some(message)) = (ready, query.regular_message()) else {
        return toast(bot, query, phrase(Phrase::DraftGone, to.lang)).await;
    };
    draft.step = DraftStep::When;
    ctx.storage.save_draft(&draft).await?;
    bot.answer_callback_query(query.id.clone()).await?;
    // The question becomes the request for a time and loses its buttons, so Send cannot
    // also be pressed.
    edit_text(
        bot,
        message.chat.id,
        message.id,
        phrase(Phrase::ScheduleAskWhen, to.lang),
    )
    .await?;
    Ok(())
}

async fn cancel(
    bot: &JarchiBot,
    query: &CallbackQuery,
    ctx: &Context,
    to: &ReplyTo,
    schedule_id: i64,
) -> HandlerResult {
    if !ctx.publisher.cancel_schedule(schedule_id).await? {
        return toast(bot, query, phrase(Phrase::ScheduleGone, to.lang)).await;
    }
    bot.answer_callback_query(query.id.clone()).await?;
    // The list is shown again as it now stands, under the answer.
    if let Some(message) = query.regular_message() {
        let held = ctx.storage.scheduled(MAX_LISTED).await?;
        let answer = catalogue::schedule_cancelled(schedule_id, to.lang);
        let text = format!("{answer}\n\n{}", catalogue::scheduled_list(&held, to.lang));
        edit_page(
            bot,
            message.chat.id,
            message.id,
            text,
            cancel_buttons(&held, to),
        )
        .await?;
    }
    Ok(())
}
