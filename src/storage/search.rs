//! Full-text search that costs the same over 100 statements or 100,000.
//!
//! The index's rowid is a sort key (see [`search_key`]), so FTS5 hands matches over newest
//! first and stops after a page. Ranking is a list of tiers, each one FTS5 query:
//! 1. the words together in the title (one word: in the title),
//! 2. all words in the title,
//! 3. the words together in the text, 4. all words within ten of each other,
//! 5. all words anywhere, 6. some of the words in the title, 7. some of the words,
//!
//! newest first within a tier. A tier that few statements satisfy would make FTS5 walk all
//! of a common word's postings, so tiers are ranked only among the newest
//! [`RANKED_CANDIDATES`] statements that match at all; older matches follow, newest first.
//! Within that horizon a tier is read oldest first and its newest rows kept: FTS5 stops a
//! backwards walk at a lower rowid bound only when it finds a match, so a tier with no
//! match in the horizon (a phrase the words never form) walked the whole archive backwards
//! (147 million instructions for «19 مه 2017» over 100,000 statements, against 8.6), while
//! forwards the doclists simply end.
//! Prefix terms (`"ایران"*`) are spelled out as an OR of the indexed words that start with
//! them ([`MAX_EXPANSION`] at most), because FTS5 would otherwise merge every posting of
//! every such word before returning the first row.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::announcements::{AnnouncementRow, COLUMNS};
use super::media::{STATEMENT_MEDIA_JSON, media_from_json};
use super::{Storage, StorageError};
use crate::domain::time::from_ms;
use crate::domain::{Announcement, StatementId};
use crate::text::{QueryTerm, fold_for_index, quote_fts};

/// How many of the newest matching statements are ranked by the tiers. Each tier reads
/// every match among them, so this bounds a search's cost: at 100,000 statements, 250
/// candidates cost a two-word search about 7.7 million instructions in SQLite, 500 about
/// 12.8 (callgrind). For a word in most statements the newest 250 matches span weeks; a
/// word or a month more reaches further back.
const RANKED_CANDIDATES: i64 = 250;
/// A prefix that starts more indexed words than this is left to FTS5's own prefix query.
const MAX_EXPANSION: usize = 256;
/// "Near each other": at most this many words apart.
const NEAR_DISTANCE: usize = 10;
/// The sort key keeps the low 22 bits for the id: unique while ids stay under 4,194,304,
/// and moved up by one on the rare collision after that (see [`assign_search_key`]).
const ID_BITS: u32 = 22;
/// Seconds beyond ±2^40 (about 34,000 years) are clamped so the key cannot overflow.
const MAX_SECONDS: i64 = (1 << 40) - 1;
/// Attempts at a free key before giving up (each moves the key up by one).
const KEY_ATTEMPTS: i64 = 64;

/// The index key of a statement: newer statements have larger keys.
fn search_key(published_at: DateTime<Utc>, id: StatementId) -> i64 {
    key_seconds(published_at) * (1 << ID_BITS) + id.0.rem_euclid(1 << ID_BITS)
}

/// The publication time as the key uses it: whole seconds, so that the keys written by
/// migration 0008 (from seconds) and those written since agree.
pub(super) fn key_seconds(published_at: DateTime<Utc>) -> i64 {
    published_at
        .timestamp()
        .clamp(-MAX_SECONDS - 1, MAX_SECONDS)
}

/// [`search_key`] in SQL, over `?9` (from [`key_seconds`]) and the new row's `next.id`.
pub(super) static KEY_SQL: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| format!("?9 * {0} + next.id % {0}", 1i64 << ID_BITS));

/// The smallest key a statement published at or after `at` can have.
fn key_at(at: DateTime<Utc>) -> i64 {
    search_key(at, StatementId(0))
}

