use teloxide::prelude::*;
use teloxide::types::ChatKind as TgChatKind;
use teloxide::types::PublicChatKind;

use super::browse::{self, Listing};
use super::commands;
use super::reply::{Preview, send_html, send_page};
use super::{
    Context, HandlerError, HandlerResult, JarchiBot, PublicCommand, settings, telegram_lang,
};
use crate::domain::{Announcement, Lang};
use crate::storage::{ChatKind, SubscribeOutcome};
use crate::text::catalogue::{self, Phrase, phrase};
use crate::text::{full_statement, parse_search, to_ascii_digits};

const LATEST_DEFAULT: u32 = 5;
const LATEST_MAX: u32 = 10;

/// One endpoint for every public command, so that one place turns a failure into a
/// polite sentence instead of silence.
pub async fn answer(
    bot: JarchiBot,
    msg: Message,
    cmd: PublicCommand,
    ctx: Context,
) -> HandlerResult {
    let lang = match ctx.lang_for(&msg).await {
        Ok(lang) => lang,
        Err(e) => return apologise(&bot, &msg, ctx.settings.default_lang, e.into()).await,
    };
    let changes_the_chat = matches!(
        cmd,
        PublicCommand::Stop | PublicCommand::Settings | PublicCommand::Lang(_)
    );
    if changes_the_chat && !msg.chat.is_private() {
        let asked = ctx
            .group_admins
            .may_change(&bot, &msg.chat, msg.from.as_ref(), msg.sender_chat.as_ref())
            .await;
        match asked {
            Ok(true) => {}
            Ok(false) => return say(&bot, &msg, phrase(Phrase::GroupAdminsOnly, lang)).await,
            Err(e) => return apologise(&bot, &msg, lang, e.into()).await,
        }
    }
    let outcome = match cmd {
        PublicCommand::Start(_) => start(&bot, &msg, &ctx).await,
        PublicCommand::Stop => stop(&bot, &msg, &ctx, lang).await,
        PublicCommand::Latest(arg) => latest(&bot, &msg, &ctx, lang, &arg).await,
        PublicCommand::Search(query) => search(&bot, &msg, &ctx, lang, &query).await,
        PublicCommand::Archive => archive(&bot, &msg, &ctx, lang).await,
        PublicCommand::Show(arg) => show(&bot, &msg, &ctx, lang, &arg).await,
        PublicCommand::Settings => settings::show(&bot, &msg, &ctx, lang).await,
        PublicCommand::Lang(arg) => settings::switch_lang(&bot, &msg, &ctx, lang, &arg).await,
        PublicCommand::Help => help(&bot, &msg, &ctx, lang).await,
    };
    match outcome {
        Err(e) => apologise(&bot, &msg, lang, e).await,
        ok => ok,
    }
}

pub async fn unknown_command(bot: JarchiBot, msg: Message, ctx: Context) -> HandlerResult {
    let lang = ctx
        .lang_for(&msg)
        .await
        .unwrap_or(ctx.settings.default_lang);
    say(&bot, &msg, phrase(Phrase::UnknownCommand, lang)).await
}

/// Logs the failure for the operator (without the user's text) and tells the user, once.
async fn apologise(
    bot: &JarchiBot,
    msg: &Message,
    lang: Lang,
    error: HandlerError,
) -> HandlerResult {
    tracing::error!(%error, "a command failed");
    if let HandlerError::Telegram(_) = error {
        // Telegram itself refused; a second message would most likely fail the same way.
        return Ok(());
    }
    say(bot, msg, phrase(Phrase::SomethingWentWrong, lang)).await
}

pub(super) async fn say(bot: &JarchiBot, msg: &Message, html: impl Into<String>) -> HandlerResult {
    send_html(bot, msg.chat.id, html, Preview::Off).await?;
    Ok(())
}

async fn help(bot: &JarchiBot, msg: &Message, ctx: &Context, lang: Lang) -> HandlerResult {
    let for_admin = msg
        .from
        .as_ref()
        .is_some_and(|u| ctx.settings.is_admin(u.id.0));
    say(bot, msg, commands::help(for_admin, lang)).await
}

async fn start(bot: &JarchiBot, msg: &Message, ctx: &Context) -> HandlerResult {
    // A new subscription takes the language of the person who asked for it.
    let lang = telegram_lang(msg, ctx.settings.default_lang);
    let outcome = ctx
        .storage
        .subscribe(msg.chat.id.0, chat_kind(msg), lang)
        .await?;
    tracing::info!(outcome = ?outcome, "start");
    let answer = match outcome {
        SubscribeOutcome::Subscribed => Phrase::Welcome,
        SubscribeOutcome::AlreadySubscribed => Phrase::AlreadySubscribed,
    };
    let lang = match outcome {
        SubscribeOutcome::Subscribed => lang,
        SubscribeOutcome::AlreadySubscribed => ctx.lang_for(msg).await?,
    };
    say(bot, msg, phrase(answer, lang)).await
}

async fn stop(bot: &JarchiBot, msg: &Message, ctx: &Context, lang: Lang) -> HandlerResult {
    let forgotten = ctx.storage.unsubscribe(msg.chat.id.0).await?;
    tracing::info!(forgotten, "stop");
    let answer = if forgotten {
        Phrase::Stopped
    } else {
        Phrase::NotSubscribed
    };
    say(bot, msg, phrase(answer, lang)).await
}

