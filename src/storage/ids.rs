//! The one way each domain id and name enters and leaves SQL. Domain types stay free of
//! sqlx; their SQLite encoding is written here, once.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::sqlite::{Sqlite, SqliteArgumentValue, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Type};

use super::StorageError;
use crate::domain::{ChatId, SourceKey, StatementId, TopicSlug, UnknownValue, UserId};

/// An id stored as an SQLite INTEGER; `to_sql` and `from_sql` may refuse a value that does
/// not fit.
macro_rules! integer_id {
    ($id:ty, $to_sql:expr, $from_sql:expr) => {
        impl Type<Sqlite> for $id {
            fn type_info() -> SqliteTypeInfo {
                <i64 as Type<Sqlite>>::type_info()
            }
            fn compatible(ty: &SqliteTypeInfo) -> bool {
                <i64 as Type<Sqlite>>::compatible(ty)
            }
        }

        impl<'q> Encode<'q, Sqlite> for $id {
            fn encode_by_ref(
                &self,
                args: &mut Vec<SqliteArgumentValue<'q>>,
            ) -> Result<IsNull, BoxDynError> {
                let to_sql: fn(&$id) -> Result<i64, BoxDynError> = $to_sql;
                <i64 as Encode<'q, Sqlite>>::encode(to_sql(self)?, args)
            }
        }

        impl<'r> Decode<'r, Sqlite> for $id {
            fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
                let from_sql: fn(i64) -> Result<$id, BoxDynError> = $from_sql;
                from_sql(<i64 as Decode<'r, Sqlite>>::decode(value)?)
            }
        }
    };
}

integer_id!(ChatId, |id| Ok(id.0), |v| Ok(ChatId(v)));
integer_id!(StatementId, |id| Ok(id.0), |v| Ok(StatementId(v)));
// Telegram's user ids have at most 52 significant bits; one beyond SQLite's integers is
// refused, never wrapped into another user's.
integer_id!(UserId, |id| Ok(i64::try_from(id.0)?), |v| Ok(UserId(
    u64::try_from(v)?
)));

/// A name stored as SQLite TEXT, written as its `as_str()`; each reads itself back below.
macro_rules! text_name {
    ($name:ty) => {
        impl Type<Sqlite> for $name {
            fn type_info() -> SqliteTypeInfo {
                <str as Type<Sqlite>>::type_info()
            }
            fn compatible(ty: &SqliteTypeInfo) -> bool {
                <str as Type<Sqlite>>::compatible(ty)
            }
        }

        impl<'q> Encode<'q, Sqlite> for $name {
            fn encode_by_ref(
                &self,
                args: &mut Vec<SqliteArgumentValue<'q>>,
            ) -> Result<IsNull, BoxDynError> {
                <String as Encode<'q, Sqlite>>::encode(self.as_str().to_string(), args)
            }
        }
    };
}

text_name!(SourceKey);
text_name!(TopicSlug);

impl<'r> Decode<'r, Sqlite> for SourceKey {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(SourceKey::stored(<String as Decode<'r, Sqlite>>::decode(
            value,
        )?))
    }
}

/// A stored slug that is not one (written by hand) is an error, never a default.
impl<'r> Decode<'r, Sqlite> for TopicSlug {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(TopicSlug::new(<&str as Decode<'r, Sqlite>>::decode(
            value,
        )?)?)
    }
}

