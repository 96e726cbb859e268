//! Telegram moves a group to a supergroup under a new id; the subscription follows.

use super::{Storage, StorageError};
use crate::domain::ChatId;
use crate::domain::time::now_ms;

impl Storage {
    /// Telegram moved a group to a supergroup: the subscription (and its queued rows,
    /// through ON UPDATE CASCADE) follows it to the new id.
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
            // The supergroup subscribed on its own; it has its own rows already.
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
        }
        tx.commit().await?;
        Ok(())
    }
}
