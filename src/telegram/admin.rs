//! Admin commands: publishing (one-shot or guided, with a preview), revising, deleting,
//! and figures. Only users in `ADMIN_IDS` get here; see `mod.rs`.

use chrono::Utc;
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::reply::{Preview, edit_text, send_html, send_html_with_keyboard, send_page};
use super::{AdminCommand, Context, HandlerResult, JarchiBot};
use crate::domain::{
    Announcement, Lang, NewAnnouncement, is_http_url, parse_release_hold, release_hold_data,
};
use crate::storage::{AddFeedOutcome, Draft, DraftStep, HoldRelease, PublishOutcome};
use crate::text::catalogue::{self, Phrase, phrase};
use crate::text::{announcement_card, escape, to_ascii_digits};

/// Every button of the /post dialogue starts with this; the handler tree routes on it.
pub const BUTTON_PREFIX: &str = "post:";
const SEND_BUTTON: &str = "post:send";
const CANCEL_BUTTON: &str = "post:cancel";
/// Holds `/feeds` offers to release, each a button: a few keep the list readable.
const MAX_HOLD_BUTTONS: u32 = 5;

/// A statement as an admin typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Post {
    title: String,
    body: String,
    link: Option<String>,
}

/// The first line is the title, the lines after it the body, and a last line that is only
/// an http(s) URL the link.
fn parse_post(text: &str) -> Option<Post> {
    let mut lines: Vec<&str> = text.lines().collect();
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    let first = lines.iter().position(|l| !l.trim().is_empty())?;
    let lines = &lines[first..];
    let title = lines[0].trim().to_string();
    let mut body_lines = &lines[1..];
    let mut link = None;
    if let Some(last) = body_lines.last() {
        let candidate = last.trim();
        if !candidate.contains(char::is_whitespace) && is_http_url(candidate) {
            link = Some(candidate.to_string());
            body_lines = &body_lines[..body_lines.len() - 1];
        }
    }
    let body = body_lines.join("\n").trim().to_string();
    Some(Post { title, body, link })
}

fn statement(source_key: String, post: &Post) -> Option<NewAnnouncement> {
    NewAnnouncement::new(
        source_key,
        &post.title,
        escape(&post.body),
        post.body.clone(),
        post.link.clone(),
        Utc::now(),
    )
    .ok()
}

async fn admin_lang(ctx: &Context, msg: &Message) -> Lang {
    ctx.lang_for(msg).await.unwrap_or(ctx.settings.default_lang)
}

