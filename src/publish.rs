//! The one door in. Whether a statement comes from the feed or from an admin, it enters
//! here: stored if new and queued for every subscriber in one transaction, and the
//! broadcast worker is woken.

mod approvals;

use std::sync::Arc;

use tokio::sync::Notify;

use crate::domain::{
    DueStatement, HoldRelease, NewAnnouncement, PublishOutcome, StatementContent, StatementId,
};
use crate::storage::{Storage, StorageError};

#[derive(Clone, Debug)]
pub struct Publisher {
    storage: Storage,
    queue_changed: Arc<Notify>,
    /// Wakes the schedule task when a statement is held or a hold cancelled.
    schedule_changed: Arc<Notify>,
}

impl Publisher {
    pub fn new(storage: Storage) -> Self {
        Self {
            storage,
            queue_changed: Arc::new(Notify::new()),
            schedule_changed: Arc::new(Notify::new()),
        }
    }

    /// What the broadcast worker waits on when the queue is empty.
    pub fn queue_signal(&self) -> Arc<Notify> {
        Arc::clone(&self.queue_changed)
    }

    pub async fn publish(
        &self,
        statement: &NewAnnouncement,
    ) -> Result<PublishOutcome, StorageError> {
        let outcome = self.storage.publish(statement).await?;
        if let PublishOutcome::Published { id, recipients } = outcome {
            tracing::info!(announcement = id.0, recipients, "published");
            self.queue_changed.notify_one();
        }
        Ok(outcome)
    }

    /// Broadcasts the statements a feed poll held back (see `FEED_MAX_NEW_PER_POLL`),
    /// once however often it is asked.
    pub async fn release_hold(&self, hold_id: i64) -> Result<HoldRelease, StorageError> {
        let outcome = self.storage.release_hold(hold_id).await?;
        if let HoldRelease::Released {
            statements,
            deliveries,
        } = outcome
        {
            tracing::info!(
                hold = hold_id,
                statements,
                deliveries,
                "held statements released"
            );
            self.queue_changed.notify_one();
        }
        Ok(outcome)
    }

    /// Replaces a statement and queues an edit of every delivered copy.
    pub async fn revise(
        &self,
        id: StatementId,
        statement: &StatementContent,
    ) -> Result<Option<u64>, StorageError> {
        let edits = self.storage.revise(id, statement).await?;
        if let Some(copies) = edits {
            tracing::info!(announcement = id.0, copies, "revised");
            self.queue_changed.notify_one();
        }
        Ok(edits)
    }

    /// Removes a statement and queues the deletion of every delivered copy.
    pub async fn retract(&self, id: StatementId) -> Result<Option<u64>, StorageError> {
        let deletes = self.storage.retract(id).await?;
        if let Some(copies) = deletes {
            tracing::info!(announcement = id.0, copies, "retracted");
            self.queue_changed.notify_one();
        }
        Ok(deletes)
    }

    /// What the schedule task waits on until the next held statement is due.
    pub fn schedule_signal(&self) -> Arc<Notify> {
        Arc::clone(&self.schedule_changed)
    }

    /// A held statement whose time came: published under the key it was held with, with
    /// its audit line, and forgotten, at once.
    pub async fn publish_held(&self, held: &DueStatement) -> Result<PublishOutcome, StorageError> {
        let outcome = self.storage.publish_held(held).await?;
        if let PublishOutcome::Published { id, recipients } = outcome {
            tracing::info!(
                announcement = id.0,
                recipients,
                "published a held statement"
            );
            self.queue_changed.notify_one();
        }
        Ok(outcome)
    }

    /// Gives a statement waiting for its time (see `Storage::hold_for_time`) that time;
    /// the schedule task publishes it through [`publish_held`](Self::publish_held) then. False if it
    /// was no longer waiting.
    pub async fn schedule(&self, id: i64, due_ms: i64) -> Result<bool, StorageError> {
        let scheduled = self.storage.set_due(id, due_ms).await?;
        if scheduled {
            tracing::info!(schedule = id, due_ms, "a statement is held for later");
            self.schedule_changed.notify_one();
        }
        Ok(scheduled)
    }

    /// Cancels a held statement; false if it was no longer held (sent or cancelled).
    pub async fn cancel_schedule(&self, id: i64) -> Result<bool, StorageError> {
        let cancelled = self.storage.unschedule(id).await?;
        if cancelled {
            tracing::info!(schedule = id, "a held statement was cancelled");
            self.schedule_changed.notify_one();
        }
        Ok(cancelled)
    }
}