impl Storage {
    /// Search, ranked as the module explains. `words` come from `text::query_words` (folded,
    /// letters and digits only); `within` limits it to `[start, end)`. With no words, the
    /// statements of that span, newest first.
    pub async fn search(
        &self,
        words: &[String],
        within: Option<(DateTime<Utc>, DateTime<Utc>)>,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<Announcement>, StorageError> {
        if words.is_empty() {
            return match within {
                Some((start, end)) => self.published_between(start, end, limit, offset).await,
                None => Ok(Vec::new()),
            };
        }
        let mut conn = self.pool.acquire().await?;
        let terms: Vec<QueryTerm> = words.iter().map(|w| QueryTerm::from_folded(w)).collect();
        let groups = match_groups(&mut conn, &terms).await?;
        // "Next to each other" is about the words as typed, not their stems.
        let exact: Vec<String> = words.iter().map(|w| quote_fts(w)).collect();
        let Some(plan) = Tiers::plan(&groups, &exact) else {
            return Ok(Vec::new());
        };
        let (low, high) = match within {
            Some((start, end)) => (key_at(start), key_at(end)),
            None => (i64::MIN, i64::MAX),
        };
        let sql = plan.sql();
        let mut query = sqlx::query_as::<_, FoundRow>(sql)
            .bind(&plan.broad)
            .bind(low)
            .bind(high)
            .bind(RANKED_CANDIDATES - 1)
            .bind(i64::from(offset) + i64::from(limit))
            .bind(limit)
            .bind(offset);
        for tier in plan.bounded() {
            query = query.bind(tier);
        }
        let rows: Vec<FoundRow> = query.fetch_all(&mut *conn).await?;
        rows.into_iter()
            .map(|row| {
                let mut statement = Announcement::from(row.statement);
                statement.media = media_from_json("statement_media", row.media.as_deref())?;
                Ok(statement)
            })
            .collect()
    }

    /// Before a bulk import: the full-text index stops merging its segments as it is
    /// written (see [`MERGES_WHILE_IMPORTING`]) until [`Storage::merge_search_index`].
    pub async fn hold_search_index_merges(&self) -> Result<(), StorageError> {
        self.write_index_merges(&MERGES_WHILE_IMPORTING).await
    }

    async fn write_index_merges(&self, merges: &IndexMerges) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        set_index_merges(&mut tx, merges).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Merges the full-text index into one segment (see migration 0020), after a bulk
    /// import, which leaves it in many, and gives the index its usual merging back. Costs
    /// a few seconds of CPU per 100,000 statements.
    pub async fn merge_search_index(&self) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        set_index_merges(&mut tx, &MERGES_AS_WRITTEN).await?;
        sqlx::query("INSERT INTO statement_search (statement_search) VALUES ('optimize')")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// At start: an import that was stopped before its end left the index merging as
    /// during an import; it gets its usual merging back (the segments left unmerged merge
    /// as the bot writes). One read when nothing was left.
    pub async fn resume_search_index_merges(&self) -> Result<bool, StorageError> {
        let crisis: Option<i64> =
            sqlx::query_scalar("SELECT v FROM statement_search_config WHERE k = 'crisismerge'")
                .fetch_optional(&self.pool)
                .await?;
        let held = crisis == Some(MERGES_WHILE_IMPORTING.crisismerge);
        if held {
            self.write_index_merges(&MERGES_AS_WRITTEN).await?;
        }
        Ok(held)
    }

    /// The statements published in `[start, end)`, newest first.
    pub async fn published_between(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<Announcement>, StorageError> {
        let rows: Vec<AnnouncementRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM announcements a
             WHERE a.deleted_at IS NULL AND a.published_at >= ?1 AND a.published_at < ?2
             ORDER BY a.published_at DESC, a.id DESC LIMIT ?3 OFFSET ?4"
        ))
        .bind(start.timestamp_millis())
        .bind(end.timestamp_millis())
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        self.with_media(rows.into_iter().map(Announcement::from).collect())
            .await
    }

