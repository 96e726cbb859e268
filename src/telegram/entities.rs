//! The one place where Telegram's message entities become `text`'s: the formatting an admin
//! typed, for the converter in `text::entities`. Kinds we do not keep (mentions, hashtags,
//! custom emoji, …) are left out, so their text shows plain.

use teloxide::types::{Message, MessageEntity, MessageEntityKind};

use crate::text::{Entity, Formatted, Style};

fn style_of(kind: &MessageEntityKind) -> Option<Style> {
    Some(match kind {
        MessageEntityKind::Bold => Style::Bold,
        MessageEntityKind::Italic => Style::Italic,
        MessageEntityKind::Underline => Style::Underline,
        MessageEntityKind::Strikethrough => Style::Strikethrough,
        MessageEntityKind::Spoiler => Style::Spoiler,
        MessageEntityKind::Code => Style::Code,
        MessageEntityKind::Pre { language } => Style::Pre {
            language: language.clone(),
        },
        MessageEntityKind::Blockquote => Style::Blockquote,
        MessageEntityKind::ExpandableBlockquote => Style::ExpandableBlockquote,
        MessageEntityKind::TextLink { url } => Style::Link {
            url: url.to_string(),
        },
        _ => return None,
    })
}

fn entity_of(entity: &MessageEntity) -> Option<Entity> {
    Some(Entity {
        style: style_of(&entity.kind)?,
        offset: entity.offset,
        length: entity.length,
    })
}

/// A message's text and the formatting we keep; empty for a message without text.
pub fn formatted(msg: &Message) -> Formatted {
    Formatted {
        text: msg.text().unwrap_or_default().to_string(),
        entities: msg
            .entities()
            .unwrap_or_default()
            .iter()
            .filter_map(entity_of)
            .collect(),
    }
}

/// The end of a message's text that `tail` is (a command's arguments), with its formatting.
pub fn formatted_tail(msg: &Message, tail: &str) -> Formatted {
    tail_of(formatted(msg), tail)
}

fn tail_of(whole: Formatted, tail: &str) -> Formatted {
    match whole.text.len().checked_sub(tail.len()) {
        Some(start) if whole.text.ends_with(tail) => whole.slice(start..whole.text.len()),
        _ => Formatted::plain(tail),
    }
}

/// A media message's caption and the formatting we keep; empty without a caption.
pub fn formatted_caption(msg: &Message) -> Formatted {
    Formatted {
        text: msg.caption().unwrap_or_default().to_string(),
        entities: msg
            .caption_entities()
            .unwrap_or_default()
            .iter()
            .filter_map(entity_of)
            .collect(),
    }
}

/// The end of a caption that `tail` is (a command's arguments), with its formatting.
pub fn formatted_caption_tail(msg: &Message, tail: &str) -> Formatted {
    tail_of(formatted_caption(msg), tail)
}

#[cfg(test)]
mod tests {
    use teloxide::types::CustomEmojiId;

    use super::*;

    #[test]
    fn formatting_is_kept_and_the_rest_shows_plain() {
        let kept = MessageEntity::new(
            MessageEntityKind::Pre {
                language: Some("rust".into()),
            },
            1,
            2,
        );
        assert_eq!(
            entity_of(&kept),
            Some(Entity {
                style: Style::Pre {
                    language: Some("rust".into())
                },
                offset: 1,
                length: 2,
            })
        );
        let custom_emoji = MessageEntityKind::CustomEmoji {
            custom_emoji_id: CustomEmojiId("5368324170671202286".into()),
        };
        for plain in [
            custom_emoji,
            MessageEntityKind::Mention,
            MessageEntityKind::Hashtag,
            MessageEntityKind::BotCommand,
        ] {
            assert_eq!(entity_of(&MessageEntity::new(plain, 0, 2)), None);
        }
    }
}
