//! The delivery queue: publishing fans a statement out to one row per active subscriber;
//! the broadcast worker claims due rows, sends, and records how each send ended.

use std::time::Duration;

use super::announcements::{ArchiveOutcome, insert_if_new};
use super::subscribers::{Erasure, erase_chat, quiet_hours};
use super::{Storage, StorageError};
use crate::domain::{BroadcastFigures, Lang, NewAnnouncement, QuietHours, Stats};
use crate::storage::ChatKind;

pub(super) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishOutcome {
    /// New: stored, and queued for this many chats.
    Published { id: i64, recipients: u64 },
    /// The same source key was published (or archived) before; nothing was queued.
    Duplicate { id: i64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryAction {
    Send,
    Edit,
    Delete,
}

impl DeliveryAction {
    fn parse(s: &str) -> Self {
        match s {
            "edit" => DeliveryAction::Edit,
            "delete" => DeliveryAction::Delete,
            _ => DeliveryAction::Send,
        }
    }
}

/// A delivery the worker has claimed and must now carry out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedDelivery {
    pub id: i64,
    pub announcement_id: i64,
    pub chat_id: i64,
    pub action: DeliveryAction,
    pub message_id: Option<i32>,
    pub attempts: i64,
    /// Unix ms when the delivery was queued: failures that may pass are retried until
    /// `DELIVERY_GIVE_UP_HOURS` after this.
    pub created_at: i64,
    pub chat_kind: ChatKind,
    pub lang: Lang,
    /// False when the chat went away after the row was queued.
    pub chat_active: bool,
    /// The subscriber's choice: a preview of the statement's page, or none.
    pub link_previews: bool,
    /// Broadcasts to this chat wait while these hours last.
    pub quiet_hours: Option<QuietHours>,
}

/// How one send ended, as the worker reports it to the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryResult {
    Sent {
        message_id: Option<i32>,
    },
    /// Try again no sooner than this; not counted as an attempt (Telegram asked us to wait).
    RetryAt {
        after: Duration,
    },
    /// Try again after a failure that may pass; counted, and given up after the cap.
    Transient {
        error: String,
        backoff: Duration,
        give_up: bool,
    },
    /// The chat blocked us, was deleted or kicked us: never again. The chat is forgotten
    /// like after /stop (only counted); `error` is for the log, not stored.
    Gone {
        error: String,
    },
    /// Telegram refused this message for good (a bug of ours, or a copy that can no longer
    /// be edited); kept as failed so that /stats shows it.
    Failed {
        error: String,
    },
}

#[derive(sqlx::FromRow)]
struct ClaimRow {
    id: i64,
    announcement_id: i64,
    chat_id: i64,
    action: String,
    message_id: Option<i64>,
    attempts: i64,
    created_at: i64,
}

#[derive(sqlx::FromRow)]
struct ChatRow {
    chat_id: i64,
    chat_kind: String,
    lang: String,
    status: String,
    link_previews: i64,
    quiet_start: Option<i64>,
    quiet_end: Option<i64>,
}

