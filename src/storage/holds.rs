//! Statements a feed brought in too many at once: archived, not broadcast, until an admin
//! releases them (`FEED_MAX_NEW_PER_POLL`).

use super::announcements::insert_if_new;
use super::queue::enqueue_broadcast;
use super::{Storage, StorageError};
use crate::domain::time::{from_ms, now_ms};
use crate::domain::{ArchiveOutcome, HoldRelease, NewAnnouncement, StatementId, WaitingHold};

impl Storage {
    /// Archives `items` (oldest first) as one hold of feed `feed_id`, in one transaction so
    /// that no statement is ever archived without the hold that can still release it.
    /// Returns the hold's id and what became of each item: one already in the archive is
    /// not held again.
    pub async fn archive_held(
        &self,
        feed_id: i64,
        items: &[&NewAnnouncement],
    ) -> Result<(i64, Vec<ArchiveOutcome>), StorageError> {
        let mut tx = self.pool.begin().await?;
        let hold_id: i64 = sqlx::query_scalar(
            "INSERT INTO feed_holds (feed_id, created_at) VALUES (?1, ?2) RETURNING id",
        )
        .bind(feed_id)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;
        let mut outcomes = Vec::with_capacity(items.len());
        for item in items {
            let outcome = insert_if_new(&mut tx, item).await?;
            if let ArchiveOutcome::Inserted(id) = outcome {
                sqlx::query("UPDATE announcements SET held_in = ?2 WHERE id = ?1")
                    .bind(id)
                    .bind(hold_id)
                    .execute(&mut *tx)
                    .await?;
            }
            outcomes.push(outcome);
        }
        tx.commit().await?;
        Ok((hold_id, outcomes))
    }

    /// Broadcasts every statement of a hold that is neither broadcast nor retracted, in
    /// the site's order, once: the hold is marked released in the same transaction, so a
    /// second press finds it released and queues nothing.
    pub async fn release_hold(&self, hold_id: i64) -> Result<HoldRelease, StorageError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        let claimed = sqlx::query(
            "UPDATE feed_holds SET released_at = ?2 WHERE id = ?1 AND released_at IS NULL",
        )
        .bind(hold_id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 0 {
            let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM feed_holds WHERE id = ?1")
                .bind(hold_id)
                .fetch_optional(&mut *tx)
                .await?;
            tx.commit().await?;
            return Ok(match exists {
                Some(_) => HoldRelease::AlreadyReleased,
                None => HoldRelease::NotFound,
            });
        }
        let ids: Vec<StatementId> = sqlx::query_scalar(
            "SELECT id FROM announcements
             WHERE held_in = ?1 AND broadcast_at IS NULL AND deleted_at IS NULL
             ORDER BY published_at, id",
        )
        .bind(hold_id)
        .fetch_all(&mut *tx)
        .await?;
        let mut deliveries = 0;
        for id in &ids {
            deliveries += enqueue_broadcast(&mut tx, *id, now).await?;
        }
        tx.commit().await?;
        Ok(HoldRelease::Released {
            statements: ids.len() as u64,
            deliveries,
        })
    }

    /// Holds not released yet that still have something to broadcast, oldest first.
    pub async fn waiting_holds(&self, limit: u32) -> Result<Vec<WaitingHold>, StorageError> {
        let rows: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT h.id, h.feed_id, COUNT(a.id), h.created_at
             FROM feed_holds h
             JOIN announcements a
               ON a.held_in = h.id AND a.broadcast_at IS NULL AND a.deleted_at IS NULL
             WHERE h.released_at IS NULL
             GROUP BY h.id ORDER BY h.id LIMIT ?1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(hold_id, feed_id, statements, created_at)| WaitingHold {
                hold_id,
                feed_id,
                statements,
                since: from_ms(created_at),
            })
            .collect())
    }
}
