//! An admin's media message: which file it carries (as a domain `Attachment`), its caption
//! with the formatting kept, and the one-shot `/post` whose caption is the statement.

use teloxide::RequestError;
use teloxide::payloads::{
    SendAnimationSetters, SendAudioSetters, SendDocumentSetters, SendPhotoSetters,
    SendVideoSetters, SendVoiceSetters,
};
use teloxide::prelude::*;
use teloxide::types::{
    FileId, InlineKeyboardMarkup, InputFile, InputMedia, InputMediaAudio, InputMediaDocument,
    InputMediaPhoto, InputMediaVideo, Me, MediaKind as TgMedia, MessageId, MessageKind, ParseMode,
};

use super::admin::{content, parse_post, submit_from};
use super::commands::parse_text;
use super::entities::formatted_caption_tail;
use super::reply::{Preview, ReplyTo, say, send_html};
use super::{AdminCommand, Context, HandlerResult, JarchiBot};
use crate::domain::{AdminAction, Attachment, MediaKind, MediaSource, NewAnnouncement, SourceKey};
use crate::text::catalogue::{Phrase, phrase};
use crate::text::fits_caption;

/// The file of a photo, video, animation, audio, voice message or document; None for any
/// other message. A photo is kept in its largest size.
pub fn attachment_of(msg: &Message) -> Option<Attachment> {
    let MessageKind::Common(common) = &msg.kind else {
        return None;
    };
    let (kind, file) = match &common.media_kind {
        TgMedia::Photo(photo) => (
            MediaKind::Photo,
            &photo.photo.iter().max_by_key(|p| p.width * p.height)?.file,
        ),
        TgMedia::Video(video) => (MediaKind::Video, &video.video.file),
        TgMedia::Animation(animation) => (MediaKind::Animation, &animation.animation.file),
        TgMedia::Audio(audio) => (MediaKind::Audio, &audio.audio.file),
        TgMedia::Voice(voice) => (MediaKind::Voice, &voice.voice.file),
        TgMedia::Document(document) => (MediaKind::Document, &document.document.file),
        _ => return None,
    };
    Attachment::telegram(kind, &file.id.0, Some(file.unique_id.0.clone())).ok()
}

/// The handler tree's filter: an admin's media message whose caption is `/post` and the
/// statement, as the file and the caption after the command.
pub fn media_post(msg: Message, me: Me) -> Option<(Attachment, String)> {
    let caption = msg.caption()?;
    let Some(AdminCommand::Post(tail)) = parse_text::<AdminCommand>(caption, &me) else {
        return None;
    };
    Some((attachment_of(&msg)?, tail))
}

/// Publishes the media message as a statement: the caption's first line after `/post` the
/// title, the rest the text, a last line that is only a URL the link, the file with it.
/// The same door as a text `/post`, so a second admin's approval holds here too.
pub async fn post(
    bot: JarchiBot,
    msg: Message,
    (attachment, tail): (Attachment, String),
    ctx: Context,
    to: ReplyTo,
) -> HandlerResult {
    let source_key = SourceKey::admin(msg.chat.id.into(), msg.id.0);
    let Some(new) = parse_post(&formatted_caption_tail(&msg, &tail))
        .and_then(|p| content(&p))
        .and_then(|c| c.with_media(vec![attachment]).ok())
        .map(|c| NewAnnouncement::keyed(source_key, c))
    else {
        return say(&bot, &to, phrase(Phrase::PostEmptyText, to.lang)).await;
    };
    submit_from(&bot, &msg, &ctx, &to, AdminAction::Publish(new)).await
}

/// A card with a statement's files, as subscribers get it (a preview to check before Send
/// or Approve): the card as the caption when it fits, else the files and then the card.
pub async fn send_preview(
    bot: &JarchiBot,
    chat: ChatId,
    card: String,
    media: &[Attachment],
) -> HandlerResult {
    if media.is_empty() {
        send_html(bot, chat, card, Preview::On).await?;
        return Ok(());
    }
    let caption = fits_caption(&card).then_some(card.as_str());
    reply_with_files(bot, chat, media, caption).await?;
    if caption.is_none() {
        send_html(bot, chat, card, Preview::On).await?;
    }
    Ok(())
}

