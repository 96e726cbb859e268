//! The admins' actions through the one door: at once (`PUBLISH_APPROVALS=1`), or once a
//! second admin approves. Either way storage writes the audit line with the action, and
//! the broadcast worker is woken when something was queued.

use super::Publisher;
use crate::domain::{
    ActionOutcome, AdminAction, Approval, ApprovalRequest, ChatId, UserId, Withdrawal,
};
use crate::storage::StorageError;

impl Publisher {
    /// Does what `author` asked, now.
    pub async fn carry_out(
        &self,
        author: UserId,
        action: &AdminAction,
    ) -> Result<ActionOutcome, StorageError> {
        let outcome = self.storage.carry_out(author, action).await?;
        self.queued(outcome);
        Ok(outcome)
    }

    /// Keeps what `author` asked until a second admin approves it.
    pub async fn request_approval(
        &self,
        author: UserId,
        author_chat: ChatId,
        action: &AdminAction,
    ) -> Result<ApprovalRequest, StorageError> {
        let request = self
            .storage
            .request_approval(author, author_chat, action)
            .await?;
        tracing::info!(
            request = request.id,
            action = request.kind.as_str(),
            "an admin's action waits for approval"
        );
        Ok(request)
    }

    /// A second admin's Approve: carries the request out, once.
    pub async fn approve(&self, request: i64, approver: UserId) -> Result<Approval, StorageError> {
        let approval = self.storage.approve(request, approver).await?;
        if let Approval::CarriedOut { outcome, .. } = approval {
            tracing::info!(request, "an admin's action was approved and carried out");
            self.queued(outcome);
        }
        Ok(approval)
    }

    pub async fn withdraw(&self, request: i64, author: UserId) -> Result<Withdrawal, StorageError> {
        let withdrawal = self.storage.withdraw(request, author).await?;
        if let Withdrawal::Withdrawn(_) = withdrawal {
            tracing::info!(request, "an admin withdrew an action awaiting approval");
        }
        Ok(withdrawal)
    }

    fn queued(&self, outcome: ActionOutcome) {
        if outcome.queued_work() {
            self.queue_changed.notify_one();
        }
        if let ActionOutcome::Scheduled { schedule_id, due } = outcome {
            tracing::info!(
                schedule = schedule_id,
                due_ms = due.timestamp_millis(),
                "a statement is held for later"
            );
            self.schedule_changed.notify_one();
        }
    }
}
