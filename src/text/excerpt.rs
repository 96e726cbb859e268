//! A statement's opening words, for cards in `/latest`, search results and broadcasts.

/// How much of a statement a card shows: enough to decide whether to read on.
pub const EXCERPT_CHARS: usize = 300;

use crate::text::format::{is_valid_telegram_html, parse_entity, visible_text};
use crate::text::html::{escape, push_escaped};

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

/// A card opens at most this many tags of a statement's formatting: with the card's own
/// few, a message stays far below the 100 entities Telegram allows.
pub const MAX_EXCERPT_TAGS: usize = 50;

/// The excerpt of a formatted statement: the same words as [`excerpt`] of its plain text,
/// with the formatting that covers them, every tag still open at the cut closed again.
/// `html` must be valid Telegram HTML whose text is `plain`; otherwise (say, a stored body
/// that is not ours) the excerpt is the plain one, escaped.
pub fn excerpt_html(html: &str, plain: &str, max_chars: usize) -> String {
    let collapsed = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let wanted = collapsed(plain);
    if !is_valid_telegram_html(html) || collapsed(&visible_text(html)) != wanted {
        return escape(&excerpt(plain, max_chars));
    }
    let cut = excerpt(plain, max_chars);
    let is_cut = wanted.chars().count() > max_chars;
    let keep = if is_cut {
        cut.chars().count().saturating_sub(1)
    } else {
        usize::MAX
    };
    let mut out = FormattedPrefix::new(keep);
    out.walk(html);
    out.finish(is_cut)
}

/// The walk behind [`excerpt_html`]: whitespace collapsed as [`excerpt`] does, text counted
/// in characters, tags kept as they nest.
struct FormattedPrefix<'a> {
    out: String,
    keep: usize,
    kept: usize,
    pending_space: bool,
    /// Open tags, innermost last: the name, the tag as written, and what became of it.
    open: Vec<(&'a str, &'a str, Tag)>,
    written_tags: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tag {
    Written,
    /// Opened after a space not yet written: the space goes before it, so that a bold word
    /// does not start with a bold space. Held tags are always the innermost.
    Held,
    /// Past [`MAX_EXCERPT_TAGS`]: left out, and so is its end.
    Skipped,
}

impl<'a> FormattedPrefix<'a> {
    fn new(keep: usize) -> Self {
        Self {
            out: String::new(),
            keep,
            kept: 0,
            pending_space: false,
            open: Vec::new(),
            written_tags: 0,
        }
    }

    fn walk(&mut self, html: &'a str) {
        let mut rest = html;
        while self.kept < self.keep {
            let Some(c) = rest.chars().next() else {
                return;
            };
            if c == '<' {
                let Some(end) = rest.find('>') else {
                    return;
                };
                self.tag(&rest[..=end]);
                rest = &rest[end + 1..];
                continue;
            }
            let (decoded, len) = if c == '&' {
                parse_entity(rest).unwrap_or(('&', 1))
            } else {
                (c, c.len_utf8())
            };
            rest = &rest[len..];
            self.character(decoded);
        }
    }

    fn tag(&mut self, tag: &'a str) {
        if let Some(name) = tag.strip_prefix("</") {
            let name = name.trim_end_matches('>').trim_end();
            if let Some((open, _, Tag::Written)) = self.open.pop()
                && open == name
            {
                self.out.push_str(tag);
            }
            return;
        }
        let inside = tag.trim_start_matches('<').trim_end_matches('>');
        let name = inside.split_whitespace().next().unwrap_or_default();
        let state = if self.written_tags >= MAX_EXCERPT_TAGS {
            Tag::Skipped
        } else if self.pending_space {
            Tag::Held
        } else {
            Tag::Written
        };
        if state != Tag::Skipped {
            self.written_tags += 1;
        }
        if state == Tag::Written {
            self.out.push_str(tag);
        }
        self.open.push((name, tag, state));
    }

    fn character(&mut self, c: char) {
        if c.is_whitespace() {
            self.pending_space = self.kept > 0;
            return;
        }
        if self.pending_space {
            self.pending_space = false;
            self.out.push(' ');
            self.kept += 1;
            for (_, tag, state) in self.open.iter_mut().filter(|t| t.2 == Tag::Held) {
                self.out.push_str(tag);
                *state = Tag::Written;
            }
            if self.kept >= self.keep {
                return;
            }
        }
        push_escaped(&mut self.out, c);
        self.kept += 1;
    }

    fn finish(mut self, is_cut: bool) -> String {
        while let Some((name, _, state)) = self.open.pop() {
            if state == Tag::Written {
                self.out.push_str("</");
                self.out.push_str(name);
                self.out.push('>');
            }
        }
        if is_cut {
            self.out.push(ELLIPSIS);
        }
        self.out
    }
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

    #[test]
    fn a_formatted_excerpt_closes_what_it_cut() {
        let html = "<b>one <i>two</i> three</b> four";
        let plain = "one two three four";
        assert_eq!(excerpt_html(html, plain, 10), "<b>one <i>two</i></b>…");
        assert_eq!(excerpt_html(html, plain, 9), "<b>one <i>two</i></b>…");
        assert_eq!(excerpt_html(html, plain, 300), html);
        let pre = "<pre><code class=\"language-rust\">fn main()\n{}</code></pre> tail";
        assert_eq!(
            excerpt_html(pre, "fn main()\n{} tail", 8),
            "<pre><code class=\"language-rust\">fn main</code></pre>…"
        );
    }

    #[test]
    fn html_that_is_not_ours_gives_the_plain_excerpt() {
        assert_eq!(excerpt_html("<p>a</p>", "a", 300), "a");
        assert_eq!(excerpt_html("<b>x</b>", "y <z>", 300), "y &lt;z&gt;");
    }

    #[test]
    fn a_formatted_excerpt_keeps_to_the_tag_budget() {
        let html = "<b>a</b> ".repeat(200);
        let plain = "a ".repeat(200);
        let e = excerpt_html(&html, &plain, 300);
        assert_eq!(e.matches("<b>").count(), MAX_EXCERPT_TAGS);
        assert!(is_valid_telegram_html(&e), "{e}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn a_formatted_excerpt_is_valid_and_reads_as_the_plain_one(
            text in mixed_text(400),
            entities in prop::collection::vec((0usize..5, 0usize..400, 0usize..200), 0..20),
            max in 0usize..350,
        ) {
            use crate::text::entities::{Entity, Style, to_telegram_html};
            let styles = [Style::Bold, Style::Italic, Style::Code, Style::Blockquote, Style::Pre { language: Some("c".into()) }];
            let entities: Vec<Entity> = entities
                .into_iter()
                .map(|(s, offset, length)| Entity { style: styles[s].clone(), offset, length })
                .collect();
            let html = to_telegram_html(&text, &entities);
            let e = excerpt_html(&html, &text, max);
            prop_assert!(is_valid_telegram_html(&e), "{:?}", e);
            prop_assert_eq!(visible_text(&e), excerpt(&text, max));
        }

        #[test]
        fn never_longer_than_allowed(s in mixed_text(500), max in 0usize..400) {
            let e = excerpt(&s, max);
            prop_assert!(e.chars().count() <= max + 1);
            prop_assert!(!e.ends_with("……") && !e.ends_with(".…"));
            prop_assert!(!e.contains('\n'));
        }
    }
}
