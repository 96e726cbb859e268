//! A statement's opening words, for cards in `/latest`, search results and broadcasts.

/// How much of a statement a card shows: enough to decide whether to read on.
pub const EXCERPT_CHARS: usize = 300;

const ELLIPSIS: char = '…';

/// Cutting at a space is preferred only if it keeps at least this share of the allowed
/// length; otherwise one very long word would leave an excerpt of almost nothing.
const MIN_KEPT_NUMERATOR: usize = 2;
const MIN_KEPT_DENOMINATOR: usize = 3;

/// Whitespace collapsed to single spaces; if longer than `max_chars` characters, cut at the
/// last word boundary (or hard, if the last third has none), trailing punctuation dropped and
/// `…` appended. The result never exceeds `max_chars + 1` characters.
pub fn excerpt(plain: &str, max_chars: usize) -> String {
    let collapsed = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= max_chars {
        return collapsed;
    }

    let cut_byte = collapsed
        .char_indices()
        .nth(max_chars)
        .map_or(collapsed.len(), |(i, _)| i);
    let (head, rest) = collapsed.split_at(cut_byte);
    let word_ends_at_cut = rest.starts_with(' ');
    let kept = if word_ends_at_cut {
        head
    } else {
        match head.rfind(' ') {
            Some(space)
                if head[..space].chars().count() * MIN_KEPT_DENOMINATOR
                    >= max_chars * MIN_KEPT_NUMERATOR =>
            {
                &head[..space]
            }
            _ => head,
        }
    };

    // `…` after a comma or a full stop reads as a mistake, and `……` or `....…` even more so.
    let trimmed = kept.trim_end_matches(|c: char| c.is_whitespace() || is_trailing_punctuation(c));
    let mut out = String::with_capacity(trimmed.len() + ELLIPSIS.len_utf8());
    out.push_str(trimmed);
    out.push(ELLIPSIS);
    out
}

fn is_trailing_punctuation(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | ';'
            | ':'
            | '-'
            | '–'
            | '—'
            | '…'
            | '،'
            | '؛'
            | '۔'
            | '·'
            | '/'
            | '\\'
            | '('
            | '['
            | '«'
            | '“'
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::test_support::mixed_text;
    use proptest::prelude::*;

    #[test]
    fn short_text_is_only_collapsed() {
        assert_eq!(excerpt("  سلام \n\n دنیا\t!  ", 300), "سلام دنیا !");
        assert_eq!(excerpt("", 300), "");
        assert_eq!(excerpt("ends with...", 300), "ends with...");
        assert_eq!(excerpt("ends with…", 300), "ends with…");
    }

    #[test]
    fn cuts_at_a_word_boundary() {
        assert_eq!(excerpt("one two three four", 10), "one two…");
        assert_eq!(excerpt("one two three four", 13), "one two three…");
        assert_eq!(excerpt("نیروهای امنیتی کشته شدند", 16), "نیروهای امنیتی…");
    }

    #[test]
    fn drops_trailing_punctuation_and_never_doubles_the_ellipsis() {
        assert_eq!(excerpt("first, second, third", 14), "first, second…");
        assert_eq!(excerpt("wait... and more text here", 8), "wait…");
        assert_eq!(excerpt("wait… and more text here", 6), "wait…");
        assert_eq!(excerpt("one… two… three…", 10), "one… two…");
    }

    #[test]
    fn a_very_long_word_is_cut_hard() {
        let long = format!("a {}", "b".repeat(100));
        assert_eq!(excerpt(&long, 10), format!("a {}…", "b".repeat(8)));
    }

    #[test]
    fn zero_length_is_just_the_ellipsis() {
        assert_eq!(excerpt("text", 0), "…");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn never_longer_than_allowed(s in mixed_text(500), max in 0usize..400) {
            let e = excerpt(&s, max);
            prop_assert!(e.chars().count() <= max + 1);
            prop_assert!(!e.ends_with("……") && !e.ends_with(".…"));
            prop_assert!(!e.contains('\n'));
        }
    }
}
