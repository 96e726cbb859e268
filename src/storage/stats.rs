//! What /stats, /metrics and the broadcast reports show: counts and how each broadcast went.

use super::{Storage, StorageError};
use crate::domain::time::now_ms;
use crate::domain::{BroadcastFigures, StatementId, Stats};

impl Storage {
    /// Everything /stats shows.
    pub async fn stats(&self) -> Result<Stats, StorageError> {
        let subscribers = self.subscriber_counts().await?;
        Ok(Stats {
            active: subscribers.active,
            stopped: subscribers.stopped,
            gone: subscribers.gone,
            statements: self.count_announcements().await?,
            queue_depth: self.queue_depth().await?,
            broadcast: self.latest_broadcast().await?,
            telegram_unreachable_since: None,
        })
    }

    /// Deliveries waiting to be sent, edited or deleted.
    pub async fn queue_depth(&self) -> Result<i64, StorageError> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM deliveries WHERE status = 'pending'")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// The broadcast of one statement, as far as it went.
    pub async fn broadcast_figures(
        &self,
        announcement_id: StatementId,
    ) -> Result<Option<BroadcastFigures>, StorageError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: StatementId,
            title: String,
            pending: i64,
            sent: i64,
            failed: i64,
            gone: i64,
            first_sent: Option<i64>,
            last_sent: Option<i64>,
            last_error: Option<String>,
        }
        let row: Option<Row> = sqlx::query_as(
            "SELECT a.id, a.title,
                    COALESCE(SUM(d.status = 'pending'), 0) AS pending,
                    COALESCE(SUM(d.status = 'sent'), 0) AS sent,
                    COALESCE(SUM(d.status = 'failed'), 0) AS failed,
                    a.recipients_gone AS gone,
                    MIN(CASE WHEN d.status = 'sent' THEN d.done_at END) AS first_sent,
                    MAX(CASE WHEN d.status = 'sent' THEN d.done_at END) AS last_sent,
                    (SELECT e.last_error FROM deliveries e
                      WHERE e.announcement_id = a.id AND e.action = 'send' AND e.status = 'failed'
                      ORDER BY e.done_at DESC LIMIT 1) AS last_error
             FROM announcements a LEFT JOIN deliveries d
                  ON d.announcement_id = a.id AND d.action = 'send'
             WHERE a.id = ?1
             GROUP BY a.id",
        )
        .bind(announcement_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| {
            let duration_secs = match (r.first_sent, r.last_sent) {
                (Some(first), Some(last)) => Some((last - first).max(0) as f64 / 1000.0),
                _ => None,
            };
            let rate = duration_secs
                .filter(|d| *d > 0.0 && r.sent > 1)
                .map(|d| (r.sent - 1) as f64 / d);
            BroadcastFigures {
                announcement_id: r.id,
                title: r.title,
                pending: r.pending,
                sent: r.sent,
                failed: r.failed,
                gone: r.gone,
                rate,
                duration_secs,
                last_error: r.last_error,
            }
        }))
    }

    /// The statement broadcast last (its broadcast may still be running).
    pub(super) async fn last_broadcast(&self) -> Result<Option<StatementId>, StorageError> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM announcements WHERE broadcast_at IS NOT NULL
             ORDER BY broadcast_at DESC, id DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The statement whose broadcast is running, or else the one that ran last.
    pub async fn latest_broadcast(&self) -> Result<Option<BroadcastFigures>, StorageError> {
        match self.last_broadcast().await? {
            Some(id) => self.broadcast_figures(id).await,
            None => Ok(None),
        }
    }

    /// Broadcasts that have nothing pending and whose report has not gone out yet; each is
    /// marked reported here, so that the report is sent at most once.
    pub async fn take_finished_broadcasts(&self) -> Result<Vec<StatementId>, StorageError> {
        let ids: Vec<StatementId> = sqlx::query_scalar(
            "UPDATE announcements SET report_sent_at = ?1
             WHERE broadcast_at IS NOT NULL AND report_sent_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM deliveries d
                               WHERE d.announcement_id = announcements.id AND d.action = 'send'
                                 AND d.status = 'pending')
             RETURNING id",
        )
        .bind(now_ms())
        .fetch_all(&self.pool)
        .await?;
        Ok(ids)
    }
}
