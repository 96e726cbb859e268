//! Statements held for later ("Send later"), until the schedule task publishes them
//! through `publish` or an admin cancels them. A row is deleted once done either way.

use chrono::Utc;

use super::audit::record_outcome;
use super::drafts::DRAFT_LIFETIME;
use super::queue::publish_in;
use super::{Storage, StorageError};
use crate::domain::time::{from_ms, millis, now_ms};
use crate::domain::{
    ActionOutcome, ChatId, DueStatement, NewAnnouncement, PublishOutcome, ScheduledStatement,
    SourceKey, StatementContent, TopicSlug, UserId, WaitingSchedule,
};

#[derive(sqlx::FromRow)]
struct HeldRow {
    source_key: SourceKey,
    title: String,
    body_html: String,
    body_text: String,
    link: Option<String>,
    media: Option<String>,
    topic: Option<TopicSlug>,
}

impl HeldRow {
    /// The statement as it goes out now. It was a valid statement when held; should it no
    /// longer be one (a rule tightened since), it is None, with a warning.
    fn statement(self, schedule: i64) -> Option<NewAnnouncement> {
        let content = super::media::media_from_json("scheduled_statements", self.media.as_deref())
            .map_err(|e| e.to_string())
            .and_then(|media| {
                StatementContent::new(
                    &self.title,
                    self.body_html,
                    self.body_text,
                    self.link,
                    Utc::now(),
                )
                .and_then(|content| content.with_media(media))
                .map_err(|e| e.to_string())
            });
        match content {
            Ok(content) => {
                Some(NewAnnouncement::keyed(self.source_key, content).with_topic(self.topic))
            }
            Err(error) => {
                tracing::warn!(schedule, %error, "a held statement is no longer valid; dropped");
                None
            }
        }
    }
}

#[derive(sqlx::FromRow)]
struct DueRow {
    id: i64,
    user_id: UserId,
    due_at: i64,
    #[sqlx(flatten)]
    held: HeldRow,
}

/// A statement to hold, whose admin is `user_id` in `chat_id`.
pub(super) struct Held<'a> {
    pub key: &'a SourceKey,
    pub user_id: UserId,
    pub chat_id: ChatId,
    pub content: &'a StatementContent,
    /// None: the topic the admin picked under the draft's preview, if any.
    pub topic: Option<TopicSlug>,
}

/// Holds a statement in the caller's transaction, waiting for its time (`due_ms` None) or
/// due then; returns its schedule id. The same key again keeps the first.
pub(super) async fn hold_in(
    tx: &mut sqlx::SqliteConnection,
    held: &Held<'_>,
    due_ms: Option<i64>,
) -> Result<i64, StorageError> {
    sqlx::query(
        "INSERT INTO scheduled_statements
             (source_key, user_id, chat_id, title, body_html, body_text, link, due_at, created_at,
              media, topic)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,
                 COALESCE(?11, (SELECT topic FROM admin_drafts WHERE user_id = ?2)))
         ON CONFLICT (source_key) DO NOTHING",
    )
    .bind(held.key)
    .bind(held.user_id)
    .bind(held.chat_id)
    .bind(held.content.title())
    .bind(held.content.body_html())
    .bind(held.content.body_text())
    .bind(held.content.link())
    .bind(due_ms)
    .bind(now_ms())
    .bind(super::media::media_json(held.content.media()))
    .bind(held.topic)
    .execute(&mut *tx)
    .await?;
    Ok(
        sqlx::query_scalar("SELECT id FROM scheduled_statements WHERE source_key = ?1")
            .bind(held.key)
            .fetch_one(&mut *tx)
            .await?,
    )
}