async fn latest(
    bot: &JarchiBot,
    msg: &Message,
    ctx: &Context,
    lang: Lang,
    arg: &str,
) -> HandlerResult {
    let Some(count) = parse_count(arg) else {
        return say(bot, msg, phrase(Phrase::LatestUsage, lang)).await;
    };
    let listing = Listing::Latest { size: count };
    if !browse::send_first_page(bot, msg.chat.id, ctx, listing, lang).await? {
        return say(bot, msg, phrase(Phrase::LatestEmpty, lang)).await;
    }
    Ok(())
}

async fn search(
    bot: &JarchiBot,
    msg: &Message,
    ctx: &Context,
    lang: Lang,
    query: &str,
) -> HandlerResult {
    if query.trim().is_empty() {
        return say(bot, msg, phrase(Phrase::SearchUsage, lang)).await;
    }
    let Some(request) = parse_search(query) else {
        return say(bot, msg, phrase(Phrase::SearchNoTerms, lang)).await;
    };
    let id = ctx.storage.remember_search(&request).await?;
    let listing = Listing::Search { id };
    if !browse::send_first_page(bot, msg.chat.id, ctx, listing, lang).await? {
        return say(bot, msg, catalogue::search_no_results(query, lang)).await;
    }
    Ok(())
}

/// The archive by the Jalali calendar: the years first, each a button (see `browse`).
async fn archive(bot: &JarchiBot, msg: &Message, ctx: &Context, lang: Lang) -> HandlerResult {
    match browse::years_page(ctx, lang).await? {
        Some(page) => {
            send_page(bot, msg.chat.id, page.html, page.keyboard).await?;
            Ok(())
        }
        None => say(bot, msg, phrase(Phrase::LatestEmpty, lang)).await,
    }
}

async fn show(
    bot: &JarchiBot,
    msg: &Message,
    ctx: &Context,
    lang: Lang,
    arg: &str,
) -> HandlerResult {
    let Some(id) = parse_id(arg) else {
        return say(bot, msg, phrase(Phrase::ShowUsage, lang)).await;
    };
    let Some(statement) = ctx.storage.announcement(id).await? else {
        return say(bot, msg, catalogue::show_not_found(id, lang)).await;
    };
    send_statement(bot, ctx, msg.chat.id, &statement, lang).await
}

/// A whole statement in as many messages as it takes, for /show and the list buttons.
pub async fn send_statement(
    bot: &JarchiBot,
    ctx: &Context,
    chat: ChatId,
    statement: &Announcement,
    lang: Lang,
) -> HandlerResult {
    let previews_wanted = ctx
        .storage
        .subscriber_settings(chat.0)
        .await?
        .is_none_or(|s| s.link_previews);
    let parts = full_statement(statement, lang);
    let last = parts.len().saturating_sub(1);
    for (i, part) in parts.into_iter().enumerate() {
        // Only the last part carries the read-more link, so only it may get a preview.
        let preview = if i == last && previews_wanted {
            Preview::On
        } else {
            Preview::Off
        };
        send_html(bot, chat, part, preview).await?;
    }
    Ok(())
}

/// `/latest`, `/latest 3`, `/latest ۳`: absent means the default, too many means the most
/// we show; anything else is not a count.
fn parse_count(arg: &str) -> Option<u32> {
    let arg = to_ascii_digits(arg);
    let arg = arg.trim();
    if arg.is_empty() {
        return Some(LATEST_DEFAULT);
    }
    match arg.parse::<u64>() {
        Ok(0) => None,
        Ok(n) => Some(n.min(u64::from(LATEST_MAX)) as u32),
        Err(_) if arg.len() > 3 && arg.bytes().all(|b| b.is_ascii_digit()) => Some(LATEST_MAX),
        Err(_) => None,
    }
}

/// `/show 12`, `/show #12`, `/show ۱۲`.
fn parse_id(arg: &str) -> Option<i64> {
    let arg = to_ascii_digits(arg);
    let arg = arg.trim().trim_start_matches('#').trim();
    arg.parse::<i64>().ok().filter(|id| *id > 0)
}

fn chat_kind(msg: &Message) -> ChatKind {
    match &msg.chat.kind {
        TgChatKind::Private(_) => ChatKind::Private,
        TgChatKind::Public(public) => match public.kind {
            PublicChatKind::Group => ChatKind::Group,
            PublicChatKind::Supergroup(_) => ChatKind::Supergroup,
            PublicChatKind::Channel(_) => ChatKind::Channel,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        assert_eq!(parse_count(""), Some(5));
        assert_eq!(parse_count(" 3 "), Some(3));
        assert_eq!(parse_count("۳"), Some(3));
        assert_eq!(parse_count("99"), Some(10));
        assert_eq!(parse_count("99999999999999999999999"), Some(10));
        assert_eq!(parse_count("0"), None);
        assert_eq!(parse_count("-1"), None);
        assert_eq!(parse_count("five"), None);
    }

    #[test]
    fn ids() {
        assert_eq!(parse_id("12"), Some(12));
        assert_eq!(parse_id("#12"), Some(12));
        assert_eq!(parse_id("۱۲"), Some(12));
        assert_eq!(parse_id(""), None);
        assert_eq!(parse_id("abc"), None);
        assert_eq!(parse_id("-3"), None);
    }
}
