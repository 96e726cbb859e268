use std::ops::Deref;

use chrono::{DateTime, SubsecRound, Utc};

use super::media::{Attachment, MediaError, check_attachments};
use super::{SourceKey, StatementId, TopicSlug};

/// A statement as stored in the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    pub id: StatementId,
    /// What makes a statement "the same one again": a feed guid or link, or
    /// `admin:<chat id>:<message id>` for statements posted through the bot.
    pub source_key: SourceKey,
    pub title: String,
    /// Sanitised HTML as published (never sent to Telegram as is).
    pub body_html: String,
    /// Plain text derived from `body_html`: what excerpts and `/show` are made of.
    pub body_text: String,
    pub link: Option<String>,
    pub image_url: Option<String>,
    pub published_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// The files that go out with it, in order; empty for a text statement.
    pub media: Vec<Attachment>,
}

/// What a statement says, without where it came from: enough to revise a stored statement
/// or to preview a draft, which need no key. Built only through [`StatementContent::new`],
/// so that storage never sees an empty title or a link that is not http(s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementContent {
    title: String,
    body_html: String,
    body_text: String,
    link: Option<String>,
    image_url: Option<String>,
    published_at: DateTime<Utc>,
    media: Vec<Attachment>,
}

/// A statement about to enter the archive: its content and the key that decides whether
/// it is new. It reads as its content (`Deref`), which is what most callers want.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAnnouncement {
    source_key: SourceKey,
    content: StatementContent,
    /// `None`: the house default topic (or, for a feed item, the feed's; see `categories`).
    topic: Option<TopicSlug>,
    /// A feed item's `<category>` names, which a feed may map to topics.
    categories: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AnnouncementError {
    #[error("a statement needs a source key")]
    EmptySourceKey,
    #[error("a statement needs a title or a body")]
    Empty,
    #[error("the link must be an http(s) URL: {0}")]
    BadLink(String),
    #[error(transparent)]
    Media(#[from] MediaError),
}

/// Keeps the archive's rows within what any message can carry; longer titles are
/// someone's mistake or an attack, not a headline.
const MAX_TITLE_CHARS: usize = 512;

impl StatementContent {
    pub fn new(
        title: &str,
        body_html: impl Into<String>,
        body_text: impl Into<String>,
        link: Option<String>,
        published_at: DateTime<Utc>,
    ) -> Result<Self, AnnouncementError> {
        let body_text = body_text.into();
        let mut title: String = title.split_whitespace().collect::<Vec<_>>().join(" ");
        if title.chars().count() > MAX_TITLE_CHARS {
            title = title.chars().take(MAX_TITLE_CHARS).collect();
        }
        if title.is_empty() && body_text.trim().is_empty() {
            return Err(AnnouncementError::Empty);
        }
        let link = match link.map(|l| l.trim().to_string()).filter(|l| !l.is_empty()) {
            Some(l) if is_http_url(&l) => Some(l),
            Some(l) => return Err(AnnouncementError::BadLink(l)),
            None => None,
        };
        Ok(Self {
            title,
            body_html: body_html.into(),
            body_text,
            link,
            image_url: None,
            // Publication times are whole seconds, as feeds give them: a feed item is
            // recognised by its title and this time (see `Storage::recognise`).
            published_at: published_at.trunc_subsecs(0),
            media: Vec::new(),
        })
    }

    /// The statement with these files (at most ten, of kinds that may share an album).
    pub fn with_media(mut self, media: Vec<Attachment>) -> Result<Self, AnnouncementError> {
        check_attachments(&media)?;
        self.media = media;
        Ok(self)
    }

    pub fn with_image(mut self, image_url: Option<String>) -> Self {
        self.image_url = image_url.filter(|u| is_http_url(u));
        self
    }

    pub fn title(&self) -> &str {
        &self.title
    }
    pub fn body_html(&self) -> &str {
        &self.body_html
    }
    pub fn body_text(&self) -> &str {
        &self.body_text
    }
    pub fn link(&self) -> Option<&str> {
        self.link.as_deref()
    }
    pub fn image_url(&self) -> Option<&str> {
        self.image_url.as_deref()
    }
    pub fn published_at(&self) -> DateTime<Utc> {
        self.published_at
    }
    pub fn media(&self) -> &[Attachment] {
        &self.media
    }
}

impl NewAnnouncement {
    /// A statement under a key the source gave it (a feed's guid or link).
    pub fn new(
        source_key: impl AsRef<str>,
        title: &str,
        body_html: impl Into<String>,
        body_text: impl Into<String>,
        link: Option<String>,
        published_at: DateTime<Utc>,
    ) -> Result<Self, AnnouncementError> {
        let source_key =
            SourceKey::feed(source_key.as_ref()).ok_or(AnnouncementError::EmptySourceKey)?;
        let content = StatementContent::new(title, body_html, body_text, link, published_at)?;
        Ok(Self::keyed(source_key, content))
    }

    pub fn keyed(source_key: SourceKey, content: StatementContent) -> Self {
        Self {
            source_key,
            content,
            topic: None,
            categories: Vec::new(),
        }
    }

    pub fn with_topic(mut self, topic: Option<TopicSlug>) -> Self {
        self.topic = topic;
        self
    }

    pub fn with_categories(mut self, categories: Vec<String>) -> Self {
        self.categories = categories;
        self
    }

    pub fn topic(&self) -> Option<TopicSlug> {
        self.topic
    }

    pub fn categories(&self) -> &[String] {
        &self.categories
    }

    pub fn source_key(&self) -> &SourceKey {
        &self.source_key
    }

    pub fn content(&self) -> &StatementContent {
        &self.content
    }
}

impl Deref for NewAnnouncement {
    type Target = StatementContent;
    fn deref(&self) -> &StatementContent {
        &self.content
    }
}

/// True for absolute http(s) URLs: the only links Telegram will turn into `<a href>`.
pub fn is_http_url(s: &str) -> bool {
    match url::Url::parse(s) {
        Ok(u) => matches!(u.scheme(), "http" | "https") && u.host_str().is_some(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_what_cannot_be_a_statement() {
        let now = Utc::now();
        assert_eq!(
            NewAnnouncement::new("", "t", "", "", None, now).unwrap_err(),
            AnnouncementError::EmptySourceKey
        );
        assert_eq!(
            NewAnnouncement::new("k", "  ", "", " ", None, now).unwrap_err(),
            AnnouncementError::Empty
        );
        assert!(matches!(
            NewAnnouncement::new("k", "t", "", "", Some("javascript:alert(1)".into()), now),
            Err(AnnouncementError::BadLink(_))
        ));
    }

    #[test]
    fn normalises_title_whitespace_and_length() {
        let long = "ا ".repeat(2000);
        let a = NewAnnouncement::new(
            "k",
            &long,
            "",
            "",
            Some(" https://x.org/a ".into()),
            Utc::now(),
        )
        .unwrap();
        assert_eq!(a.title().chars().count(), MAX_TITLE_CHARS);
        assert_eq!(a.link(), Some("https://x.org/a"));
    }
}
