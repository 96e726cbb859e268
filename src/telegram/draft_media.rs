//! Files in the guided `/post` dialogue. At the text step a file's caption is the text and
//! the file goes with it; at the attachment step ("📎 Add or change a file" under the
//! preview) the file is added to the text already written. Either way an album (2–10 photos
//! or videos sent together) becomes the draft's files at once.
//!
//! Telegram sends an album as separate messages sharing a `media_group_id`, with no sign of
//! which is the last. The parts are gathered here, per admin, until no part has come for
//! [`ALBUM_QUIET`], then applied to the draft as one. Only admins with a draft at one of
//! these steps get here, one album each, of at most ten parts: memory stays bounded.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use teloxide::prelude::*;
use teloxide::types::Me;
use tokio::time::Instant;

use super::admin::{content, parse_post, show_preview, submit_from, trimmed};
use super::entities::{formatted_caption, formatted_caption_tail};
use super::media::{attachment_of, media_post};
use super::reply::{ReplyTo, say};
use super::{Context, HandlerResult, JarchiBot};
use crate::domain::{
    AdminAction, Attachment, Draft, DraftStep, MAX_ATTACHMENTS, NewAnnouncement, SourceKey, UserId,
    check_attachments,
};
use crate::text::catalogue::{Phrase, phrase};
use crate::text::entities::Formatted;

/// How long after an album's last part it is taken as complete. Telegram delivers the
/// parts within a fraction of a second of each other.
pub const ALBUM_QUIET: Duration = Duration::from_secs(1);

/// A file that continues an admin's draft: what the handler tree hands on.
#[derive(Debug, Clone)]
pub struct DraftFile {
    draft: Draft,
    attachment: Attachment,
}

/// Albums being gathered, one per admin.
#[derive(Debug, Default)]
pub struct Albums {
    gathering: Mutex<HashMap<UserId, AlbumParts>>,
}

