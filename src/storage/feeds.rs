//! The feeds the poller follows, and what it remembers about each between polls and
//! across restarts.

use super::{Storage, StorageError};
use crate::domain::time::{from_ms, now_ms};
use crate::domain::{FeedHealth, FeedStatus, NewAnnouncement, StatementId, link_identity};

/// What the poller needs to poll one feed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FeedState {
    pub id: i64,
    pub url: String,
    pub feed_url: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub failures: i64,
    /// Unix ms of the first failure of the current run of failures.
    pub failing_since: Option<i64>,
    pub alerted: bool,
    /// The first successful fetch has archived the feed's items.
    pub seeded: bool,
}

/// A successful poll (a 200 that parsed, or a 304).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedSuccess {
    pub feed_url: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub next_poll_at_ms: i64,
    /// Entries of the document that could not be read; None after a 304 (nothing changed).
    pub skipped_entries: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddFeedOutcome {
    Added(i64),
    AlreadyFollowed(i64),
}

/// A statement the archive already has, seen again in a feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownItem {
    pub id: StatementId,
    pub fingerprint: Option<String>,
    pub deleted: bool,
    /// False when it was recognised by its link or its title and date: the site re-keyed it.
    pub same_key: bool,
    /// The link the archive has for it.
    pub link: Option<String>,
}

#[derive(sqlx::FromRow)]
struct KnownRow {
    id: StatementId,
    feed_fingerprint: Option<String>,
    deleted_at: Option<i64>,
    link: Option<String>,
}

#[derive(sqlx::FromRow)]
struct StatusRow {
    id: i64,
    url: String,
    feed_url: Option<String>,
    failures: i64,
    last_error: Option<String>,
    last_success_at: Option<i64>,
    skipped_entries: i64,
}

const STATE_COLUMNS: &str = "id, url, feed_url, etag, last_modified, failures, failing_since, \
                             alerted, seeded";

