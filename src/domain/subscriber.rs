//! Who receives statements: only what sending needs, never names or message texts.

use std::fmt;

use super::{ChatId, Lang, UnknownValue};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatKind {
    Private,
    Group,
    Supergroup,
    Channel,
}

impl ChatKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChatKind::Private => "private",
            ChatKind::Group => "group",
            ChatKind::Supergroup => "supergroup",
            ChatKind::Channel => "channel",
        }
    }
}

impl TryFrom<&str> for ChatKind {
    type Error = UnknownValue;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        match s {
            "private" => Ok(ChatKind::Private),
            "group" => Ok(ChatKind::Group),
            "supergroup" => Ok(ChatKind::Supergroup),
            "channel" => Ok(ChatKind::Channel),
            _ => Err(UnknownValue::new("chat kind", s)),
        }
    }
}

impl fmt::Display for ChatKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscriber {
    pub chat_id: ChatId,
    pub kind: ChatKind,
    pub lang: Lang,
    pub active: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscribeOutcome {
    Subscribed,
    AlreadySubscribed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SubscriberCounts {
    pub active: i64,
    /// How many chats were forgotten because Telegram said they are gone (blocked the
    /// bot, deactivated, deleted). Only a number, like `stopped`.
    pub gone: i64,
    /// How many chats ever used /stop. Only a number: /stop forgets who.
    pub stopped: i64,
}