impl Albums {
    /// A panic while the lock was held leaves nothing half-written worth refusing.
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<UserId, AlbumParts>> {
        self.gathering
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[derive(Debug)]
struct AlbumParts {
    group: String,
    /// By message id, which is the album's order.
    files: Vec<(i32, Attachment)>,
    /// The first caption of the album (Telegram puts it on one part, usually the first).
    caption: Option<(i32, Formatted)>,
    last_part: Instant,
}

/// The handler tree's filter: an admin's file message in the chat of their draft, while the
/// draft is at its text step or its attachment step.
pub async fn file_for_draft(msg: Message, ctx: Context) -> Option<DraftFile> {
    let user = msg.from.as_ref()?;
    if !ctx.settings.is_admin(user.id.0) {
        return None;
    }
    let attachment = attachment_of(&msg)?;
    let draft = ctx.storage.draft(user.id.into()).await.ok()??;
    let takes_files = matches!(draft.step, DraftStep::Body | DraftStep::Attachment);
    (draft.chat_id == msg.chat.id.into() && takes_files).then_some(DraftFile { draft, attachment })
}

/// A file for the draft: applied at once, or gathered with the rest of its album.
pub async fn file_received(
    bot: JarchiBot,
    msg: Message,
    file: DraftFile,
    ctx: Context,
    to: ReplyTo,
) -> HandlerResult {
    let caption = caption_of(&msg);
    let user = file.draft.user_id;
    if msg.media_group_id().is_none() {
        return apply(&bot, &ctx, &to, file.draft, vec![file.attachment], caption).await;
    }
    gather_album(
        &bot,
        &msg,
        &ctx,
        &to,
        (file.attachment, caption),
        move |bot, ctx, to, album| async move {
            // The draft as it is now: /cancel may have come meanwhile.
            match ctx.storage.draft(user).await? {
                Some(draft) if matches!(draft.step, DraftStep::Body | DraftStep::Attachment) => {
                    apply(&bot, &ctx, &to, draft, album.files, album.caption).await
                }
                _ => Ok(()),
            }
        },
    );
    Ok(())
}

/// A media message's caption with its formatting, if it has one.
pub fn caption_of(msg: &Message) -> Option<Formatted> {
    Some(formatted_caption(msg)).filter(|c| !c.text.trim().is_empty())
}

/// An album as gathered: its files in order, the message id of its first part, and its
/// caption (as the gatherer chose to keep it).
#[derive(Debug)]
pub struct Album {
    pub first_message: i32,
    pub files: Vec<Attachment>,
    pub caption: Option<Formatted>,
}

/// Gathers one part of an album (`msg` has a `media_group_id`): its file and the caption to
/// keep of it. The part that begins an album also starts the wait for the rest; once
/// complete, `then` gets the album. What `then` fails with is logged: nobody waits for its
/// answer.
pub fn gather_album<F, Fut>(
    bot: &JarchiBot,
    msg: &Message,
    ctx: &Context,
    to: &ReplyTo,
    (file, caption): (Attachment, Option<Formatted>),
    then: F,
) where
    F: FnOnce(JarchiBot, Context, ReplyTo, Album) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = HandlerResult> + Send + 'static,
{
    let (Some(group), Some(user)) = (msg.media_group_id(), msg.from.as_ref()) else {
        return;
    };
    let user = UserId::from(user.id);
    if !gather(&ctx.albums, user, &group.0, msg.id.0, file, caption) {
        return;
    }
    let (bot, ctx, to) = (bot.clone(), ctx.clone(), *to);
    tokio::spawn(async move {
        let Some(album) = wait_for_the_rest(&ctx.albums, user).await else {
            return;
        };
        if let Err(error) = then(bot, ctx, to, album).await {
            tracing::warn!(%error, "an album could not be taken");
        }
    });
}

/// Keeps one part; true if it began a new album (whose waiter must be started). A part of
/// another album replaces the one being gathered; parts beyond ten are dropped.
fn gather(
    albums: &Albums,
    user: UserId,
    group: &str,
    message_id: i32,
    file: Attachment,
    caption: Option<Formatted>,
) -> bool {
    let mut gathering = albums.lock();
    let first_part = gathering
        .get(&user)
        .is_none_or(|parts| parts.group != group);
    if first_part {
        gathering.insert(
            user,
            AlbumParts {
                group: group.to_string(),
                files: Vec::new(),
                caption: None,
                last_part: Instant::now(),
            },
        );
    }
    let Some(parts) = gathering.get_mut(&user) else {
        return first_part;
    };
    parts.last_part = Instant::now();
    if parts.files.len() < MAX_ATTACHMENTS {
        parts.files.push((message_id, file));
    }
    if let Some(caption) = caption
        && parts
            .caption
            .as_ref()
            .is_none_or(|(at, _)| message_id < *at)
    {
        parts.caption = Some((message_id, caption));
    }
    first_part
}

/// Waits until the admin's album has had no new part for [`ALBUM_QUIET`], then takes it:
/// its files in order and its caption. None if it was replaced by another album, whose
/// own waiter takes it.
async fn wait_for_the_rest(albums: &Albums, user: UserId) -> Option<Album> {
    let group = albums.lock().get(&user)?.group.clone();
    loop {
        let quiet_since = {
            let mut gathering = albums.lock();
            let parts = gathering.get(&user).filter(|p| p.group == group)?;
            if parts.last_part.elapsed() >= ALBUM_QUIET {
                let mut parts = gathering.remove(&user)?;
                parts.files.sort_by_key(|(id, _)| *id);
                return Some(Album {
                    first_message: parts.files.first().map_or(0, |(id, _)| *id),
                    files: parts.files.into_iter().map(|(_, file)| file).collect(),
                    caption: parts.caption.map(|(_, c)| c),
                });
            }
            parts.last_part
        };
        tokio::time::sleep_until(quiet_since + ALBUM_QUIET).await;
    }
}

/// The files (and a caption) go into the draft. At the text step the caption is the text
/// and the dialogue asks for the link next; at the attachment step the files replace the
/// draft's, and the preview is shown again.
async fn apply(
    bot: &JarchiBot,
    ctx: &Context,
    to: &ReplyTo,
    mut draft: Draft,
    files: Vec<Attachment>,
    caption: Option<Formatted>,
) -> HandlerResult {
    if check_attachments(&files).is_err() {
        return say(bot, to, phrase(Phrase::PostFilesRefused, to.lang)).await;
    }
    draft.media = files;
    match draft.step {
        DraftStep::Body => {
            if let Some(caption) = caption {
                let body = caption.slice(trimmed(&caption.text, 0..caption.text.len()));
                draft.body_html = Some(body.to_html());
                draft.body = body.text;
            }
            draft.step = DraftStep::Link;
            ctx.storage.save_draft(&draft).await?;
            say(bot, to, phrase(Phrase::PostAskLink, to.lang)).await
        }
        _ => {
            draft.step = DraftStep::Preview;
            ctx.storage.save_draft(&draft).await?;
            show_preview(bot, ctx, &draft, to.lang).await
        }
    }
}

/// The handler tree's filter: a part of an album an admin sends outside the guided
/// dialogue, with the caption after `/post` if this part has it. Every part is gathered,
/// since Telegram may put the caption on any of them; an album without `/post` is then
/// dropped, as a file without it always was.
pub async fn one_shot_album_part(
    msg: Message,
    me: Me,
    ctx: Context,
) -> Option<(Attachment, Option<Formatted>)> {
    let user = msg.from.as_ref()?;
    if msg.media_group_id().is_none() || !ctx.settings.is_admin(user.id.0) {
        return None;
    }
    let file = attachment_of(&msg)?;
    let draft = ctx.storage.draft(user.id.into()).await.ok()?;
    if draft.is_some_and(|d| matches!(d.step, DraftStep::Body | DraftStep::Attachment)) {
        return None;
    }
    let caption = media_post(msg.clone(), me).map(|(_, tail)| formatted_caption_tail(&msg, &tail));
    Some((file, caption))
}

/// An album whose caption begins with `/post`: one statement with every file, through the
/// same door as a one-message `/post`.
pub async fn one_shot_album(
    bot: JarchiBot,
    msg: Message,
    part: (Attachment, Option<Formatted>),
    ctx: Context,
    to: ReplyTo,
) -> HandlerResult {
    let first = msg.clone();
    gather_album(
        &bot,
        &msg,
        &ctx,
        &to,
        part,
        move |bot, ctx, to, album| async move {
            let Some(caption) = album.caption else {
                return Ok(());
            };
            if check_attachments(&album.files).is_err() {
                return say(&bot, &to, phrase(Phrase::PostFilesRefused, to.lang)).await;
            }
            let key = SourceKey::admin(first.chat.id.into(), album.first_message);
            let Some(new) = parse_post(&caption)
                .and_then(|post| content(&post))
                .and_then(|c| c.with_media(album.files).ok())
                .map(|c| NewAnnouncement::keyed(key, c))
            else {
                return say(&bot, &to, phrase(Phrase::PostEmptyText, to.lang)).await;
            };
            submit_from(&bot, &first, &ctx, &to, AdminAction::Publish(new)).await
        },
    );
    Ok(())
}

/// "📎 Add or change a file" under the preview: the draft waits for a file.
pub async fn add_file(
    bot: &JarchiBot,
    query: &CallbackQuery,
    ctx: &Context,
    to: &ReplyTo,
    mut draft: Draft,
) -> HandlerResult {
    draft.step = DraftStep::Attachment;
    ctx.storage.save_draft(&draft).await?;
    bot.answer_callback_query(query.id.clone()).await?;
    say(bot, to, phrase(Phrase::PostAskAttachment, to.lang)).await
}

/// `/skip` at the attachment step: the preview again, with the files it had.
pub async fn skip_file(
    bot: &JarchiBot,
    ctx: &Context,
    mut draft: Draft,
    to: &ReplyTo,
) -> HandlerResult {
    draft.step = DraftStep::Preview;
    ctx.storage.save_draft(&draft).await?;
    show_preview(bot, ctx, &draft, to.lang).await
}

/// A text at the attachment step: the question again.
pub async fn ask_for_file(bot: &JarchiBot, to: &ReplyTo) -> HandlerResult {
    say(bot, to, phrase(Phrase::PostAskAttachment, to.lang)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::MediaKind;

    fn photo(n: u32) -> Attachment {
        Attachment::telegram(MediaKind::Photo, &format!("photo-{n}"), None).unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn an_album_is_taken_whole_after_a_quiet_second_in_message_order() {
        let albums = Albums::default();
        let user = UserId(7);
        assert!(gather(&albums, user, "g1", 11, photo(2), None));
        let caption = Formatted::plain("caption");
        assert!(!gather(&albums, user, "g1", 10, photo(1), Some(caption)));
        for n in 0..12 {
            gather(&albums, user, "g1", 20 + n, photo(3 + n as u32), None);
        }
        let album = wait_for_the_rest(&albums, user).await.unwrap();
        assert_eq!(album.first_message, 10);
        assert_eq!(album.files.len(), MAX_ATTACHMENTS);
        assert_eq!(album.files[0], photo(1));
        assert_eq!(album.files[1], photo(2));
        assert_eq!(album.caption.unwrap().text, "caption");
        assert!(albums.lock().is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn a_new_album_replaces_the_one_being_gathered() {
        let albums = Albums::default();
        let user = UserId(7);
        gather(&albums, user, "g1", 1, photo(1), None);
        assert!(gather(&albums, user, "g2", 5, photo(5), None));
        let album = wait_for_the_rest(&albums, user).await.unwrap();
        assert_eq!(album.files, vec![photo(5)]);
    }
}
