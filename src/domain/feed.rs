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

/// What the poller tells admins: it never talks to Telegram itself.
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
}
