//! Forward to publish: an admin forwards a message (from the organisation's channel, a
//! colleague) to the bot in a private chat, and gets the same preview as `/post` with Send
//! and Cancel. Send publishes a copy under our own card, never "forwarded from".

use teloxide::prelude::*;

use super::admin::{parse_post, show_preview};
use super::draft_media::{caption_of, gather_album};
use super::entities::formatted;
use super::media::attachment_of;
use super::reply::{ReplyTo, say};
use super::{Context, HandlerResult, JarchiBot};
use crate::domain::{
    Attachment, ChatId as DomainChatId, Draft, DraftStep, UserId, check_attachments,
};
use crate::text::catalogue::{Phrase, phrase};
use crate::text::entities::Formatted;

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
/// they want to publish now. A forwarded file keeps its caption as the text and goes out
/// by its file id (a copy); a forwarded album is gathered whole first.
pub async fn forwarded(bot: JarchiBot, msg: Message, ctx: Context, to: ReplyTo) -> HandlerResult {
    let Some(user) = msg.from.as_ref() else {
        return Ok(());
    };
    let user_id = UserId::from(user.id);
    let chat_id = msg.chat.id.into();
    let file = attachment_of(&msg);
    let Some(file) = file.filter(|_| msg.text().is_none()) else {
        if msg.text().is_none() {
            // A sticker, a poll, a location: nothing a statement can carry.
            return say(&bot, &to, phrase(Phrase::ForwardMediaLater, to.lang)).await;
        }
        return start_preview(
            &bot,
            &ctx,
            &to,
            user_id,
            chat_id,
            formatted(&msg),
            Vec::new(),
        )
        .await;
    };
    if msg.media_group_id().is_some() {
        let part = (file, caption_of(&msg));
        gather_album(
            &bot,
            &msg,
            &ctx,
            &to,
            part,
            move |bot, ctx, to, album| async move {
                let caption = album.caption.unwrap_or_else(|| Formatted::plain(""));
                start_preview(&bot, &ctx, &to, user_id, chat_id, caption, album.files).await
            },
        );
        return Ok(());
    }
    let caption = caption_of(&msg).unwrap_or_else(|| Formatted::plain(""));
    start_preview(&bot, &ctx, &to, user_id, chat_id, caption, vec![file]).await
}

/// The forward as a draft at its preview: the text read as a one-message `/post` (title,
/// text, link), with its files.
async fn start_preview(
    bot: &JarchiBot,
    ctx: &Context,
    to: &ReplyTo,
    user_id: UserId,
    chat_id: DomainChatId,
    text: Formatted,
    media: Vec<Attachment>,
) -> HandlerResult {
    let Some(post) = parse_post(&text) else {
        return say(bot, to, phrase(Phrase::PostEmptyText, to.lang)).await;
    };
    if check_attachments(&media).is_err() {
        return say(bot, to, phrase(Phrase::PostFilesRefused, to.lang)).await;
    }
    let draft = Draft {
        user_id,
        chat_id,
        step: DraftStep::Preview,
        title: post.title,
        body: post.body,
        body_html: Some(post.body_html),
        link: post.link,
        media,
    };
    ctx.storage.save_draft(&draft).await?;
    show_preview(bot, ctx, &draft, to.lang).await
}
