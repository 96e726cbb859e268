//! Keeping the database small and safe: consistent backups and the pruning of old
//! delivery records.

use std::path::Path;
use std::time::Duration;

use super::{Storage, StorageError, prepare_database_file};

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
        let cutoff = chrono::Utc::now().timestamp_millis()
            - i64::try_from(retention.as_millis()).unwrap_or(i64::MAX);
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
