//! In a group, `/stop`, `/settings` and `/lang` change the subscription for everyone, so only
//! the group's administrators may use them. Telegram is asked (`getChatMember`) and the answer
//! remembered for a few minutes, so a busy group costs one request per person per five minutes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use teloxide::prelude::*;
use teloxide::types::{Chat, ChatMemberKind, User};

use super::JarchiBot;

/// Long enough that a group's settings session asks once; short enough that a demoted admin
/// loses the power soon.
const REMEMBER_FOR: Duration = Duration::from_secs(5 * 60);
const FORGET_ABOVE: usize = 10_000;

#[derive(Debug, Default)]
pub struct GroupAdmins {
    known: Mutex<HashMap<(i64, u64), (bool, Instant)>>,
}

impl GroupAdmins {
    /// Whether `user` (or the group itself, speaking through an anonymous admin) may change
    /// the subscription of `chat`. Anyone may in a private chat.
    pub async fn may_change(
        &self,
        bot: &JarchiBot,
        chat: &Chat,
        user: Option<&User>,
        sender_chat: Option<&Chat>,
    ) -> Result<bool, teloxide::RequestError> {
        if chat.is_private() {
            return Ok(true);
        }
        // Telegram shows an anonymous administrator's messages as sent by the group itself.
        if sender_chat.is_some_and(|sender| sender.id == chat.id) {
            return Ok(true);
        }
        let Some(user) = user else {
            return Ok(false);
        };
        let key = (chat.id.0, user.id.0);
        let now = Instant::now();
        if let Some(known) = self.remembered(key, now) {
            return Ok(known);
        }
        let member = bot.get_chat_member(chat.id, user.id).await?;
        let is_admin = matches!(
            member.kind,
            ChatMemberKind::Owner(_) | ChatMemberKind::Administrator(_)
        );
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        if known.len() > FORGET_ABOVE {
            known.retain(|_, (_, at)| now.duration_since(*at) < REMEMBER_FOR);
        }
        known.insert(key, (is_admin, now));
        Ok(is_admin)
    }

    fn remembered(&self, key: (i64, u64), now: Instant) -> Option<bool> {
        let known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        known
            .get(&key)
            .filter(|(_, at)| now.duration_since(*at) < REMEMBER_FOR)
            .map(|(is_admin, _)| *is_admin)
    }
}