pub async fn answer(
    bot: JarchiBot,
    msg: Message,
    cmd: AdminCommand,
    ctx: Context,
) -> HandlerResult {
    let lang = admin_lang(&ctx, &msg).await;
    let reply = |html: String| send_html(&bot, msg.chat.id, html, Preview::Off);
    match cmd {
        AdminCommand::Post(text) if text.trim().is_empty() => {
            let Some(user) = msg.from.as_ref() else {
                return Ok(());
            };
            ctx.storage
                .save_draft(&Draft {
                    user_id: user.id.0 as i64,
                    chat_id: msg.chat.id.0,
                    step: DraftStep::Title,
                    title: String::new(),
                    body: String::new(),
                    link: None,
                })
                .await?;
            reply(phrase(Phrase::PostAskTitle, lang).into()).await?;
        }
        AdminCommand::Post(text) => {
            let source_key = format!("admin:{}:{}", msg.chat.id.0, msg.id.0);
            let Some(new) = parse_post(&text).and_then(|p| statement(source_key, &p)) else {
                reply(phrase(Phrase::PostEmptyText, lang).into()).await?;
                return Ok(());
            };
            let answer = match ctx.publisher.publish(&new).await? {
                PublishOutcome::Published { id, recipients } => {
                    catalogue::published(id, recipients, lang)
                }
                PublishOutcome::Duplicate { id } => catalogue::already_published(id, lang),
            };
            reply(answer).await?;
        }
        AdminCommand::Edit(args) => {
            let args = to_ascii_digits(&args);
            let (id, rest) = args
                .trim_start()
                .split_once(char::is_whitespace)
                .unwrap_or((args.trim(), ""));
            let parsed = id
                .trim_start_matches('#')
                .parse::<i64>()
                .ok()
                .zip(parse_post(rest));
            let Some((id, post)) = parsed else {
                reply(phrase(Phrase::EditUsage, lang).into()).await?;
                return Ok(());
            };
            let Some(revised) = statement(format!("edit:{id}"), &post) else {
                reply(phrase(Phrase::EditUsage, lang).into()).await?;
                return Ok(());
            };
            let answer = match ctx.publisher.revise(id, &revised).await? {
                Some(copies) => catalogue::revised(id, copies, lang),
                None => catalogue::show_not_found(id, lang),
            };
            reply(answer).await?;
        }
        AdminCommand::Delete(args) => {
            let Some(id) = to_ascii_digits(&args)
                .trim()
                .trim_start_matches('#')
                .parse::<i64>()
                .ok()
            else {
                reply(phrase(Phrase::DeleteUsage, lang).into()).await?;
                return Ok(());
            };
            let answer = match ctx.publisher.retract(id).await? {
                Some(copies) => catalogue::retracted(id, copies, lang),
                None => catalogue::show_not_found(id, lang),
            };
            reply(answer).await?;
        }
        AdminCommand::Stats => {
            let mut stats = ctx.storage.stats().await?;
            stats.telegram_unreachable_since = ctx.link.unreachable_since();
            reply(catalogue::stats(&stats, lang)).await?;
        }
        AdminCommand::Cancel => {
            let Some(user) = msg.from.as_ref() else {
                return Ok(());
            };
            let discarded = ctx.storage.discard_draft(user.id.0 as i64).await?;
            let answer = if discarded {
                Phrase::PostCancelled
            } else {
                Phrase::NothingToCancel
            };
            reply(phrase(answer, lang).into()).await?;
        }
        AdminCommand::Skip => {
            let Some(user) = msg.from.as_ref() else {
                return Ok(());
            };
            match ctx.storage.draft(user.id.0 as i64).await? {
                Some(mut draft) if draft.step == DraftStep::Link => {
                    draft.link = None;
                    draft.step = DraftStep::Preview;
                    ctx.storage.save_draft(&draft).await?;
                    show_preview(&bot, &ctx, &draft, lang).await?;
                }
                _ => {
                    reply(phrase(Phrase::NothingToCancel, lang).into()).await?;
                }
            }
        }
        AdminCommand::Feeds => {
            let feeds = ctx.storage.feed_statuses().await?;
            let holds = ctx.storage.waiting_holds(MAX_HOLD_BUTTONS).await?;
            let list = catalogue::feed_list(&feeds, lang);
            if holds.is_empty() {
                reply(list).await?;
            } else {
                let buttons = holds.iter().map(|hold| {
                    [InlineKeyboardButton::callback(
                        catalogue::release_hold_label(hold.hold_id, lang),
                        release_hold_data(hold.hold_id),
                    )]
                });
                let text = list + &catalogue::waiting_holds(&holds, lang);
                send_page(&bot, msg.chat.id, text, InlineKeyboardMarkup::new(buttons)).await?;
            }
        }
        AdminCommand::AddFeed(url) => {
            let url = url.trim();
            if url.contains(char::is_whitespace) || !is_http_url(url) {
                reply(phrase(Phrase::AddFeedUsage, lang).into()).await?;
                return Ok(());
            }
            // What can be told without fetching (the scheme, an inside IP address) is told
            // now; the rest shows in /feeds after the first poll.
            if let Err(refusal) = ctx.settings.feed_policy.check_url(url) {
                reply(catalogue::feed_refused(&refusal, lang)).await?;
                return Ok(());
            }
            // Only stored here: the poller finds out whether it is a feed or a page.
            let answer = match ctx.storage.add_feed(url).await? {
                AddFeedOutcome::Added(id) => {
                    tracing::info!(feed = id, "an admin added a feed");
                    ctx.feeds_changed.notify_one();
                    catalogue::feed_added(id, lang)
                }
                AddFeedOutcome::AlreadyFollowed(id) => catalogue::feed_already_followed(id, lang),
            };
            reply(answer).await?;
        }
        AdminCommand::RemoveFeed(args) => {
            let Some(id) = to_ascii_digits(&args).trim().parse::<i64>().ok() else {
                reply(phrase(Phrase::RemoveFeedUsage, lang).into()).await?;
                return Ok(());
            };
            let answer = if ctx.storage.remove_feed(id).await? {
                tracing::info!(feed = id, "an admin removed a feed");
                catalogue::feed_removed(id, lang)
            } else {
                catalogue::feed_not_found(id, lang)
            };
            reply(answer).await?;
        }
    }
    Ok(())
}

