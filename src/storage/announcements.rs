use chrono::{DateTime, Utc};

use super::search::{NewTerms, SearchText};
use super::{Storage, StorageError};
use crate::domain::time::{from_ms, now_ms};
use crate::domain::{
    Announcement, ArchiveOutcome, NewAnnouncement, SourceKey, StatementId, link_identity,
};

#[derive(sqlx::FromRow)]
pub(super) struct AnnouncementRow {
    id: StatementId,
    source_key: SourceKey,
    title: String,
    body_html: String,
    body_text: String,
    link: Option<String>,
    image_url: Option<String>,
    published_at: i64,
    created_at: i64,
}

pub(super) const COLUMNS: &str = "a.id, a.source_key, a.title, a.body_html, a.body_text, a.link, \
                                  a.image_url, a.published_at, a.created_at";

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
            published_at: from_ms(row.published_at),
            created_at: from_ms(row.created_at),
            // Read by a second query (`Storage::with_media`), one for a whole list.
            media: Vec::new(),
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

    /// [`Storage::archive`] for many statements in one transaction, outcomes in their
    /// order: an archive import then costs one commit and one full-text index segment per
    /// batch instead of one per statement. A source key given twice is stored once, the
    /// second a `Duplicate` of the first. All or none: a failure stores none of them.
    pub async fn archive_many(
        &self,
        items: &[&NewAnnouncement],
    ) -> Result<Vec<ArchiveOutcome>, StorageError> {
        let (texts, terms) = fold_all(items.iter().copied());
        self.archive_folded(items.iter().copied().zip(&texts), &terms)
            .await
    }

    /// [`Storage::archive_many`] for a batch prepared beforehand (see [`ArchiveBatch`]).
    pub async fn archive_batch(
        &self,
        batch: &ArchiveBatch,
    ) -> Result<Vec<ArchiveOutcome>, StorageError> {
        let statements = batch.statements.iter().zip(&batch.texts);
        self.archive_folded(statements, &batch.terms).await
    }

    async fn archive_folded<'a>(
        &self,
        statements: impl ExactSizeIterator<Item = (&'a NewAnnouncement, &'a SearchText)>,
        terms: &NewTerms,
    ) -> Result<Vec<ArchiveOutcome>, StorageError> {
        let mut tx = self.pool.begin().await?;
        let mut outcomes = Vec::with_capacity(statements.len());
        let mut to_index = Vec::with_capacity(statements.len());
        for (new, text) in statements {
            let (outcome, key) = insert_unindexed(&mut tx, new).await?;
            outcomes.push(outcome);
            to_index.extend(key.map(|key| (key, text)));
        }
        // The index rows last, one after the other: FTS5 writes what it holds as a new
        // segment whenever a statement opens a savepoint, as the row's INSERT … SELECT …
        // ON CONFLICT does. Interleaved, each statement became a segment of its own (500
        // per batch, then merged again and again: a third of an import's SQLite time);
        // together they are one segment per batch.
        terms.write(&mut tx).await?;
        for (key, text) in to_index {
            super::search::index(&mut tx, key, text).await?;
        }
        tx.commit().await?;
        Ok(outcomes)
    }

    pub async fn announcement(
        &self,
        id: StatementId,
    ) -> Result<Option<Announcement>, StorageError> {
        let row: Option<AnnouncementRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM announcements a WHERE a.id = ?1 AND a.deleted_at IS NULL"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        self.with_media_one(row.map(Announcement::from)).await
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
        self.with_media(rows.into_iter().map(Announcement::from).collect())
            .await
    }

    pub async fn count_announcements(&self) -> Result<i64, StorageError> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM announcements WHERE deleted_at IS NULL")
                .fetch_one(&self.pool)
                .await?,
        )
    }
}

/// Statements made ready for one transaction of [`Storage::archive_batch`]: their search
/// text folded and their words gathered. That is pure work and most of an import's own
/// besides SQLite's, so an import prepares the next batch on another thread while this
/// one is written, and the two cores of a small server both work.
pub struct ArchiveBatch {
    statements: Vec<NewAnnouncement>,
    /// The search text of each statement, in the same order.
    texts: Vec<SearchText>,
    terms: NewTerms,
}

impl ArchiveBatch {
    pub fn prepare(statements: Vec<NewAnnouncement>) -> Self {
        let (texts, terms) = fold_all(statements.iter());
        Self {
            statements,
            texts,
            terms,
        }
    }

    pub fn len(&self) -> usize {
        self.statements.len()
    }

    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }
}

fn search_text(new: &NewAnnouncement) -> SearchText {
    SearchText::fold(new.title(), new.body_text())
}

/// Each statement's search text, in order, and the words of them all.
fn fold_all<'a>(
    statements: impl Iterator<Item = &'a NewAnnouncement>,
) -> (Vec<SearchText>, NewTerms) {
    let texts: Vec<SearchText> = statements.map(search_text).collect();
    let mut terms = NewTerms::default();
    texts.iter().for_each(|text| terms.add(text));
    (texts, terms)
}

