//! What publishing and the delivery queue report: plain outcomes shared by `publish`,
//! `broadcast`, `telegram` and `storage`.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{ChatId, ChatKind, DigestHour, Lang, QuietHours, StatementId, UnknownValue};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishOutcome {
    /// New: stored, and queued for this many chats.
    Published { id: StatementId, recipients: u64 },
    /// The same source key was published (or archived) before; nothing was queued.
    Duplicate { id: StatementId },
}

/// What happened to a statement offered to the archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveOutcome {
    Inserted(StatementId),
    /// The source key was already there; nothing changed.
    Duplicate(StatementId),
}

impl ArchiveOutcome {
    pub fn id(self) -> StatementId {
        match self {
            ArchiveOutcome::Inserted(id) | ArchiveOutcome::Duplicate(id) => id,
        }
    }
}

/// What pressing "broadcast them" did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldRelease {
    /// Queued this many statements for this many deliveries in all.
    Released {
        statements: u64,
        deliveries: u64,
    },
    /// Released before (a double tap, or another admin was quicker): nothing queued.
    AlreadyReleased,
    NotFound,
}

/// What a queued delivery does with the statement in its chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryAction {
    Send,
    /// Replace a delivered copy's text (the statement was revised).
    Edit,
    /// Take a delivered copy down (the statement was retracted).
    Delete,
}

impl DeliveryAction {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryAction::Send => "send",
            DeliveryAction::Edit => "edit",
            DeliveryAction::Delete => "delete",
        }
    }
}

impl TryFrom<&str> for DeliveryAction {
    type Error = UnknownValue;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        match s {
            "send" => Ok(DeliveryAction::Send),
            "edit" => Ok(DeliveryAction::Edit),
            "delete" => Ok(DeliveryAction::Delete),
            _ => Err(UnknownValue::new("delivery action", s)),
        }
    }
}

/// Why the worker held a new statement back from a chat: the one mechanism behind quiet
/// hours and digests (the row's due time is put off, and this says why).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// The chat's quiet hours; it goes out as a card when they end.
    Quiet,
    /// The chat's next digest; it goes out in one message with the chat's other held rows.
    Digest,
}

impl Hold {
    pub fn as_str(self) -> &'static str {
        match self {
            Hold::Quiet => "quiet",
            Hold::Digest => "digest",
        }
    }
}

impl TryFrom<&str> for Hold {
    type Error = UnknownValue;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        match s {
            "quiet" => Ok(Hold::Quiet),
            "digest" => Ok(Hold::Digest),
            _ => Err(UnknownValue::new("delivery hold", s)),
        }
    }
}

/// A delivery the worker has claimed and must now carry out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedDelivery {
    pub id: i64,
    pub announcement_id: StatementId,
    pub chat_id: ChatId,
    pub action: DeliveryAction,
    pub message_id: Option<i32>,
    pub attempts: i64,
    /// When the delivery was queued: failures that may pass are retried until
    /// `DELIVERY_GIVE_UP_HOURS` after this.
    pub created_at: DateTime<Utc>,
    pub chat_kind: ChatKind,
    pub lang: Lang,
    /// False when the chat went away after the row was queued.
    pub chat_active: bool,
    /// The subscriber's choice: a preview of the statement's page, or none.
    pub link_previews: bool,
    /// Broadcasts to this chat wait while these hours last.
    pub quiet_hours: Option<QuietHours>,
    /// The chat's digest hour; `None`: each statement as it comes.
    pub digest: Option<DigestHour>,
    /// Why the row was held back before, if it was.
    pub held: Option<Hold>,
    /// The messages of this statement's send in this chat that Telegram accepted so far
    /// (a statement with media may take several); the worker adds the ones it sends, and
    /// recording keeps them, whatever the outcome. Empty for a text statement.
    pub messages: Vec<super::DeliveredMessage>,
}

/// How one send ended, as the worker reports it to the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryResult {
    Sent {
        message_id: Option<i32>,
    },
    /// Try again no sooner than this; not counted as an attempt (Telegram asked us to wait).
    RetryAt {
        after: Duration,
    },
    /// Held back (quiet hours, a digest): due again after this, marked with why.
    Held {
        after: Duration,
        hold: Hold,
    },
    /// Try again after a failure that may pass; counted, and given up after the cap.
    Transient {
        error: String,
        backoff: Duration,
        give_up: bool,
    },
    /// The chat blocked us, was deleted or kicked us: never again. The chat is forgotten
    /// like after /stop (only counted); `error` is for the log, not stored.
    Gone {
        error: String,
    },
    /// Telegram refused this message for good (a bug of ours, or a copy that can no longer
    /// be edited); kept as failed so that /stats shows it.
    Failed {
        error: String,
    },
}

/// How many of one broadcast's deliveries were held back, and by what (for /stats).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HeldShare {
    /// Its 'send' deliveries in all.
    pub deliveries: i64,
    pub quiet: i64,
    pub digest: i64,
}