/// Someone outside ADMIN_IDS tried an admin command: a polite no, and a warning for the
/// operator that names the command but not the person or the text.
pub async fn refuse(
    bot: JarchiBot,
    msg: Message,
    cmd: AdminCommand,
    ctx: Context,
) -> HandlerResult {
    let command = cmd.name();
    tracing::warn!(
        command,
        "an admin command from someone who is not an admin was refused"
    );
    let lang = admin_lang(&ctx, &msg).await;
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
    let draft = ctx.storage.draft(user.id.0 as i64).await.ok()??;
    (draft.chat_id == msg.chat.id.0 && draft.step != DraftStep::Preview).then_some(draft)
}

pub async fn continue_draft(
    bot: JarchiBot,
    msg: Message,
    mut draft: Draft,
    ctx: Context,
) -> HandlerResult {
    let lang = admin_lang(&ctx, &msg).await;
    let reply = |p: Phrase| send_html(&bot, msg.chat.id, phrase(p, lang), Preview::Off);
    let Some(text) = msg.text().map(str::trim).filter(|t| !t.is_empty()) else {
        reply(Phrase::PostEmptyText).await?;
        return Ok(());
    };
    match draft.step {
        DraftStep::Title => {
            draft.title = text.to_string();
            draft.step = DraftStep::Body;
            ctx.storage.save_draft(&draft).await?;
            reply(Phrase::PostAskBody).await?;
        }
        DraftStep::Body => {
            draft.body = text.to_string();
            draft.step = DraftStep::Link;
            ctx.storage.save_draft(&draft).await?;
            reply(Phrase::PostAskLink).await?;
        }
        DraftStep::Link if !is_http_url(text) || text.contains(char::is_whitespace) => {
            reply(Phrase::PostBadLink).await?;
        }
        DraftStep::Link => {
            draft.link = Some(text.to_string());
            draft.step = DraftStep::Preview;
            ctx.storage.save_draft(&draft).await?;
            show_preview(&bot, &ctx, &draft, lang).await?;
        }
        DraftStep::Preview => {}
    }
    Ok(())
}

/// The statement exactly as subscribers will get it, then the Send / Cancel question.
async fn show_preview(bot: &JarchiBot, ctx: &Context, draft: &Draft, lang: Lang) -> HandlerResult {
    let chat = ChatId(draft.chat_id);
    let post = Post {
        title: draft.title.clone(),
        body: draft.body.clone(),
        link: draft.link.clone(),
    };
    let Some(new) = statement("preview".into(), &post) else {
        send_html(bot, chat, phrase(Phrase::PostEmptyText, lang), Preview::Off).await?;
        return Ok(());
    };
    let preview = Announcement {
        id: ctx.storage.next_announcement_id().await?,
        source_key: String::new(),
        title: new.title().to_string(),
        body_html: new.body_html().to_string(),
        body_text: new.body_text().to_string(),
        link: new.link().map(str::to_string),
        image_url: None,
        published_at: new.published_at(),
        created_at: new.published_at(),
    };
    send_html(bot, chat, announcement_card(&preview, lang), Preview::On).await?;
    let keyboard = InlineKeyboardMarkup::new([[
        InlineKeyboardButton::callback(phrase(Phrase::ButtonSend, lang), SEND_BUTTON),
        InlineKeyboardButton::callback(phrase(Phrase::ButtonCancel, lang), CANCEL_BUTTON),
    ]]);
    send_html_with_keyboard(bot, chat, phrase(Phrase::PostConfirm, lang), keyboard).await?;
    Ok(())
}

