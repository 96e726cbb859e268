//! Packing formatted blocks (statement cards) into one Telegram message.

use crate::text::format::TELEGRAM_TEXT_LIMIT;
use crate::text::split::utf16_len;

const SEPARATOR: &str = "\n\n";

/// As many leading blocks as fit in one message, and how many that is (at least one, since
/// a single card always fits). A page of results must be one message, so that its buttons
/// sit under it and it can be edited in place.
pub fn one_message(blocks: &[String]) -> (String, usize) {
    let mut message = String::new();
    // The message's length so far, in UTF-16 units: counted once per block.
    let mut length = 0;
    let mut taken = 0;
    for block in blocks {
        let needed = if message.is_empty() {
            utf16_len(block)
        } else {
            length + utf16_len(SEPARATOR) + utf16_len(block)
        };
        if needed > TELEGRAM_TEXT_LIMIT && taken > 0 {
            break;
        }
        if !message.is_empty() {
            message.push_str(SEPARATOR);
        }
        message.push_str(block);
        length = needed;
        taken += 1;
    }
    (message, taken)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_whole_blocks_while_they_fit() {
        let blocks: Vec<String> = (0..10)
            .map(|i| format!("<b>{i}</b> {}", "ب".repeat(900)))
            .collect();
        let (message, taken) = one_message(&blocks);
        assert_eq!(taken, 4);
        assert!(utf16_len(&message) <= TELEGRAM_TEXT_LIMIT);
        assert_eq!(message.matches("<b>").count(), 4);
    }

    #[test]
    fn a_single_block_always_goes() {
        let (message, taken) = one_message(&["x".repeat(5000)]);
        assert_eq!((message.len(), taken), (5000, 1));
        assert_eq!(one_message(&[]), (String::new(), 0));
    }
}
