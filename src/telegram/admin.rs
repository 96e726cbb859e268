//! Admin commands: publishing (one-shot or guided, with a preview), revising, deleting,
//! and figures. Only users in `ADMIN_IDS` get here; see `mod.rs`.

use chrono::Utc;
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::approvals::{self, Answer};
use super::callback::{DraftButton, ReleaseHold, ScheduleButton, button};
use super::entities::{formatted, formatted_tail};
use super::reply::{
    Preview, ReplyTo, edit_text, say, send_html, send_html_with_keyboard, send_page, toast,
};
use super::topics::LeadingTopic;
use super::{AdminCommand, Context, HandlerResult, JarchiBot, draft_media};
use crate::domain::{
    AdminAction, AuditAction, Draft, DraftStep, HoldRelease, Lang, NewAnnouncement, SourceKey,
    StatementContent, UserId, is_http_url,
};
use crate::storage::AddFeedOutcome;
use crate::text::catalogue::{self, Phrase, phrase};
use crate::text::{Formatted, escape, parse_statement_id, preview_card, to_ascii_digits};

/// Holds `/feeds` offers to release, each a button: a few keep the list readable.
const MAX_HOLD_BUTTONS: u32 = 5;

/// A statement as an admin typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Post {
    pub(super) title: String,
    pub(super) body: String,
    /// The body as Telegram HTML, the admin's formatting kept.
    pub(super) body_html: String,
    pub(super) link: Option<String>,
}

/// The first line is the title, the lines after it the body (with its formatting), and a
/// last line that is only an http(s) URL the link.
pub(super) fn parse_post(message: &Formatted) -> Option<Post> {
    let text = message.text.as_str();
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut start = 0;
    for piece in text.split_inclusive('\n') {
        lines.push((start, piece.trim_end_matches(['\n', '\r'])));
        start += piece.len();
    }
    while lines.last().is_some_and(|(_, l)| l.trim().is_empty()) {
        lines.pop();
    }
    let first = lines.iter().position(|(_, l)| !l.trim().is_empty())?;
    let lines = &lines[first..];
    let title = lines[0].1.trim().to_string();
    let mut body_lines = &lines[1..];
    let mut link = None;
    if let Some((_, last)) = body_lines.last() {
        let candidate = last.trim();
        if !candidate.contains(char::is_whitespace) && is_http_url(candidate) {
            link = Some(candidate.to_string());
            body_lines = &body_lines[..body_lines.len() - 1];
        }
    }
    let body = match (body_lines.first(), body_lines.last()) {
        (Some((from, _)), Some((last_start, last))) => {
            message.slice(trimmed(text, *from..last_start + last.len()))
        }
        _ => Formatted::default(),
    };
    Some(Post {
        title,
        body_html: body.to_html(),
        body: body.text,
        link,
    })
}

/// `range` of `text` without the whitespace at either end.
pub(super) fn trimmed(text: &str, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let Some(part) = text.get(range.clone()) else {
        return 0..0;
    };
    let start = range.start + (part.len() - part.trim_start().len());
    start..start + part.trim().len()
}

/// What the admin wrote, as a statement's content; the key is the caller's to give (or
/// none, for a revision or a preview).
pub(super) fn content(post: &Post) -> Option<StatementContent> {
    StatementContent::new(
        &post.title,
        post.body_html.clone(),
        post.body.clone(),
        post.link.clone(),
        Utc::now(),
    )
    .ok()
}