    /// How many statements each `[start, end)` span holds, in the order given.
    pub async fn count_published(
        &self,
        spans: &[(DateTime<Utc>, DateTime<Utc>)],
    ) -> Result<Vec<i64>, StorageError> {
        let bounds: Vec<[i64; 2]> = spans
            .iter()
            .map(|(s, e)| [s.timestamp_millis(), e.timestamp_millis()])
            .collect();
        let bounds = serde_json::to_string(&bounds).unwrap_or_else(|_| "[]".into());
        Ok(sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM announcements
                      WHERE deleted_at IS NULL
                        AND published_at >= span.value ->> 0 AND published_at < span.value ->> 1)
               FROM json_each(?1) span ORDER BY span.key",
        )
        .bind(bounds)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The first and last publication instants in the archive.
    pub async fn published_range(
        &self,
    ) -> Result<Option<(DateTime<Utc>, DateTime<Utc>)>, StorageError> {
        let (first, last): (Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT MIN(published_at), MAX(published_at) FROM announcements WHERE deleted_at IS NULL",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(first.zip(last).map(|(f, l)| (from_ms(f), from_ms(l))))
    }
}

/// A statement found, with its files as the JSON that [`media_from_json`] reads (`None`
/// for none): read in the search's own statement, which saves a second one per page.
#[derive(sqlx::FromRow)]
struct FoundRow {
    #[sqlx(flatten)]
    statement: AnnouncementRow,
    media: Option<String>,
}

/// What each query term matches, as FTS5 syntax: `"word"`, `("a" OR "b")`, or `"stem"*`
/// when the prefix starts too many words; `None` when no indexed word matches it. The
/// prefixes are looked up in one statement.
async fn match_groups(
    conn: &mut sqlx::SqliteConnection,
    terms: &[QueryTerm],
) -> Result<Vec<Option<String>>, StorageError> {
    let prefixes: Vec<&str> = terms
        .iter()
        .filter(|t| t.prefix)
        .map(|t| t.text.as_str())
        .collect();
    let mut expansions: Vec<Vec<String>> = Vec::new();
    if !prefixes.is_empty() {
        // Every word that starts with a prefix sorts between it and it + U+10FFFF.
        let found: Vec<String> = sqlx::query_scalar(
            "SELECT (SELECT json_group_array(term) FROM (
                         SELECT term FROM search_terms
                          WHERE term >= prefix.value AND term < prefix.value || char(1114111)
                          ORDER BY term LIMIT ?2))
               FROM json_each(?1) prefix ORDER BY prefix.key",
        )
        .bind(serde_json::to_string(&prefixes).unwrap_or_else(|_| "[]".into()))
        .bind(MAX_EXPANSION as i64 + 1)
        .fetch_all(&mut *conn)
        .await?;
        expansions = found
            .iter()
            .map(|json| serde_json::from_str(json).unwrap_or_default())
            .collect();
    }
    let mut expansions = expansions.into_iter();
    Ok(terms
        .iter()
        .map(|term| {
            if !term.prefix {
                return Some(quote_fts(&term.text));
            }
            let words = expansions.next().unwrap_or_default();
            match words.len() {
                0 => None,
                1 => Some(quote_fts(&words[0])),
                n if n > MAX_EXPANSION => Some(term.to_fts()),
                _ => Some(format!(
                    "({})",
                    words
                        .iter()
                        .map(|w| quote_fts(w))
                        .collect::<Vec<_>>()
                        .join(" OR ")
                )),
            }
        })
        .collect())
}

/// The FTS5 expressions of one search: the broad one (anything that matches at all) and
/// the tiers, best first.
struct Tiers {
    broad: String,
    tiers: Vec<String>,
}

impl Tiers {
    /// `groups[i]` is what term i matches (see [`match_group`]); `exact[i]` the word as
    /// typed, quoted, for "next to each other". `None` when nothing can match.
    fn plan(groups: &[Option<String>], exact: &[String]) -> Option<Self> {
        let found: Vec<&str> = groups.iter().flatten().map(String::as_str).collect();
        if found.is_empty() {
            return None;
        }
        let all_found = found.len() == groups.len();
        let mut tiers = Vec::new();
        if groups.len() == 1 {
            tiers.push(format!("title : {}", found[0]));
            tiers.push(found[0].to_string());
            return Some(Self {
                broad: found[0].to_string(),
                tiers,
            });
        }
        let every = found.join(" AND ");
        if all_found {
            let phrase = exact.join(" + ");
            tiers.push(format!("title : ({phrase})"));
            tiers.push(format!("title : ({every})"));
            tiers.push(phrase);
            tiers.push(format!("NEAR({}, {NEAR_DISTANCE})", exact.join(" ")));
            tiers.push(every);
        }
        let some = found.join(" OR ");
        tiers.push(format!("title : ({some})"));
        tiers.push(some.clone());
        Some(Self { broad: some, tiers })
    }

    /// The tiers that are ranked only within the horizon: all but the last, which is the
    /// broad expression itself and so ranks every other match, newest first.
    fn bounded(&self) -> &[String] {
        &self.tiers[..self.tiers.len().saturating_sub(1)]
    }

    /// One statement for all tiers and the page itself: the horizon (the key of the newest
    /// [`RANKED_CANDIDATES`]th match, or the lower bound when fewer match), each bounded
    /// tier within it, then every match at the last tier (within the horizon or older, it
    /// is newest first either way, so one scan serves both); each statement at its best
    /// tier, the page cut from that. Parameters: ?1 broad, ?2 low key, ?3 high key, ?4
    /// candidates − 1, ?5 rows per tier (offset + limit, enough for any page), ?6 limit, ?7
    /// offset, ?8… bounded tiers. The text depends only on the number of tiers, so that
    /// sqlx's statement cache keeps each of the few there are prepared.
    fn sql(&self) -> &'static str {
        static BY_TIERS: std::sync::LazyLock<Vec<String>> =
            std::sync::LazyLock::new(|| (0..=MAX_BOUNDED_TIERS).map(ranked_sql).collect());
        &BY_TIERS[self.bounded().len().min(MAX_BOUNDED_TIERS)]
    }
}

