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
    /// One poll brought more new items than `FEED_MAX_NEW_PER_POLL`: the newest were
    /// broadcast, these were only archived until an admin says otherwise.
    Held(HeldStatements),
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

/// Callback data of the "broadcast them after all" button under a held-statements notice.
/// The relay that sends the notice and the handler that answers the button share it.
pub const RELEASE_HOLD_PREFIX: &str = "hold:";

impl HeldStatements {
    pub fn button_data(&self) -> String {
        release_hold_data(self.hold_id)
    }
}

/// At most 24 bytes, well within Telegram's 64 for callback data.
pub fn release_hold_data(hold_id: i64) -> String {
    format!("{RELEASE_HOLD_PREFIX}{hold_id}")
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

/// The hold a button's callback data names, if it is one of ours.
pub fn parse_release_hold(data: &str) -> Option<i64> {
    data.strip_prefix(RELEASE_HOLD_PREFIX)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hold_buttons_round_trip_within_telegrams_limit() {
        let held = HeldStatements {
            hold_id: i64::MAX,
            feed_id: 1,
            feed_url: String::new(),
            broadcast: 5,
            titles: Vec::new(),
        };
        assert!(held.button_data().len() <= 64);
        assert_eq!(parse_release_hold(&held.button_data()), Some(i64::MAX));
        assert_eq!(parse_release_hold("hold:x"), None);
        assert_eq!(parse_release_hold("post:send"), None);
    }
}
