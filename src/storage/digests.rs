//! The figures of the daily digest that /stats shows (issue 13 §3 and §4): who chose it,
//! and what share of a broadcast quiet hours and digests held back.

use super::{Storage, StorageError};
use crate::domain::{HeldShare, StatementId};

impl Storage {
    /// Active subscribers who take one digest a day.
    pub async fn digest_subscribers(&self) -> Result<i64, StorageError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM subscribers WHERE status = 'active' AND digest_hour IS NOT NULL",
        )
        .fetch_one(&self.pool)
        .await?)
    }

    /// How many of a broadcast's deliveries were held by quiet hours or for a digest (the
    /// mark stays once they are sent).
    pub async fn held_share(&self, id: StatementId) -> Result<HeldShare, StorageError> {
        let (deliveries, quiet, digest): (i64, i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(held = 'quiet'), 0), COALESCE(SUM(held = 'digest'), 0)
             FROM deliveries WHERE announcement_id = ?1 AND action = 'send'",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        Ok(HeldShare {
            deliveries,
            quiet,
            digest,
        })
    }
}
