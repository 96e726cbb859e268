//! The guided `/post` dialogue's state, one draft per admin. Kept in SQLite (not in
//! memory) so that an admin halfway through a statement loses nothing to a restart.

use std::time::Duration;

use super::ids::read_name;
use super::media::{media_from_json, media_json};
use super::{Storage, StorageError};
use crate::domain::time::{millis, now_ms};
use crate::domain::{ChatId, Draft, UserId};

#[derive(sqlx::FromRow)]
struct DraftRow {
    user_id: UserId,
    chat_id: ChatId,
    step: String,
    title: String,
    body: String,
    body_html: Option<String>,
    link: Option<String>,
    media: Option<String>,
}

/// An unfinished `/post` is forgotten after this long without a step.
pub(super) const DRAFT_LIFETIME: Duration = Duration::from_secs(7 * 86_400);

impl Storage {
    pub async fn draft(&self, user_id: UserId) -> Result<Option<Draft>, StorageError> {
        let row: Option<DraftRow> = sqlx::query_as(
            "SELECT user_id, chat_id, step, title, body, body_html, link, media FROM admin_drafts
             WHERE user_id = ?1 AND updated_at >= ?2",
        )
        .bind(user_id)
        .bind(now_ms() - millis(DRAFT_LIFETIME))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Draft {
                user_id: r.user_id,
                chat_id: r.chat_id,
                step: read_name("admin_drafts", &r.step)?,
                title: r.title,
                body: r.body,
                body_html: r.body_html,
                link: r.link,
                media: media_from_json("admin_drafts", r.media.as_deref())?,
            })
        })
        .transpose()
    }

    /// Creates or replaces the admin's draft.
    pub async fn save_draft(&self, draft: &Draft) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO admin_drafts (user_id, chat_id, step, title, body, link, updated_at, body_html,
                 media)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (user_id) DO UPDATE SET chat_id = excluded.chat_id, step = excluded.step,
                 title = excluded.title, body = excluded.body, link = excluded.link,
                 updated_at = excluded.updated_at, body_html = excluded.body_html,
                 media = excluded.media",
        )
        .bind(draft.user_id)
        .bind(draft.chat_id)
        .bind(draft.step.as_str())
        .bind(&draft.title)
        .bind(&draft.body)
        .bind(&draft.link)
        .bind(now_ms())
        .bind(&draft.body_html)
        .bind(media_json(&draft.media))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Returns whether there was a draft to discard.
    pub async fn discard_draft(&self, user_id: UserId) -> Result<bool, StorageError> {
        Ok(sqlx::query("DELETE FROM admin_drafts WHERE user_id = ?1")
            .bind(user_id)
            .execute(&self.pool)
            .await?
            .rows_affected()
            > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Attachment, DraftStep, MediaKind};

    /// A draft at the attachment step keeps its files in order across a reconnect (a
    /// restart reads the same file).
    #[tokio::test]
    async fn a_draft_keeps_its_step_and_files() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("d.db").display());
        let storage = Storage::connect(&url).await.unwrap();
        let files = vec![
            Attachment::telegram(MediaKind::Photo, "p1", Some("u1".into())).unwrap(),
            Attachment::telegram(MediaKind::Video, "v2", None).unwrap(),
        ];
        let draft = Draft {
            user_id: UserId(5),
            chat_id: ChatId(5),
            step: DraftStep::Attachment,
            title: "عنوان".into(),
            body: "متن".into(),
            body_html: Some("<b>متن</b>".into()),
            link: None,
            media: files,
        };
        storage.save_draft(&draft).await.unwrap();
        storage.close().await;
        let storage = Storage::connect(&url).await.unwrap();
        assert_eq!(storage.draft(UserId(5)).await.unwrap(), Some(draft.clone()));
        let plain = Draft {
            media: Vec::new(),
            step: DraftStep::Preview,
            ..draft
        };
        storage.save_draft(&plain).await.unwrap();
        assert_eq!(storage.draft(UserId(5)).await.unwrap(), Some(plain));
    }
}