impl Storage {
    /// Follows every URL not followed yet; known ones keep their state. Used for FEED_URLS.
    pub async fn follow_feeds(&self, urls: &[String]) -> Result<(), StorageError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        for url in urls {
            sqlx::query(
                "INSERT INTO feeds (url, created_at) VALUES (?1, ?2) ON CONFLICT (url) DO NOTHING",
            )
            .bind(url)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn add_feed(&self, url: &str) -> Result<AddFeedOutcome, StorageError> {
        let inserted: Option<i64> = sqlx::query_scalar(
            "INSERT INTO feeds (url, created_at) VALUES (?1, ?2)
             ON CONFLICT (url) DO NOTHING RETURNING id",
        )
        .bind(url)
        .bind(now_ms())
        .fetch_optional(&self.pool)
        .await?;
        if let Some(id) = inserted {
            return Ok(AddFeedOutcome::Added(id));
        }
        let id = sqlx::query_scalar("SELECT id FROM feeds WHERE url = ?1")
            .bind(url)
            .fetch_one(&self.pool)
            .await?;
        Ok(AddFeedOutcome::AlreadyFollowed(id))
    }

    /// Stops following a feed; its statements stay in the archive. False if there was none.
    pub async fn remove_feed(&self, id: i64) -> Result<bool, StorageError> {
        let removed = sqlx::query("DELETE FROM feeds WHERE id = ?1")
            .bind(id)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(removed > 0)
    }

    pub async fn feed_statuses(&self) -> Result<Vec<FeedStatus>, StorageError> {
        let rows: Vec<StatusRow> = sqlx::query_as(
            "SELECT id, url, feed_url, failures, last_error, last_success_at, skipped_entries
             FROM feeds ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let health = match (row.failures, row.last_success_at) {
                    (0, None) => FeedHealth::Waiting,
                    (0, Some(_)) => FeedHealth::Ok,
                    (failures, _) => FeedHealth::Failing {
                        failures,
                        error: row.last_error.unwrap_or_default(),
                    },
                };
                FeedStatus {
                    id: row.id,
                    feed_url: row.feed_url.filter(|f| *f != row.url),
                    url: row.url,
                    health,
                    last_success: row.last_success_at.map(from_ms),
                    skipped_entries: row.skipped_entries,
                }
            })
            .collect())
    }

    /// Feeds whose next poll is due at `now_ms`, the longest waiting first.
    pub async fn due_feeds(&self, now_ms: i64, limit: u32) -> Result<Vec<FeedState>, StorageError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {STATE_COLUMNS} FROM feeds WHERE next_poll_at <= ?1
             ORDER BY next_poll_at, id LIMIT ?2"
        ))
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// When the next feed comes due (unix ms), if any feed is followed.
    pub async fn next_feed_poll_at(&self) -> Result<Option<i64>, StorageError> {
        Ok(sqlx::query_scalar("SELECT MIN(next_poll_at) FROM feeds")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Makes every feed due at `now_ms` at the latest.
    pub async fn make_all_feeds_due(&self, now_ms: i64) -> Result<(), StorageError> {
        sqlx::query("UPDATE feeds SET next_poll_at = MIN(next_poll_at, ?1)")
            .bind(now_ms)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Pushes a feed's next poll back, so that it is not picked again while being polled.
    pub async fn postpone_feed(&self, id: i64, until_ms: i64) -> Result<(), StorageError> {
        sqlx::query("UPDATE feeds SET next_poll_at = ?2 WHERE id = ?1")
            .bind(id)
            .bind(until_ms)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records a successful poll: validators for the next conditional GET, the feed marked
    /// as seeded, and the failure streak forgotten.
    pub async fn record_feed_success(
        &self,
        id: i64,
        success: &FeedSuccess,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "UPDATE feeds SET feed_url = COALESCE(?2, feed_url), etag = ?3, last_modified = ?4,
                 next_poll_at = ?5, last_success_at = ?6, seeded = 1, failures = 0,
                 last_error = NULL, failing_since = NULL, alerted = 0,
                 skipped_entries = COALESCE(?7, skipped_entries)
             WHERE id = ?1",
        )
        .bind(id)
        .bind(success.feed_url.as_deref())
        .bind(success.etag.as_deref())
        .bind(success.last_modified.as_deref())
        .bind(success.next_poll_at_ms)
        .bind(now_ms())
        .bind(success.skipped_entries)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records a failed poll and when to try again. `alerted` says whether admins have
    /// been told about this run of failures.
    pub async fn record_feed_failure(
        &self,
        id: i64,
        error: &str,
        next_poll_at_ms: i64,
        alerted: bool,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "UPDATE feeds SET failures = failures + 1, last_error = ?2, next_poll_at = ?3,
                 failing_since = COALESCE(failing_since, ?4), alerted = ?5
             WHERE id = ?1",
        )
        .bind(id)
        .bind(error)
        .bind(next_poll_at_ms)
        .bind(now_ms())
        .bind(alerted)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The archive's statement that `item` is, deleted ones included (a tombstone keeps a
    /// retracted statement from coming back through the feed). Its source key decides
    /// first; failing that, its normalised link, then its title and publication date, so
    /// that a site that re-keys its items (a move to https or another domain, a new
    /// plugin) does not make its archive new again.
    pub async fn recognise(
        &self,
        item: &NewAnnouncement,
    ) -> Result<Option<KnownItem>, StorageError> {
        const COLUMNS: &str = "SELECT id, feed_fingerprint, deleted_at, link FROM announcements";
        let mut row: Option<KnownRow> = sqlx::query_as(&format!("{COLUMNS} WHERE source_key = ?1"))
            .bind(item.source_key())
            .fetch_optional(&self.pool)
            .await?;
        let same_key = row.is_some();
        if row.is_none()
            && let Some(identity) = item.link().and_then(link_identity)
        {
            row = sqlx::query_as(&format!(
                "{COLUMNS} WHERE link_identity = ?1 ORDER BY id LIMIT 1"
            ))
            .bind(identity)
            .fetch_optional(&self.pool)
            .await?;
        }
        if row.is_none() && !item.title().is_empty() {
            row = sqlx::query_as(&format!(
                "{COLUMNS} WHERE published_at = ?1 AND title = ?2 ORDER BY id LIMIT 1"
            ))
            .bind(item.published_at().timestamp_millis())
            .bind(item.title())
            .fetch_optional(&self.pool)
            .await?;
        }
        Ok(row.map(|row| KnownItem {
            id: row.id,
            fingerprint: row.feed_fingerprint,
            deleted: row.deleted_at.is_some(),
            same_key,
            link: row.link,
        }))
    }

    pub async fn set_feed_fingerprint(
        &self,
        id: StatementId,
        fingerprint: &str,
    ) -> Result<(), StorageError> {
        sqlx::query("UPDATE announcements SET feed_fingerprint = ?2 WHERE id = ?1")
            .bind(id)
            .bind(fingerprint)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
