//! Requests waiting for a second admin (`PUBLISH_APPROVALS=2`), and carrying out an admin's
//! action with its line in the audit trail. Approving is one transaction: the request is
//! claimed, the action done and both audit lines written together, so a double tap, two
//! admins at once or an Approve after a Withdraw carry nothing out twice.

use super::audit::{audit_in, record_outcome};
use super::ids::read_name;
use super::queue::publish_in;
use super::revisions::{retract_in, revise_in};
use super::schedules::{Held, hold_in};
use super::{Storage, StorageError};
use crate::domain::time::{from_ms, now_ms};
use crate::domain::{
    ActionKind, ActionOutcome, AdminAction, Approval, ApprovalRequest, AuditAction, ChatId,
    NewAnnouncement, RequestStatus, SourceKey, StatementContent, StatementId, TopicSlug, UserId,
    Withdrawal,
};

#[derive(sqlx::FromRow)]
struct RequestRow {
    id: i64,
    action: String,
    author_id: UserId,
    author_chat_id: ChatId,
    statement_id: Option<StatementId>,
    source_key: Option<SourceKey>,
    title: Option<String>,
    body_html: Option<String>,
    body_text: Option<String>,
    link: Option<String>,
    image_url: Option<String>,
    published_at: Option<i64>,
    due_at: Option<i64>,
    media: Option<String>,
    topic: Option<TopicSlug>,
}

const REQUEST_COLUMNS: &str = "id, action, author_id, author_chat_id, statement_id, source_key, \
                               title, body_html, body_text, link, image_url, published_at, \
                               due_at, media, topic";

impl RequestRow {
    fn request(&self) -> Result<ApprovalRequest, StorageError> {
        Ok(ApprovalRequest {
            id: self.id,
            kind: read_name("approval_requests", &self.action)?,
            author: self.author_id,
            author_chat: self.author_chat_id,
            statement: self.statement_id,
        })
    }

    /// The action as it was asked for. A row that no longer makes one (content cleared by
    /// hand, a CHECK bypassed) is an unknown value, never a guess.
    fn action(&self) -> Result<AdminAction, StorageError> {
        let broken = || StorageError::UnknownValue {
            table: "approval_requests",
            unknown: crate::domain::UnknownValue::new("request content", &self.id.to_string()),
        };
        let content = || {
            let media = super::media::media_from_json("approval_requests", self.media.as_deref())?;
            StatementContent::new(
                self.title.as_deref().unwrap_or_default(),
                self.body_html.clone().unwrap_or_default(),
                self.body_text.clone().unwrap_or_default(),
                self.link.clone(),
                from_ms(self.published_at.unwrap_or_default()),
            )
            .map(|c| c.with_image(self.image_url.clone()))
            .and_then(|c| c.with_media(media))
            .map_err(|_| broken())
        };
        let new = || -> Result<NewAnnouncement, StorageError> {
            Ok(
                NewAnnouncement::keyed(self.source_key.clone().ok_or_else(broken)?, content()?)
                    .with_topic(self.topic),
            )
        };
        Ok(match self.request()?.kind {
            ActionKind::Publish => match self.due_at {
                None => AdminAction::Publish(new()?),
                Some(due) => AdminAction::PublishAt {
                    statement: new()?,
                    due: from_ms(due),
                },
            },
            ActionKind::Edit => AdminAction::Edit {
                id: self.statement_id.ok_or_else(broken)?,
                revised: content()?,
            },
            ActionKind::Delete => AdminAction::Delete {
                id: self.statement_id.ok_or_else(broken)?,
            },
        })
    }
}

