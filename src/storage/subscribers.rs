//! Who is subscribed, their settings, and forgetting a chat completely.

use super::ids::read_name;
use super::{Storage, StorageError};
use crate::domain::time::now_ms;
use crate::domain::{
    ChatId, ChatKind, DigestHour, Lang, QuietHours, SubscribeOutcome, Subscriber, SubscriberCounts,
    SubscriberSettings,
};

#[derive(sqlx::FromRow)]
struct SubscriberRow {
    chat_id: ChatId,
    chat_kind: String,
    lang: String,
    status: String,
}

impl TryFrom<SubscriberRow> for Subscriber {
    type Error = StorageError;
    fn try_from(row: SubscriberRow) -> Result<Self, StorageError> {
        Ok(Subscriber {
            chat_id: row.chat_id,
            kind: read_name("subscribers", &row.chat_kind)?,
            lang: read_name("subscribers", &row.lang)?,
            active: row.status == "active",
        })
    }
}

impl Storage {
    /// Subscribes a chat, or reactivates one that had gone (blocked the bot and came back).
    pub async fn subscribe(
        &self,
        chat_id: ChatId,
        kind: ChatKind,
        lang: Lang,
    ) -> Result<SubscribeOutcome, StorageError> {
        let now = now_ms();
        let previous: Option<String> =
            sqlx::query_scalar("SELECT status FROM subscribers WHERE chat_id = ?1")
                .bind(chat_id)
                .fetch_optional(&self.pool)
                .await?;
        if previous.as_deref() == Some("active") {
            return Ok(SubscribeOutcome::AlreadySubscribed);
        }
        sqlx::query(
            "INSERT INTO subscribers (chat_id, chat_kind, lang, status, subscribed_at, updated_at)
             VALUES (?1, ?2, ?3, 'active', ?4, ?4)
             ON CONFLICT (chat_id) DO UPDATE SET
                 status = 'active', chat_kind = excluded.chat_kind, lang = excluded.lang,
                 subscribed_at = excluded.subscribed_at, updated_at = excluded.updated_at",
        )
        .bind(chat_id)
        .bind(kind.as_str())
        .bind(lang.code())
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(SubscribeOutcome::Subscribed)
    }

    /// Forgets a chat completely: its row goes, and only the count of stops grows.
    /// Returns false when there was nothing to forget.
    pub async fn unsubscribe(&self, chat_id: ChatId) -> Result<bool, StorageError> {
        let mut tx = self.pool.begin().await?;
        let erased = erase_chat(&mut tx, chat_id, Erasure::Stopped).await?;
        tx.commit().await?;
        // Only a real erasure wakes the rewrite: a /stop from a stranger costs nothing.
        if erased {
            self.erased.notify_one();
        }
        Ok(erased)
    }

    /// Subscribes many chats in one transaction (moving a list from another bot, and
    /// benchmarks). Chats already present are left as they are. Returns how many were new.
    pub async fn subscribe_many(
        &self,
        chats: impl IntoIterator<Item = (ChatId, ChatKind, Lang)>,
    ) -> Result<u64, StorageError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        let mut added = 0;
        for (chat_id, kind, lang) in chats {
            added += sqlx::query(
                "INSERT INTO subscribers (chat_id, chat_kind, lang, status, subscribed_at, updated_at)
                 VALUES (?1, ?2, ?3, 'active', ?4, ?4) ON CONFLICT (chat_id) DO NOTHING",
            )
            .bind(chat_id)
            .bind(kind.as_str())
            .bind(lang.code())
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(added)
    }

    /// How many rows anywhere still name this chat: what a privacy audit (and the test of
    /// /stop) asks. Zero after /stop.
    pub async fn rows_about_chat(&self, chat_id: ChatId) -> Result<i64, StorageError> {
        Ok(sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM subscribers WHERE chat_id = ?1)
                  + (SELECT COUNT(*) FROM deliveries WHERE chat_id = ?1)
                  + (SELECT COUNT(*) FROM admin_drafts WHERE chat_id = ?1)
                  + (SELECT COUNT(*) FROM subscriber_topics WHERE chat_id = ?1)",
        )
        .bind(chat_id)
        .fetch_one(&self.pool)
        .await?)
    }

    pub async fn subscriber(&self, chat_id: ChatId) -> Result<Option<Subscriber>, StorageError> {
        let row: Option<SubscriberRow> = sqlx::query_as(
            "SELECT chat_id, chat_kind, lang, status FROM subscribers WHERE chat_id = ?1",
        )
        .bind(chat_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(Subscriber::try_from).transpose()
    }

    pub async fn subscriber_counts(&self) -> Result<SubscriberCounts, StorageError> {
        let active: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM subscribers WHERE status = 'active'")
                .fetch_one(&self.pool)
                .await?;
        let (stopped, gone): (i64, i64) = sqlx::query_as(
            "SELECT COALESCE(SUM(CASE WHEN name = 'subscribers_stopped' THEN value END), 0),
                    COALESCE(SUM(CASE WHEN name = 'subscribers_gone' THEN value END), 0)
             FROM counters",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(SubscriberCounts {
            active,
            gone,
            stopped,
        })
    }
}

/// Why a chat is forgotten; each reason has its own count, the only trace left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Erasure {
    /// The chat sent /stop.
    Stopped,
    /// Telegram says the chat blocked the bot, was deactivated or no longer exists.
    Gone,
}

