//! Keeping Persian lines right-to-left in Telegram, which picks each line's direction from
//! its first strong character. Only RLM is used: clients may strip the embedding and
//! override controls (U+202A–U+202E).

/// RIGHT-TO-LEFT MARK: a strong RTL character that is invisible.
pub const RLM: char = '\u{200F}';

/// Starts with RLM every line whose first visible character is not a right-to-left letter
/// (a Latin word, a digit, a URL, punctuation, an entity such as `&lt;`). Tags (`<b>`) are
/// skipped when looking, since Telegram does not show them. Idempotent; empty lines are
/// left alone.
pub fn rtl_lines(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 16);
    for (index, line) in s.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        if needs_rlm(line) {
            out.push(RLM);
        }
        out.push_str(line);
    }
    out
}

fn needs_rlm(line: &str) -> bool {
    match first_visible_char(line) {
        None => false,
        Some(c) => !is_strong_rtl(c),
    }
}

/// Letters of the Hebrew, Arabic and Persian blocks and their presentation forms; RLM and
/// ALM count too, so a line already marked is left alone. Digits and punctuation in these
/// blocks (`۱۳`, `،`) are weak: a line starting with them may still turn left-to-right.
fn is_strong_rtl(c: char) -> bool {
    let in_rtl_block = matches!(
        c,
        '\u{0590}'..='\u{08FF}' | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}'
    );
    c == RLM || c == '\u{061C}' || (in_rtl_block && c.is_alphabetic())
}

/// The first character a reader would see: whitespace skipped, `<tag ...>` skipped, an
/// entity read as the character it stands for.
fn first_visible_char(line: &str) -> Option<char> {
    let mut rest = line;
    loop {
        rest = rest.trim_start();
        let c = rest.chars().next()?;
        if c == '<'
            && let Some(after_tag) = skip_tag(rest)
        {
            rest = after_tag;
            continue;
        }
        if c == '&' {
            return Some(decode_entity(rest).unwrap_or('&'));
        }
        return Some(c);
    }
}

/// The text after a leading `<tag ...>` or `</tag>`; `None` when the `<` is not a tag.
fn skip_tag(s: &str) -> Option<&str> {
    let body = s.strip_prefix('<')?;
    let starts_like_a_tag = body
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '/');
    if !starts_like_a_tag {
        return None;
    }
    let close = body.find('>')?;
    body.get(close + 1..)
}

/// The character a leading `&name;` or `&#...;` stands for, for the entities Telegram knows.
fn decode_entity(s: &str) -> Option<char> {
    let end = s.find(';')?;
    let name = s.get(1..end)?;
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse::<u32>().ok()?,
            };
            char::from_u32(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::test_support::mixed_text;
    use proptest::prelude::*;

    #[test]
    fn marks_lines_that_would_turn_left_to_right() {
        let text = "سلام دنیا\nhttps://example.org\n\n19 May\n۱۹ اردیبهشت\n  Hello";
        let expected = format!(
            "سلام دنیا\n{RLM}https://example.org\n\n{RLM}19 May\n{RLM}۱۹ اردیبهشت\n{RLM}  Hello"
        );
        assert_eq!(rtl_lines(text), expected);
    }

    #[test]
    fn looks_past_tags_and_reads_entities() {
        assert_eq!(rtl_lines("<b>عنوان</b>"), "<b>عنوان</b>");
        assert_eq!(rtl_lines("<b>Title</b>"), format!("{RLM}<b>Title</b>"));
        assert_eq!(
            rtl_lines("<a href=\"x\">ادامه</a>"),
            "<a href=\"x\">ادامه</a>"
        );
        assert_eq!(rtl_lines("&lt;b&gt; سلام"), format!("{RLM}&lt;b&gt; سلام"));
        assert_eq!(rtl_lines("&#1587;لام"), "&#1587;لام");
        // A `<` that is not a tag is what the reader sees first.
        assert_eq!(rtl_lines("< سلام"), format!("{RLM}< سلام"));
    }

    #[test]
    fn leaves_empty_lines_and_marked_lines_alone() {
        assert_eq!(rtl_lines(""), "");
        assert_eq!(rtl_lines("\n  \n"), "\n  \n");
        let marked = format!("{RLM}Hello");
        assert_eq!(rtl_lines(&marked), marked);
    }

    #[test]
    fn never_uses_embeddings() {
        let out = rtl_lines("a\nb\n<i>c</i>");
        assert!(!out.chars().any(|c| ('\u{202A}'..='\u{202E}').contains(&c)));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn idempotent_and_only_adds_marks(s in mixed_text(300)) {
            let once = rtl_lines(&s);
            prop_assert_eq!(rtl_lines(&once), once.clone());
            prop_assert_eq!(once.replace(RLM, ""), s.replace(RLM, ""));
            prop_assert_eq!(once.lines().count(), s.lines().count());
        }
    }
}