impl Storage {
    /// Carries out an admin's action at once (`PUBLISH_APPROVALS=1`), with its audit line in
    /// the same transaction.
    pub async fn carry_out(
        &self,
        author: UserId,
        action: &AdminAction,
    ) -> Result<ActionOutcome, StorageError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        let outcome = carry_out_in(&mut tx, author, action, now).await?;
        record_outcome(&mut tx, author, outcome, now).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Stores an action for a second admin to approve; returns the request.
    pub async fn request_approval(
        &self,
        author: UserId,
        author_chat: ChatId,
        action: &AdminAction,
    ) -> Result<ApprovalRequest, StorageError> {
        let (source_key, content) = match action {
            AdminAction::Publish(new) | AdminAction::PublishAt { statement: new, .. } => {
                (Some(new.source_key()), Some(new.content()))
            }
            AdminAction::Edit { revised, .. } => (None, Some(revised)),
            AdminAction::Delete { .. } => (None, None),
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO approval_requests (action, author_id, author_chat_id, statement_id,
                 source_key, title, body_html, body_text, link, image_url, published_at, created_at,
                 due_at, media, topic)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) RETURNING id",
        )
        .bind(action.kind().as_str())
        .bind(author)
        .bind(author_chat)
        .bind(action.statement())
        .bind(source_key)
        .bind(content.map(StatementContent::title))
        .bind(content.map(StatementContent::body_html))
        .bind(content.map(StatementContent::body_text))
        .bind(content.and_then(StatementContent::link))
        .bind(content.and_then(StatementContent::image_url))
        .bind(content.map(|c| c.published_at().timestamp_millis()))
        .bind(now_ms())
        .bind(action.due().map(|due| due.timestamp_millis()))
        .bind(content.and_then(|c| super::media::media_json(c.media())))
        .bind(match action {
            AdminAction::Publish(new) | AdminAction::PublishAt { statement: new, .. } => {
                new.topic()
            }
            _ => None,
        })
        .fetch_one(&self.pool)
        .await?;
        Ok(ApprovalRequest {
            id,
            kind: action.kind(),
            author,
            author_chat,
            statement: action.statement(),
        })
    }

    /// A second admin's Approve: carries the request out once, in one transaction.
    pub async fn approve(&self, request: i64, approver: UserId) -> Result<Approval, StorageError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        // Written first, so this transaction holds SQLite's write lock before it reads: a
        // second approver waits here and then finds the request decided.
        let claimed: Option<RequestRow> = sqlx::query_as(&format!(
            "UPDATE approval_requests SET status = 'approved', decided_by = ?2, decided_at = ?3
             WHERE id = ?1 AND status = 'pending' AND author_id != ?2
             RETURNING {REQUEST_COLUMNS}"
        ))
        .bind(request)
        .bind(approver)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = claimed else {
            let found = why_not(&mut tx, request).await?;
            tx.commit().await?;
            return Ok(match found {
                None => Approval::NotFound,
                Some((status, _)) if status != RequestStatus::Pending => {
                    Approval::AlreadyDecided(status)
                }
                Some(_) => Approval::OwnRequest,
            });
        };
        let mut request = row.request()?;
        let outcome = carry_out_in(&mut tx, request.author, &row.action()?, now).await?;
        if let ActionOutcome::Published(published) = outcome {
            request.statement = Some(published_id(published));
        }
        audit_in(
            &mut tx,
            approver,
            AuditAction::Approve,
            request.statement,
            now,
        )
        .await?;
        record_outcome(&mut tx, request.author, outcome, now).await?;
        clear_content(&mut tx, request.id, request.statement).await?;
        tx.commit().await?;
        Ok(Approval::CarriedOut { request, outcome })
    }

    /// The author's Withdraw: the request is dropped, unless it was decided before.
    pub async fn withdraw(&self, request: i64, author: UserId) -> Result<Withdrawal, StorageError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        let withdrawn: Option<RequestRow> = sqlx::query_as(&format!(
            "UPDATE approval_requests SET status = 'withdrawn', decided_by = ?2, decided_at = ?3
             WHERE id = ?1 AND status = 'pending' AND author_id = ?2
             RETURNING {REQUEST_COLUMNS}"
        ))
        .bind(request)
        .bind(author)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = withdrawn else {
            let found = why_not(&mut tx, request).await?;
            tx.commit().await?;
            return Ok(match found {
                None => Withdrawal::NotFound,
                Some((status, _)) if status != RequestStatus::Pending => {
                    Withdrawal::AlreadyDecided(status)
                }
                Some(_) => Withdrawal::NotAuthor,
            });
        };
        let request = row.request()?;
        audit_in(
            &mut tx,
            author,
            AuditAction::Withdraw,
            request.statement,
            now,
        )
        .await?;
        clear_content(&mut tx, request.id, request.statement).await?;
        tx.commit().await?;
        Ok(Withdrawal::Withdrawn(request))
    }
}

/// Why a request was not claimed: its status and author, or None if there is no such request.
async fn why_not(
    tx: &mut sqlx::SqliteConnection,
    request: i64,
) -> Result<Option<(RequestStatus, UserId)>, StorageError> {
    let row: Option<(String, UserId)> =
        sqlx::query_as("SELECT status, author_id FROM approval_requests WHERE id = ?1")
            .bind(request)
            .fetch_optional(&mut *tx)
            .await?;
    row.map(|(status, author)| Ok((read_name("approval_requests", &status)?, author)))
        .transpose()
}

/// A decided request keeps only what names it: a statement withdrawn before it went out
/// must not linger in the file.
async fn clear_content(
    tx: &mut sqlx::SqliteConnection,
    request: i64,
    statement: Option<StatementId>,
) -> Result<(), StorageError> {
    sqlx::query(
        "UPDATE approval_requests SET statement_id = ?2, source_key = NULL, title = NULL,
             body_html = NULL, body_text = NULL, link = NULL, image_url = NULL,
             published_at = NULL, due_at = NULL, media = NULL
         WHERE id = ?1",
    )
    .bind(request)
    .bind(statement)
    .execute(tx)
    .await?;
    Ok(())
}

fn published_id(outcome: crate::domain::PublishOutcome) -> StatementId {
    match outcome {
        crate::domain::PublishOutcome::Published { id, .. }
        | crate::domain::PublishOutcome::Duplicate { id } => id,
    }
}

/// Does what the admin asked, in the caller's transaction.
async fn carry_out_in(
    tx: &mut sqlx::SqliteConnection,
    author: UserId,
    action: &AdminAction,
    now: i64,
) -> Result<ActionOutcome, StorageError> {
    Ok(match action {
        AdminAction::Publish(new) => ActionOutcome::Published(publish_in(tx, new, now).await?),
        AdminAction::PublishAt { statement, due } => {
            let held = Held {
                key: statement.source_key(),
                user_id: author,
                // Only a statement still waiting for its time needs the chat it is typed in.
                chat_id: author.private_chat().unwrap_or(ChatId(0)),
                content: statement.content(),
                topic: statement.topic(),
            };
            let due_ms = due.timestamp_millis();
            ActionOutcome::Scheduled {
                schedule_id: hold_in(tx, &held, Some(due_ms)).await?,
                due: *due,
            }
        }
        AdminAction::Edit { id, revised } => ActionOutcome::Revised {
            id: *id,
            copies: revise_in(tx, *id, revised, now).await?,
        },
        AdminAction::Delete { id } => ActionOutcome::Retracted {
            id: *id,
            copies: retract_in(tx, *id, now).await?,
        },
    })
}
