//! A statement's media: the photos, videos, sounds and documents that go out with it.
//! Telegram files are kept by `file_id`, so a broadcast re-sends without uploading; a feed's
//! enclosure is kept by URL, which Telegram fetches itself.

use super::{UnknownValue, is_http_url};

/// What Telegram shows a file as; each has its own send method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaKind {
    Photo,
    Video,
    Animation,
    Audio,
    Voice,
    Document,
}

impl MediaKind {
    pub const ALL: [MediaKind; 6] = [
        MediaKind::Photo,
        MediaKind::Video,
        MediaKind::Animation,
        MediaKind::Audio,
        MediaKind::Voice,
        MediaKind::Document,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Photo => "photo",
            MediaKind::Video => "video",
            MediaKind::Animation => "animation",
            MediaKind::Audio => "audio",
            MediaKind::Voice => "voice",
            MediaKind::Document => "document",
        }
    }

    /// Which kinds Telegram lets share one album (`sendMediaGroup`): photos with videos,
    /// audio only with audio, documents only with documents. Animations and voice messages
    /// never go in an album.
    pub fn album_family(self) -> Option<AlbumFamily> {
        match self {
            MediaKind::Photo | MediaKind::Video => Some(AlbumFamily::Visual),
            MediaKind::Audio => Some(AlbumFamily::Audio),
            MediaKind::Document => Some(AlbumFamily::Document),
            MediaKind::Animation | MediaKind::Voice => None,
        }
    }

    /// The mark a list puts before a statement with this kind of media.
    pub fn mark(self) -> &'static str {
        match self {
            MediaKind::Photo | MediaKind::Animation => "🖼",
            MediaKind::Video => "🎬",
            MediaKind::Audio | MediaKind::Voice => "🔊",
            MediaKind::Document => "📄",
        }
    }
}

impl TryFrom<&str> for MediaKind {
    type Error = UnknownValue;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        MediaKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownValue::new("media kind", s))
    }
}

/// Kinds that may go out together in one album.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlbumFamily {
    /// Photos and videos.
    Visual,
    Audio,
    Document,
}

/// Where the file is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaSource {
    /// A file Telegram already has (an admin sent it): re-sent by id, never uploaded again.
    Telegram {
        file_id: String,
        /// Telegram's stable id of the same file (file ids differ per bot and may change).
        file_unique_id: Option<String>,
    },
    /// A file on the web (a feed's enclosure): Telegram fetches it from this http(s) URL.
    Url {
        url: String,
        mime_type: Option<String>,
        /// Bytes, as the feed announced them.
        size: Option<u64>,
    },
}

/// One file of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    kind: MediaKind,
    source: MediaSource,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    #[error("a Telegram file needs a file id")]
    EmptyFileId,
    #[error("a media URL must be http(s): {0}")]
    BadUrl(String),
    #[error("a statement carries at most {MAX_ATTACHMENTS} files, not {0}")]
    TooMany(usize),
    #[error("{0} and {1} cannot go out in one album")]
    CannotShareAlbum(&'static str, &'static str),
}

/// Telegram's largest album; a statement never carries more.
pub const MAX_ATTACHMENTS: usize = 10;

impl Attachment {
    /// A file Telegram already holds, by its `file_id`.
    pub fn telegram(
        kind: MediaKind,
        file_id: &str,
        file_unique_id: Option<String>,
    ) -> Result<Self, MediaError> {
        let file_id = file_id.trim();
        if file_id.is_empty() {
            return Err(MediaError::EmptyFileId);
        }
        Ok(Self {
            kind,
            source: MediaSource::Telegram {
                file_id: file_id.to_string(),
                file_unique_id: file_unique_id.filter(|u| !u.is_empty()),
            },
        })
    }

    /// A file on the web that Telegram is to fetch.
    pub fn url(
        kind: MediaKind,
        url: &str,
        mime_type: Option<String>,
        size: Option<u64>,
    ) -> Result<Self, MediaError> {
        let url = url.trim();
        if !is_http_url(url) {
            return Err(MediaError::BadUrl(url.to_string()));
        }
        Ok(Self {
            kind,
            source: MediaSource::Url {
                url: url.to_string(),
                mime_type: mime_type.filter(|m| !m.is_empty()),
                size,
            },
        })
    }

