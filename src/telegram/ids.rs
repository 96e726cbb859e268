//! The one conversion between jarchi's ids (`domain`) and teloxide's. `domain` knows
//! nothing of teloxide, so the bridge is here, at the edge that talks to Telegram.

use teloxide::types;

use crate::domain::{ChatId, UserId};

impl From<types::ChatId> for ChatId {
    fn from(id: types::ChatId) -> Self {
        ChatId(id.0)
    }
}

impl From<ChatId> for types::ChatId {
    fn from(id: ChatId) -> Self {
        types::ChatId(id.0)
    }
}

impl From<types::UserId> for UserId {
    fn from(id: types::UserId) -> Self {
        UserId(id.0)
    }
}

impl From<UserId> for types::UserId {
    fn from(id: UserId) -> Self {
        types::UserId(id.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_cross_the_edge_unchanged() {
        let chat = types::ChatId(-1_001_234_567_890);
        assert_eq!(types::ChatId::from(ChatId::from(chat)), chat);
        let user = types::UserId(9001);
        assert_eq!(types::UserId::from(UserId::from(user)), user);
    }
}
