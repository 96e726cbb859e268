//! Incoming updates with files that the guided `/post` and forwards take: an album (a media
//! group: separate messages sharing a `media_group_id`, the caption on the first) and a
//! forwarded file (`forward_origin`). Single files are [`FakeTelegram::push_private_media`].

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};

use super::fake_telegram::FakeTelegram;

/// Media group ids, unique within the test binary, as Telegram's are.
static NEXT_MEDIA_GROUP: AtomicU64 = AtomicU64::new(13_000_000_000_000_000);

impl FakeTelegram {
    /// An album from `user_id`: `files` as (kind, file id), 2–10 of them, as Telegram sends
    /// one: one message each, in order, sharing a `media_group_id`, with `caption` and its
    /// `caption_entities` on the first. Returns the message ids.
    pub fn push_album(
        &self,
        user_id: i64,
        files: &[(&str, &str)],
        caption: &str,
        caption_entities: Value,
    ) -> Vec<i64> {
        assert!(
            (2..=10).contains(&files.len()),
            "Telegram's albums hold 2-10 files, not {}",
            files.len()
        );
        let group = NEXT_MEDIA_GROUP.fetch_add(1, Ordering::Relaxed).to_string();
        files
            .iter()
            .enumerate()
            .map(|(position, (kind, file_id))| {
                let (caption, entities) = if position == 0 {
                    (caption, caption_entities.clone())
                } else {
                    ("", json!([]))
                };
                let (message_id, mut update) =
                    self.private_media(user_id, kind, file_id, caption, entities);
                update["message"]["media_group_id"] = json!(group);
                self.push_update(update);
                message_id
            })
            .collect()
    }

    /// A file forwarded by `user_id` from `origin` (a `MessageOrigin` object), with its
    /// caption and caption entities. Returns the message id.
    pub fn push_forwarded_media(
        &self,
        user_id: i64,
        kind: &str,
        file_id: &str,
        caption: &str,
        caption_entities: Value,
        origin: Value,
    ) -> i64 {
        let (message_id, mut update) =
            self.private_media(user_id, kind, file_id, caption, caption_entities);
        update["message"]["forward_origin"] = origin;
        self.push_update(update);
        message_id
    }
}
