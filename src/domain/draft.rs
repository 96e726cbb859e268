//! The guided `/post` dialogue: one draft per admin, a step at a time.

use super::{Attachment, ChatId, UnknownValue, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftStep {
    Title,
    Body,
    /// A file or an album to go with the statement, asked from the preview ("Add a file").
    Attachment,
    Link,
    Preview,
}

impl DraftStep {
    pub fn as_str(self) -> &'static str {
        match self {
            DraftStep::Title => "title",
            DraftStep::Body => "body",
            DraftStep::Attachment => "attachment",
            DraftStep::Link => "link",
            DraftStep::Preview => "preview",
        }
    }
}

impl TryFrom<&str> for DraftStep {
    type Error = UnknownValue;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        match s {
            "title" => Ok(DraftStep::Title),
            "body" => Ok(DraftStep::Body),
            "attachment" => Ok(DraftStep::Attachment),
            "link" => Ok(DraftStep::Link),
            "preview" => Ok(DraftStep::Preview),
            _ => Err(UnknownValue::new("draft step", s)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub user_id: UserId,
    pub chat_id: ChatId,
    pub step: DraftStep,
    pub title: String,
    pub body: String,
    /// The body as Telegram HTML with the admin's formatting; `None` for drafts begun
    /// before formatting was kept.
    pub body_html: Option<String>,
    pub link: Option<String>,
    /// The files that go out with it, in order (at most an album's ten).
    pub media: Vec<Attachment>,
}