/// One endpoint for every admin command; each command has its own function below.
pub async fn answer(
    bot: JarchiBot,
    msg: Message,
    cmd: AdminCommand,
    ctx: Context,
    to: ReplyTo,
) -> HandlerResult {
    match cmd {
        AdminCommand::Post(text) if text.trim().is_empty() => {
            start_draft(&bot, &msg, &ctx, &to).await
        }
        AdminCommand::Post(text) => post(&bot, &msg, &ctx, &to, &text).await,
        AdminCommand::Audit => approvals::audit(&bot, &ctx, &to).await,
        AdminCommand::Edit(args) => edit(&bot, &msg, &ctx, &to, &args).await,
        AdminCommand::Delete(args) => delete(&bot, &msg, &ctx, &to, &args).await,
        AdminCommand::Stats => stats(&bot, &ctx, &to).await,
        AdminCommand::Cancel => cancel(&bot, &msg, &ctx, &to).await,
        AdminCommand::Skip => skip(&bot, &msg, &ctx, &to).await,
        AdminCommand::Feeds => feeds(&bot, &ctx, &to).await,
        AdminCommand::AddFeed(url) => add_feed(&bot, &ctx, &to, &url).await,
        AdminCommand::RemoveFeed(args) => remove_feed(&bot, &ctx, &to, &args).await,
        AdminCommand::Scheduled => super::schedule::list(&bot, &ctx, &to).await,
        AdminCommand::Topics(args) => super::topics::command(&bot, &ctx, &to, &args).await,
        AdminCommand::FeedTopic(args) => super::topics::feed_topic(&bot, &ctx, &to, &args).await,
    }
}

/// `/post` alone: the guided dialogue asks for the title first.
async fn start_draft(bot: &JarchiBot, msg: &Message, ctx: &Context, to: &ReplyTo) -> HandlerResult {
    let Some(user) = msg.from.as_ref() else {
        return Ok(());
    };
    ctx.storage
        .save_draft(&Draft {
            user_id: user.id.into(),
            chat_id: msg.chat.id.into(),
            step: DraftStep::Title,
            title: String::new(),
            body: String::new(),
            body_html: None,
            link: None,
            media: Vec::new(),
        })
        .await?;
    say(bot, to, phrase(Phrase::PostAskTitle, to.lang)).await
}

/// `/post` with the statement's lines: published at once.
async fn post(
    bot: &JarchiBot,
    msg: &Message,
    ctx: &Context,
    to: &ReplyTo,
    text: &str,
) -> HandlerResult {
    let source_key = SourceKey::admin(msg.chat.id.into(), msg.id.0);
    let (topic, text) = match super::topics::leading_topic(ctx, text, to.lang).await? {
        LeadingTopic::None => (None, text),
        LeadingTopic::Topic(topic, rest) => (Some(topic), rest),
        LeadingTopic::Unknown(answer) => return say(bot, to, answer).await,
    };
    let Some(new) = parse_post(&formatted_tail(msg, text))
        .and_then(|p| content(&p))
        .map(|c| NewAnnouncement::keyed(source_key, c).with_topic(topic))
    else {
        return say(bot, to, phrase(Phrase::PostEmptyText, to.lang)).await;
    };
    submit_from(bot, msg, ctx, to, AdminAction::Publish(new)).await
}

/// Carries out (or, with `PUBLISH_APPROVALS=2`, holds for approval) what the message's
/// sender asked, and answers in its chat.
pub(super) async fn submit_from(
    bot: &JarchiBot,
    msg: &Message,
    ctx: &Context,
    to: &ReplyTo,
    action: AdminAction,
) -> HandlerResult {
    let Some(author) = msg.from.as_ref() else {
        return Ok(());
    };
    approvals::submit(bot, ctx, author, msg.chat.id.into(), action, to.lang)
        .await?
        .send(bot, to)
        .await
}

/// `/edit id` and the lines of the revised statement.
async fn edit(
    bot: &JarchiBot,
    msg: &Message,
    ctx: &Context,
    to: &ReplyTo,
    args: &str,
) -> HandlerResult {
    // Only the number is read in ASCII digits: the statement keeps the digits it was typed in.
    let args = args.trim_start();
    let (id, rest) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
    let parsed = parse_statement_id(id).zip(parse_post(&formatted_tail(msg, rest)));
    let Some((id, revised)) = parsed.and_then(|(id, post)| Some((id, content(&post)?))) else {
        return say(bot, to, phrase(Phrase::EditUsage, to.lang)).await;
    };
    submit_from(bot, msg, ctx, to, AdminAction::Edit { id, revised }).await
}

