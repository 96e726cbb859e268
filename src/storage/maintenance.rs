//! Keeping the database small and safe: consistent backups, the pruning of old delivery
//! records, and erasure that reaches the disk.
//!
//! Deleting a row is not enough to take a chat id off the disk. `secure_delete` zeroes the
//! row where it lies, but in WAL mode the zeroed page goes to `-wal` first, while the main
//! file and older `-wal` frames keep the old image; and SQLite leaves copies behind that
//! `secure_delete` never sees: a deleted rowid (our `subscribers.chat_id`) stays as a
//! divider key in interior b-tree pages, and a cell moved by a page split leaves its old
//! bytes in the page's unused space. Measured on 3,000 subscribers with 1,500 erased one
//! by one: 15 ids were still in the file after `secure_delete` and a checkpoint, none after
//! `VACUUM`. So an erasure is followed by `VACUUM` (a fresh copy of the live rows; 3.3 s for
//! 93 MB, see BENCHMARKS.md) and `wal_checkpoint(TRUNCATE)`, which cuts `-wal` to nothing.

use std::path::Path;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use chrono::{DateTime, Utc};

use super::drafts::DRAFT_LIFETIME;
use super::{BUSY_TIMEOUT, Storage, StorageError, prepare_database_file};
use crate::domain::time::{millis, now_ms};

/// Erasures close together share one rewrite (a broadcast that meets many blocked chats).
const ERASURE_GATHERING: Duration = Duration::from_secs(1);
/// Rewriting the file makes writers wait, so under a stream of erasures it runs at most
/// this often; an erasure still leaves the disk well within a minute.
const REWRITE_SPACING: Duration = Duration::from_secs(20);
/// How long a checkpoint waits for readers before it gives up for now.
const CHECKPOINT_PATIENCE: Duration = Duration::from_millis(250);
/// A rewrite that found the database busy is tried again after this.
const REWRITE_RETRY: Duration = Duration::from_secs(2);
/// How often expired searches (in memory) and drafts are swept: searches live 50 minutes,
/// so none is kept for an hour, even when nobody searches after them.
const SWEEP_EVERY: Duration = Duration::from_secs(5 * 60);

/// What one sweep deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Swept {
    /// Searches forgotten from memory (they are never on the disk).
    pub search_pages: u64,
    pub drafts: u64,
}

impl Storage {
    /// Writes a consistent copy of the whole database to `path` while the bot keeps running:
    /// `VACUUM INTO` reads one snapshot (WAL readers do not block writers). The copy is
    /// created 0600 like the database itself, and an existing file is never overwritten.
    pub async fn backup_to(&self, path: &Path) -> Result<(), StorageError> {
        let shown = path.display().to_string();
        let open_error = |e: std::io::Error| StorageError::Open {
            path: shown.clone(),
            reason: e.to_string(),
        };
        if path.exists() {
            return Err(open_error(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "the file already exists; choose a new name",
            )));
        }
        // SQLite accepts an empty file as the target, so the mode is ours from the start.
        prepare_database_file(path).map_err(open_error)?;
        let target = path.to_str().ok_or_else(|| {
            open_error(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the path is not valid UTF-8",
            ))
        })?;
        let result = sqlx::query("VACUUM INTO ?1")
            .bind(target)
            .execute(&self.pool)
            .await;
        if let Err(e) = result {
            // Leave no half-written copy that could be mistaken for a backup.
            let _ = std::fs::remove_file(path);
            return Err(e.into());
        }
        Ok(())
    }

    /// Deletes delivery records finished more than `retention` ago, and returns how many.
    ///
    /// Kept whatever their age: rows still pending, and the `send` rows that carry the
    /// Telegram message id of a delivered copy of a statement still in the archive, because
    /// /edit and /delete need them for as long as the statement exists.
    pub async fn prune_deliveries(&self, retention: Duration) -> Result<u64, StorageError> {
        let cutoff = now_ms().saturating_sub(millis(retention));
        let pruned = sqlx::query(
            "DELETE FROM deliveries
             WHERE status <> 'pending' AND done_at IS NOT NULL AND done_at < ?1
               AND NOT (action = 'send' AND status = 'sent' AND message_id IS NOT NULL
                        AND EXISTS (SELECT 1 FROM announcements a
                                    WHERE a.id = deliveries.announcement_id
                                      AND a.deleted_at IS NULL))",
        )
        .bind(cutoff)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(pruned)
    }
}

impl Storage {
    /// Writes every page of the `-wal` into the database and truncates the `-wal` to zero
    /// bytes. Returns false when a reader kept it from finishing (try again later).
    ///
    /// While it waits for readers to finish, the checkpoint holds the write lock; a reader
    /// that wants to write next would wait for it in turn, and both would sit out the whole
    /// busy timeout. So it waits only briefly, and the caller tries again later.
    pub async fn checkpoint_truncate(&self) -> Result<bool, StorageError> {
        let mut connection = self.pool.acquire().await?;
        set_busy_timeout(&mut connection, CHECKPOINT_PATIENCE).await?;
        let checkpoint: Result<(i64, i64, i64), sqlx::Error> =
            sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
                .fetch_one(&mut *connection)
                .await;
        if set_busy_timeout(&mut connection, BUSY_TIMEOUT)
            .await
            .is_err()
        {
            // Never hand the pool a connection that gives up this early.
            drop(connection.detach());
        }
        let (busy, _frames, _copied) = checkpoint?;
        Ok(busy == 0)
    }