/// Deletes every row that names the chat, and counts it once if it was subscribed.
/// Returns whether it was. The caller commits and then wakes `Storage::erased`, so the
/// deleted bytes also leave the `-wal` file.
pub(super) async fn erase_chat(
    tx: &mut sqlx::SqliteConnection,
    chat_id: ChatId,
    why: Erasure,
) -> Result<bool, StorageError> {
    // Delivery rows go with the chat (and with it the message ids /edit would need); a
    // statement still being sent keeps only how many of its recipients were gone.
    if why == Erasure::Gone {
        sqlx::query(
            "UPDATE announcements SET recipients_gone = recipients_gone + 1
             WHERE id IN (SELECT announcement_id FROM deliveries
                          WHERE chat_id = ?1 AND action = 'send' AND status = 'pending')",
        )
        .bind(chat_id)
        .execute(&mut *tx)
        .await?;
    }
    // Nothing cascades to `deliveries` (no foreign keys since migration 0021, for the
    // enqueue's sake): this is the only thing that takes the chat's rows away. Their
    // delivery_messages follow through that table's own foreign key.
    sqlx::query("DELETE FROM deliveries WHERE chat_id = ?1")
        .bind(chat_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM admin_drafts WHERE chat_id = ?1")
        .bind(chat_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM subscriber_topics WHERE chat_id = ?1")
        .bind(chat_id)
        .execute(&mut *tx)
        .await?;
    let deleted = sqlx::query("DELETE FROM subscribers WHERE chat_id = ?1")
        .bind(chat_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if deleted > 0 {
        let counter = match why {
            Erasure::Stopped => "subscribers_stopped",
            Erasure::Gone => "subscribers_gone",
        };
        bump_counter(tx, counter).await?;
        mark_erasure_pending(tx).await?;
    }
    Ok(deleted > 0)
}

/// Tells the rewrite (and, after a crash, the next start) that deleted bytes wait to
/// leave the disk; see `maintenance::keep_erasures_off_disk`.
async fn mark_erasure_pending(tx: &mut sqlx::SqliteConnection) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO erasure_pending (id, generation) VALUES (1, 1)
         ON CONFLICT (id) DO UPDATE SET generation = generation + 1",
    )
    .execute(tx)
    .await?;
    Ok(())
}

async fn bump_counter(tx: &mut sqlx::SqliteConnection, name: &str) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO counters (name, value) VALUES (?1, 1)
         ON CONFLICT (name) DO UPDATE SET value = value + 1",
    )
    .bind(name)
    .execute(tx)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct SettingsRow {
    lang: String,
    link_previews: i64,
    quiet_start: Option<i64>,
    quiet_end: Option<i64>,
    digest_hour: Option<i64>,
}

/// A digest hour as stored; NULL (or anything out of range) is "as it comes".
pub(super) fn digest_hour(hour: Option<i64>) -> Option<DigestHour> {
    DigestHour::new(u8::try_from(hour?).ok()?)
}

/// Quiet hours as stored: both hours, or none.
pub(super) fn quiet_hours(start: Option<i64>, end: Option<i64>) -> Option<QuietHours> {
    let start = u8::try_from(start?).ok()?;
    let end = u8::try_from(end?).ok()?;
    QuietHours::new(start, end)
}

impl Storage {
    /// A subscriber's settings; `None` for a chat that is not subscribed.
    pub async fn subscriber_settings(
        &self,
        chat_id: ChatId,
    ) -> Result<Option<SubscriberSettings>, StorageError> {
        let row: Option<SettingsRow> = sqlx::query_as(
            "SELECT lang, link_previews, quiet_start, quiet_end, digest_hour FROM subscribers
             WHERE chat_id = ?1 AND status = 'active'",
        )
        .bind(chat_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(SubscriberSettings {
                lang: read_name("subscribers", &row.lang)?,
                link_previews: row.link_previews != 0,
                quiet_hours: quiet_hours(row.quiet_start, row.quiet_end),
                digest: digest_hour(row.digest_hour),
            })
        })
        .transpose()
    }

    /// Stores a subscriber's settings. Returns false when the chat is not subscribed.
    ///
    /// A change of the digest (on, off, another hour) makes the rows held for the old one
    /// due now, unmarked, in the same transaction: the worker weighs each again under the
    /// new choice (a card now, or held for the new hour), and each is still sent once.
    pub async fn save_subscriber_settings(
        &self,
        chat_id: ChatId,
        settings: &SubscriberSettings,
    ) -> Result<bool, StorageError> {
        let quiet = settings.quiet_hours;
        let digest = settings.digest.map(|d| i64::from(d.hour()));
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE deliveries SET held = NULL, due_at = ?2
             WHERE chat_id = ?1 AND status = 'pending' AND held = 'digest'
               AND EXISTS (SELECT 1 FROM subscribers s WHERE s.chat_id = ?1
                           AND s.digest_hour IS NOT ?3)",
        )
        .bind(chat_id)
        .bind(now)
        .bind(digest)
        .execute(&mut *tx)
        .await?;
        let updated = sqlx::query(
            "UPDATE subscribers SET lang = ?2, link_previews = ?3, quiet_start = ?4,
                 quiet_end = ?5, updated_at = ?6, digest_hour = ?7
             WHERE chat_id = ?1 AND status = 'active'",
        )
        .bind(chat_id)
        .bind(settings.lang.code())
        .bind(i64::from(settings.link_previews))
        .bind(quiet.map(|q| i64::from(q.start())))
        .bind(quiet.map(|q| i64::from(q.end())))
        .bind(now)
        .bind(digest)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(updated > 0)
    }
}
