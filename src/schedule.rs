//! The schedule task: publishes each held statement ("Send later") when its time comes,
//! through the one door in (`publish`), under the key it was given when it was held. The
//! key makes the publish happen once: a restart, a crash between publishing and forgetting
//! the schedule, or a second run finds the statement already in the archive.
//!
//! It sleeps until the soonest due time, and is woken early when a statement is held or
//! a hold cancelled (`Publisher::schedule_signal`). Held statements live in SQLite, so a
//! restart loses none; one that came due while jarchi was down goes out at start, and the
//! admins are told it went out late.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::domain::time::{from_ms, now_ms, since_ms, until_ms};
use crate::domain::{FeedNotice, LatePublish, PublishOutcome};
use crate::publish::Publisher;
use crate::storage::{Storage, StorageError};

/// A held statement published later than this after its time is reported to the admins.
pub const LATE_AFTER: Duration = Duration::from_secs(60);
/// Held statements published per look; more due at once are taken in the next round.
const BATCH: u32 = 20;
/// The longest sleep, so that a clock set forward is noticed within a minute.
const MAX_SLEEP: Duration = Duration::from_secs(60);
/// After the database failed, the next try.
const RETRY_AFTER: Duration = Duration::from_secs(5);

pub struct Scheduler {
    storage: Storage,
    publisher: Publisher,
    /// To the admins' relay (`broadcast::relay_feed_notices`).
    notices: mpsc::Sender<FeedNotice>,
}

impl Scheduler {
    pub fn new(storage: Storage, publisher: Publisher, notices: mpsc::Sender<FeedNotice>) -> Self {
        Self {
            storage,
            publisher,
            notices,
        }
    }

    pub async fn run(self, shutdown: CancellationToken) {
        let wake = self.publisher.schedule_signal();
        loop {
            let wait = match self.publish_due().await {
                Ok(_) => match self.storage.next_due_ms().await {
                    Ok(Some(due)) => until_ms(due).min(MAX_SLEEP),
                    Ok(None) => MAX_SLEEP,
                    Err(error) => {
                        tracing::warn!(%error, "cannot read the schedule");
                        RETRY_AFTER
                    }
                },
                Err(error) => {
                    tracing::warn!(%error, "cannot publish held statements");
                    RETRY_AFTER
                }
            };
            if wait.is_zero() {
                // More were due than one batch, or one came due meanwhile.
                continue;
            }
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Publishes the held statements that are due; returns how many went out now (one
    /// already published under its key goes out no more).
    pub async fn publish_due(&self) -> Result<usize, StorageError> {
        let mut published = 0;
        for held in self.storage.due_statements(BATCH).await? {
            // Published and forgotten in one transaction; were it not, the key would still
            // make a second round a duplicate.
            let outcome = self.publisher.publish_held(&held).await?;
            let PublishOutcome::Published { id, .. } = outcome else {
                continue;
            };
            published += 1;
            let due_ms = held.due.timestamp_millis();
            if since_ms(due_ms) > LATE_AFTER {
                tracing::warn!(
                    announcement = id.0,
                    due_ms,
                    "a held statement went out late"
                );
                let late = LatePublish {
                    id,
                    title: held.statement.title().to_string(),
                    due: held.due,
                    published: from_ms(now_ms()),
                };
                // The relay is gone only at shutdown; the statement is out either way.
                let _ = self.notices.send(FeedNotice::PublishedLate(late)).await;
            }
        }
        Ok(published)
    }
}
