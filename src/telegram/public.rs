//! The commands about the subscription and single statements: /start, /stop, /show, /help,
//! and the pointer to /help for a command nobody knows.

use teloxide::prelude::*;
use teloxide::types::ChatKind as TgChatKind;
use teloxide::types::PublicChatKind;

use super::commands;
use super::reply::{ReplyTo, say, send_statement};
use super::{Context, HandlerResult, JarchiBot};
use crate::domain::{ChatKind, SubscribeOutcome};
use crate::text::catalogue::{self, Phrase, phrase};
use crate::text::parse_statement_id;

pub async fn unknown_command(bot: JarchiBot, to: ReplyTo) -> HandlerResult {
    say(&bot, &to, phrase(Phrase::UnknownCommand, to.lang)).await
}

pub async fn help(bot: &JarchiBot, msg: &Message, ctx: &Context, to: &ReplyTo) -> HandlerResult {
    let for_admin = msg
        .from
        .as_ref()
        .is_some_and(|u| ctx.settings.is_admin(u.id.0));
    say(bot, to, commands::help(for_admin, to.lang)).await
}

pub async fn start(bot: &JarchiBot, msg: &Message, ctx: &Context, to: &ReplyTo) -> HandlerResult {
    // A chat that has not subscribed is answered in the asker's client language, and a new
    // subscription takes that language; an existing one keeps its own.
    let outcome = ctx
        .storage
        .subscribe(to.chat.into(), chat_kind(msg), to.lang)
        .await?;
    tracing::info!(outcome = ?outcome, "start");
    let answer = match outcome {
        SubscribeOutcome::Subscribed => Phrase::Welcome,
        SubscribeOutcome::AlreadySubscribed => Phrase::AlreadySubscribed,
    };
    say(bot, to, phrase(answer, to.lang)).await
}

pub async fn stop(bot: &JarchiBot, ctx: &Context, to: &ReplyTo) -> HandlerResult {
    let forgotten = ctx.storage.unsubscribe(to.chat.into()).await?;
    tracing::info!(forgotten, "stop");
    let answer = if forgotten {
        Phrase::Stopped
    } else {
        Phrase::NotSubscribed
    };
    say(bot, to, phrase(answer, to.lang)).await
}

pub async fn show(bot: &JarchiBot, ctx: &Context, to: &ReplyTo, arg: &str) -> HandlerResult {
    let Some(id) = parse_statement_id(arg) else {
        return say(bot, to, phrase(Phrase::ShowUsage, to.lang)).await;
    };
    let Some(statement) = ctx.storage.announcement(id).await? else {
        return say(bot, to, catalogue::show_not_found(id.0, to.lang)).await;
    };
    send_statement(bot, &ctx.storage, to, &statement).await
}

/// `/show 12`, `/show #12`, `/show ۱۲`.
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
    use crate::domain::StatementId;

    #[test]
    fn ids() {
        assert_eq!(parse_statement_id("12"), Some(StatementId(12)));
        assert_eq!(parse_statement_id("#12"), Some(StatementId(12)));
        assert_eq!(parse_statement_id("۱۲"), Some(StatementId(12)));
        assert_eq!(parse_statement_id(""), None);
        assert_eq!(parse_statement_id("abc"), None);
        assert_eq!(parse_statement_id("-3"), None);
    }
}