/// Inserts the statement and its search-index row in the caller's transaction, so that
/// the archive and its index can never disagree.
pub(super) async fn insert_if_new(
    tx: &mut sqlx::SqliteConnection,
    new: &NewAnnouncement,
) -> Result<ArchiveOutcome, StorageError> {
    let (outcome, key) = insert_unindexed(tx, new).await?;
    if let Some(key) = key {
        let text = search_text(new);
        super::search::index(tx, key, &text).await?;
        NewTerms::of(&text).write(tx).await?;
    }
    Ok(outcome)
}

/// The statement's row, media and topic unless its source key is known, and for a new
/// one the key its search-index row must have; that row is the caller's to write in the
/// same transaction.
async fn insert_unindexed(
    tx: &mut sqlx::SqliteConnection,
    new: &NewAnnouncement,
) -> Result<(ArchiveOutcome, Option<i64>), StorageError> {
    let now = now_ms();
    let published_at = new.published_at();
    // The sort key in the same statement as the row: one round trip less per statement,
    // which is most of an import's cost. A key taken already (see search::search_key) fails
    // the statement, and the slower way finds a free one.
    let inserted = match insert_row(tx, new, now, Some(published_at)).await {
        Err(StorageError::Sqlx(sqlx::Error::Database(e))) if e.is_unique_violation() => {
            insert_row(tx, new, now, None).await?
        }
        other => other?,
    };
    match inserted {
        Some((id, key)) => {
            let key = super::search::settle_key(tx, id, key, published_at).await?;
            super::media::insert_media(tx, id, new.media()).await?;
            super::topics::set_statement_topic(tx, id, new.topic()).await?;
            Ok((ArchiveOutcome::Inserted(id), Some(key)))
        }
        None => {
            let id = sqlx::query_scalar("SELECT id FROM announcements WHERE source_key = ?1")
                .bind(new.source_key())
                .fetch_one(&mut *tx)
                .await?;
            Ok((ArchiveOutcome::Duplicate(id), None))
        }
    }
}

/// The `link_identity` column: NULL without a link, '' for a link that cannot name one
/// statement (so that the backfill need not look at it again).
pub(super) fn stored_link_identity(link: Option<&str>) -> Option<String> {
    link.map(|l| link_identity(l).unwrap_or_default())
}

/// Inserts the row unless its source key is known; returns its id and sort key. With
/// `key_from` (the publication time), the key is computed here from the new id.
async fn insert_row(
    tx: &mut sqlx::SqliteConnection,
    new: &NewAnnouncement,
    now: i64,
    key_from: Option<DateTime<Utc>>,
) -> Result<Option<(StatementId, Option<i64>)>, StorageError> {
    static WITH_KEY: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| insert_sql(&super::search::KEY_SQL));
    // NULL, written with ?9 so that both statements take the same parameters.
    static WITHOUT_KEY: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| insert_sql("NULLIF(?9, ?9)"));
    let sql = if key_from.is_some() {
        WITH_KEY.as_str()
    } else {
        WITHOUT_KEY.as_str()
    };
    Ok(sqlx::query_as(sql)
        .bind(new.source_key())
        .bind(new.title())
        .bind(new.body_html())
        .bind(new.body_text())
        .bind(new.link())
        .bind(new.image_url())
        .bind(new.published_at().timestamp_millis())
        .bind(now)
        .bind(key_from.map(super::search::key_seconds))
        .bind(stored_link_identity(new.link()))
        .fetch_optional(&mut *tx)
        .await?)
}

/// The id is the one SQLite would choose (one past the largest), named here so that the
/// key can be computed from it in the same statement. `MAX(id)` stands alone in its
/// subquery: there SQLite reads the last row of the table, where `COALESCE(MAX(id), 0)`
/// scanned all of them, and every insert cost time in proportion to the archive.
fn insert_sql(key: &str) -> String {
    format!(
        "INSERT INTO announcements (id, source_key, title, body_html, body_text, link, image_url,
             published_at, created_at, updated_at, search_key, link_identity)
         SELECT next.id, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, {key}, ?10
           FROM (SELECT COALESCE((SELECT MAX(id) FROM announcements), 0) + 1 AS id) next
          WHERE true
         ON CONFLICT (source_key) DO NOTHING
         RETURNING id, search_key"
    )
}

impl Storage {
    /// The id the next statement will most likely get, for a preview's `#id`.
    pub async fn next_announcement_id(&self) -> Result<StatementId, StorageError> {
        Ok(
            sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM announcements")
                .fetch_one(&self.pool)
                .await?,
        )
    }
}

impl Storage {
    /// Computes the link identity of statements stored before it existed, a batch at a
    /// time; returns how many rows it filled in.
    pub async fn backfill_link_identities(&self) -> Result<u64, StorageError> {
        let mut filled = 0;
        loop {
            let rows: Vec<(i64, String)> = sqlx::query_as(
                "SELECT id, link FROM announcements
                 WHERE link IS NOT NULL AND link_identity IS NULL LIMIT 500",
            )
            .fetch_all(&self.pool)
            .await?;
            if rows.is_empty() {
                return Ok(filled);
            }
            let mut tx = self.pool.begin().await?;
            for (id, link) in rows {
                sqlx::query("UPDATE announcements SET link_identity = ?2 WHERE id = ?1")
                    .bind(id)
                    .bind(stored_link_identity(Some(&link)))
                    .execute(&mut *tx)
                    .await?;
                filled += 1;
            }
            tx.commit().await?;
        }
    }
}
