//! Telegram moves a group to a supergroup under a new id; the subscription follows.

use super::{Storage, StorageError};
use crate::domain::ChatId;
use crate::domain::time::now_ms;

impl Storage {
    /// Telegram moved a group to a supergroup: the subscription and its delivery rows
    /// follow it to the new id, in one transaction.
    ///
    /// `deliveries` has no foreign keys (migration 0021: checking each row cost the
    /// enqueue of a large broadcast a third of its time), so the rows are moved or
    /// deleted here; nothing cascades to them.
    pub async fn migrate_chat(
        &self,
        old_chat: ChatId,
        new_chat: ChatId,
    ) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        let new_exists: Option<i64> =
            sqlx::query_scalar("SELECT chat_id FROM subscribers WHERE chat_id = ?1")
                .bind(new_chat)
                .fetch_optional(&mut *tx)
                .await?;
        if new_exists.is_some() {
            // The supergroup subscribed on its own and has its own rows already. The
            // group's go with the group, as the foreign key's ON DELETE CASCADE took them
            // before: they name a chat Telegram no longer accepts. Their delivery_messages
            // go with them (that foreign key stays).
            sqlx::query("DELETE FROM deliveries WHERE chat_id = ?1")
                .bind(old_chat)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM subscribers WHERE chat_id = ?1")
                .bind(old_chat)
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query(
                "UPDATE subscribers SET chat_id = ?2, chat_kind = 'supergroup', updated_at = ?3
                 WHERE chat_id = ?1",
            )
            .bind(old_chat)
            .bind(new_chat)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
            // Every row follows, as the foreign key's ON UPDATE CASCADE made them before:
            // the pending ones go out to the supergroup.
            sqlx::query("UPDATE deliveries SET chat_id = ?2 WHERE chat_id = ?1")
                .bind(old_chat)
                .bind(new_chat)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ChatKind, Lang, NewAnnouncement};

    /// How many delivery rows name each chat, and how many name no subscriber at all.
    async fn rows_by_chat(storage: &Storage) -> (Vec<(i64, i64)>, i64) {
        let by_chat = sqlx::query_as(
            "SELECT chat_id, COUNT(*) FROM deliveries GROUP BY chat_id ORDER BY chat_id",
        )
        .fetch_all(&storage.pool)
        .await
        .unwrap();
        let orphans = sqlx::query_scalar(
            "SELECT COUNT(*) FROM deliveries
             WHERE chat_id NOT IN (SELECT chat_id FROM subscribers)",
        )
        .fetch_one(&storage.pool)
        .await
        .unwrap();
        (by_chat, orphans)
    }

    /// Nothing cascades to `deliveries` any more (migration 0021): a group that became a
    /// supergroup takes its rows along, one whose supergroup had subscribed on its own
    /// leaves its rows behind with it, and a chat that sent /stop takes its rows away; no
    /// row is left naming a chat that is not subscribed.
    #[tokio::test]
    async fn no_delivery_row_outlives_its_chat() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("j.db").display());
        let storage = Storage::connect(&url).await.unwrap();
        let (moved, merged, stopped, stays) = (-201, -202, 203, 204);
        let (new_home, own_supergroup) = (-1_000_000_000_201, -1_000_000_000_202);
        storage
            .subscribe_many([
                (ChatId(moved), ChatKind::Group, Lang::Fa),
                (ChatId(merged), ChatKind::Group, Lang::Fa),
                (ChatId(own_supergroup), ChatKind::Supergroup, Lang::Fa),
                (ChatId(stopped), ChatKind::Private, Lang::Fa),
                (ChatId(stays), ChatKind::Private, Lang::Fa),
            ])
            .await
            .unwrap();
        for key in ["first", "second"] {
            let statement =
                NewAnnouncement::new(key, key, "", "متن", None, chrono::Utc::now()).unwrap();
            storage.publish(&statement).await.unwrap();
        }
        // The group already got the first statement, in two messages.
        sqlx::raw_sql(&format!(
            "UPDATE deliveries SET status = 'sent', message_id = 11 WHERE id = (
                 SELECT MIN(id) FROM deliveries WHERE chat_id = {merged});
             INSERT INTO delivery_messages (delivery_id, position, message_id, role)
             SELECT id, position, 10 + position, role
               FROM deliveries, (SELECT 0 AS position, 'media' AS role
                                 UNION ALL SELECT 1, 'card')
              WHERE chat_id = {merged} AND status = 'sent';"
        ))
        .execute(&storage.pool)
        .await
        .unwrap();

        storage
            .migrate_chat(ChatId(moved), ChatId(new_home))
            .await
            .unwrap();
        storage
            .migrate_chat(ChatId(merged), ChatId(own_supergroup))
            .await
            .unwrap();
        assert!(storage.unsubscribe(ChatId(stopped)).await.unwrap());

        let (by_chat, orphans) = rows_by_chat(&storage).await;
        assert_eq!(orphans, 0);
        assert_eq!(
            by_chat,
            [(own_supergroup, 2), (new_home, 2), (stays, 2)],
            "each statement once per chat"
        );
        for gone in [moved, merged, stopped] {
            assert_eq!(storage.rows_about_chat(ChatId(gone)).await.unwrap(), 0);
        }
        let pending_for_new_home: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM deliveries WHERE chat_id = ?1 AND status = 'pending'",
        )
        .bind(new_home)
        .fetch_one(&storage.pool)
        .await
        .unwrap();
        assert_eq!(pending_for_new_home, 2);
        let (messages, violations): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM delivery_messages),
                    (SELECT COUNT(*) FROM pragma_foreign_key_check)",
        )
        .fetch_one(&storage.pool)
        .await
        .unwrap();
        assert_eq!((messages, violations), (0, 0));
        storage.close().await;
    }
}
