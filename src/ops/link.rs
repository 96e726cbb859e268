//! Whether Telegram answers. The broadcast worker, start-up and the update poller report
//! what they see; `/healthz` and `/stats` say since when Telegram has been unreachable.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::domain::time::{now_ms, since_ms};
use tokio::sync::Notify;

/// Shared by every task that talks to Telegram. Lock-free: it is touched on every failure.
#[derive(Debug, Default)]
pub struct TelegramLink {
    /// Unix ms of the first failure of the current outage; 0: Telegram answers.
    unreachable_since_ms: AtomicI64,
    /// Something came from Telegram (an update): whoever probes should probe now.
    heard: Notify,
}

impl TelegramLink {
    /// A request could not reach Telegram (network, time-out, 5xx). Returns true when this
    /// begins an outage, so that the caller logs it once, not once per request.
    pub fn failed(&self) -> bool {
        self.unreachable_since_ms
            .compare_exchange(0, now_ms(), Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    }

    /// Telegram answered. Returns how long it had been unreachable, if it had.
    pub fn answered(&self) -> Option<Duration> {
        let since = self.unreachable_since_ms.swap(0, Ordering::SeqCst);
        (since > 0).then(|| since_ms(since))
    }

    /// An update arrived. It shows that Telegram can reach us, not that our sends reach
    /// Telegram, so it does not end the outage; it asks for a probe at once instead of at the
    /// end of the back-off.
    pub fn heard_from_telegram(&self) {
        if !self.is_reachable() {
            self.heard.notify_one();
        }
    }

    /// Resolves at the next [`heard_from_telegram`](Self::heard_from_telegram).
    pub async fn heard(&self) {
        self.heard.notified().await;
    }

    pub fn is_reachable(&self) -> bool {
        self.unreachable_since_ms.load(Ordering::SeqCst) == 0
    }

    /// When the current outage began, if Telegram is unreachable.
    pub fn unreachable_since(&self) -> Option<DateTime<Utc>> {
        match self.unreachable_since_ms.load(Ordering::SeqCst) {
            0 => None,
            ms => DateTime::from_timestamp_millis(ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outage_begins_once_and_ends_when_telegram_answers() {
        let link = TelegramLink::default();
        assert!(link.is_reachable());
        assert_eq!(link.answered(), None);
        assert!(link.failed(), "the first failure begins the outage");
        let since = link.unreachable_since().unwrap();
        assert!(!link.failed(), "later failures belong to the same outage");
        assert_eq!(link.unreachable_since(), Some(since));
        assert!(link.answered().is_some());
        assert!(link.is_reachable());
        assert_eq!(link.unreachable_since(), None);
    }
}