/// `/delete id`.
async fn delete(
    bot: &JarchiBot,
    msg: &Message,
    ctx: &Context,
    to: &ReplyTo,
    args: &str,
) -> HandlerResult {
    let Some(id) = parse_statement_id(args) else {
        return say(bot, to, phrase(Phrase::DeleteUsage, to.lang)).await;
    };
    submit_from(bot, msg, ctx, to, AdminAction::Delete { id }).await
}

async fn stats(bot: &JarchiBot, ctx: &Context, to: &ReplyTo) -> HandlerResult {
    let mut stats = ctx.storage.stats().await?;
    stats.telegram_unreachable_since = ctx.link.unreachable_since();
    let by_topic = super::topics::stats_section(ctx, to.lang).await?;
    say(bot, to, catalogue::stats(&stats, to.lang) + &by_topic).await
}

/// `/cancel`: leaves the /post dialogue.
async fn cancel(bot: &JarchiBot, msg: &Message, ctx: &Context, to: &ReplyTo) -> HandlerResult {
    let Some(user) = msg.from.as_ref() else {
        return Ok(());
    };
    let discarded = ctx.storage.discard_draft(user.id.into()).await?
        || ctx.storage.discard_waiting_schedule(user.id.into()).await?;
    let answer = if discarded {
        Phrase::PostCancelled
    } else {
        Phrase::NothingToCancel
    };
    say(bot, to, phrase(answer, to.lang)).await
}

/// `/skip`: a draft waiting for its link goes on without one.
async fn skip(bot: &JarchiBot, msg: &Message, ctx: &Context, to: &ReplyTo) -> HandlerResult {
    let Some(user) = msg.from.as_ref() else {
        return Ok(());
    };
    match ctx.storage.draft(user.id.into()).await? {
        Some(draft) if draft.step == DraftStep::Attachment => {
            draft_media::skip_file(bot, ctx, draft, to).await
        }
        Some(mut draft) if draft.step == DraftStep::Link => {
            draft.link = None;
            draft.step = DraftStep::Preview;
            ctx.storage.save_draft(&draft).await?;
            show_preview(bot, ctx, &draft, to.lang).await
        }
        _ => say(bot, to, phrase(Phrase::NothingToCancel, to.lang)).await,
    }
}

/// `/feeds`: every feed's state, and a button under each batch of items still held back.
async fn feeds(bot: &JarchiBot, ctx: &Context, to: &ReplyTo) -> HandlerResult {
    let feeds = ctx.storage.feed_statuses().await?;
    let holds = ctx.storage.waiting_holds(MAX_HOLD_BUTTONS).await?;
    let list =
        catalogue::feed_list(&feeds, to.lang) + &super::topics::feeds_section(ctx, to.lang).await?;
    if holds.is_empty() {
        return say(bot, to, list).await;
    }
    let buttons = holds.iter().map(|hold| {
        [button(
            catalogue::release_hold_label(hold.hold_id, to.lang),
            ReleaseHold {
                hold_id: hold.hold_id,
            },
        )]
    });
    let text = list + &catalogue::waiting_holds(&holds, to.lang);
    send_page(bot, to.chat, text, InlineKeyboardMarkup::new(buttons)).await?;
    Ok(())
}