/// Queues a stored statement for every active subscriber and marks it broadcast, in the
/// caller's transaction. Returns how many chats it was queued for.
pub(super) async fn enqueue_broadcast(
    tx: &mut sqlx::SqliteConnection,
    id: i64,
    now: i64,
) -> Result<u64, StorageError> {
    let recipients = sqlx::query(
        "INSERT INTO deliveries (announcement_id, chat_id, action, status, due_at, created_at)
         SELECT ?1, chat_id, 'send', 'pending', ?2, ?2 FROM subscribers WHERE status = 'active'",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    sqlx::query("UPDATE announcements SET broadcast_at = ?2 WHERE id = ?1")
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    Ok(recipients)
}

impl Storage {
    /// The one door in: stores the statement if it is new and, in the same transaction,
    /// queues it for every active subscriber with a single INSERT … SELECT.
    pub async fn publish(&self, new: &NewAnnouncement) -> Result<PublishOutcome, StorageError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        let outcome = insert_if_new(&mut tx, new).await?;
        let id = match outcome {
            ArchiveOutcome::Duplicate(id) => {
                tx.commit().await?;
                return Ok(PublishOutcome::Duplicate { id });
            }
            ArchiveOutcome::Inserted(id) => id,
        };
        let recipients = enqueue_broadcast(&mut tx, id, now).await?;
        tx.commit().await?;
        Ok(PublishOutcome::Published { id, recipients })
    }

    /// Claims up to `limit` due deliveries for `lease`. SQLite has no SKIP LOCKED, but it
    /// serialises writers, so one UPDATE … RETURNING is atomic; a claim whose lease ran
    /// out (the claimer crashed) is simply due again.
    pub async fn claim_deliveries(
        &self,
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<ClaimedDelivery>, StorageError> {
        let now = now_ms();
        let rows: Vec<ClaimRow> = sqlx::query_as(
            "UPDATE deliveries SET claimed_until = ?2
             WHERE id IN (
                 SELECT id FROM deliveries
                 WHERE status = 'pending' AND due_at <= ?1
                   AND (claimed_until IS NULL OR claimed_until <= ?1)
                 ORDER BY due_at, id
                 LIMIT ?3)
             RETURNING id, announcement_id, chat_id, action, message_id, attempts, created_at",
        )
        .bind(now)
        .bind(now + ms(lease))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let chat_ids: Vec<i64> = rows.iter().map(|r| r.chat_id).collect();
        let chats: Vec<ChatRow> = sqlx::query_as(
            "SELECT chat_id, chat_kind, lang, status, link_previews, quiet_start, quiet_end
             FROM subscribers
             WHERE chat_id IN (SELECT value FROM json_each(?1))",
        )
        .bind(serde_json::to_string(&chat_ids).unwrap_or_else(|_| "[]".into()))
        .fetch_all(&self.pool)
        .await?;
        let mut claimed: Vec<ClaimedDelivery> = rows
            .into_iter()
            .map(|row| {
                let chat = chats.iter().find(|c| c.chat_id == row.chat_id);
                ClaimedDelivery {
                    id: row.id,
                    announcement_id: row.announcement_id,
                    chat_id: row.chat_id,
                    action: DeliveryAction::parse(&row.action),
                    message_id: row.message_id.and_then(|m| i32::try_from(m).ok()),
                    attempts: row.attempts,
                    created_at: row.created_at,
                    chat_kind: chat.map_or(ChatKind::Private, |c| ChatKind::parse(&c.chat_kind)),
                    lang: chat.and_then(|c| c.lang.parse().ok()).unwrap_or_default(),
                    chat_active: chat.is_some_and(|c| c.status == "active"),
                    link_previews: chat.is_none_or(|c| c.link_previews != 0),
                    quiet_hours: chat.and_then(|c| quiet_hours(c.quiet_start, c.quiet_end)),
                }
            })
            .collect();
        claimed.sort_by_key(|d| d.id);
        Ok(claimed)
    }

    /// Records how deliveries ended, all in one transaction: one commit for a whole batch
    /// instead of one per send, and one writer instead of many racing for SQLite's lock.
    /// Every branch leaves the row either done or due again: nothing deliverable is dropped.
    pub async fn record_deliveries(
        &self,
        outcomes: &[(ClaimedDelivery, DeliveryResult)],
    ) -> Result<(), StorageError> {
        if outcomes.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        let mut erased = false;
        for (delivery, result) in outcomes {
            erased |= record_one(&mut tx, delivery, result).await?;
        }
        tx.commit().await?;
        if erased {
            self.erased.notify_one();
        }
        Ok(())
    }

    /// Gives claimed deliveries back at shutdown, so the next start need not wait for
    /// their leases to run out.
    pub async fn release_deliveries(&self, ids: &[i64]) -> Result<(), StorageError> {
        if ids.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "UPDATE deliveries SET claimed_until = NULL
             WHERE id IN (SELECT value FROM json_each(?1)) AND status = 'pending'",
        )
        .bind(serde_json::to_string(ids).unwrap_or_else(|_| "[]".into()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Clears every claim. Only for startup, when the instance lock proves that no other
    /// worker can hold one.
    pub async fn release_abandoned_claims(&self) -> Result<u64, StorageError> {
        Ok(sqlx::query(
            "UPDATE deliveries SET claimed_until = NULL
             WHERE status = 'pending' AND claimed_until IS NOT NULL",
        )
        .execute(&self.pool)
        .await?
        .rows_affected())
    }

    /// Telegram moved a group to a supergroup: the subscription (and its queued rows,
    /// through ON UPDATE CASCADE) follows it to the new id.
    pub async fn migrate_chat(
        &self,
        old_chat_id: i64,
        new_chat_id: i64,
    ) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        let new_exists: Option<i64> =
            sqlx::query_scalar("SELECT chat_id FROM subscribers WHERE chat_id = ?1")
                .bind(new_chat_id)
                .fetch_optional(&mut *tx)
                .await?;
        if new_exists.is_some() {
            // The supergroup subscribed on its own; it has its own rows already.
            sqlx::query("DELETE FROM subscribers WHERE chat_id = ?1")
                .bind(old_chat_id)
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query(
                "UPDATE subscribers SET chat_id = ?2, chat_kind = 'supergroup', updated_at = ?3
                 WHERE chat_id = ?1",
            )
            .bind(old_chat_id)
            .bind(new_chat_id)
            .bind(now_ms() / 1000)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// When the last recorded send happened, so that a restarted worker keeps the
    /// per-chat and per-group spacing the previous run promised.
    pub async fn last_send_at(
        &self,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>, StorageError> {
        let last: Option<i64> =
            sqlx::query_scalar("SELECT MAX(done_at) FROM deliveries WHERE status = 'sent'")
                .fetch_one(&self.pool)
                .await?;
        Ok(last.and_then(chrono::DateTime::from_timestamp_millis))
    }

    pub async fn has_pending_deliveries(&self) -> Result<bool, StorageError> {
        let any: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM deliveries WHERE status = 'pending' LIMIT 1")
                .fetch_optional(&self.pool)
                .await?;
        Ok(any.is_some())
    }

    /// Everything /stats shows.
    pub async fn stats(&self) -> Result<Stats, StorageError> {
        let subscribers = self.subscriber_counts().await?;
        Ok(Stats {
            active: subscribers.active,
            stopped: subscribers.stopped,
            gone: subscribers.gone,
            statements: self.count_announcements().await?,
            queue_depth: self.queue_depth().await?,
            broadcast: self.latest_broadcast().await?,
            telegram_unreachable_since: None,
        })
    }

    /// Deliveries waiting to be sent, edited or deleted.
    pub async fn queue_depth(&self) -> Result<i64, StorageError> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM deliveries WHERE status = 'pending'")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// The broadcast of one statement, as far as it went.
    pub async fn broadcast_figures(
        &self,
        announcement_id: i64,
    ) -> Result<Option<BroadcastFigures>, StorageError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            title: String,
            pending: i64,
            sent: i64,
            failed: i64,
            gone: i64,
            first_sent: Option<i64>,
            last_sent: Option<i64>,
            last_error: Option<String>,
        }
        let row: Option<Row> = sqlx::query_as(
            "SELECT a.id, a.title,
                    COALESCE(SUM(d.status = 'pending'), 0) AS pending,
                    COALESCE(SUM(d.status = 'sent'), 0) AS sent,
                    COALESCE(SUM(d.status = 'failed'), 0) AS failed,
                    a.recipients_gone AS gone,
                    MIN(CASE WHEN d.status = 'sent' THEN d.done_at END) AS first_sent,
                    MAX(CASE WHEN d.status = 'sent' THEN d.done_at END) AS last_sent,
                    (SELECT e.last_error FROM deliveries e
                      WHERE e.announcement_id = a.id AND e.action = 'send' AND e.status = 'failed'
                      ORDER BY e.done_at DESC LIMIT 1) AS last_error
             FROM announcements a LEFT JOIN deliveries d
                  ON d.announcement_id = a.id AND d.action = 'send'
             WHERE a.id = ?1
             GROUP BY a.id",
        )
        .bind(announcement_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| {
            let duration_secs = match (r.first_sent, r.last_sent) {
                (Some(first), Some(last)) => Some((last - first).max(0) as f64 / 1000.0),
                _ => None,
            };
            let rate = duration_secs
                .filter(|d| *d > 0.0 && r.sent > 1)
                .map(|d| (r.sent - 1) as f64 / d);
            BroadcastFigures {
                announcement_id: r.id,
                title: r.title,
                pending: r.pending,
                sent: r.sent,
                failed: r.failed,
                gone: r.gone,
                rate,
                duration_secs,
                last_error: r.last_error,
            }
        }))
    }

    /// The statement whose broadcast is running, or else the one that ran last.
    pub async fn latest_broadcast(&self) -> Result<Option<BroadcastFigures>, StorageError> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM announcements WHERE broadcast_at IS NOT NULL
             ORDER BY broadcast_at DESC, id DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        match id {
            Some(id) => self.broadcast_figures(id).await,
            None => Ok(None),
        }
    }

    /// Broadcasts that have nothing pending and whose report has not gone out yet; each is
    /// marked reported here, so that the report is sent at most once.
    pub async fn take_finished_broadcasts(&self) -> Result<Vec<i64>, StorageError> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "UPDATE announcements SET report_sent_at = ?1
             WHERE broadcast_at IS NOT NULL AND report_sent_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM deliveries d
                               WHERE d.announcement_id = announcements.id AND d.action = 'send'
                                 AND d.status = 'pending')
             RETURNING id",
        )
        .bind(now_ms())
        .fetch_all(&self.pool)
        .await?;
        Ok(ids)
    }
}

