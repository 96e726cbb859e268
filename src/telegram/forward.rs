//! Forward to publish: an admin forwards a message (from the organisation's channel, a
//! colleague) to the bot in a private chat, and gets the same preview as `/post` with Send
//! and Cancel. Send publishes a copy under our own card, never "forwarded from".

use teloxide::prelude::*;

use super::admin::{parse_post, show_preview};
use super::entities::formatted;
use super::reply::{ReplyTo, say};
use super::{Context, HandlerResult, JarchiBot};
use crate::domain::{Draft, DraftStep};
use crate::text::catalogue::{Phrase, phrase};

/// A forwarded message from an admin, in the admin's private chat with the bot.
pub fn is_admin_forward(msg: Message, ctx: Context) -> bool {
    msg.chat.is_private()
        && msg.forward_origin().is_some()
        && msg
            .from
            .as_ref()
            .is_some_and(|u| ctx.settings.is_admin(u.id.0))
}

/// Starts a draft at its preview, replacing any draft the admin had: the forward is what
/// they want to publish now.
pub async fn forwarded(bot: JarchiBot, msg: Message, ctx: Context, to: ReplyTo) -> HandlerResult {
    let Some(user) = msg.from.as_ref() else {
        return Ok(());
    };
    if msg.text().is_none() {
        // Media is not published yet; say so rather than drop it without a word.
        return say(&bot, &to, phrase(Phrase::ForwardMediaLater, to.lang)).await;
    }
    let Some(post) = parse_post(&formatted(&msg)) else {
        return say(&bot, &to, phrase(Phrase::PostEmptyText, to.lang)).await;
    };
    let draft = Draft {
        user_id: user.id.into(),
        chat_id: msg.chat.id.into(),
        step: DraftStep::Preview,
        title: post.title,
        body: post.body,
        body_html: Some(post.body_html),
        link: post.link,
    };
    ctx.storage.save_draft(&draft).await?;
    show_preview(&bot, &ctx, &draft, to.lang).await
}
