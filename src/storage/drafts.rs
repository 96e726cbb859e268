//! The guided `/post` dialogue's state, one draft per admin. Kept in SQLite (not in
//! memory) so that an admin halfway through a statement loses nothing to a restart.

use super::{Storage, StorageError, now_unix};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftStep {
    Title,
    Body,
    Link,
    Preview,
}

impl DraftStep {
    fn as_str(self) -> &'static str {
        match self {
            DraftStep::Title => "title",
            DraftStep::Body => "body",
            DraftStep::Link => "link",
            DraftStep::Preview => "preview",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "body" => DraftStep::Body,
            "link" => DraftStep::Link,
            "preview" => DraftStep::Preview,
            _ => DraftStep::Title,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub user_id: i64,
    pub chat_id: i64,
    pub step: DraftStep,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
}

#[derive(sqlx::FromRow)]
struct DraftRow {
    user_id: i64,
    chat_id: i64,
    step: String,
    title: String,
    body: String,
    link: Option<String>,
}

/// An unfinished `/post` is forgotten after this long without a step.
pub(super) const DRAFT_LIFETIME_SECS: i64 = 7 * 86_400;

impl Storage {
    pub async fn draft(&self, user_id: i64) -> Result<Option<Draft>, StorageError> {
        let row: Option<DraftRow> = sqlx::query_as(
            "SELECT user_id, chat_id, step, title, body, link FROM admin_drafts
             WHERE user_id = ?1 AND updated_at >= ?2",
        )
        .bind(user_id)
        .bind(now_unix() - DRAFT_LIFETIME_SECS)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| Draft {
            user_id: r.user_id,
            chat_id: r.chat_id,
            step: DraftStep::parse(&r.step),
            title: r.title,
            body: r.body,
            link: r.link,
        }))
    }

    /// Creates or replaces the admin's draft.
    pub async fn save_draft(&self, draft: &Draft) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO admin_drafts (user_id, chat_id, step, title, body, link, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (user_id) DO UPDATE SET chat_id = excluded.chat_id, step = excluded.step,
                 title = excluded.title, body = excluded.body, link = excluded.link,
                 updated_at = excluded.updated_at",
        )
        .bind(draft.user_id)
        .bind(draft.chat_id)
        .bind(draft.step.as_str())
        .bind(&draft.title)
        .bind(&draft.body)
        .bind(&draft.link)
        .bind(now_unix())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Returns whether there was a draft to discard.
    pub async fn discard_draft(&self, user_id: i64) -> Result<bool, StorageError> {
        Ok(sqlx::query("DELETE FROM admin_drafts WHERE user_id = ?1")
            .bind(user_id)
            .execute(&self.pool)
            .await?
            .rows_affected()
            > 0)
    }
}