/// `/addfeed url`.
async fn add_feed(bot: &JarchiBot, ctx: &Context, to: &ReplyTo, url: &str) -> HandlerResult {
    let url = url.trim();
    if url.contains(char::is_whitespace) || !is_http_url(url) {
        return say(bot, to, phrase(Phrase::AddFeedUsage, to.lang)).await;
    }
    // What can be told without fetching (the scheme, an inside IP address) is told
    // now; the rest shows in /feeds after the first poll.
    if let Err(refusal) = ctx.settings.feed_policy.check_url(url) {
        return say(bot, to, catalogue::feed_refused(&refusal, to.lang)).await;
    }
    // Only stored here: the poller finds out whether it is a feed or a page.
    let answer = match ctx.storage.add_feed(url).await? {
        AddFeedOutcome::Added(id) => {
            tracing::info!(feed = id, "an admin added a feed");
            ctx.feeds_changed.notify_one();
            catalogue::feed_added(id, to.lang)
        }
        AddFeedOutcome::AlreadyFollowed(id) => catalogue::feed_already_followed(id, to.lang),
    };
    say(bot, to, answer).await
}

/// `/removefeed id`.
async fn remove_feed(bot: &JarchiBot, ctx: &Context, to: &ReplyTo, args: &str) -> HandlerResult {
    let Some(id) = to_ascii_digits(args).trim().parse::<i64>().ok() else {
        return say(bot, to, phrase(Phrase::RemoveFeedUsage, to.lang)).await;
    };
    let answer = if ctx.storage.remove_feed(id).await? {
        tracing::info!(feed = id, "an admin removed a feed");
        catalogue::feed_removed(id, to.lang)
    } else {
        catalogue::feed_not_found(id, to.lang)
    };
    say(bot, to, answer).await
}

/// Someone outside ADMIN_IDS tried an admin command: a polite no, and a warning for the
/// operator that names the command but not the person or the text.
pub async fn refuse(bot: JarchiBot, msg: Message, cmd: AdminCommand, to: ReplyTo) -> HandlerResult {
    let command = cmd.name();
    tracing::warn!(
        command,
        "an admin command from someone who is not an admin was refused"
    );
    let lang = to.lang;
    send_html(
        &bot,
        msg.chat.id,
        phrase(Phrase::AdminOnly, lang),
        Preview::Off,
    )
    .await?;
    Ok(())
}

/// The admin's draft in this chat, if a plain message should continue it.
pub async fn draft_in_progress(msg: Message, ctx: Context) -> Option<Draft> {
    let user = msg.from.as_ref()?;
    if !ctx.settings.is_admin(user.id.0) || msg.text().is_some_and(|t| t.starts_with('/')) {
        return None;
    }
    let draft = ctx.storage.draft(user.id.into()).await.ok()??;
    (draft.chat_id == msg.chat.id.into() && draft.step != DraftStep::Preview).then_some(draft)
}

pub async fn continue_draft(
    bot: JarchiBot,
    msg: Message,
    mut draft: Draft,
    ctx: Context,
    to: ReplyTo,
) -> HandlerResult {
    let ask = |p: Phrase| say(&bot, &to, phrase(p, to.lang));
    let Some(text) = msg.text().map(str::trim).filter(|t| !t.is_empty()) else {
        return ask(Phrase::PostEmptyText).await;
    };
    match draft.step {
        DraftStep::Title => {
            draft.title = text.to_string();
            draft.step = DraftStep::Body;
            ctx.storage.save_draft(&draft).await?;
            ask(Phrase::PostAskBody).await
        }
        DraftStep::Body => {
            let whole = formatted(&msg);
            let body = whole.slice(trimmed(&whole.text, 0..whole.text.len()));
            draft.body_html = Some(body.to_html());
            draft.body = body.text;
            draft.step = DraftStep::Link;
            ctx.storage.save_draft(&draft).await?;
            ask(Phrase::PostAskLink).await
        }
        DraftStep::Link if !is_http_url(text) || text.contains(char::is_whitespace) => {
            ask(Phrase::PostBadLink).await
        }
        DraftStep::Link => {
            draft.link = Some(text.to_string());
            draft.step = DraftStep::Preview;
            ctx.storage.save_draft(&draft).await?;
            show_preview(&bot, &ctx, &draft, to.lang).await
        }
        DraftStep::Attachment => draft_media::ask_for_file(&bot, &to).await,
        DraftStep::Preview => Ok(()),
    }
}

