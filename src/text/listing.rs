//! Packing several formatted blocks (statement cards) into as few messages as Telegram allows.

use crate::text::format::TELEGRAM_TEXT_LIMIT;
use crate::text::split::utf16_len;

const SEPARATOR: &str = "\n\n";

/// Joins whole blocks into messages of at most `TELEGRAM_TEXT_LIMIT` UTF-16 units. A block
/// is never cut: each one is valid HTML on its own, and cutting one could split a tag.
/// Raw HTML length is measured, which overestimates what Telegram counts, so the
/// limit holds with room to spare.
pub fn join_blocks(blocks: &[String]) -> Vec<String> {
    let mut messages: Vec<String> = Vec::new();
    let mut current = String::new();
    for block in blocks.iter().filter(|b| !b.trim().is_empty()) {
        let needed = if current.is_empty() {
            utf16_len(block)
        } else {
            utf16_len(&current) + utf16_len(SEPARATOR) + utf16_len(block)
        };
        if needed > TELEGRAM_TEXT_LIMIT && !current.is_empty() {
            messages.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push_str(SEPARATOR);
        }
        current.push_str(block);
    }
    if !current.is_empty() {
        messages.push(current);
    }
    messages
}

/// As many leading blocks as fit in one message, and how many that is (at least one, since
/// a single card always fits). A page of results must be one message, so that its buttons
/// sit under it and it can be edited in place.
pub fn one_message(blocks: &[String]) -> (String, usize) {
    let mut message = String::new();
    let mut taken = 0;
    for block in blocks {
        let needed = if message.is_empty() {
            utf16_len(block)
        } else {
            utf16_len(&message) + utf16_len(SEPARATOR) + utf16_len(block)
        };
        if needed > TELEGRAM_TEXT_LIMIT && taken > 0 {
            break;
        }
        if !message.is_empty() {
            message.push_str(SEPARATOR);
        }
        message.push_str(block);
        taken += 1;
    }
    (message, taken)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_blocks_without_cutting_them() {
        let blocks: Vec<String> = (0..10)
            .map(|i| format!("<b>{i}</b> {}", "ب".repeat(900)))
            .collect();
        let messages = join_blocks(&blocks);
        assert!(messages.len() >= 3);
        assert!(messages.iter().all(|m| utf16_len(m) <= TELEGRAM_TEXT_LIMIT));
        assert_eq!(
            messages
                .iter()
                .map(|m| m.matches("<b>").count())
                .sum::<usize>(),
            10
        );
    }

    #[test]
    fn one_message_takes_what_fits() {
        let blocks: Vec<String> = (0..5).map(|_| "ب".repeat(1500)).collect();
        let (message, taken) = one_message(&blocks);
        assert_eq!(taken, 2);
        assert!(utf16_len(&message) <= TELEGRAM_TEXT_LIMIT);
        assert_eq!(one_message(&blocks[..1]).1, 1);
    }

    #[test]
    fn nothing_in_nothing_out() {
        assert!(join_blocks(&[]).is_empty());
    }
}