impl Storage {
    /// Replaces a statement's content (and its search key) and queues an edit of every copy
    /// already delivered. Copies still queued will simply be sent with the new content.
    /// Returns how many copies will be edited, or None if there is no such statement.
    pub async fn revise(
        &self,
        id: i64,
        revised: &NewAnnouncement,
    ) -> Result<Option<u64>, StorageError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE announcements SET title = ?2, body_html = ?3, body_text = ?4, link = ?5,
                 image_url = COALESCE(?6, image_url), updated_at = ?7, link_identity = ?8
             WHERE id = ?1 AND deleted_at IS NULL",
        )
        .bind(id)
        .bind(revised.title())
        .bind(revised.body_html())
        .bind(revised.body_text())
        .bind(revised.link())
        .bind(revised.image_url())
        .bind(now / 1000)
        .bind(super::announcements::stored_link_identity(revised.link()))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            return Ok(None);
        }
        super::search::reindex(&mut tx, id, revised.title(), revised.body_text()).await?;
        let edits = queue_follow_up(&mut tx, id, "edit", now).await?;
        tx.commit().await?;
        Ok(Some(edits))
    }

    /// Removes a statement from the archive (a tombstone keeps its source key, so a feed
    /// cannot bring it back), cancels its queued sends, and queues the deletion of every
    /// delivered copy. Returns how many copies will be deleted, or None if there is no
    /// such statement.
    pub async fn retract(&self, id: i64) -> Result<Option<u64>, StorageError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE announcements SET deleted_at = ?2, title = '', body_html = '', body_text = '',
                 link = NULL, image_url = NULL, updated_at = ?3
             WHERE id = ?1 AND deleted_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .bind(now / 1000)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            return Ok(None);
        }
        super::search::unindex(&mut tx, id).await?;
        // Queued sends and edits of a retracted statement must not go out.
        sqlx::query(
            "DELETE FROM deliveries WHERE announcement_id = ?1 AND status = 'pending'
                 AND action IN ('send', 'edit')",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let deletes = queue_follow_up(&mut tx, id, "delete", now).await?;
        tx.commit().await?;
        Ok(Some(deletes))
    }
}

