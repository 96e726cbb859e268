//! A statement's media (table `statement_media`, migration 0013), and the same files as
//! JSON where a statement waits outside the archive (a held schedule, a request awaiting
//! approval). Only this file knows either encoding.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::ids::read_name;
use super::{Storage, StorageError};
use crate::domain::{Announcement, Attachment, MediaKind, MediaSource, StatementId};

/// One stored file: a row of `statement_media`, or one element of a `media` JSON column.
#[derive(sqlx::FromRow, Serialize, Deserialize)]
struct MediaRow {
    #[serde(skip)]
    announcement_id: i64,
    kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    file_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    file_unique_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mime_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    size: Option<i64>,
}

impl MediaRow {
    fn of(attachment: &Attachment) -> Self {
        let mut row = MediaRow {
            announcement_id: 0,
            kind: attachment.kind().as_str().to_string(),
            file_id: None,
            file_unique_id: None,
            url: None,
            mime_type: None,
            size: None,
        };
        match attachment.source() {
            MediaSource::Telegram {
                file_id,
                file_unique_id,
            } => {
                row.file_id = Some(file_id.clone());
                row.file_unique_id = file_unique_id.clone();
            }
            MediaSource::Url {
                url,
                mime_type,
                size,
            } => {
                row.url = Some(url.clone());
                row.mime_type = mime_type.clone();
                row.size = size.and_then(|s| i64::try_from(s).ok());
            }
        }
        row
    }

    /// The file again; a row no constructor would have made is an unknown value naming
    /// `table`, never a guess.
    fn attachment(self, table: &'static str) -> Result<Attachment, StorageError> {
        let kind: MediaKind = read_name(table, &self.kind)?;
        let broken = |what: &str| StorageError::UnknownValue {
            table,
            unknown: crate::domain::UnknownValue::new("media source", what),
        };
        match (self.file_id, self.url) {
            (Some(file_id), None) => Attachment::telegram(kind, &file_id, self.file_unique_id)
                .map_err(|_| broken(&file_id)),
            (None, Some(url)) => Attachment::url(
                kind,
                &url,
                self.mime_type,
                self.size.and_then(|s| u64::try_from(s).ok()),
            )
            .map_err(|_| broken(&url)),
            _ => Err(broken("neither a file id nor a URL")),
        }
    }
}

/// Stores a new statement's files in the caller's transaction, in their order.
pub(super) async fn insert_media(
    tx: &mut sqlx::SqliteConnection,
    id: StatementId,
    media: &[Attachment],
) -> Result<(), StorageError> {
    for (position, attachment) in media.iter().enumerate() {
        let row = MediaRow::of(attachment);
        sqlx::query(
            "INSERT INTO statement_media (announcement_id, position, kind, file_id,
                 file_unique_id, url, mime_type, size)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .bind(id)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(row.kind)
        .bind(row.file_id)
        .bind(row.file_unique_id)
        .bind(row.url)
        .bind(row.mime_type)
        .bind(row.size)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// Forgets a retracted statement's files.
pub(super) async fn delete_media(
    tx: &mut sqlx::SqliteConnection,
    id: StatementId,
) -> Result<(), StorageError> {
    sqlx::query("DELETE FROM statement_media WHERE announcement_id = ?1")
        .bind(id)
        .execute(tx)
        .await?;
    Ok(())
}

/// The files of a statement held outside the archive, as the JSON its `media` column keeps;
/// None for none.
pub(super) fn media_json(media: &[Attachment]) -> Option<String> {
    if media.is_empty() {
        return None;
    }
    let rows: Vec<MediaRow> = media.iter().map(MediaRow::of).collect();
    serde_json::to_string(&rows).ok()
}

/// The files of the statement `a` in `statement_media`, as the JSON [`media_from_json`]
/// reads (NULL for none): a correlated subquery, so that a statement that lists statements
/// (the search) brings their files along instead of asking for them in a second one. Its
/// keys are [`MediaRow`]'s fields.
pub(super) const STATEMENT_MEDIA_JSON: &str = "NULLIF((SELECT json_group_array(json_object(
        'kind', m.kind, 'file_id', m.file_id, 'file_unique_id', m.file_unique_id,
        'url', m.url, 'mime_type', m.mime_type, 'size', m.size) ORDER BY m.position)
    FROM statement_media m WHERE m.announcement_id = a.id), '[]')";

/// [`media_json`] (or [`STATEMENT_MEDIA_JSON`]) read back.
pub(super) fn media_from_json(
    table: &'static str,
    json: Option<&str>,
) -> Result<Vec<Attachment>, StorageError> {
    let Some(json) = json.filter(|j| !j.is_empty()) else {
        return Ok(Vec::new());
    };
    let rows: Vec<MediaRow> =
        serde_json::from_str(json).map_err(|_| StorageError::UnknownValue {
            table,
            unknown: crate::domain::UnknownValue::new("media list", json),
        })?;
    rows.into_iter().map(|r| r.attachment(table)).collect()
}

