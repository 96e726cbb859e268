//! The one way each domain id and name enters and leaves SQL. Domain types stay free of
//! sqlx; their SQLite encoding is written here, once.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::sqlite::{Sqlite, SqliteArgumentValue, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Type};

use super::StorageError;
use crate::domain::{ChatId, SourceKey, StatementId, UnknownValue, UserId};

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

impl Type<Sqlite> for SourceKey {
    fn type_info() -> SqliteTypeInfo {
        <str as Type<Sqlite>>::type_info()
    }
    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <str as Type<Sqlite>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Sqlite> for SourceKey {
    fn encode_by_ref(
        &self,
        args: &mut Vec<SqliteArgumentValue<'q>>,
    ) -> Result<IsNull, BoxDynError> {
        <String as Encode<'q, Sqlite>>::encode(self.as_str().to_string(), args)
    }
}

impl<'r> Decode<'r, Sqlite> for SourceKey {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(SourceKey::stored(<String as Decode<'r, Sqlite>>::decode(
            value,
        )?))
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
