//! The ids that travel between rooms, each its own type so that a chat id can never be
//! passed where a user id or a statement number is meant. Conversions to and from
//! Telegram's types live in `telegram::ids`, to and from SQL in `storage::ids`: one each.

use std::fmt;

use chrono::{DateTime, Utc};

/// A Telegram chat: a private chat (its id is the user's), a group, a supergroup or a
/// channel (negative ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChatId(pub i64);

/// A Telegram user. Unsigned, as Telegram gives it; Telegram promises at most 52
/// significant bits, so every user id is also a chat id and an SQLite integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(pub u64);

/// A statement's number in the archive, `#id` to readers. The default, 0, is no statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct StatementId(pub i64);

impl UserId {
    /// The private chat with this user, which Telegram gives the user's own id. `None` only
    /// for an id beyond what Telegram hands out.
    pub fn private_chat(self) -> Option<ChatId> {
        i64::try_from(self.0).ok().map(ChatId)
    }
}

impl fmt::Display for ChatId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for StatementId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Lets a statement number be compared with a number read from a message or a test.
impl PartialEq<i64> for StatementId {
    fn eq(&self, other: &i64) -> bool {
        self.0 == *other
    }
}

/// What makes a statement "the same one again": the archive stores a statement once per
/// key. Built only through the constructors below, one per kind of source.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SourceKey(String);

impl SourceKey {
    /// A feed entry's guid or id, or its link: whatever the site gave it. `None` when blank.
    pub fn feed(key: &str) -> Option<Self> {
        let key = key.trim();
        (!key.is_empty()).then(|| Self(key.to_string()))
    }

    /// A feed entry with neither guid nor link, known by its title and date.
    pub fn feed_title(title: &str, date: DateTime<Utc>) -> Self {
        Self(format!("title:{title}|{}", date.to_rfc3339()))
    }

    /// A feed entry with neither guid, link nor date, known by a digest of its text.
    pub fn feed_digest(digest: u64) -> Self {
        Self(format!("digest:{digest:016x}"))
    }

    /// A statement an admin posted through the bot: the chat and the message that posted
    /// it, so that the same message (or a double tap) never posts twice.
    pub fn admin(chat: ChatId, message_id: i32) -> Self {
        Self(format!("admin:{chat}:{message_id}"))
    }

    /// Whether an admin posted it through the bot (so its body is HTML we built).
    pub fn is_admin(&self) -> bool {
        self.0.starts_with("admin:")
    }

    /// A key as the archive stores it.
    pub fn stored(key: String) -> Self {
        Self(key)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SourceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A key reads as the text it is.
impl std::ops::Deref for SourceKey {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for SourceKey {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for SourceKey {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_say_where_a_statement_came_from() {
        assert_eq!(SourceKey::admin(ChatId(-100), 7), "admin:-100:7");
        assert_eq!(
            SourceKey::feed("  guid-1 "),
            Some(SourceKey::stored("guid-1".into()))
        );
        assert_eq!(SourceKey::feed("  "), None);
        assert_eq!(SourceKey::feed_digest(255), "digest:00000000000000ff");
    }

    #[test]
    fn a_user_is_the_chat_with_them() {
        assert_eq!(UserId(42).private_chat(), Some(ChatId(42)));
        assert_eq!(UserId(u64::MAX).private_chat(), None);
    }
}
