//! Searches kept for paging: a result button names a row here, never the query itself.

use super::{Storage, StorageError, now_unix};

/// A results message older than this answers its buttons with "search again". With the
/// sweep every few minutes (`maintenance`), no search is kept for as long as an hour.
pub(super) const SEARCH_PAGE_LIFETIME_SECS: i64 = 50 * 60;

impl Storage {
    /// Keeps an FTS expression (from `text::fts_query`) for later pages; returns its id.
    /// Expired searches are swept here, so the table never grows without bound.
    pub async fn remember_search(&self, expression: &str) -> Result<i64, StorageError> {
        let now = now_unix();
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM search_pages WHERE created_at < ?1")
            .bind(now - SEARCH_PAGE_LIFETIME_SECS)
            .execute(&mut *tx)
            .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO search_pages (expression, created_at) VALUES (?1, ?2) RETURNING id",
        )
        .bind(expression)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The expression of a remembered search, unless it expired or never existed.
    pub async fn remembered_search(&self, id: i64) -> Result<Option<String>, StorageError> {
        Ok(sqlx::query_scalar(
            "SELECT expression FROM search_pages WHERE id = ?1 AND created_at >= ?2",
        )
        .bind(id)
        .bind(now_unix() - SEARCH_PAGE_LIFETIME_SECS)
        .fetch_optional(&self.pool)
        .await?)
    }
}
