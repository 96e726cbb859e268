//! Plain types shared by every room. No I/O here.

mod announcement;
mod approval;
mod delivery;
mod draft;
mod enclosure;
mod feed;
mod feed_policy;
mod figures;
mod identity;
mod ids;
mod lang;
mod media;
mod schedule;
mod settings;
mod subscriber;
pub mod time;
mod topic;

pub use announcement::{
    Announcement, AnnouncementError, NewAnnouncement, StatementContent, is_http_url,
};
pub use approval::{
    ActionKind, ActionOutcome, AdminAction, Approval, ApprovalRequest, AuditAction, AuditEntry,
    RequestStatus, Withdrawal,
};
pub use delivery::{
    ArchiveOutcome, ClaimedDelivery, DeliveryAction, DeliveryResult, HeldShare, Hold, HoldRelease,
    PublishOutcome,
};
pub use draft::{Draft, DraftStep};
pub use enclosure::{EnclosureDelivery, FeedEnclosure, MAX_URL_SEND_BYTES};
pub use feed::{FeedHealth, FeedNotice, FeedStatus, HeldStatements, WaitingHold};
pub use feed_policy::{FeedPolicy, FeedRefusal, inside_kind};
pub use figures::{BroadcastFigures, Stats};
pub use identity::link_identity;
pub use ids::{ChatId, SourceKey, StatementId, UserId};
pub use lang::Lang;
pub use media::{
    AlbumFamily, Attachment, DeliveredMessage, MAX_ATTACHMENTS, MediaError, MediaKind, MediaSource,
    MessageRole, check_attachments,
};
pub use schedule::{DueStatement, LatePublish, ScheduledStatement, WaitingSchedule};
pub use settings::{DigestHour, QuietHours, SubscriberSettings, TEHRAN_OFFSET_SECONDS};
pub use subscriber::{ChatKind, SubscribeOutcome, Subscriber, SubscriberCounts};
pub use topic::{
    DEFAULT_TOPIC, FeedTopics, MAX_SLUG_BYTES, Topic, TopicChoice, TopicError, TopicFigures,
    TopicSlug, find_topic, fold_category, topic_name,
};

/// A name read back (from the database) that no variant spells: the caller says where it
/// was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {value:?}")]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}

impl UnknownValue {
    pub fn new(kind: &'static str, value: &str) -> Self {
        Self {
            kind,
            value: value.to_string(),
        }
    }
}
