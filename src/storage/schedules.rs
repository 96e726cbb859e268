//! Statements held for later ("Send later"), until the schedule task publishes them
//! through `publish` or an admin cancels them. A row is deleted once done either way.

use chrono::Utc;

use super::{Storage, StorageError};
use crate::domain::time::{from_ms, now_ms};
use crate::domain::{
    DueStatement, NewAnnouncement, ScheduledStatement, SourceKey, StatementContent,
};

#[derive(sqlx::FromRow)]
struct DueRow {
    id: i64,
    source_key: SourceKey,
    title: String,
    body_html: String,
    body_text: String,
    link: Option<String>,
    due_at: i64,
}

impl Storage {
    /// Holds `content` until `due_ms`, under `key`. The same key again (a message handled
    /// twice) keeps the first schedule. Returns the schedule's id.
    pub async fn schedule(
        &self,
        key: &SourceKey,
        content: &StatementContent,
        due_ms: i64,
    ) -> Result<i64, StorageError> {
        sqlx::query(
            "INSERT INTO scheduled_statements
                 (source_key, title, body_html, body_text, link, due_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (source_key) DO NOTHING",
        )
        .bind(key)
        .bind(content.title())
        .bind(content.body_html())
        .bind(content.body_text())
        .bind(content.link())
        .bind(due_ms)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(
            sqlx::query_scalar("SELECT id FROM scheduled_statements WHERE source_key = ?1")
                .bind(key)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// The held statements, soonest first, at most `limit`.
    pub async fn scheduled(&self, limit: u32) -> Result<Vec<ScheduledStatement>, StorageError> {
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT id, title, due_at FROM scheduled_statements ORDER BY due_at, id LIMIT ?1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, title, due_at)| ScheduledStatement {
                id,
                title,
                due: from_ms(due_at),
            })
            .collect())
    }

    /// When the soonest held statement is due, if any is held.
    pub async fn next_due_ms(&self) -> Result<Option<i64>, StorageError> {
        Ok(
            sqlx::query_scalar("SELECT MIN(due_at) FROM scheduled_statements")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Held statements due by now, oldest first, at most `limit`, ready to publish (their
    /// publication time is now, when they go out).
    pub async fn due_statements(&self, limit: u32) -> Result<Vec<DueStatement>, StorageError> {
        let rows: Vec<DueRow> = sqlx::query_as(
            "SELECT id, source_key, title, body_html, body_text, link, due_at
             FROM scheduled_statements WHERE due_at <= ?1 ORDER BY due_at, id LIMIT ?2",
        )
        .bind(now_ms())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut due = Vec::with_capacity(rows.len());
        for row in rows {
            match StatementContent::new(
                &row.title,
                row.body_html,
                row.body_text,
                row.link,
                Utc::now(),
            ) {
                Ok(content) => due.push(DueStatement {
                    id: row.id,
                    statement: NewAnnouncement::keyed(row.source_key, content),
                    due: from_ms(row.due_at),
                }),
                // It was a valid statement when scheduled; should it no longer be one
                // (a rule tightened since), holding it forever would block nothing but
                // would be listed for ever: it is dropped with a warning.
                Err(error) => {
                    tracing::warn!(schedule = row.id, %error, "a held statement is no longer valid; dropped");
                    self.unschedule(row.id).await?;
                }
            }
        }
        Ok(due)
    }

    /// Removes a held statement (published, or cancelled). Returns whether it was held.
    pub async fn unschedule(&self, id: i64) -> Result<bool, StorageError> {
        Ok(
            sqlx::query("DELETE FROM scheduled_statements WHERE id = ?1")
                .bind(id)
                .execute(&self.pool)
                .await?
                .rows_affected()
                > 0,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn storage() -> (tempfile::TempDir, Storage) {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        (dir, Storage::connect(&url).await.expect("storage"))
    }

    fn content(title: &str) -> StatementContent {
        StatementContent::new(title, "<b>x</b>", "x", None, Utc::now()).expect("valid")
    }

    #[tokio::test]
    async fn held_statements_come_due_in_order_and_once_per_key() {
        let (_dir, storage) = storage().await;
        let now = now_ms();
        let key = SourceKey::admin(crate::domain::ChatId(1), 10);
        let later = storage
            .schedule(&key, &content("later"), now + 60_000)
            .await
            .unwrap();
        // The same message handled twice keeps its first schedule.
        let again = storage
            .schedule(&key, &content("changed"), now - 1)
            .await
            .unwrap();
        assert_eq!(later, again);
        let soon_key = SourceKey::admin(crate::domain::ChatId(1), 11);
        let soon = storage
            .schedule(&soon_key, &content("soon"), now - 1_000)
            .await
            .unwrap();

        let listed = storage.scheduled(10).await.unwrap();
        let titles: Vec<_> = listed.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["soon", "later"]);
        assert_eq!(storage.next_due_ms().await.unwrap(), Some(now - 1_000));

        let due = storage.due_statements(10).await.unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].id, soon);
        assert_eq!(due[0].statement.source_key(), &soon_key);
        assert_eq!(due[0].statement.body_html(), "<b>x</b>");

        assert!(storage.unschedule(soon).await.unwrap());
        assert!(!storage.unschedule(soon).await.unwrap());
        assert!(storage.due_statements(10).await.unwrap().is_empty());
        assert_eq!(storage.next_due_ms().await.unwrap(), Some(now + 60_000));
    }
}
