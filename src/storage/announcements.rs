use chrono::{DateTime, TimeZone, Utc};

use super::{Storage, StorageError, now_unix};
use crate::domain::{Announcement, NewAnnouncement};

/// What happened to a statement offered to the archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveOutcome {
    Inserted(i64),
    /// The source key was already there; nothing changed.
    Duplicate(i64),
}

impl ArchiveOutcome {
    pub fn id(self) -> i64 {
        match self {
            ArchiveOutcome::Inserted(id) | ArchiveOutcome::Duplicate(id) => id,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct AnnouncementRow {
    id: i64,
    source_key: String,
    title: String,
    body_html: String,
    body_text: String,
    link: Option<String>,
    image_url: Option<String>,
    published_at: i64,
    created_at: i64,
    pub(super) search_key: Option<i64>,
}

pub(super) const COLUMNS: &str = "a.id, a.source_key, a.title, a.body_html, a.body_text, a.link, \
                                  a.image_url, a.published_at, a.created_at, a.search_key";

pub(super) fn from_unix(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
}

impl From<AnnouncementRow> for Announcement {
    fn from(row: AnnouncementRow) -> Self {
        Announcement {
            id: row.id,
            source_key: row.source_key,
            title: row.title,
            body_html: row.body_html,
            body_text: row.body_text,
            link: row.link,
            image_url: row.image_url,
            published_at: from_unix(row.published_at),
            created_at: from_unix(row.created_at),
        }
    }
}

impl Storage {
    /// Stores a statement (and its folded search key) if its source key is new.
    /// Nothing is sent to anyone: this is how `jarchi import` seeds the archive.
    pub async fn archive(&self, new: &NewAnnouncement) -> Result<ArchiveOutcome, StorageError> {
        let mut tx = self.pool.begin().await?;
        let outcome = insert_if_new(&mut tx, new).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    pub async fn announcement(&self, id: i64) -> Result<Option<Announcement>, StorageError> {
        let row: Option<AnnouncementRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM announcements a WHERE a.id = ?1 AND a.deleted_at IS NULL"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(Announcement::from))
    }

    /// The newest statements first.
    pub async fn latest(&self, limit: u32, offset: u32) -> Result<Vec<Announcement>, StorageError> {
        let rows: Vec<AnnouncementRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM announcements a WHERE a.deleted_at IS NULL
             ORDER BY a.published_at DESC, a.id DESC LIMIT ?1 OFFSET ?2"
        ))
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Announcement::from).collect())
    }

    pub async fn count_announcements(&self) -> Result<i64, StorageError> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM announcements WHERE deleted_at IS NULL")
                .fetch_one(&self.pool)
                .await?,
        )
    }
}

/// Inserts the statement and its search-index row in the caller's transaction, so that
/// the archive and its index can never disagree.
pub(super) async fn insert_if_new(
    tx: &mut sqlx::SqliteConnection,
    new: &NewAnnouncement,
) -> Result<ArchiveOutcome, StorageError> {
    let now = now_unix();
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO announcements
             (source_key, title, body_html, body_text, link, image_url, published_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
         ON CONFLICT (source_key) DO NOTHING
         RETURNING id",
    )
    .bind(new.source_key())
    .bind(new.title())
    .bind(new.body_html())
    .bind(new.body_text())
    .bind(new.link())
    .bind(new.image_url())
    .bind(new.published_at().timestamp())
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    match inserted {
        Some(id) => {
            super::search::index_new(
                tx,
                id,
                new.published_at().timestamp(),
                new.title(),
                new.body_text(),
            )
            .await?;
            Ok(ArchiveOutcome::Inserted(id))
        }
        None => {
            let id: i64 = sqlx::query_scalar("SELECT id FROM announcements WHERE source_key = ?1")
                .bind(new.source_key())
                .fetch_one(&mut *tx)
                .await?;
            Ok(ArchiveOutcome::Duplicate(id))
        }
    }
}

impl Storage {
    /// The id the next statement will most likely get, for a preview's `#id`.
    pub async fn next_announcement_id(&self) -> Result<i64, StorageError> {
        Ok(
            sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM announcements")
                .fetch_one(&self.pool)
                .await?,
        )
    }
}
