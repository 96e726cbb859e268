//! The audit trail: which admin published, edited, deleted, approved, withdrew or released
//! what, and when. Staff data only: an admin's user id, never a subscriber's.

use super::ids::read_name;
use super::{Storage, StorageError};
use crate::domain::time::{from_ms, now_ms};
use crate::domain::{ActionOutcome, AuditAction, AuditEntry, PublishOutcome, StatementId, UserId};

#[derive(sqlx::FromRow)]
struct AuditRow {
    admin_id: UserId,
    action: String,
    statement_id: Option<StatementId>,
    at: i64,
}

impl Storage {
    /// Writes one line on its own (a feed hold's release, which is its own transaction).
    pub async fn audit(
        &self,
        admin: UserId,
        action: AuditAction,
        statement: Option<StatementId>,
    ) -> Result<(), StorageError> {
        audit_in(
            &mut *self.pool.acquire().await?,
            admin,
            action,
            statement,
            now_ms(),
        )
        .await
    }

    /// The newest `limit` lines, newest first.
    pub async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>, StorageError> {
        let rows: Vec<AuditRow> = sqlx::query_as(
            "SELECT admin_id, action, statement_id, at FROM audit ORDER BY id DESC LIMIT ?1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| {
                Ok(AuditEntry {
                    admin: row.admin_id,
                    action: read_name("audit", &row.action)?,
                    statement: row.statement_id,
                    at: from_ms(row.at),
                })
            })
            .collect()
    }
}

/// One line, in the caller's transaction.
pub(super) async fn audit_in(
    tx: &mut sqlx::SqliteConnection,
    admin: UserId,
    action: AuditAction,
    statement: Option<StatementId>,
    now: i64,
) -> Result<(), StorageError> {
    sqlx::query("INSERT INTO audit (admin_id, action, statement_id, at) VALUES (?1, ?2, ?3, ?4)")
        .bind(admin)
        .bind(action.as_str())
        .bind(statement)
        .bind(now)
        .execute(tx)
        .await?;
    Ok(())
}

/// The line for an action that did something, under its author's id; an action that found
/// nothing to do (a duplicate, a statement already gone) leaves none.
pub(super) async fn record_outcome(
    tx: &mut sqlx::SqliteConnection,
    author: UserId,
    outcome: ActionOutcome,
    now: i64,
) -> Result<(), StorageError> {
    let (action, id) = match outcome {
        ActionOutcome::Published(PublishOutcome::Published { id, .. }) => {
            (AuditAction::Publish, id)
        }
        ActionOutcome::Revised {
            id,
            copies: Some(_),
        } => (AuditAction::Edit, id),
        ActionOutcome::Retracted {
            id,
            copies: Some(_),
        } => (AuditAction::Delete, id),
        _ => return Ok(()),
    };
    audit_in(tx, author, action, Some(id), now).await
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::domain::{
        AdminAction, Approval, ChatId, NewAnnouncement, RequestStatus, SourceKey, StatementContent,
        Withdrawal,
    };

    async fn storage() -> (tempfile::TempDir, Storage) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("j.db").display());
        (dir, Storage::connect(&url).await.unwrap())
    }

    fn statement(n: i32) -> AdminAction {
        let content = StatementContent::new("عنوان", "متن", "متن", None, Utc::now()).unwrap();
        AdminAction::Publish(NewAnnouncement::keyed(
            SourceKey::admin(ChatId(1), n),
            content,
        ))
    }

    const AUTHOR: UserId = UserId(1);

    /// Two admins pressing Approve at the same moment publish once.
    #[tokio::test]
    async fn approving_at_once_carries_out_once() {
        let (_dir, storage) = storage().await;
        let request = storage
            .request_approval(AUTHOR, ChatId(1), &statement(1))
            .await
            .unwrap();
        let approvals: Vec<Approval> = futures::future::join_all(
            (2..12).map(|admin| storage.approve(request.id, UserId(admin))),
        )
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
        let carried_out = approvals
            .iter()
            .filter(|a| matches!(a, Approval::CarriedOut { .. }))
            .count();
        assert_eq!(carried_out, 1, "{approvals:?}");
        assert!(approvals.iter().all(|a| matches!(
            a,
            Approval::CarriedOut { .. } | Approval::AlreadyDecided(RequestStatus::Approved)
        )));
        assert_eq!(storage.count_announcements().await.unwrap(), 1);
        let log = storage.audit_log(20).await.unwrap();
        let actions: Vec<_> = log.iter().map(|e| (e.action, e.admin == AUTHOR)).collect();
        assert_eq!(
            actions,
            [(AuditAction::Publish, true), (AuditAction::Approve, false)]
        );
        assert!(log.iter().all(|e| e.statement.is_some()));
    }

    #[tokio::test]
    async fn the_author_cannot_approve_and_a_withdrawn_request_stays_withdrawn() {
        let (_dir, storage) = storage().await;
        let request = storage
            .request_approval(AUTHOR, ChatId(1), &statement(2))
            .await
            .unwrap();
        assert_eq!(
            storage.approve(request.id, AUTHOR).await.unwrap(),
            Approval::OwnRequest
        );
        assert_eq!(
            storage.withdraw(request.id, UserId(2)).await.unwrap(),
            Withdrawal::NotAuthor
        );
        assert!(matches!(
            storage.withdraw(request.id, AUTHOR).await.unwrap(),
            Withdrawal::Withdrawn(_)
        ));
        assert_eq!(
            storage.approve(request.id, UserId(2)).await.unwrap(),
            Approval::AlreadyDecided(RequestStatus::Withdrawn)
        );
        assert_eq!(
            storage.approve(404, UserId(2)).await.unwrap(),
            Approval::NotFound
        );
        assert_eq!(storage.count_announcements().await.unwrap(), 0);
        // What was withdrawn is not kept.
        let kept: Option<String> =
            sqlx::query_scalar("SELECT title FROM approval_requests WHERE id = ?1")
                .bind(request.id)
                .fetch_one(&storage.pool)
                .await
                .unwrap();
        assert_eq!(kept, None);
    }
}