impl Storage {
    /// Keeps `content` under `key` for `user_id`, whose next message in `chat_id` is the
    /// time it should go out. An earlier statement of theirs still waiting for a time is
    /// dropped (they moved on); the same key again (a button handled twice) keeps the first.
    pub async fn hold_for_time(
        &self,
        user_id: UserId,
        chat_id: ChatId,
        key: &SourceKey,
        content: &StatementContent,
    ) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "DELETE FROM scheduled_statements
             WHERE user_id = ?1 AND due_at IS NULL AND source_key <> ?2",
        )
        .bind(user_id)
        .bind(key)
        .execute(&mut *tx)
        .await?;
        let held = Held {
            key,
            user_id,
            chat_id,
            content,
            topic: None,
        };
        hold_in(&mut tx, &held, None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes the admin's statement waiting for its time out of the schedule, to become a
    /// request for a second admin (`PUBLISH_APPROVALS=2`): approving it holds it again,
    /// with its time. None if it was no longer waiting (the same message handled twice).
    pub async fn take_waiting_schedule(
        &self,
        id: i64,
    ) -> Result<Option<NewAnnouncement>, StorageError> {
        let row: Option<HeldRow> = sqlx::query_as(
            "DELETE FROM scheduled_statements WHERE id = ?1 AND due_at IS NULL
             RETURNING source_key, title, body_html, body_text, link, media, topic",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(|row| row.statement(id)))
    }

    /// The admin's statement waiting for its time, if any (and not abandoned for as long
    /// as a draft lives).
    pub async fn waiting_schedule(
        &self,
        user_id: UserId,
    ) -> Result<Option<WaitingSchedule>, StorageError> {
        let row: Option<(i64, ChatId)> = sqlx::query_as(
            "SELECT id, chat_id FROM scheduled_statements
             WHERE user_id = ?1 AND due_at IS NULL AND created_at >= ?2
             ORDER BY id DESC LIMIT 1",
        )
        .bind(user_id)
        .bind(now_ms() - millis(DRAFT_LIFETIME))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(id, chat_id)| WaitingSchedule { id, chat_id }))
    }

    /// Gives a waiting statement its time. False if it was no longer waiting.
    pub async fn set_due(&self, id: i64, due_ms: i64) -> Result<bool, StorageError> {
        Ok(sqlx::query(
            "UPDATE scheduled_statements SET due_at = ?2 WHERE id = ?1 AND due_at IS NULL",
        )
        .bind(id)
        .bind(due_ms)
        .execute(&self.pool)
        .await?
        .rows_affected()
            > 0)
    }

    /// /cancel while a time is awaited. Returns whether a statement was waiting.
    pub async fn discard_waiting_schedule(&self, user_id: UserId) -> Result<bool, StorageError> {
        Ok(
            sqlx::query("DELETE FROM scheduled_statements WHERE user_id = ?1 AND due_at IS NULL")
                .bind(user_id)
                .execute(&self.pool)
                .await?
                .rows_affected()
                > 0,
        )
    }

    /// Statements still waiting for a time since before `before_ms` go the way of old
    /// drafts (the maintenance sweep counts them as drafts).
    pub(super) async fn sweep_abandoned_schedules(
        &self,
        before_ms: i64,
    ) -> Result<u64, StorageError> {
        Ok(
            sqlx::query(
                "DELETE FROM scheduled_statements WHERE due_at IS NULL AND created_at < ?1",
            )
            .bind(before_ms)
            .execute(&self.pool)
            .await?
            .rows_affected(),
        )
    }

    /// The held statements, soonest first, at most `limit`.
    pub async fn scheduled(&self, limit: u32) -> Result<Vec<ScheduledStatement>, StorageError> {
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT id, title, due_at FROM scheduled_statements WHERE due_at IS NOT NULL
             ORDER BY due_at, id LIMIT ?1",
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
            "SELECT id, user_id, source_key, title, body_html, body_text, link, media, due_at, topic
             FROM scheduled_statements WHERE due_at <= ?1 ORDER BY due_at, id LIMIT ?2",
        )
        .bind(now_ms())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut due = Vec::with_capacity(rows.len());
        for row in rows {
            // Holding one no longer valid forever would block nothing but would be listed
            // for ever: it is dropped.
            match row.held.statement(row.id) {
                Some(statement) => due.push(DueStatement {
                    id: row.id,
                    author: row.user_id,
                    statement,
                    due: from_ms(row.due_at),
                }),
                None => {
                    self.unschedule(row.id).await?;
                }
            }
        }
        Ok(due)
    }

    /// Publishes a held statement that came due, writes its audit line under the admin who
    /// held it and forgets it, in one transaction: a crash anywhere publishes nothing twice
    /// (the key is taken) and loses no audit line.
    pub async fn publish_held(&self, held: &DueStatement) -> Result<PublishOutcome, StorageError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        let outcome = publish_in(&mut tx, &held.statement, now).await?;
        record_outcome(&mut tx, held.author, ActionOutcome::Published(outcome), now).await?;
        sqlx::query("DELETE FROM scheduled_statements WHERE id = ?1")
            .bind(held.id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(outcome)
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

    /// Holds `title` for admin 1 and gives it `due_ms`; returns the schedule's id.
    async fn hold(storage: &Storage, message: i32, title: &str, due_ms: i64) -> i64 {
        let key = SourceKey::admin(ChatId(1), message);
        storage
            .hold_for_time(UserId(1), ChatId(1), &key, &content(title))
            .await
            .unwrap();
        let waiting = storage.waiting_schedule(UserId(1)).await.unwrap().unwrap();
        assert_eq!(waiting.chat_id, ChatId(1));
        assert!(storage.set_due(waiting.id, due_ms).await.unwrap());
        waiting.id
    }

    #[tokio::test]
    async fn held_statements_wait_for_a_time_then_come_due_in_order() {
        let (_dir, storage) = storage().await;
        let now = now_ms();
        let later = hold(&storage, 10, "later", now + 60_000).await;
        // Given its time, it waits no more; a second time is not taken.
        assert_eq!(storage.waiting_schedule(UserId(1)).await.unwrap(), None);
        assert!(!storage.set_due(later, now - 1).await.unwrap());
        let soon = hold(&storage, 11, "soon", now - 1_000).await;

        // A statement waiting for its time is neither listed nor due, and a second
        // "Send later" replaces it; /cancel drops it.
        let key = SourceKey::admin(ChatId(1), 12);
        for _ in 0..2 {
            storage
                .hold_for_time(UserId(1), ChatId(1), &key, &content("waiting"))
                .await
                .unwrap();
        }
        let other = SourceKey::admin(ChatId(1), 13);
        storage
            .hold_for_time(UserId(1), ChatId(1), &other, &content("waiting"))
            .await
            .unwrap();
        let listed = storage.scheduled(10).await.unwrap();
        let titles: Vec<_> = listed.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["soon", "later"]);
        assert_eq!(storage.next_due_ms().await.unwrap(), Some(now - 1_000));
        assert!(storage.discard_waiting_schedule(UserId(1)).await.unwrap());
        assert!(!storage.discard_waiting_schedule(UserId(1)).await.unwrap());

        let due = storage.due_statements(10).await.unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].id, soon);
        assert_eq!(
            due[0].statement.source_key(),
            &SourceKey::admin(ChatId(1), 11)
        );
        assert_eq!(due[0].statement.body_html(), "<b>x</b>");

        assert!(storage.unschedule(soon).await.unwrap());
        assert!(!storage.unschedule(soon).await.unwrap());
        assert!(storage.due_statements(10).await.unwrap().is_empty());
        assert_eq!(storage.next_due_ms().await.unwrap(), Some(now + 60_000));
    }
}
