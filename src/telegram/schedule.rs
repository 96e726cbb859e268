//! "Send later" under a /post preview, the time the admin then types, and `/scheduled`
//! with a Cancel button under each held statement. The statement goes out later through
//! the schedule task (`crate::schedule`), under the key of the preview's question, as it
//! would have with Send.

use chrono::{DateTime, Utc};
use teloxide::prelude::*;
use teloxide::types::InlineKeyboardMarkup;

use super::admin::draft_content;
use super::approvals;
use super::callback::{ScheduleButton, button};
use super::reply::{ReplyTo, edit_page, edit_text, say, send_page, toast};
use super::{Context, HandlerResult, JarchiBot};
use crate::config::Approvals;
use crate::domain::{
    AdminAction, DraftStep, ScheduledStatement, SourceKey, UserId, WaitingSchedule,
};
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

/// The admin's statement waiting for its time, if this message should give it.
pub async fn waiting_for_time(msg: Message, ctx: Context) -> Option<WaitingSchedule> {
    let user = msg.from.as_ref()?;
    if !ctx.settings.is_admin(user.id.0) || msg.text().is_none_or(|t| t.starts_with('/')) {
        return None;
    }
    // A /post begun after "Send later" goes on as usual; the held statement still waits.
    if ctx.storage.draft(user.id.into()).await.ok()?.is_some() {
        return None;
    }
    let waiting = ctx.storage.waiting_schedule(user.id.into()).await.ok()??;
    (waiting.chat_id == msg.chat.id.into()).then_some(waiting)
}

/// The message after "Send later": the time, or a sentence saying why it is not one (the
/// statement waits for a better one, or /cancel).
pub async fn time_typed(
    bot: JarchiBot,
    msg: Message,
    waiting: WaitingSchedule,
    ctx: Context,
    to: ReplyTo,
) -> HandlerResult {
    let text = msg.text().unwrap_or_default();
    let due = match parse_when(text, Utc::now()) {
        Ok(due) => due,
        Err(refusal) => return say(&bot, &to, catalogue::when_refused(refusal, to.lang)).await,
    };
    if ctx.settings.publish_approvals != Approvals::One {
        return ask_to_approve_later(&bot, &msg, waiting, due, &ctx, &to).await;
    }
    if !ctx
        .publisher
        .schedule(waiting.id, due.timestamp_millis())
        .await?
    {
        // Cancelled or given a time meanwhile (the same message handled twice).
        return Ok(());
    }
    say(
        &bot,
        &to,
        catalogue::scheduled_for(waiting.id, due, to.lang),
    )
    .await
}

/// With `PUBLISH_APPROVALS=2` the typed time makes the held statement a request, like Send:
/// the second admin's Approve holds it for that time, and the schedule task publishes it
/// then. Approving ahead, not when it falls due, lets the reviewer read it at leisure and
/// keeps the time: an Approve at 8:05 cannot make an 8:00 statement late.
async fn ask_to_approve_later(
    bot: &JarchiBot,
    msg: &Message,
    waiting: WaitingSchedule,
    due: DateTime<Utc>,
    ctx: &Context,
    to: &ReplyTo,
) -> HandlerResult {
    let Some(author) = msg.from.as_ref() else {
        return Ok(());
    };
    // Taken out of the schedule first: the same message handled twice asks once.
    let Some(statement) = ctx.storage.take_waiting_schedule(waiting.id).await? else {
        return Ok(());
    };
    let action = AdminAction::PublishAt { statement, due };
    approvals::submit(bot, ctx, author, waiting.chat_id, action, to.lang)
        .await?
        .send(bot, to)
        .await
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
    let (Some(draft), Some(message)) = (ready, query.regular_message()) else {
        return toast(bot, query, phrase(Phrase::DraftGone, to.lang)).await;
    };
    let Some(content) = draft_content(&draft) else {
        return toast(bot, query, phrase(Phrase::PostEmptyText, to.lang)).await;
    };
    // The question's id keys the statement, as it does for Send; the draft becomes the
    // held statement, so that Send can no longer be pressed for it.
    let key = SourceKey::admin(message.chat.id.into(), message.id.0);
    ctx.storage
        .hold_for_time(user_id, draft.chat_id, &key, &content)
        .await?;
    ctx.storage.discard_draft(user_id).await?;
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
