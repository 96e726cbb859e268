//! The delivery queue: publishing fans a statement out to one row per active subscriber;
//! the broadcast worker claims due rows, sends, and records how each send ended.

use std::collections::HashMap;
use std::time::Duration;

use super::announcements::insert_if_new;
use super::ids::read_name;
use super::subscribers::{Erasure, digest_hour, erase_chat, quiet_hours};
use super::{Storage, StorageError};
use crate::domain::time::{from_ms, millis, now_ms};
use crate::domain::{
    ArchiveOutcome, ChatId, ChatKind, ClaimedDelivery, DeliveredMessage, DeliveryAction,
    DeliveryResult, NewAnnouncement, PublishOutcome, StatementId,
};

#[derive(sqlx::FromRow)]
struct ClaimRow {
    id: i64,
    announcement_id: StatementId,
    chat_id: ChatId,
    action: String,
    message_id: Option<i64>,
    attempts: i64,
    created_at: i64,
    held: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ChatRow {
    chat_id: ChatId,
    chat_kind: String,
    lang: String,
    status: String,
    link_previews: i64,
    quiet_start: Option<i64>,
    quiet_end: Option<i64>,
    digest_hour: Option<i64>,
}

/// One row per active subscriber of the statement's topic (?1), due at ?2: the subscribers
/// who have every topic, then those who chose this one, each a range of an index (migration
/// 0017), the two sets disjoint by `all_topics`.
///
/// `ORDER BY chat_id` is what makes it fast: both ranges come in chat_id order, so SQLite
/// merges them (MERGE (UNION ALL), no sort) and the rows reach `deliveries` in chat_id
/// order. Each index on `deliveries` that holds chat_id (deliveries_once, deliveries_by_chat)
/// then takes them in its own key order: appended, or one pass through its pages. Without
/// it the second range went back through every page the first had filled: 1,000,000
/// subscribers half on an explicit set took a third longer than all on "all"
/// (BENCHMARKS.md, "Broadcast").
const ENQUEUE_BROADCAST: &str = "
    INSERT INTO deliveries (announcement_id, chat_id, action, status, due_at, created_at)
    SELECT ?1, chat_id, 'send', 'pending', ?2, ?2 FROM subscribers
     WHERE status = 'active' AND all_topics = 1
    UNION ALL
    SELECT ?1, c.chat_id, 'send', 'pending', ?2, ?2
      FROM subscriber_topics c JOIN subscribers s ON s.chat_id = c.chat_id
     WHERE c.topic = (SELECT topic FROM announcements WHERE id = ?1)
       AND s.status = 'active' AND s.all_topics = 0
    ORDER BY chat_id";

/// Queues a stored statement for every active subscriber of its topic and marks it
/// broadcast, in the caller's transaction. Returns how many chats it was queued for.
///
/// Still one INSERT … SELECT ([`ENQUEUE_BROADCAST`]). Publishing, releasing a hold, a
/// schedule and an approval all come here.
pub(super) async fn enqueue_broadcast(
    tx: &mut sqlx::SqliteConnection,
    id: StatementId,
    now: i64,
) -> Result<u64, StorageError> {
    let recipients = sqlx::query(ENQUEUE_BROADCAST)
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

/// [`Storage::publish`] in the caller's transaction (an approval carries it out with the
/// approval itself).
pub(super) async fn publish_in(
    tx: &mut sqlx::SqliteConnection,
    new: &NewAnnouncement,
    now: i64,
) -> Result<PublishOutcome, StorageError> {
    let id = match insert_if_new(tx, new).await? {
        ArchiveOutcome::Duplicate(id) => return Ok(PublishOutcome::Duplicate { id }),
        ArchiveOutcome::Inserted(id) => id,
    };
    let recipients = enqueue_broadcast(tx, id, now).await?;
    Ok(PublishOutcome::Published { id, recipients })
}

impl Storage {
    /// The one door in: stores the statement if it is new and, in the same transaction,
    /// queues it for every active subscriber with a single INSERT … SELECT.
    pub async fn publish(&self, new: &NewAnnouncement) -> Result<PublishOutcome, StorageError> {
        let mut tx = self.pool.begin().await?;
        let outcome = publish_in(&mut tx, new, now_ms()).await?;
        tx.commit().await?;
        Ok(outcome)
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
             RETURNING id, announcement_id, chat_id, action, message_id, attempts, created_at,
                       held",
        )
        .bind(now)
        .bind(now.saturating_add(millis(lease)))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        self.claimed_with_chats(rows).await
    }

    /// Claims the rest of a chat's digest: its other 'send' rows held for a digest that
    /// are due and not claimed, so that they go out in the same message as the row the
    /// worker claimed in its batch.
    pub async fn claim_digest_companions(
        &self,
        chat_id: ChatId,
        lease: Duration,
    ) -> Result<Vec<ClaimedDelivery>, StorageError> {
        let now = now_ms();
        let rows: Vec<ClaimRow> = sqlx::query_as(
            "UPDATE deliveries SET claimed_until = ?3
             WHERE chat_id = ?1 AND status = 'pending' AND held = 'digest' AND action = 'send'
               AND due_at <= ?2 AND (claimed_until IS NULL OR claimed_until <= ?2)
             RETURNING id, announcement_id, chat_id, action, message_id, attempts, created_at,
                       held",
        )
        .bind(chat_id)
        .bind(now)
        .bind(now.saturating_add(millis(lease)))
        .fetch_all(&self.pool)
        .await?;
        self.claimed_with_chats(rows).await
    }

    /// Claimed rows with what the worker needs to know of their chats.
    async fn claimed_with_chats(
        &self,
        rows: Vec<ClaimRow>,
    ) -> Result<Vec<ClaimedDelivery>, StorageError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let chat_ids: Vec<i64> = rows.iter().map(|r| r.chat_id.0).collect();
        let chats: Vec<ChatRow> = sqlx::query_as(
            "SELECT chat_id, chat_kind, lang, status, link_previews, quiet_start, quiet_end,
                    digest_hour
             FROM subscribers
             WHERE chat_id IN (SELECT value FROM json_each(?1))",
        )
        .bind(serde_json::to_string(&chat_ids).unwrap_or_else(|_| "[]".into()))
        .fetch_all(&self.pool)
        .await?;
        let mut messages = delivered_messages(&self.pool, &rows).await?;
        let mut claimed = rows
            .into_iter()
            .map(|row| {
                let chat = chats.iter().find(|c| c.chat_id == row.chat_id);
                Ok(ClaimedDelivery {
                    id: row.id,
                    announcement_id: row.announcement_id,
                    chat_id: row.chat_id,
                    action: read_name("deliveries", &row.action)?,
                    message_id: row.message_id.and_then(|m| i32::try_from(m).ok()),
                    attempts: row.attempts,
                    created_at: from_ms(row.created_at),
                    // A chat that went away since: what it was no longer matters, the
                    // worker drops its row unsent.
                    chat_kind: match chat {
                        Some(c) => read_name("subscribers", &c.chat_kind)?,
                        None => ChatKind::Private,
                    },
                    lang: match chat {
                        Some(c) => read_name("subscribers", &c.lang)?,
                        None => Default::default(),
                    },
                    chat_active: chat.is_some_and(|c| c.status == "active"),
                    link_previews: chat.is_none_or(|c| c.link_previews != 0),
                    quiet_hours: chat.and_then(|c| quiet_hours(c.quiet_start, c.quiet_end)),
                    digest: chat.and_then(|c| digest_hour(c.digest_hour)),
                    held: row
                        .held
                        .as_deref()
                        .map(|h| read_name("deliveries", h))
                        .transpose()?,
                    messages: messages.remove(&row.id).unwrap_or_default(),
                })
            })
            .collect::<Result<Vec<_>, StorageError>>()?;
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

    pub async fn has_pending_deliveries(&self) -> Result<bool, StorageError> {
        let any: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM deliveries WHERE status = 'pending' LIMIT 1")
                .fetch_optional(&self.pool)
                .await?;
        Ok(any.is_some())
    }
}

/// The messages already delivered of each claimed row's statement in its chat, read from
/// the row's 'send' (an edit or delete job acts on the messages its send left), with one
/// query for the batch.
async fn delivered_messages(
    pool: &sqlx::SqlitePool,
    rows: &[ClaimRow],
) -> Result<HashMap<i64, Vec<DeliveredMessage>>, StorageError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let found: Vec<(i64, i64, i64, String)> = sqlx::query_as(
        "SELECT d.id, m.position, m.message_id, m.role
         FROM deliveries d
         JOIN deliveries s ON s.announcement_id = d.announcement_id AND s.chat_id = d.chat_id
                          AND s.action = 'send'
         JOIN delivery_messages m ON m.delivery_id = s.id
         WHERE d.id IN (SELECT value FROM json_each(?1))
         ORDER BY d.id, m.position",
    )
    .bind(serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into()))
    .fetch_all(pool)
    .await?;
    let mut by_delivery: HashMap<i64, Vec<DeliveredMessage>> = HashMap::new();
    for (delivery, position, message_id, role) in found {
        // Ids outside what Telegram uses cannot be acted on; they are left out.
        let (Ok(position), Ok(message_id)) = (u8::try_from(position), i32::try_from(message_id))
        else {
            continue;
        };
        by_delivery
            .entry(delivery)
            .or_default()
            .push(DeliveredMessage {
                position,
                message_id,
                role: read_name("delivery_messages", &role)?,
            });
    }
    Ok(by_delivery)
}