/// A statement's files as a reply, each message with its slot of the shared budget (an
/// album counts one per file). A file Telegram cannot be given is logged, not an error: the
/// text that follows still goes out.
pub async fn reply_with_files(
    bot: &JarchiBot,
    chat: ChatId,
    media: &[Attachment],
    caption: Option<&str>,
) -> HandlerResult {
    for _ in 0..media.len() {
        bot.message_slot().await;
    }
    match send_files(bot.inner(), chat, media, caption, None).await {
        Ok(_) => Ok(()),
        Err(FileSendError::Telegram(e)) => Err(e.into()),
        Err(other) => {
            tracing::warn!(error = %other, "a statement's file could not be sent");
            Ok(())
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FileSendError {
    #[error(transparent)]
    Telegram(#[from] RequestError),
    #[error("a media URL that cannot be parsed")]
    BadUrl,
    #[error("an animation or voice message cannot be in an album")]
    NotInAlbum,
}

fn input_file(attachment: &Attachment) -> Result<InputFile, FileSendError> {
    match attachment.source() {
        MediaSource::Telegram { file_id, .. } => Ok(InputFile::file_id(FileId(file_id.clone()))),
        MediaSource::Url { url, .. } => url::Url::parse(url)
            .map(InputFile::url)
            .map_err(|_| FileSendError::BadUrl),
    }
}

/// A statement's files in a chat: one message, or an album, with `caption` (HTML) on the
/// first; the ids of the messages in order. Every file jarchi sends is built here, for
/// a broadcast and for a reply alike. `keyboard` rides on a single file's message; an
/// album cannot carry one.
pub async fn send_files(
    bot: &Bot,
    chat: ChatId,
    media: &[Attachment],
    caption: Option<&str>,
    keyboard: Option<&InlineKeyboardMarkup>,
) -> Result<Vec<MessageId>, FileSendError> {
    if media.is_empty() {
        return Ok(Vec::new());
    }
    let [single] = media else {
        return send_album(bot, chat, media, caption).await;
    };
    let file = input_file(single)?;
    // Each kind is its own request type in teloxide; the same two settings on each.
    macro_rules! send {
        ($request:expr) => {{
            let mut request = $request.parse_mode(ParseMode::Html);
            if let Some(keyboard) = keyboard {
                request = request.reply_markup(keyboard.clone());
            }
            match caption {
                Some(caption) => request.caption(caption).await,
                None => request.await,
            }
        }};
    }
    let sent = match single.kind() {
        MediaKind::Photo => send!(bot.send_photo(chat, file)),
        MediaKind::Video => send!(bot.send_video(chat, file)),
        MediaKind::Animation => send!(bot.send_animation(chat, file)),
        MediaKind::Audio => send!(bot.send_audio(chat, file)),
        MediaKind::Voice => send!(bot.send_voice(chat, file)),
        MediaKind::Document => send!(bot.send_document(chat, file)),
    };
    Ok(vec![sent?.id])
}

async fn send_album(
    bot: &Bot,
    chat: ChatId,
    media: &[Attachment],
    caption: Option<&str>,
) -> Result<Vec<MessageId>, FileSendError> {
    let mut items = Vec::with_capacity(media.len());
    for (position, attachment) in media.iter().enumerate() {
        let file = input_file(attachment)?;
        // Telegram shows the first item's caption as the album's.
        let caption = caption.filter(|_| position == 0);
        macro_rules! item {
            ($variant:ident, $input:ident) => {{
                let item = $input::new(file).parse_mode(ParseMode::Html);
                InputMedia::$variant(match caption {
                    Some(c) => item.caption(c),
                    None => item,
                })
            }};
        }
        items.push(match attachment.kind() {
            MediaKind::Photo => item!(Photo, InputMediaPhoto),
            MediaKind::Video => item!(Video, InputMediaVideo),
            MediaKind::Audio => item!(Audio, InputMediaAudio),
            MediaKind::Document => item!(Document, InputMediaDocument),
            // The domain never lets these into an album (check_attachments).
            MediaKind::Animation | MediaKind::Voice => return Err(FileSendError::NotInAlbum),
        });
    }
    let messages = bot.send_media_group(chat, items).await?;
    Ok(messages.iter().map(|m| m.id).collect())
}