/// The statement exactly as subscribers will get it, then the Send / Cancel question, in
/// the chat where the draft was started.
pub(super) async fn show_preview(
    bot: &JarchiBot,
    ctx: &Context,
    draft: &Draft,
    lang: Lang,
) -> HandlerResult {
    let chat = ChatId::from(draft.chat_id);
    let Some(preview) = draft_content(draft) else {
        send_html(bot, chat, phrase(Phrase::PostEmptyText, lang), Preview::Off).await?;
        return Ok(());
    };
    let id = ctx.storage.next_announcement_id().await?;
    super::media::send_preview(bot, chat, preview_card(id, &preview, lang), preview.media())
        .await?;
    let rows = preview_rows(lang);
    let (question, keyboard) =
        super::topics::preview_question(ctx, draft.user_id, rows, lang).await?;
    send_html_with_keyboard(bot, chat, question, keyboard).await?;
    Ok(())
}

/// Send / Cancel, Send later and the file under a preview; the topic buttons follow them.
/// With PUBLISH_APPROVALS=2 "Send later" asks a second admin too (see telegram::schedule).
pub(super) fn preview_rows(lang: Lang) -> Vec<Vec<InlineKeyboardButton>> {
    vec![
        vec![
            button(phrase(Phrase::ButtonSend, lang), DraftButton::Send),
            button(phrase(Phrase::ButtonCancel, lang), DraftButton::Cancel),
        ],
        vec![button(
            phrase(Phrase::ButtonSendLater, lang),
            ScheduleButton::SendLater,
        )],
        vec![button(
            phrase(Phrase::ButtonAddFile, lang),
            DraftButton::AddFile,
        )],
    ]
}

/// A finished draft as the statement it will be, with its files; `None` if it says nothing.
pub(super) fn draft_content(draft: &Draft) -> Option<StatementContent> {
    content(&post_of(draft)).and_then(|c| c.with_media(draft.media.clone()).ok())
}

fn post_of(draft: &Draft) -> Post {
    Post {
        title: draft.title.clone(),
        body: draft.body.clone(),
        body_html: draft
            .body_html
            .clone()
            .unwrap_or_else(|| escape(&draft.body)),
        link: draft.link.clone(),
    }
}

/// Send / Cancel under a preview. A stale one (the draft sent, cancelled or someone
/// else's) gets a short sentence, so that the admin's button never spins forever.
pub async fn draft_button(
    bot: JarchiBot,
    query: CallbackQuery,
    ctx: Context,
    to: ReplyTo,
    pressed: DraftButton,
) -> HandlerResult {
    let user_id = UserId::from(query.from.id);
    let draft = if ctx.settings.is_admin(query.from.id.0) {
        ctx.storage.draft(user_id).await?
    } else {
        None
    };
    let ready = draft.filter(|d| d.step == DraftStep::Preview);
    let (Some(draft), Some(message)) = (ready, query.regular_message()) else {
        return toast(&bot, &query, phrase(Phrase::DraftGone, to.lang)).await;
    };
    let answer = match pressed {
        DraftButton::AddFile => {
            return draft_media::add_file(&bot, &query, &ctx, &to, draft).await;
        }
        DraftButton::Send => {
            // The confirmation message's id makes a double tap a duplicate, not a second post.
            let source_key = SourceKey::admin(message.chat.id.into(), message.id.0);
            match draft_content(&draft) {
                Some(c) => {
                    let topic = ctx.storage.draft_topic(user_id).await?;
                    let new = NewAnnouncement::keyed(source_key, c).with_topic(topic);
                    let action = AdminAction::Publish(new);
                    let chat = message.chat.id.into();
                    approvals::submit(&bot, &ctx, &query.from, chat, action, to.lang).await?
                }
                None => Answer::said(phrase(Phrase::PostEmptyText, to.lang)),
            }
        }
        DraftButton::Cancel => Answer::said(phrase(Phrase::PostCancelled, to.lang)),
    };
    ctx.storage.discard_draft(user_id).await?;
    bot.answer_callback_query(query.id.clone()).await?;
    // Replacing the question removes its buttons, so nothing can be sent twice (a request
    // awaiting approval keeps only its Withdraw button).
    answer.replace(&bot, message).await
}