/// The most tiers [`Tiers::plan`] ranks within the horizon (all words found: five, and
/// "some in the title").
const MAX_BOUNDED_TIERS: usize = 6;

/// [`Tiers::sql`] for `bounded` tiers.
///
/// Each tier is its own materialized table, read only while the tiers before it hold fewer
/// than ?5 statements: its LIMIT is then 0, which SQLite checks before it starts the
/// tier's scan (the same condition in WHERE was tested on every row the scan found). A
/// statement's best tier is its first, so once the earlier tiers fill the page, a later
/// tier could only add statements ranked after all of them: the page is the same, and a
/// two-word search over 10,000 statements runs 2.1 million instructions in SQLite instead
/// of 6.6. The page is cut from the ranked keys before any statement's row is read, so
/// only its own rows (and their files) are: a retraction takes a statement out of the
/// index in its own transaction, so an indexed key names a live statement (`deleted_at` is
/// checked still, in case).
fn ranked_sql(bounded: usize) -> String {
    // ?5 rows while the tiers before `tier` hold fewer than ?5 statements, else none.
    let limit = |tier: usize| {
        if tier == 0 {
            return "?5".to_string();
        }
        let earlier: Vec<String> = (0..tier)
            .map(|t| format!("SELECT key FROM tier{t}"))
            .collect();
        format!(
            "CASE WHEN (SELECT COUNT(*) FROM ({})) < ?5 THEN ?5 ELSE 0 END",
            earlier.join(" UNION ")
        )
    };
    let mut sql = String::from(
        "WITH horizon (key) AS MATERIALIZED (
             SELECT COALESCE((SELECT rowid FROM statement_search
                               WHERE statement_search MATCH ?1 AND rowid >= ?2 AND rowid < ?3
                               ORDER BY rowid DESC LIMIT 1 OFFSET ?4), ?2))",
    );
    // `+rowid`: FTS5 reads the tier forwards through the horizon and SQLite keeps the
    // newest rows (see the module comment for why not backwards).
    for i in 0..bounded {
        sql.push_str(&format!(
            ",
         tier{i} (key) AS MATERIALIZED (SELECT rowid FROM statement_search
             WHERE statement_search MATCH ?{} AND rowid >= (SELECT key FROM horizon) AND rowid < ?3
             ORDER BY +rowid DESC LIMIT {})",
            i + 8,
            limit(i)
        ));
    }
    let ranked: Vec<String> = (0..=bounded)
        .map(|t| format!("SELECT {t}, key FROM tier{t}"))
        .collect();
    sql.push_str(&format!(
        ",
         tier{bounded} (key) AS MATERIALIZED (SELECT rowid FROM statement_search
             WHERE statement_search MATCH ?1 AND rowid >= ?2 AND rowid < ?3
             ORDER BY rowid DESC LIMIT {}),
         ranked (tier, key) AS ({}),
         page (key, tier) AS (SELECT key, MIN(tier) AS tier FROM ranked GROUP BY key
                              ORDER BY tier, key DESC LIMIT ?6 OFFSET ?7)
         SELECT {COLUMNS}, {STATEMENT_MEDIA_JSON} AS media
           FROM page JOIN announcements a ON a.search_key = page.key
          WHERE a.deleted_at IS NULL
          ORDER BY page.tier, page.key DESC",
        limit(bounded),
        ranked.join(" UNION ALL ")
    ));
    sql
}

/// A new statement's sort key: the one its insert gave it, or, when the insert could not
/// (`key` is `None`), a free one near its publication time.
pub(super) async fn settle_key(
    tx: &mut sqlx::SqliteConnection,
    id: StatementId,
    key: Option<i64>,
    published_at: DateTime<Utc>,
) -> Result<i64, StorageError> {
    match key {
        Some(key) => Ok(key),
        None => assign_search_key(tx, id, published_at).await,
    }
}