/// Records one outcome; returns whether a chat was erased (it is gone).
async fn record_one(
    tx: &mut sqlx::SqliteConnection,
    delivery: &ClaimedDelivery,
    result: &DeliveryResult,
) -> Result<bool, StorageError> {
    let now = now_ms();
    match result {
        DeliveryResult::Sent { message_id } => {
            sqlx::query(
                "UPDATE deliveries SET status = 'sent', claimed_until = NULL, done_at = ?2,
                     attempts = attempts + 1, last_error = NULL,
                     message_id = COALESCE(?3, message_id)
                 WHERE id = ?1",
            )
            .bind(delivery.id)
            .bind(now)
            .bind(message_id)
            .execute(&mut *tx)
            .await?;
        }
        DeliveryResult::RetryAt { after } => {
            sqlx::query("UPDATE deliveries SET claimed_until = NULL, due_at = ?2 WHERE id = ?1")
                .bind(delivery.id)
                .bind(now + ms(*after))
                .execute(&mut *tx)
                .await?;
        }
        DeliveryResult::Transient {
            error,
            give_up: true,
            ..
        }
        | DeliveryResult::Failed { error } => {
            sqlx::query(
                "UPDATE deliveries SET status = 'failed', claimed_until = NULL, done_at = ?2,
                     attempts = attempts + 1, last_error = ?3
                 WHERE id = ?1",
            )
            .bind(delivery.id)
            .bind(now)
            .bind(short_error(error))
            .execute(&mut *tx)
            .await?;
        }
        DeliveryResult::Transient {
            error,
            backoff,
            give_up: false,
        } => {
            sqlx::query(
                "UPDATE deliveries SET claimed_until = NULL, due_at = ?2,
                     attempts = attempts + 1, last_error = ?3
                 WHERE id = ?1",
            )
            .bind(delivery.id)
            .bind(now + ms(*backoff))
            .bind(short_error(error))
            .execute(&mut *tx)
            .await?;
        }
        DeliveryResult::Gone { .. } => {
            // Forgotten like /stop: the chat left us, so nothing about it stays. The
            // reason is not kept either; the count of gone chats is.
            return erase_chat(tx, delivery.chat_id, Erasure::Gone).await;
        }
    }
    Ok(false)
}

/// What `last_error` may hold: the kind and a short reason, never a whole reply.
const LAST_ERROR_MAX_CHARS: usize = 200;

fn short_error(error: &str) -> &str {
    match error.char_indices().nth(LAST_ERROR_MAX_CHARS) {
        Some((cut, _)) => &error[..cut],
        None => error,
    }
}

/// Queues one edit or delete job per copy of the statement that Telegram accepted.
async fn queue_follow_up(
    tx: &mut sqlx::SqliteConnection,
    announcement_id: i64,
    action: &str,
    now: i64,
) -> Result<u64, StorageError> {
    Ok(sqlx::query(
        "INSERT INTO deliveries (announcement_id, chat_id, action, status, message_id, due_at, created_at)
         SELECT announcement_id, chat_id, ?2, 'pending', message_id, ?3, ?3 FROM deliveries
         WHERE announcement_id = ?1 AND action = 'send' AND status = 'sent' AND message_id IS NOT NULL",
    )
    .bind(announcement_id)
    .bind(action)
    .bind(now)
    .execute(tx)
    .await?
    .rows_affected())
}
