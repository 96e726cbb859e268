//! A feed item's `<enclosure>` (or Atom `rel="enclosure"` link, or JSON Feed attachment):
//! a file the item carries. Small enough, it goes out as the statement's file, sent by its
//! URL so that Telegram fetches it; otherwise the card links to it.

use super::media::{Attachment, MediaKind};

/// The largest file Telegram fetches from a URL for audio, video and documents
/// (https://core.telegram.org/bots/api#sending-files).
pub const MAX_URL_SEND_BYTES: u64 = 20 * 1024 * 1024;

/// An enclosure as the feed announced it, its URL already made absolute and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEnclosure {
    pub url: String,
    /// As the feed gave it, lowercased; empty when it gave none.
    pub mime_type: String,
    /// Bytes, as the feed declared them; None when missing, zero or unreadable (feeds
    /// often write 0 or nothing).
    pub declared_length: Option<u64>,
}

/// How an enclosure reaches subscribers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnclosureDelivery {
    /// As the statement's file, by URL.
    File(Attachment),
    /// Too big for Telegram to fetch, or of unknown size: the URL is in the card.
    Link(String),
}

impl FeedEnclosure {
    pub fn new(url: &str, mime_type: Option<&str>, length: Option<&str>) -> Self {
        Self {
            url: url.trim().to_string(),
            mime_type: mime_type.unwrap_or_default().trim().to_ascii_lowercase(),
            declared_length: length
                .and_then(|l| l.trim().parse::<u64>().ok())
                .filter(|&l| l > 0),
        }
    }

    /// The kind of file it is by its MIME type; None for what is not sent as a file.
    /// A picture is not among them: an image enclosure stays the card's picture (the link
    /// preview), as it always was.
    pub fn kind(&self) -> Option<MediaKind> {
        let mime = self.mime_type.split(';').next().unwrap_or_default().trim();
        if mime.starts_with("audio/") {
            Some(MediaKind::Audio)
        } else if mime.starts_with("video/") {
            Some(MediaKind::Video)
        } else if mime == "application/pdf" {
            Some(MediaKind::Document)
        } else {
            None
        }
    }

    /// The file by URL when Telegram can fetch it (at most [`MAX_URL_SEND_BYTES`], as
    /// declared), else a link. None when it is no kind of file jarchi sends.
    pub fn delivery(&self) -> Option<EnclosureDelivery> {
        let kind = self.kind()?;
        let fits = self
            .declared_length
            .is_some_and(|l| l <= MAX_URL_SEND_BYTES);
        let file = fits
            .then(|| {
                Attachment::url(
                    kind,
                    &self.url,
                    Some(self.mime_type.clone()),
                    self.declared_length,
                )
                .ok()
            })
            .flatten();
        Some(match file {
            Some(file) => EnclosureDelivery::File(file),
            None => EnclosureDelivery::Link(self.url.clone()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::MediaSource;

    #[test]
    fn the_kind_comes_from_the_mime_type() {
        let kind = |mime: Option<&str>| FeedEnclosure::new("https://x.org/f", mime, None).kind();
        assert_eq!(kind(Some("audio/mpeg")), Some(MediaKind::Audio));
        assert_eq!(kind(Some(" Video/MP4 ")), Some(MediaKind::Video));
        assert_eq!(kind(Some("application/pdf")), Some(MediaKind::Document));
        assert_eq!(
            kind(Some("application/pdf; charset=binary")),
            Some(MediaKind::Document)
        );
        assert_eq!(kind(Some("image/jpeg")), None);
        assert_eq!(kind(Some("application/zip")), None);
        assert_eq!(kind(None), None);
    }

    #[test]
    fn up_to_20_mb_is_sent_by_url_and_bigger_or_unknown_is_a_link() {
        let small = FeedEnclosure::new("https://x.org/a.mp3", Some("audio/mpeg"), Some("1048576"));
        let Some(EnclosureDelivery::File(file)) = small.delivery() else {
            panic!("{:?}", small.delivery());
        };
        assert_eq!(file.kind(), MediaKind::Audio);
        assert_eq!(
            file.source(),
            &MediaSource::Url {
                url: "https://x.org/a.mp3".into(),
                mime_type: Some("audio/mpeg".into()),
                size: Some(1_048_576),
            }
        );
        let limit = MAX_URL_SEND_BYTES.to_string();
        let at_limit = FeedEnclosure::new("https://x.org/v.mp4", Some("video/mp4"), Some(&limit));
        assert!(matches!(
            at_limit.delivery(),
            Some(EnclosureDelivery::File(_))
        ));
        let over = (MAX_URL_SEND_BYTES + 1).to_string();
        for length in [Some(over.as_str()), Some("0"), Some("about 3 MB"), None] {
            let e = FeedEnclosure::new("https://x.org/s.pdf", Some("application/pdf"), length);
            assert_eq!(
                e.delivery(),
                Some(EnclosureDelivery::Link("https://x.org/s.pdf".into())),
                "{length:?}"
            );
        }
        let zip = FeedEnclosure::new("https://x.org/a.zip", Some("application/zip"), Some("5"));
        assert_eq!(zip.delivery(), None);
    }
}