/// Re-indexes a revised statement under its key.
pub(super) async fn reindex(
    tx: &mut sqlx::SqliteConnection,
    id: StatementId,
    title: &str,
    body_text: &str,
) -> Result<(), StorageError> {
    let Some(key) = unindex(tx, id).await? else {
        return Ok(());
    };
    let text = SearchText::fold(title, body_text);
    index(tx, key, &text).await?;
    NewTerms::of(&text).write(tx).await
}

/// Takes a statement out of the index; returns its key, if it had one.
pub(super) async fn unindex(
    tx: &mut sqlx::SqliteConnection,
    id: StatementId,
) -> Result<Option<i64>, StorageError> {
    let key: Option<i64> = sqlx::query_scalar("SELECT search_key FROM announcements WHERE id = ?1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .flatten();
    if let Some(key) = key {
        sqlx::query("DELETE FROM statement_search WHERE rowid = ?1")
            .bind(key)
            .execute(&mut *tx)
            .await?;
    }
    Ok(key)
}

async fn assign_search_key(
    tx: &mut sqlx::SqliteConnection,
    id: StatementId,
    published_at: DateTime<Utc>,
) -> Result<i64, StorageError> {
    let first = search_key(published_at, id);
    let mut attempt = 0;
    loop {
        let key = first.saturating_add(attempt);
        let result = sqlx::query("UPDATE announcements SET search_key = ?2 WHERE id = ?1")
            .bind(id)
            .bind(key)
            .execute(&mut *tx)
            .await;
        match result {
            Ok(_) => return Ok(key),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() && attempt < KEY_ATTEMPTS => {
                attempt += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// FTS5's settings for merging an index's segments as it is written, kept in the index
/// itself for every connection.
struct IndexMerges {
    /// A level's segments merge bit by bit once it holds this many (0: never).
    automerge: i64,
    /// A level's segments merge at once when it holds this many.
    crisismerge: i64,
}

/// As the bot writes: SQLite's defaults.
const MERGES_AS_WRITTEN: IndexMerges = IndexMerges {
    automerge: 4,
    crisismerge: 16,
};

/// During an import a level's segments merge only when it holds 64. With the defaults
/// each statement's postings were rewritten at every level as the index grew, a fifth of
/// an import of 100,000 statements; the import's end merges everything into one segment
/// anyway, in one pass.
const MERGES_WHILE_IMPORTING: IndexMerges = IndexMerges {
    automerge: 0,
    crisismerge: 64,
};

/// Writes both settings in the caller's transaction.
async fn set_index_merges(
    conn: &mut sqlx::SqliteConnection,
    merges: &IndexMerges,
) -> Result<(), StorageError> {
    for (name, value) in [
        ("automerge", merges.automerge),
        ("crisismerge", merges.crisismerge),
    ] {
        sqlx::query("INSERT INTO statement_search (statement_search, rank) VALUES (?1, ?2)")
            .bind(name)
            .bind(value)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A statement's title and text as the index holds them: folded (see [`fold_for_index`]).
/// Folding is pure work, most of an import's own, so it can be done before the
/// statement's transaction, beside another batch's writes.
pub(super) struct SearchText {
    title: String,
    body: String,
}

impl SearchText {
    pub(super) fn fold(title: &str, body_text: &str) -> Self {
        Self {
            title: fold_for_index(title),
            body: fold_for_index(body_text),
        }
    }
}

/// Writes the search key (never the raw text); its words are the caller's to remember
/// (see [`NewTerms`]).
pub(super) async fn index(
    tx: &mut sqlx::SqliteConnection,
    key: i64,
    text: &SearchText,
) -> Result<(), StorageError> {
    sqlx::query("INSERT INTO statement_search (rowid, title, body) VALUES (?1, ?2, ?3)")
        .bind(key)
        .bind(&text.title)
        .bind(&text.body)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// The words of the statements indexed in one transaction, remembered for prefix queries
/// with one statement at its end: the statements of an archive import share most of their
/// words, and writing each statement's words on their own cost a round trip and a lookup
/// per word for every statement.
#[derive(Default)]
pub(super) struct NewTerms(HashSet<String>);

impl NewTerms {
    pub(super) fn of(text: &SearchText) -> Self {
        let mut terms = Self::default();
        terms.add(text);
        terms
    }

    /// A statement's words. Those of a statement that turns out to be stored already are
    /// in `search_terms` since it was, so adding them too changes nothing.
    pub(super) fn add(&mut self, text: &SearchText) {
        for folded in [&text.title, &text.body] {
            for word in folded.split(' ').filter(|w| !w.is_empty()) {
                if !self.0.contains(word) {
                    self.0.insert(word.to_string());
                }
            }
        }
    }

    /// Writes the words in the caller's transaction, before it commits: a word the index
    /// holds is always in `search_terms` too.
    pub(super) async fn write(&self, tx: &mut sqlx::SqliteConnection) -> Result<(), StorageError> {
        if self.0.is_empty() {
            return Ok(());
        }
        let words = serde_json::to_string(&self.0).unwrap_or_else(|_| "[]".into());
        sqlx::query("INSERT OR IGNORE INTO search_terms (term) SELECT value FROM json_each(?1)")
            .bind(words)
            .execute(&mut *tx)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        Attachment, MediaKind, NewAnnouncement, PublishOutcome, SourceKey, StatementContent,
    };

    /// The page's files come in the search's own statement: each result with its own, in
    /// their order, a URL's details kept, and none for a statement without files.
    #[tokio::test]
    async fn found_statements_carry_their_files() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("s.db").display());
        let storage = Storage::connect(&url).await.unwrap();
        let files = vec![
            Attachment::telegram(MediaKind::Photo, "photo-1", Some("u1".into())).unwrap(),
            Attachment::url(
                MediaKind::Photo,
                "https://example.org/a.jpg",
                Some("image/jpeg".into()),
                Some(2048),
            )
            .unwrap(),
        ];
        let at = |day: i64| DateTime::from_timestamp(1_700_000_000 + day * 86_400, 0).unwrap();
        let with_files = StatementContent::new("کارگران معدن", "", "متن", None, at(1))
            .unwrap()
            .with_media(files.clone())
            .unwrap();
        let with_files = NewAnnouncement::keyed(SourceKey::feed("files").unwrap(), with_files);
        let PublishOutcome::Published { id: files_id, .. } =
            storage.publish(&with_files).await.unwrap()
        else {
            panic!("not published")
        };
        let plain = NewAnnouncement::new("plain", "کارگران نفت", "", "متن", None, at(2)).unwrap();
        storage.publish(&plain).await.unwrap();

        let found = storage
            .search(&["کارگران".to_string()], None, 5, 0)
            .await
            .unwrap();
        let media: Vec<(StatementId, Vec<Attachment>)> =
            found.into_iter().map(|a| (a.id, a.media)).collect();
        assert_eq!(media.len(), 2, "{media:?}");
        assert!(media[0].1.is_empty(), "the newer, without files first");
        assert_eq!(media[1], (files_id, files));
        storage.close().await;
    }

    #[test]
    fn keys_follow_publication_time_then_id() {
        let at = |secs: i64| DateTime::from_timestamp(secs, 0).unwrap_or_default();
        assert!(search_key(at(1_000), StatementId(5)) < search_key(at(1_001), StatementId(1)));
        assert!(search_key(at(1_000), StatementId(5)) < search_key(at(1_000), StatementId(6)));
        assert_eq!(key_at(at(1_000)), search_key(at(1_000), StatementId(0)));
        // The edges of time do not overflow.
        assert!(
            search_key(DateTime::<Utc>::MIN_UTC, StatementId(i64::MAX))
                < search_key(DateTime::<Utc>::MAX_UTC, StatementId(0))
        );
    }

    #[test]
    fn tiers_are_only_quoted_terms_and_fts_operators() {
        let groups = vec![
            Some("(\"a\" OR \"ab\")".to_string()),
            Some("\"c\"".to_string()),
        ];
        let exact = vec!["\"a\"".to_string(), "\"c\"".to_string()];
        let plan = Tiers::plan(&groups, &exact).expect("a plan");
        assert_eq!(
            plan.tiers,
            [
                "title : (\"a\" + \"c\")",
                "title : ((\"a\" OR \"ab\") AND \"c\")",
                "\"a\" + \"c\"",
                "NEAR(\"a\" \"c\", 10)",
                "(\"a\" OR \"ab\") AND \"c\"",
                "title : ((\"a\" OR \"ab\") OR \"c\")",
                "(\"a\" OR \"ab\") OR \"c\"",
            ]
        );
        assert_eq!(plan.broad, "(\"a\" OR \"ab\") OR \"c\"");
        let partly = Tiers::plan(&[None, Some("\"c\"".into())], &exact).expect("a plan");
        assert_eq!(partly.tiers, ["title : (\"c\")", "\"c\""]);
        assert!(Tiers::plan(&[None], &exact[..1]).is_none());
    }
}