/// Send / Cancel under a preview. Every callback is answered, even a stale or forged one,
/// so that the admin's button never spins forever.
pub async fn draft_button(bot: JarchiBot, query: CallbackQuery, ctx: Context) -> HandlerResult {
    let user_id = query.from.id.0 as i64;
    let lang = Lang::from_telegram(
        query.from.language_code.as_deref(),
        ctx.settings.default_lang,
    );
    let is_admin = ctx.settings.is_admin(query.from.id.0);
    let draft = if is_admin {
        ctx.storage.draft(user_id).await?
    } else {
        None
    };
    let message = query.regular_message().map(|m| (m.chat.id, m.id));
    let ready = draft.filter(|d| d.step == DraftStep::Preview);
    let outcome = match (query.data.as_deref(), ready, message) {
        (Some(SEND_BUTTON), Some(draft), Some((chat, message_id))) => {
            let post = Post {
                title: draft.title.clone(),
                body: draft.body.clone(),
                link: draft.link.clone(),
            };
            // The confirmation message's id makes a double tap a duplicate, not a second post.
            let source_key = format!("admin:{}:{}", chat.0, message_id.0);
            let answer = match statement(source_key, &post) {
                Some(new) => match ctx.publisher.publish(&new).await? {
                    PublishOutcome::Published { id, recipients } => {
                        catalogue::published(id, recipients, lang)
                    }
                    PublishOutcome::Duplicate { id } => catalogue::already_published(id, lang),
                },
                None => phrase(Phrase::PostEmptyText, lang).to_string(),
            };
            ctx.storage.discard_draft(user_id).await?;
            Some((chat, message_id, answer))
        }
        (Some(CANCEL_BUTTON), Some(_), Some((chat, message_id))) => {
            ctx.storage.discard_draft(user_id).await?;
            Some((
                chat,
                message_id,
                phrase(Phrase::PostCancelled, lang).to_string(),
            ))
        }
        _ => None,
    };
    match outcome {
        Some((chat, message_id, answer)) => {
            bot.answer_callback_query(query.id.clone()).await?;
            // Replacing the question removes its buttons, so nothing can be sent twice.
            edit_text(&bot, chat, message_id, answer).await?;
        }
        None => {
            bot.answer_callback_query(query.id.clone())
                .text(phrase(Phrase::DraftGone, lang))
                .await?;
        }
    }
    Ok(())
}

/// "Broadcast them" under a held-statements notice. The release is one transaction that
/// marks the hold released, so a double tap, or a second admin, queues nothing more.
pub async fn hold_button(bot: JarchiBot, query: CallbackQuery, ctx: Context) -> HandlerResult {
    let lang = Lang::from_telegram(
        query.from.language_code.as_deref(),
        ctx.settings.default_lang,
    );
    if !ctx.settings.is_admin(query.from.id.0) {
        tracing::warn!("a hold button from someone who is not an admin was refused");
        bot.answer_callback_query(query.id.clone())
            .text(phrase(Phrase::AdminOnly, lang))
            .await?;
        return Ok(());
    }
    let outcome = match query.data.as_deref().and_then(parse_release_hold) {
        Some(hold) => ctx.publisher.release_hold(hold).await?,
        None => HoldRelease::NotFound,
    };
    let (statements, deliveries) = match outcome {
        HoldRelease::Released {
            statements,
            deliveries,
        } => (statements, deliveries),
        HoldRelease::AlreadyReleased | HoldRelease::NotFound => {
            let why = if outcome == HoldRelease::NotFound {
                Phrase::HoldNotFound
            } else {
                Phrase::HoldAlreadyReleased
            };
            bot.answer_callback_query(query.id.clone())
                .text(phrase(why, lang))
                .await?;
            return Ok(());
        }
    };
    bot.answer_callback_query(query.id.clone()).await?;
    // The notice keeps its list and loses its button, so that it cannot be pressed again.
    if let Some(message) = query.regular_message() {
        let answer = catalogue::hold_released(statements, deliveries, lang);
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
        let post = parse_post("عنوان\nسطر یک\n\nسطر دو\nhttps://example.org/?p=1\n").unwrap();
        assert_eq!(post.title, "عنوان");
        assert_eq!(post.body, "سطر یک\n\nسطر دو");
        assert_eq!(post.link.as_deref(), Some("https://example.org/?p=1"));

        let no_link = parse_post("Title\nsee https://x.org for more").unwrap();
        assert_eq!(no_link.link, None);
        assert_eq!(no_link.body, "see https://x.org for more");

        let title_only = parse_post("  Title  ").unwrap();
        assert_eq!(
            (title_only.title.as_str(), title_only.body.as_str()),
            ("Title", "")
        );

        assert_eq!(parse_post(" \n \n"), None);
    }
}