/// "Broadcast them" under a held-statements notice. The release is one transaction that
/// marks the hold released, so a double tap, or a second admin, queues nothing more.
pub async fn hold_button(
    bot: JarchiBot,
    query: CallbackQuery,
    ctx: Context,
    to: ReplyTo,
    hold: ReleaseHold,
) -> HandlerResult {
    if !ctx.settings.is_admin(query.from.id.0) {
        tracing::warn!("a hold button from someone who is not an admin was refused");
        return toast(&bot, &query, phrase(Phrase::AdminOnly, to.lang)).await;
    }
    let (statements, deliveries) = match ctx.publisher.release_hold(hold.hold_id).await? {
        HoldRelease::Released {
            statements,
            deliveries,
        } => {
            let admin = UserId::from(query.from.id);
            ctx.storage.audit(admin, AuditAction::Release, None).await?;
            (statements, deliveries)
        }
        HoldRelease::NotFound => {
            return toast(&bot, &query, phrase(Phrase::HoldNotFound, to.lang)).await;
        }
        HoldRelease::AlreadyReleased => {
            return toast(&bot, &query, phrase(Phrase::HoldAlreadyReleased, to.lang)).await;
        }
    };
    bot.answer_callback_query(query.id.clone()).await?;
    // The notice keeps its list and loses its button, so that it cannot be pressed again.
    if let Some(message) = query.regular_message() {
        let answer = catalogue::hold_released(statements, deliveries, to.lang);
        let notice = message.text().unwrap_or_default();
        edit_text(
            &bot,
            message.chat.id,
            message.id,
            catalogue::answered_notice(notice, &answer),
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_shot_posts() {
        let post = parse_post(&Formatted::plain(
            "عنوان\nسطر یک\n\nسطر دو\nhttps://example.org/?p=1\n",
        ))
        .unwrap();
        assert_eq!(post.title, "عنوان");
        assert_eq!(post.body, "سطر یک\n\nسطر دو");
        assert_eq!(post.link.as_deref(), Some("https://example.org/?p=1"));

        let no_link = parse_post(&Formatted::plain("Title\nsee https://x.org for more")).unwrap();
        assert_eq!(no_link.link, None);
        assert_eq!(no_link.body, "see https://x.org for more");

        let title_only = parse_post(&Formatted::plain("  Title  ")).unwrap();
        assert_eq!(
            (title_only.title.as_str(), title_only.body.as_str()),
            ("Title", "")
        );

        assert_eq!(parse_post(&Formatted::plain(" \n \n")), None);
    }

    #[test]
    fn the_body_keeps_its_formatting() {
        use crate::text::{Entity, Style};
        // "T\n  bold x\nhttps://x.org": «bold» is units 4..8, the title's bold is dropped.
        let message = Formatted {
            text: "T\n  bold x\nhttps://x.org".into(),
            entities: vec![
                Entity {
                    style: Style::Bold,
                    offset: 0,
                    length: 1,
                },
                Entity {
                    style: Style::Bold,
                    offset: 4,
                    length: 4,
                },
            ],
        };
        let post = parse_post(&message).unwrap();
        assert_eq!(post.title, "T");
        assert_eq!(post.body, "bold x");
        assert_eq!(post.body_html, "<b>bold</b> x");
        assert_eq!(post.link.as_deref(), Some("https://x.org"));
    }
}