    pub fn kind(&self) -> MediaKind {
        self.kind
    }
    pub fn source(&self) -> &MediaSource {
        &self.source
    }
    /// The Telegram file id, or the URL: what a send method takes as its `InputFile`.
    pub fn file_reference(&self) -> &str {
        match &self.source {
            MediaSource::Telegram { file_id, .. } => file_id,
            MediaSource::Url { url, .. } => url,
        }
    }
}

/// What one message of a delivery carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageRole {
    /// A file without the card.
    Media,
    /// A file with the card as its caption.
    Caption,
    /// The card as a text message, after the files.
    Card,
}

impl MessageRole {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageRole::Media => "media",
            MessageRole::Caption => "caption",
            MessageRole::Card => "card",
        }
    }
}

impl TryFrom<&str> for MessageRole {
    type Error = UnknownValue;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        [MessageRole::Media, MessageRole::Caption, MessageRole::Card]
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownValue::new("message role", s))
    }
}

/// One message Telegram accepted for a delivery: its place in the delivery, its id in the
/// chat, and what it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveredMessage {
    pub position: u8,
    pub message_id: i32,
    pub role: MessageRole,
}

/// Checks that these files can go out together: at most ten, and when more than one, all
/// of kinds that may share one album.
pub fn check_attachments(media: &[Attachment]) -> Result<(), MediaError> {
    if media.len() > MAX_ATTACHMENTS {
        return Err(MediaError::TooMany(media.len()));
    }
    if media.len() < 2 {
        return Ok(());
    }
    let first = media[0].kind;
    for other in &media[1..] {
        match (first.album_family(), other.kind.album_family()) {
            (Some(a), Some(b)) if a == b => {}
            _ => {
                return Err(MediaError::CannotShareAlbum(
                    first.as_str(),
                    other.kind.as_str(),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(kind: MediaKind) -> Attachment {
        Attachment::telegram(kind, "AgAC-id", None).unwrap()
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in MediaKind::ALL {
            assert_eq!(MediaKind::try_from(kind.as_str()), Ok(kind));
        }
        assert!(MediaKind::try_from("sticker").is_err());
    }

    #[test]
    fn albums_mix_only_what_telegram_mixes() {
        use MediaKind::*;
        assert!(check_attachments(&[file(Photo), file(Video), file(Photo)]).is_ok());
        assert!(check_attachments(&[file(Audio), file(Audio)]).is_ok());
        assert!(check_attachments(&[file(Document), file(Document)]).is_ok());
        assert!(check_attachments(&[file(Animation)]).is_ok());
        assert!(check_attachments(&[file(Voice)]).is_ok());
        for (a, b) in [
            (Photo, Audio),
            (Document, Photo),
            (Audio, Document),
            (Animation, Animation),
            (Voice, Voice),
        ] {
            assert_eq!(
                check_attachments(&[file(a), file(b)]),
                Err(MediaError::CannotShareAlbum(a.as_str(), b.as_str()))
            );
        }
        let eleven = vec![file(Photo); 11];
        assert_eq!(check_attachments(&eleven), Err(MediaError::TooMany(11)));
        assert!(check_attachments(&eleven[..10]).is_ok());
    }

    #[test]
    fn message_roles_round_trip_through_their_names() {
        for role in [MessageRole::Media, MessageRole::Caption, MessageRole::Card] {
            assert_eq!(MessageRole::try_from(role.as_str()), Ok(role));
        }
        assert!(MessageRole::try_from("sticker").is_err());
    }

    #[test]
    fn sources_are_checked() {
        assert_eq!(
            Attachment::telegram(MediaKind::Photo, " ", None),
            Err(MediaError::EmptyFileId)
        );
        assert!(matches!(
            Attachment::url(MediaKind::Audio, "ftp://x.org/a.mp3", None, None),
            Err(MediaError::BadUrl(_))
        ));
        let a = Attachment::url(MediaKind::Audio, "https://x.org/a.mp3", None, Some(5)).unwrap();
        assert_eq!(a.file_reference(), "https://x.org/a.mp3");
    }
}
