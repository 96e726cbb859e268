//! What `/healthz` knows about the bot's link with Telegram.
//!
//! teloxide's polling stream yields only updates and errors: a successful `getUpdates` that
//! brought nothing is invisible from outside. So the link counts as healthy unless a failure
//! was seen recently and no update arrived after it; the polling back-off is capped (see
//! `startup`) so that a link that stays broken keeps producing failures inside the window.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use serde::Serialize;

use super::link::TelegramLink;
use crate::domain::time::{millis, now_ms, since_ms};

/// How updates reach the bot; a webhook has no failure signal of its own (Telegram retries
/// on its side), so only the database decides there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UpdateSource {
    Polling,
    Webhook,
}

#[derive(Debug)]
pub struct Health {
    source: UpdateSource,
    failure_window: Duration,
    started_ms: i64,
    /// Unix ms of the last update received; 0: none yet.
    last_update_ms: AtomicI64,
    /// Unix ms of the last failed `getUpdates`; 0: none since the last update.
    last_failure_ms: AtomicI64,
    /// Whether Telegram answers at all, as every task that talks to it sees it.
    link: Arc<TelegramLink>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HealthReport {
    pub healthy: bool,
    pub updates: UpdateSource,
    /// Why the bot is unhealthy; absent when healthy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_update_seconds_ago: Option<i64>,
    /// RFC 3339 time since which Telegram has not answered; absent while it answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub telegram_unreachable_since: Option<String>,
    pub uptime_seconds: i64,
}

impl Health {
    pub fn new(source: UpdateSource, failure_window: Duration) -> Self {
        Self {
            source,
            failure_window,
            started_ms: now_ms(),
            last_update_ms: AtomicI64::new(0),
            last_failure_ms: AtomicI64::new(0),
            link: Arc::default(),
        }
    }

    /// The link state every task that talks to Telegram shares with this report.
    pub fn link(&self) -> Arc<TelegramLink> {
        Arc::clone(&self.link)
    }

    pub fn source(&self) -> UpdateSource {
        self.source
    }

    pub fn uptime(&self) -> Duration {
        since_ms(self.started_ms)
    }

    /// An update proves the link works again: the last failure no longer counts.
    pub fn update_received(&self) {
        self.last_update_ms.store(now_ms(), Ordering::Relaxed);
        self.last_failure_ms.store(0, Ordering::Relaxed);
        self.link.heard_from_telegram();
    }

    pub fn update_failed(&self) {
        self.last_failure_ms.store(now_ms(), Ordering::Relaxed);
    }

    /// The verdict, given whether the database answered (and if not, why).
    pub fn report(&self, database: Result<(), String>) -> HealthReport {
        let now = now_ms();
        let last_update = self.last_update_ms.load(Ordering::Relaxed);
        let last_failure = self.last_failure_ms.load(Ordering::Relaxed);
        let window = millis(self.failure_window);
        let link_broken =
            self.source == UpdateSource::Polling && last_failure > 0 && now - last_failure < window;
        let unreachable_since = self.link.unreachable_since();
        let reason = match (database, unreachable_since) {
            (Err(e), _) => Some(format!("the database does not answer: {e}")),
            (Ok(()), Some(since)) => Some(format!(
                "Telegram has been unreachable since {} ({} s)",
                since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                (now - since.timestamp_millis()).max(0) / 1000
            )),
            (Ok(()), None) if link_broken => Some(format!(
                "getUpdates failed {} s ago and has not succeeded since",
                (now - last_failure) / 1000
            )),
            (Ok(()), None) => None,
        };
        HealthReport {
            healthy: reason.is_none(),
            updates: self.source,
            reason,
            last_update_seconds_ago: (last_update > 0).then(|| (now - last_update) / 1000),
            telegram_unreachable_since: unreachable_since
                .map(|since| since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            uptime_seconds: (now - self.started_ms) / 1000,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polling_is_unhealthy_only_while_failures_are_recent_and_unanswered() {
        let health = Health::new(UpdateSource::Polling, Duration::from_secs(60));
        assert!(health.report(Ok(())).healthy, "no news is good news");
        health.update_failed();
        let report = health.report(Ok(()));
        assert!(!report.healthy);
        assert!(report.reason.unwrap().contains("getUpdates failed"));
        health.update_received();
        assert!(health.report(Ok(())).healthy);

        let forgiving = Health::new(UpdateSource::Polling, Duration::ZERO);
        forgiving.update_failed();
        assert!(forgiving.report(Ok(())).healthy, "the failure is old");
    }

    #[test]
    fn an_unreachable_telegram_is_reported_with_its_start() {
        let health = Health::new(UpdateSource::Webhook, Duration::from_secs(60));
        health.link().failed();
        let report = health.report(Ok(()));
        assert!(!report.healthy);
        assert!(report.reason.unwrap().contains("unreachable since"));
        assert!(report.telegram_unreachable_since.is_some());
        health.link().answered();
        let report = health.report(Ok(()));
        assert!(report.healthy);
        assert_eq!(report.telegram_unreachable_since, None);
    }

    #[test]
    fn the_database_decides_in_any_mode() {
        let health = Health::new(UpdateSource::Webhook, Duration::from_secs(60));
        health.update_failed();
        assert!(health.report(Ok(())).healthy);
        let report = health.report(Err("locked".into()));
        assert!(!report.healthy);
        assert_eq!(
            report.reason.as_deref(),
            Some("the database does not answer: locked")
        );
    }
}
