//! Revisions and retractions: a stored statement changes or goes, and every copy already
//! delivered follows it through an edit or delete job in the queue.

use super::{Storage, StorageError};
use crate::domain::time::now_ms;
use crate::domain::{DeliveryAction, StatementContent, StatementId};

impl Storage {
    /// Replaces a statement's content (and its search key) and queues an edit of every copy
    /// already delivered. Copies still queued will simply be sent with the new content.
    /// Returns how many copies will be edited, or None if there is no such statement.
    pub async fn revise(
        &self,
        id: StatementId,
        revised: &StatementContent,
    ) -> Result<Option<u64>, StorageError> {
        let mut tx = self.pool.begin().await?;
        let edits = revise_in(&mut tx, id, revised, now_ms()).await?;
        tx.commit().await?;
        Ok(edits)
    }

    /// Removes a statement from the archive (a tombstone keeps its source key, so a feed
    /// cannot bring it back), cancels its queued sends, and queues the deletion of every
    /// delivered copy. Returns how many copies will be deleted, or None if there is no
    /// such statement.
    pub async fn retract(&self, id: StatementId) -> Result<Option<u64>, StorageError> {
        let mut tx = self.pool.begin().await?;
        let deletes = retract_in(&mut tx, id, now_ms()).await?;
        tx.commit().await?;
        Ok(deletes)
    }
}

/// [`Storage::revise`] in the caller's transaction.
pub(super) async fn revise_in(
    tx: &mut sqlx::SqliteConnection,
    id: StatementId,
    revised: &StatementContent,
    now: i64,
) -> Result<Option<u64>, StorageError> {
    let updated = sqlx::query(
        "UPDATE announcements SET title = ?2, body_html = ?3, body_text = ?4, link = ?5,
                 image_url = COALESCE(?6, image_url), updated_at = ?7, link_identity = ?8
             WHERE id = ?1 AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(revised.title())
    .bind(revised.body_html())
    .bind(revised.body_text())
    .bind(revised.link())
    .bind(revised.image_url())
    .bind(now)
    .bind(super::announcements::stored_link_identity(revised.link()))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if updated == 0 {
        return Ok(None);
    }
    super::search::reindex(tx, id, revised.title(), revised.body_text()).await?;
    let edits = queue_follow_up(tx, id, DeliveryAction::Edit, now).await?;
    Ok(Some(edits))
}

/// [`Storage::retract`] in the caller's transaction.
pub(super) async fn retract_in(
    tx: &mut sqlx::SqliteConnection,
    id: StatementId,
    now: i64,
) -> Result<Option<u64>, StorageError> {
    let updated = sqlx::query(
        "UPDATE announcements SET deleted_at = ?2, title = '', body_html = '', body_text = '',
                 link = NULL, image_url = NULL, updated_at = ?2
             WHERE id = ?1 AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if updated == 0 {
        return Ok(None);
    }
    super::search::unindex(tx, id).await?;
    super::media::delete_media(tx, id).await?;
    // Queued sends and edits of a retracted statement must not go out.
    sqlx::query(
        "DELETE FROM deliveries WHERE announcement_id = ?1 AND status = 'pending'
                 AND action IN ('send', 'edit')",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let deletes = queue_follow_up(tx, id, DeliveryAction::Delete, now).await?;
    Ok(Some(deletes))
}

/// Queues one edit or delete job per copy of the statement that Telegram accepted.
async fn queue_follow_up(
    tx: &mut sqlx::SqliteConnection,
    announcement_id: StatementId,
    action: DeliveryAction,
    now: i64,
) -> Result<u64, StorageError> {
    Ok(sqlx::query(
        "INSERT INTO deliveries (announcement_id, chat_id, action, status, message_id, due_at, created_at)
         SELECT announcement_id, chat_id, ?2, 'pending', message_id, ?3, ?3 FROM deliveries
         WHERE announcement_id = ?1 AND action = 'send' AND status = 'sent' AND message_id IS NOT NULL",
    )
    .bind(announcement_id)
    .bind(action.as_str())
    .bind(now)
    .execute(tx)
    .await?
    .rows_affected())
}
