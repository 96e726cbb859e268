//! The only room with SQL. Everything else asks [`Storage`] in domain terms.

mod announcements;
mod approvals;
mod audit;
mod chat_migration;
mod digests;
mod drafts;
mod feeds;
mod holds;
mod ids;
mod maintenance;
mod media;
mod permissions;
mod queue;
mod revisions;
mod schedules;
mod search;
mod search_pages;
mod stats;
mod subscribers;
mod topics;
#[cfg(test)]
mod upgrade_tests;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

// The plain types callers exchange with storage live in `domain`; named here too, so that
// a caller of storage finds them where it looks.
pub use crate::domain::{
    ArchiveOutcome, ChatKind, ClaimedDelivery, DeliveryAction, DeliveryResult, Draft, DraftStep,
    Hold, HoldRelease, PublishOutcome, SubscribeOutcome, Subscriber, SubscriberCounts,
};
pub use announcements::ArchiveBatch;
pub use feeds::{AddFeedOutcome, FeedState, FeedSuccess, KnownItem};
pub use maintenance::Swept;
pub use topics::{AddTopicOutcome, RemoveTopicOutcome};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("DATABASE_URL is invalid: {0}")]
    BadUrl(String),
    #[error(
        "cannot open the database {path}: {reason} (check that the folder exists and is writable)"
    )]
    Open { path: String, reason: String },
    #[error("cannot apply the database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("the table {table} holds an {unknown}")]
    UnknownValue {
        table: &'static str,
        unknown: crate::domain::UnknownValue,
    },
}

/// A handle on the SQLite database; cheap to clone (it is a pool).
#[derive(Clone, Debug)]
pub struct Storage {
    pool: SqlitePool,
    /// Woken after rows naming a chat were deleted, so that the deleted bytes leave the
    /// `-wal` file soon (see `maintenance::keep_erasures_off_disk`).
    erased: Arc<tokio::sync::Notify>,
    /// Searches kept for their page buttons, in memory only (see `search_pages`).
    searches: Arc<search_pages::RememberedSearches>,
}

/// How long a statement waits for another connection's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The WAL may keep this much after a checkpoint; beyond it SQLite truncates the file.
const JOURNAL_SIZE_LIMIT_BYTES: &str = "4194304";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// SQLite lets one connection write at a time; the rest read (lists, search, figures), and
/// rarely at once. Each connection is also an OS thread in sqlx, so a few are enough.
const POOL_CONNECTIONS: u32 = 4;
/// What a process does with the database, which decides how much of it to keep in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// The bot: small reads and writes, idle most of the time.
    Bot,
    /// `jarchi import`: tens of thousands of statements, in no order of date.
    BulkImport,
}

impl Workload {
    /// Page cache per connection, in KiB (SQLite's default is 2,000 KiB).
    fn page_cache_kib(self) -> u32 {
        match self {
            // The operating system caches the file as well; this keeps the hot pages (index
            // roots, the queue) close, and an idle bot small (issue 14 asks ≤ 18 MiB).
            Self::Bot => 1024,
            // Each imported statement lands on a random leaf of every date-ordered index
            // and of the search index; through the bot's 1 MiB those leaves are read again
            // and spilled for every batch, and an import slowed as the archive grew. The
            // indexes of 100,000 statements fit in this; the process ends with the import.
            Self::BulkImport => 64 * 1024,
        }
    }
}

impl Storage {
    /// Opens (creating if needed) the database for the bot and applies pending migrations.
    pub async fn connect(database_url: &str) -> Result<Self, StorageError> {
        Self::connect_for(database_url, Workload::Bot).await
    }

    /// [`Storage::connect`], sized for `workload`.
    pub async fn connect_for(database_url: &str, workload: Workload) -> Result<Self, StorageError> {
        let options = SqliteConnectOptions::from_str(database_url)
            .map_err(|e| StorageError::BadUrl(e.to_string()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // WAL makes NORMAL durable against application crashes; only power loss can
            // cost the last transactions, which the delivery queue tolerates.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true)
            // Deleted rows are overwritten with zeros instead of lingering in free space:
            // a chat that left must not be readable from the file afterwards.
            .pragma("secure_delete", "ON")
            .pragma("journal_size_limit", JOURNAL_SIZE_LIMIT_BYTES)
            .pragma("cache_size", format!("-{}", workload.page_cache_kib()));
        let path = options.get_filename().to_path_buf();
        if !is_in_memory(&path) {
            let open_error = |e: std::io::Error| StorageError::Open {
                path: path.display().to_string(),
                reason: e.to_string(),
            };
            prepare_database_file(&path).map_err(open_error)?;
            let tightened = permissions::tighten(&path).map_err(open_error)?;
            if !tightened.is_empty() {
                tracing::info!(
                    tightened = %tightened.join(", "),
                    "made the database readable by its owner only"
                );
            }
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(POOL_CONNECTIONS)
            // A local file needs no liveness check: the ping would be one more round trip
            // to the connection's thread on every query (a tenth of a `/search`).
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(|e| StorageError::Open {
                path: path.display().to_string(),
                reason: e.to_string(),
            })?;
        MIGRATOR.run(&pool).await?;
        Ok(Self {
            pool,
            erased: Arc::new(tokio::sync::Notify::new()),
            searches: Arc::default(),
        })
    }

    /// A cheap liveness query, for startup checks and health endpoints.
    pub async fn ping(&self) -> Result<(), StorageError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn is_in_memory(path: &Path) -> bool {
    path.as_os_str().is_empty() || path == Path::new(":memory:")
}

/// Creates the folder and the file ourselves so that the subscriber list is never
/// readable by other users of the machine (mode 0600), and so that an unwritable
/// location is reported as such, not as a cryptic SQLite code.
fn prepare_database_file(path: &Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut open = std::fs::OpenOptions::new();
    open.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        open.mode(0o600);
    }
    open.open(path).map(drop)
}

/// Where the database lives, for messages and for the single-instance lock.
pub fn database_path(database_url: &str) -> Option<PathBuf> {
    let options = SqliteConnectOptions::from_str(database_url).ok()?;
    let path = options.get_filename().to_path_buf();
    (!is_in_memory(&path)).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every connection the pool hands out zeroes what it deletes, not only the first.
    #[tokio::test]
    async fn every_pooled_connection_erases_securely() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("j.db").display());
        let storage = Storage::connect(&url).await.unwrap();
        let mut held = Vec::new();
        for _ in 0..4 {
            let mut connection = storage.pool.acquire().await.unwrap();
            let secure: i64 = sqlx::query_scalar("PRAGMA secure_delete")
                .fetch_one(&mut *connection)
                .await
                .unwrap();
            let limit: i64 = sqlx::query_scalar("PRAGMA journal_size_limit")
                .fetch_one(&mut *connection)
                .await
                .unwrap();
            assert_eq!(
                (secure, limit.to_string()),
                (1, JOURNAL_SIZE_LIMIT_BYTES.into())
            );
            held.push(connection);
        }
        drop(held);
        storage.close().await;
    }
}
