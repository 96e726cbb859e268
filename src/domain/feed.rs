use chrono::{DateTime, Utc};

/// A followed feed as `/feeds` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedStatus {
    pub id: i64,
    /// The address the operator or admin gave (a feed or a site page).
    pub url: String,
    /// The feed document found there, when it differs from `url`.
    pub feed_url: Option<String>,
    pub health: FeedHealth,
    pub last_success: Option<DateTime<Utc>>,
    /// Entries of the last document read that could not become statements.
    pub skipped_entries: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedHealth {
    /// Not fetched successfully yet.
    Waiting,
    Ok,
    /// Consecutive failed polls, and the last reason.
    Failing {
        failures: i64,
        error: String,
    },
}

/// What the poller (and the schedule) tell admins: neither talks to Telegram itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedNotice {
    /// The feed has failed for longer than the alert threshold.
    Failing {
        id: i64,
        url: String,
        since: DateTime<Utc>,
        error: String,
    },
    /// A feed admins were told about answers again.
    Recovered { id: i64, url: String },
    /// One poll brought more new items than `FEED_MAX_NEW_PER_POLL`: the newest were
    /// broadcast, these were only archived until an admin says otherwise.
    Held(HeldStatements),
    /// A scheduled statement went out well after its time.
    PublishedLate(super::LatePublish),
}

/// Statements a poll archived without broadcasting, waiting for an admin's word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldStatements {
    /// What the admin's button names.
    pub hold_id: i64,
    pub feed_id: i64,
    pub feed_url: String,
    /// How many were broadcast by the same poll.
    pub broadcast: usize,
    /// The held statements' titles, oldest first.
    pub titles: Vec<String>,
}

/// A hold nobody has released yet, as `/feeds` lists it: the notice may have been lost
/// (Telegram down, an admin who had not started the bot), the statements must not be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingHold {
    pub hold_id: i64,
    pub feed_id: i64,
    /// Held statements neither broadcast nor retracted.
    pub statements: i64,
    pub since: DateTime<Utc>,
}
