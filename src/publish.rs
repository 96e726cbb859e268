//! The one door in. Whether a statement comes from the feed or from an admin, it enters
//! here: stored if new and queued for every subscriber in one transaction, and the
//! broadcast worker is woken.

mod approvals;

use std::sync::Arc;

use tokio::sync::Notify;

use crate::domain::{HoldRelease, NewAnnouncement, PublishOutcome, StatementContent, StatementId};
use crate::storage::{Storage, StorageError};

#[derive(Clone, Debug)]
pub struct Publisher {
    storage: Storage,
    queue_changed: Arc<Notify>,
}

impl Publisher {
    pub fn new(storage: Storage) -> Self {
        Self {
            storage,
            queue_changed: Arc::new(Notify::new()),
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
}