    /// Forgets searches kept for paging and deletes admin drafts that have expired.
    async fn sweep_expired(&self) -> Result<Swept, StorageError> {
        self.sweep_expired_at(Utc::now()).await
    }

    /// [`sweep_expired`](Self::sweep_expired) as if it were `now`.
    pub async fn sweep_expired_at(&self, now: DateTime<Utc>) -> Result<Swept, StorageError> {
        let now = now.timestamp_millis();
        // Each search is also checked for its age when read, so this only frees the memory
        // (and the queries in it) of searches nobody pages through any more.
        let search_pages = self.sweep_remembered_searches(now);
        let drafts = sqlx::query("DELETE FROM admin_drafts WHERE updated_at < ?1")
            .bind(now - millis(DRAFT_LIFETIME))
            .execute(&self.pool)
            .await?
            .rows_affected()
            + self
                .sweep_abandoned_schedules(now - millis(DRAFT_LIFETIME))
                .await?;
        Ok(Swept {
            search_pages,
            drafts,
        })
    }

    /// Takes what was deleted off the disk: rewrites the database from its live rows
    /// (`VACUUM`), then checkpoints with TRUNCATE, and clears the erasure mark unless an
    /// erasure came meanwhile. Returns false when a reader kept the checkpoint from
    /// finishing (try again later; the mark stays).
    pub async fn erase_from_disk(&self) -> Result<bool, StorageError> {
        let generation = self.pending_erasure().await?;
        sqlx::query("VACUUM").execute(&self.pool).await?;
        if !self.checkpoint_truncate().await? {
            return Ok(false);
        }
        if let Some(generation) = generation {
            // Only after the rewrite: a crash before this line leaves the mark for the
            // next start. The page written here holds the mark alone.
            sqlx::query("DELETE FROM erasure_pending WHERE generation = ?1")
                .bind(generation)
                .execute(&self.pool)
                .await?;
        }
        Ok(true)
    }

    /// The erasure mark's generation while an erasure waits for the rewrite, else `None`.
    pub async fn pending_erasure(&self) -> Result<Option<i64>, StorageError> {
        Ok(
            sqlx::query_scalar("SELECT generation FROM erasure_pending WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Runs until `shutdown`: after chats are erased (/stop, a gone chat) takes them off
    /// the disk within seconds, and sweeps expired searches and drafts now and then. At
    /// start it rewrites only if an erasure is still marked (an earlier run stopped before
    /// its rewrite): a rewrite of a large archive takes seconds and leaves its pages in
    /// memory, for nothing when nobody was erased.
    pub async fn keep_erasures_off_disk(self, shutdown: CancellationToken) {
        let mut sweep = tokio::time::interval(SWEEP_EVERY);
        sweep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut pending = match self.pending_erasure().await {
            Ok(generation) => generation.is_some(),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the erasure mark; rewriting to be safe");
                true
            }
        };
        // The pass at start is a one-off and does not hold back the first erasure.
        let mut last_rewrite: Option<tokio::time::Instant> = None;
        let mut at_start = pending;
        while !shutdown.is_cancelled() {
            if pending {
                let spacing = last_rewrite.map_or(Duration::ZERO, |at| {
                    (at + REWRITE_SPACING).saturating_duration_since(tokio::time::Instant::now())
                });
                if !at_start {
                    pause(ERASURE_GATHERING.max(spacing), &shutdown).await;
                }
                let outcome = self.erase_from_disk().await;
                if !std::mem::take(&mut at_start) {
                    last_rewrite = Some(tokio::time::Instant::now());
                }
                match outcome {
                    Ok(true) => pending = false,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot rewrite the database after an erasure; trying again");
                        pause(REWRITE_RETRY, &shutdown).await;
                        continue;
                    }
                    Ok(false) => {
                        tracing::debug!("a reader held up the checkpoint; trying again");
                        pause(REWRITE_RETRY, &shutdown).await;
                        continue;
                    }
                }
            }
            tokio::select! {
                _ = self.erased.notified() => pending = true,
                _ = sweep.tick() => self.sweep_and_checkpoint().await,
                _ = shutdown.cancelled() => {}
            }
        }
    }

    /// Drafts name nobody among the subscribers: zeroing them in place and a checkpoint is
    /// enough, without rewriting the file. Searches are only in memory: no checkpoint.
    async fn sweep_and_checkpoint(&self) {
        match self.sweep_expired().await {
            Ok(Swept {
                search_pages: 0,
                drafts: 0,
            }) => return,
            Ok(swept) => {
                tracing::info!(
                    search_pages = swept.search_pages,
                    drafts = swept.drafts,
                    "expired searches and drafts deleted"
                );
                if swept.drafts == 0 {
                    return;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot sweep expired searches and drafts");
                return;
            }
        }
        if let Err(e) = self.checkpoint_truncate().await {
            tracing::warn!(error = %e, "cannot checkpoint after a sweep");
        }
    }
}

async fn set_busy_timeout(
    connection: &mut sqlx::SqliteConnection,
    timeout: Duration,
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!("PRAGMA busy_timeout = {}", timeout.as_millis()))
        .execute(connection)
        .await
        .map(drop)
}

async fn pause(duration: Duration, shutdown: &CancellationToken) {
    tokio::select! {
        _ = tokio::time::sleep(duration) => {}
        _ = shutdown.cancelled() => {}
    }
}
