//! Splitting long text into Telegram-sized parts. Telegram measures messages in UTF-16
//! code units, so an emoji counts twice and a Persian letter once.

/// Length as Telegram counts it.
pub fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// Every character fits in two UTF-16 units; a smaller limit could never make progress.
const SMALLEST_USEFUL_LIMIT: usize = 2;

const SENTENCE_ENDS: [char; 5] = ['.', '!', '?', '؟', '۔'];

/// Splits plain text into trimmed, non-empty parts of at most `max_utf16` UTF-16 units,
/// cutting at a paragraph break if there is one in the second half of the allowance, else a
/// line break, else a sentence end, else any space. A word is cut only when it alone is
/// longer than the limit. Only whitespace is lost. Limits below 2 are treated as 2.
pub fn split_plain(text: &str, max_utf16: usize) -> Vec<String> {
    let limit = max_utf16.max(SMALLEST_USEFUL_LIMIT);
    let mut parts = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let window_end = longest_prefix_within(rest, limit);
        if window_end == rest.len() {
            parts.push(rest.to_string());
            break;
        }
        let cut = best_cut(rest, window_end);
        let (part, tail) = rest.split_at(cut);
        let part = part.trim();
        if !part.is_empty() {
            parts.push(part.to_string());
        }
        rest = tail.trim_start();
    }
    parts
}

/// Byte length of the longest prefix of `s` that fits in `limit` UTF-16 units.
fn longest_prefix_within(s: &str, limit: usize) -> usize {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > limit {
            return i;
        }
    }
    s.len()
}

/// Where to end the next part: a byte offset in `1..=window_end` on a char boundary.
/// `text` starts with a non-space character and goes on past `window_end`.
fn best_cut(text: &str, window_end: usize) -> usize {
    let window = &text[..window_end];
    // A paragraph, line or sentence break near the start would leave a tiny part, then
    // another full one: cutting at a space close to the limit reads better.
    let far_enough = |at: usize| at > 0 && at >= window_end / 2;

    if let Some(at) = window.rfind("\n\n").filter(|&at| far_enough(at)) {
        return at;
    }
    if let Some(at) = window.rfind('\n').filter(|&at| far_enough(at)) {
        return at;
    }
    if let Some(at) = last_sentence_end(text, window_end).filter(|&at| far_enough(at)) {
        return at;
    }
    if text[window_end..].starts_with(char::is_whitespace) {
        return window_end;
    }
    if let Some((at, _)) = window
        .char_indices()
        .rev()
        .find(|(at, c)| *at > 0 && c.is_whitespace())
    {
        return at;
    }
    // One word longer than the limit: cut it where the limit falls.
    if window_end > 0 {
        window_end
    } else {
        text.chars().next().map_or(text.len(), char::len_utf8)
    }
}

/// Offset just after the last sentence-ending mark inside the window that is followed by
/// whitespace (which may lie just past the window: it is trimmed away anyway).
fn last_sentence_end(text: &str, window_end: usize) -> Option<usize> {
    text[..window_end]
        .char_indices()
        .rev()
        .filter(|(_, c)| SENTENCE_ENDS.contains(c))
        .map(|(at, c)| at + c.len_utf8())
        .find(|&after| text[after..].starts_with(char::is_whitespace))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::test_support::mixed_text;
    use proptest::prelude::*;

    fn non_whitespace(s: &str) -> String {
        s.chars().filter(|c| !c.is_whitespace()).collect()
    }

    #[test]
    fn counts_utf16_units() {
        assert_eq!(utf16_len("abc"), 3);
        assert_eq!(utf16_len("سلام"), 4);
        assert_eq!(utf16_len("😀"), 2);
        assert_eq!(utf16_len("می\u{200C}شود"), 6);
    }

    #[test]
    fn short_and_empty_text() {
        assert!(split_plain("", 10).is_empty());
        assert!(split_plain(" \n\n ", 10).is_empty());
        assert_eq!(split_plain("  سلام  ", 10), vec!["سلام"]);
    }

    #[test]
    fn prefers_paragraphs_then_lines_then_sentences_then_spaces() {
        assert_eq!(
            split_plain("aaaa bbbb\n\ncccc dddd", 15),
            vec!["aaaa bbbb", "cccc dddd"]
        );
        assert_eq!(
            split_plain("aaaa bbbb\ncccc dddd", 15),
            vec!["aaaa bbbb", "cccc dddd"]
        );
        assert_eq!(
            split_plain("جمله اول است؟ جمله دوم", 18),
            vec!["جمله اول است؟", "جمله دوم"]
        );
        assert_eq!(
            split_plain("aaa bbb ccc ddd", 9),
            vec!["aaa bbb", "ccc ddd"]
        );
        // A break too early in the allowance loses to a space near the limit.
        assert_eq!(
            split_plain("a\n\nbbbb cccc dddd eeee", 12),
            vec!["a\n\nbbbb cccc", "dddd eeee"]
        );
    }

    #[test]
    fn long_words_are_cut_on_char_boundaries() {
        let parts = split_plain(&"😀".repeat(5), 3);
        assert_eq!(parts, vec!["😀", "😀", "😀", "😀", "😀"]);
        assert_eq!(split_plain("abcdefg", 3), vec!["abc", "def", "g"]);
    }

    #[test]
    fn tiny_limits_still_make_progress() {
        assert_eq!(split_plain("😀a", 0), vec!["😀", "a"]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn parts_fit_and_keep_every_character(s in mixed_text(600), limit in 2usize..200) {
            let parts = split_plain(&s, limit);
            for part in &parts {
                prop_assert!(utf16_len(part) <= limit);
                prop_assert!(!part.is_empty());
                prop_assert_eq!(part.trim(), part.as_str());
            }
            prop_assert_eq!(non_whitespace(&parts.concat()), non_whitespace(&s));
        }

        #[test]
        fn words_are_not_cut_when_they_fit(
            words in prop::collection::vec("[a-zابپ]{1,8}", 0..200),
            limit in 8usize..100,
        ) {
            let text = words.join(" ");
            for part in split_plain(&text, limit) {
                for word in part.split(' ') {
                    prop_assert!(words.iter().any(|w| w == word), "{:?} is not a whole word", word);
                }
            }
        }
    }
}