/// Reads a stored name (a delivery action, a chat kind, a draft step, a language) back
/// into its enum. A value no variant spells is an error naming where it was found,
/// never silently a default.
pub(super) fn read_name<T>(table: &'static str, value: &str) -> Result<T, StorageError>
where
    T: for<'a> TryFrom<&'a str, Error = UnknownValue>,
{
    T::try_from(value).map_err(|unknown| StorageError::UnknownValue { table, unknown })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::domain::{ChatKind, Lang, NewAnnouncement};
    use crate::storage::Storage;

    async fn storage() -> (tempfile::TempDir, Storage) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("j.db").display());
        (dir, Storage::connect(&url).await.unwrap())
    }

    /// Writes what the schema's CHECKs would refuse, as a damaged or hand-edited file may
    /// hold it.
    async fn write_unchecked(storage: &Storage, sql: &str) {
        let mut connection = storage.pool.acquire().await.unwrap();
        sqlx::query("PRAGMA ignore_check_constraints = ON")
            .execute(&mut *connection)
            .await
            .unwrap();
        sqlx::query(sql).execute(&mut *connection).await.unwrap();
        sqlx::query("PRAGMA ignore_check_constraints = OFF")
            .execute(&mut *connection)
            .await
            .unwrap();
    }

    fn assert_names(error: StorageError, table: &str, value: &str) {
        let shown = error.to_string();
        assert!(
            matches!(&error, StorageError::UnknownValue { table: t, unknown } if *t == table && unknown.value == value),
            "{error:?}"
        );
        assert!(shown.contains(table) && shown.contains(value), "{shown}");
    }

    #[tokio::test]
    async fn an_unknown_stored_name_is_an_error_naming_the_table_and_the_value() {
        let (_dir, storage) = storage().await;
        write_unchecked(
            &storage,
            "INSERT INTO subscribers (chat_id, chat_kind, lang, subscribed_at, updated_at)
             VALUES (7, 'robot', 'fa', 0, 0), (8, 'private', 'xx', 0, 0)",
        )
        .await;
        assert_names(
            storage.subscriber(ChatId(7)).await.unwrap_err(),
            "subscribers",
            "robot",
        );
        assert_names(
            storage.subscriber_settings(ChatId(8)).await.unwrap_err(),
            "subscribers",
            "xx",
        );

        write_unchecked(
            &storage,
            &format!(
                "INSERT INTO admin_drafts (user_id, chat_id, step, updated_at)
                 VALUES (9, 9, 'review', {})",
                crate::domain::time::now_ms()
            ),
        )
        .await;
        assert_names(
            storage.draft(UserId(9)).await.unwrap_err(),
            "admin_drafts",
            "review",
        );
    }

    #[tokio::test]
    async fn an_unknown_delivery_action_is_not_sent_as_a_statement() {
        let (_dir, storage) = storage().await;
        storage
            .subscribe(ChatId(5), ChatKind::Private, Lang::Fa)
            .await
            .unwrap();
        let statement =
            NewAnnouncement::new("k", "عنوان", "", "متن", None, chrono::Utc::now()).unwrap();
        storage.publish(&statement).await.unwrap();
        write_unchecked(&storage, "UPDATE deliveries SET action = 'forward'").await;
        assert_names(
            storage
                .claim_deliveries(10, Duration::from_secs(60))
                .await
                .unwrap_err(),
            "deliveries",
            "forward",
        );
    }

    #[tokio::test]
    async fn ids_round_trip_through_sql() {
        let (_dir, storage) = storage().await;
        let (chat, user, statement, key): (ChatId, UserId, StatementId, SourceKey) =
            sqlx::query_as("SELECT ?1, ?2, ?3, ?4")
                .bind(ChatId(-1_001_234_567_890))
                .bind(UserId(9001))
                .bind(StatementId(42))
                .bind(SourceKey::admin(ChatId(-5), 3))
                .fetch_one(&storage.pool)
                .await
                .unwrap();
        assert_eq!(
            (chat, user, statement, key.as_str()),
            (
                ChatId(-1_001_234_567_890),
                UserId(9001),
                StatementId(42),
                "admin:-5:3"
            )
        );
        // A user id beyond SQLite's integers is refused, never wrapped into another one.
        assert!(
            sqlx::query("SELECT ?1")
                .bind(UserId(u64::MAX))
                .fetch_one(&storage.pool)
                .await
                .is_err()
        );
    }
}