/// Keeps every message a send delivered so far, whatever became of the rest of it: a retry
/// then sends only what is missing, and a deletion reaches every part.
async fn keep_messages(
    tx: &mut sqlx::SqliteConnection,
    delivery: &ClaimedDelivery,
) -> Result<(), StorageError> {
    if delivery.action != DeliveryAction::Send {
        return Ok(());
    }
    for message in &delivery.messages {
        sqlx::query(
            "INSERT INTO delivery_messages (delivery_id, position, message_id, role)
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
        )
        .bind(delivery.id)
        .bind(message.position)
        .bind(message.message_id)
        .bind(message.role.as_str())
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// Records one outcome; returns whether a chat was erased (it is gone).
async fn record_one(
    tx: &mut sqlx::SqliteConnection,
    delivery: &ClaimedDelivery,
    result: &DeliveryResult,
) -> Result<bool, StorageError> {
    let now = now_ms();
    keep_messages(tx, delivery).await?;
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
                .bind(now.saturating_add(millis(*after)))
                .execute(&mut *tx)
                .await?;
        }
        DeliveryResult::Held { after, hold } => {
            sqlx::query(
                "UPDATE deliveries SET claimed_until = NULL, due_at = ?2, held = ?3 WHERE id = ?1",
            )
            .bind(delivery.id)
            .bind(now.saturating_add(millis(*after)))
            .bind(hold.as_str())
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
            .bind(now.saturating_add(millis(*backoff)))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Lang, Topic, TopicChoice, TopicSlug};

    /// A fresh database with chats 101, 102, … subscribed.
    async fn with_subscribers(count: i64) -> (tempfile::TempDir, Storage) {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::connect(&format!("sqlite://{}/q.db", dir.path().display()))
            .await
            .unwrap();
        storage
            .subscribe_many((1..=count).map(|i| (ChatId(100 + i), ChatKind::Private, Lang::Fa)))
            .await
            .unwrap();
        (dir, storage)
    }

    /// The enqueue's speed rests on its plan: both ranges read from an index in chat_id
    /// order and merged, never sorted in a temporary b-tree nor read by a full scan.
    #[tokio::test]
    async fn the_enqueue_merges_two_index_ranges_without_a_sort() {
        let (_dir, storage) = with_subscribers(0).await;
        let plan: Vec<(i64, i64, i64, String)> =
            sqlx::query_as(&format!("EXPLAIN QUERY PLAN {ENQUEUE_BROADCAST}"))
                .bind(1)
                .bind(0)
                .fetch_all(&storage.pool)
                .await
                .unwrap();
        let steps: Vec<&str> = plan.iter().map(|(.., step)| step.as_str()).collect();
        assert!(steps.contains(&"MERGE (UNION ALL)"), "{steps:#?}");
        assert!(
            steps
                .iter()
                .all(|s| !s.contains("TEMP B-TREE") && !s.starts_with("SCAN")),
            "{steps:#?}"
        );
    }

    /// The enqueue writes up to a million rows in one statement, so what it does per row
    /// counts: SQLite builds a temporary b-tree for every row a CHECK's `IN (…)` of three
    /// values or more looks at, which cost it 41% of its instructions until migration
    /// 0021 spelt those CHECKs with `=` and OR.
    #[tokio::test]
    async fn the_enqueue_builds_no_temporary_table_per_row() {
        let (_dir, storage) = with_subscribers(0).await;
        let program = sqlx::query(&format!("EXPLAIN {ENQUEUE_BROADCAST}"))
            .bind(1)
            .bind(0)
            .fetch_all(&storage.pool)
            .await
            .unwrap();
        let opcodes: Vec<String> = program
            .iter()
            .map(|step| sqlx::Row::get(step, "opcode"))
            .collect();
        assert!(!opcodes.iter().any(|o| o == "OpenEphemeral"), "{opcodes:?}");
    }

    /// Subscribers on "all" and those who chose the topic are queued once each, in chat_id
    /// order across both, which is the order the indexes on `deliveries` want.
    #[tokio::test]
    async fn a_broadcast_is_queued_in_chat_order_across_all_and_chosen_topics() {
        let (_dir, storage) = with_subscribers(8).await;
        let news = TopicSlug::new("news").unwrap();
        storage
            .add_topic(&Topic::new(news, "اخبار", "News").unwrap())
            .await
            .unwrap();
        let only = |slugs: &[&str]| {
            TopicChoice::Only(slugs.iter().map(|s| TopicSlug::new(s).unwrap()).collect())
        };
        storage
            .save_topic_choices([
                (ChatId(102), only(&["news"])),
                (ChatId(103), only(&["statements"])),
                (ChatId(106), only(&["statements", "news"])),
            ])
            .await
            .unwrap();
        let statement = NewAnnouncement::new(
            "news-1",
            "خبر",
            "<p>متن</p>",
            "متن",
            None,
            chrono::Utc::now(),
        )
        .unwrap()
        .with_topic(Some(news));
        let PublishOutcome::Published { id, recipients } =
            storage.publish(&statement).await.unwrap()
        else {
            panic!("a new statement is published");
        };
        assert_eq!(recipients, 7);
        let queued: Vec<i64> = sqlx::query_scalar(
            "SELECT chat_id FROM deliveries WHERE announcement_id = ?1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&storage.pool)
        .await
        .unwrap();
        assert_eq!(queued, vec![101, 102, 104, 105, 106, 107, 108]);
    }
}