impl Storage {
    /// Gives each statement its files, with one query for the whole list.
    pub(super) async fn with_media(
        &self,
        mut statements: Vec<Announcement>,
    ) -> Result<Vec<Announcement>, StorageError> {
        if statements.is_empty() {
            return Ok(statements);
        }
        let ids: Vec<i64> = statements.iter().map(|s| s.id.0).collect();
        let rows: Vec<MediaRow> = sqlx::query_as(
            "SELECT announcement_id, kind, file_id, file_unique_id, url, mime_type, size
             FROM statement_media
             WHERE announcement_id IN (SELECT value FROM json_each(?1))
             ORDER BY announcement_id, position",
        )
        .bind(serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into()))
        .fetch_all(&self.pool)
        .await?;
        if rows.is_empty() {
            return Ok(statements);
        }
        let mut by_statement: HashMap<i64, Vec<Attachment>> = HashMap::new();
        for row in rows {
            let id = row.announcement_id;
            by_statement
                .entry(id)
                .or_default()
                .push(row.attachment("statement_media")?);
        }
        for statement in &mut statements {
            if let Some(media) = by_statement.remove(&statement.id.0) {
                statement.media = media;
            }
        }
        Ok(statements)
    }

    /// [`with_media`](Self::with_media) for one statement.
    pub(super) async fn with_media_one(
        &self,
        statement: Option<Announcement>,
    ) -> Result<Option<Announcement>, StorageError> {
        match statement {
            Some(s) => Ok(self.with_media(vec![s]).await?.pop()),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        ActionOutcome, AdminAction, Approval, ChatId, NewAnnouncement, PublishOutcome, SourceKey,
        StatementContent, UserId,
    };

    async fn storage() -> (tempfile::TempDir, Storage) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("m.db").display());
        (dir, Storage::connect(&url).await.unwrap())
    }

    fn album() -> Vec<Attachment> {
        vec![
            Attachment::telegram(MediaKind::Photo, "photo-1", Some("u1".into())).unwrap(),
            Attachment::telegram(MediaKind::Video, "video-2", None).unwrap(),
        ]
    }

    fn content(title: &str) -> StatementContent {
        StatementContent::new(title, "b", "b", None, chrono::Utc::now())
            .unwrap()
            .with_media(album())
            .unwrap()
    }

    #[tokio::test]
    async fn a_statement_keeps_its_media_through_every_door() {
        let (_dir, storage) = storage().await;
        // Published at once.
        let new = NewAnnouncement::keyed(SourceKey::admin(ChatId(1), 1), content("now"));
        let PublishOutcome::Published { id, .. } = storage.publish(&new).await.unwrap() else {
            panic!("not published")
        };
        let stored = storage.announcement(id).await.unwrap().unwrap();
        assert_eq!(stored.media, album());
        // A text statement beside it stays without media in a list.
        let text = NewAnnouncement::new("k", "text", "", "t", None, chrono::Utc::now()).unwrap();
        storage.publish(&text).await.unwrap();
        let latest = storage.latest(10, 0).await.unwrap();
        let media: Vec<usize> = latest.iter().map(|a| a.media.len()).collect();
        assert_eq!(media.iter().sum::<usize>(), 2, "{media:?}");

        // Through a second admin's approval.
        let action = AdminAction::Publish(NewAnnouncement::keyed(
            SourceKey::admin(ChatId(1), 2),
            content("approved"),
        ));
        let request = storage
            .request_approval(UserId(1), ChatId(1), &action)
            .await
            .unwrap();
        let Approval::CarriedOut {
            outcome: ActionOutcome::Published(PublishOutcome::Published { id, .. }),
            ..
        } = storage.approve(request.id, UserId(2)).await.unwrap()
        else {
            panic!("not approved")
        };
        assert_eq!(
            storage.announcement(id).await.unwrap().unwrap().media,
            album()
        );

        // Through "Send later".
        let key = SourceKey::admin(ChatId(1), 3);
        storage
            .hold_for_time(UserId(1), ChatId(1), &key, &content("later"))
            .await
            .unwrap();
        let waiting = storage.waiting_schedule(UserId(1)).await.unwrap().unwrap();
        storage.set_due(waiting.id, 0).await.unwrap();
        let due = storage.due_statements(10).await.unwrap();
        assert_eq!(due[0].statement.media(), album().as_slice());

        // A retracted statement forgets its files.
        storage.retract(id).await.unwrap();
        let left: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM statement_media WHERE announcement_id = ?1")
                .bind(id)
                .fetch_one(&storage.pool)
                .await
                .unwrap();
        assert_eq!(left, 0);
    }

    #[test]
    fn media_survive_their_json() {
        let media = vec![
            Attachment::telegram(MediaKind::Photo, "AgAC1", Some("uniq".into())).unwrap(),
            Attachment::url(
                MediaKind::Audio,
                "https://x.org/a.mp3",
                Some("audio/mpeg".into()),
                Some(1234),
            )
            .unwrap(),
        ];
        let json = media_json(&media);
        assert_eq!(
            media_from_json("t", json.as_deref()).unwrap(),
            media,
            "{json:?}"
        );
        assert_eq!(media_json(&[]), None);
        assert!(media_from_json("t", None).unwrap().is_empty());
        assert!(media_from_json("t", Some("{")).is_err());
    }
}
