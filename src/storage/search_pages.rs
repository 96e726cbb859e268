//! Searches kept for paging: a result button names a row here, never the query itself.

use std::time::Duration;

use super::{Storage, StorageError};
use crate::domain::time::{millis, now_ms};
use crate::text::{JalaliMonth, SearchRequest};

/// A results message older than this answers its buttons with "search again". With the
/// sweep every few minutes (`maintenance`), no search is kept for as long as an hour.
pub(super) const SEARCH_PAGE_LIFETIME: Duration = Duration::from_secs(50 * 60);

impl Storage {
    /// Keeps a search (its folded words and month) for later pages; returns its id. One
    /// statement on the way of every `/search`: expired searches are left to the sweep
    /// (`maintenance`, every few minutes), which keeps the table small, and are never read
    /// back (see [`remembered_search`](Self::remembered_search)).
    pub async fn remember_search(&self, request: &SearchRequest) -> Result<i64, StorageError> {
        // Folded words are letters and digits only, so a space separates them unambiguously.
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO search_pages (expression, month, created_at) VALUES (?1, ?2, ?3)
             RETURNING id",
        )
        .bind(request.words.join(" "))
        .bind(
            request
                .month
                .map(|m| i64::from(m.year()) * 100 + i64::from(m.month())),
        )
        .bind(now_ms())
        .fetch_one(&self.pool)
        .await?;
        Ok(id)
    }

    /// A remembered search, unless it expired or never existed.
    pub async fn remembered_search(&self, id: i64) -> Result<Option<SearchRequest>, StorageError> {
        let row: Option<(String, Option<i64>)> = sqlx::query_as(
            "SELECT expression, month FROM search_pages WHERE id = ?1 AND created_at >= ?2",
        )
        .bind(id)
        .bind(now_ms() - millis(SEARCH_PAGE_LIFETIME))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(expression, month)| SearchRequest {
            // Rows written before issue 14 hold an FTS expression; its letter runs are
            // the (stemmed) words, which is close enough for a day-old page.
            words: expression
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect(),
            month: month.and_then(|m| {
                JalaliMonth::new(i32::try_from(m / 100).ok()?, u8::try_from(m % 100).ok()?)
            }),
        }))
    }
}
