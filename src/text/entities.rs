//! The formatting an admin typed in Telegram (message entities) as the Telegram HTML we
//! store and send. Offsets are UTF-16 code units, as Telegram counts them; an entity that
//! starts or ends inside a character (half a surrogate pair) is widened to whole characters,
//! one past the end is cut, and links other than http(s) and tg are dropped (their text
//! stays). Every character of the text comes out escaped, so the visible text of the HTML is
//! the input text, whatever the entities say.

use crate::text::html::escape;

/// Telegram allows at most this many entities in one message; more are someone's attack.
pub const MAX_ENTITIES: usize = 100;

/// A programming language name as Telegram takes it in `language-…`: short and plain.
const MAX_LANGUAGE_BYTES: usize = 32;

/// The kinds of formatting we keep. Everything else Telegram marks (mentions, hashtags,
/// custom emoji, …) is shown as its plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Style {
    Bold,
    Italic,
    Underline,
    Strikethrough,
    Spoiler,
    Code,
    Pre { language: Option<String> },
    Blockquote,
    ExpandableBlockquote,
    Link { url: String },
}

/// One stretch of formatting: `length` UTF-16 units from `offset`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    pub style: Style,
    pub offset: usize,
    pub length: usize,
}

/// A text and its formatting, as a message carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Formatted {
    pub text: String,
    pub entities: Vec<Entity>,
}

impl Formatted {
    pub fn plain(text: &str) -> Self {
        Self {
            text: text.to_string(),
            entities: Vec::new(),
        }
    }

    /// The part of the text in `bytes` (char boundaries of `self.text`), with the entities
    /// moved and clipped to it.
    pub fn slice(&self, bytes: std::ops::Range<usize>) -> Formatted {
        let Some(text) = self.text.get(bytes.clone()) else {
            return Formatted::default();
        };
        let start = utf16_len_of(&self.text[..bytes.start]);
        let end = start + utf16_len_of(text);
        let entities = self
            .entities
            .iter()
            .filter_map(|e| {
                let from = e.offset.max(start);
                let to = e.offset.saturating_add(e.length).min(end);
                (from < to).then(|| Entity {
                    style: e.style.clone(),
                    offset: from - start,
                    length: to - from,
                })
            })
            .collect();
        Formatted {
            text: text.to_string(),
            entities,
        }
    }

    /// The text as Telegram HTML with its formatting.
    pub fn to_html(&self) -> String {
        to_telegram_html(&self.text, &self.entities)
    }
}

fn utf16_len_of(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// An entity in byte offsets of the text, ready to be written.
struct Span<'a> {
    style: &'a Style,
    start: usize,
    end: usize,
}

/// Where each character starts, in UTF-16 units and in bytes, and the end of the text.
struct Positions {
    utf16: Vec<usize>,
    bytes: Vec<usize>,
}

impl Positions {
    fn of(text: &str) -> Self {
        let mut utf16 = Vec::with_capacity(text.len() + 1);
        let mut bytes = Vec::with_capacity(text.len() + 1);
        let mut units = 0;
        for (byte, c) in text.char_indices() {
            utf16.push(units);
            bytes.push(byte);
            units += c.len_utf16();
        }
        utf16.push(units);
        bytes.push(text.len());
        Self { utf16, bytes }
    }

    fn total_units(&self) -> usize {
        self.utf16.last().copied().unwrap_or(0)
    }

    /// The byte offset of the character boundary at or before `unit`.
    fn floor(&self, unit: usize) -> usize {
        let index = match self.utf16.binary_search(&unit) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        self.bytes[index.min(self.bytes.len() - 1)]
    }

    /// The byte offset of the character boundary at or after `unit`.
    fn ceil(&self, unit: usize) -> usize {
        let index = match self.utf16.binary_search(&unit) {
            Ok(i) | Err(i) => i,
        };
        self.bytes[index.min(self.bytes.len() - 1)]
    }
}

fn is_allowed_link(url: &str) -> bool {
    match url::Url::parse(url) {
        Ok(u) => match u.scheme() {
            "http" | "https" => u.host_str().is_some(),
            "tg" => true,
            _ => false,
        },
        Err(_) => false,
    }
}

fn is_plain_language(language: &str) -> bool {
    !language.is_empty()
        && language.len() <= MAX_LANGUAGE_BYTES
        && language
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+' | '#' | '.'))
}

/// Outer before inner: a quote holds a pre block, a pre block holds nothing else.
fn depth_rank(style: &Style) -> u8 {
    match style {
        Style::Blockquote | Style::ExpandableBlockquote => 0,
        Style::Pre { .. } => 1,
        Style::Link { .. } => 2,
        Style::Code => 4,
        _ => 3,
    }
}

fn is_quote(style: &Style) -> bool {
    matches!(style, Style::Blockquote | Style::ExpandableBlockquote)
}

fn is_code(style: &Style) -> bool {
    matches!(style, Style::Code | Style::Pre { .. })
}

fn open_tag(style: &Style, out: &mut String) {
    match style {
        Style::Bold => out.push_str("<b>"),
        Style::Italic => out.push_str("<i>"),
        Style::Underline => out.push_str("<u>"),
        Style::Strikethrough => out.push_str("<s>"),
        Style::Spoiler => out.push_str("<tg-spoiler>"),
        Style::Code => out.push_str("<code>"),
        Style::Pre { language: None } => out.push_str("<pre>"),
        Style::Pre {
            language: Some(language),
        } => {
            out.push_str("<pre><code class=\"language-");
            out.push_str(&escape(language));
            out.push_str("\">");
        }
        Style::Blockquote => out.push_str("<blockquote>"),
        Style::ExpandableBlockquote => out.push_str("<blockquote expandable>"),
        Style::Link { url } => {
            out.push_str("<a href=\"");
            out.push_str(&escape(url));
            out.push_str("\">");
        }
    }
}

fn close_tag(style: &Style, out: &mut String) {
    out.push_str(match style {
        Style::Bold => "</b>",
        Style::Italic => "</i>",
        Style::Underline => "</u>",
        Style::Strikethrough => "</s>",
        Style::Spoiler => "</tg-spoiler>",
        Style::Code => "</code>",
        Style::Pre { language: None } => "</pre>",
        Style::Pre { language: Some(_) } => "</code></pre>",
        Style::Blockquote | Style::ExpandableBlockquote => "</blockquote>",
        Style::Link { .. } => "</a>",
    });
}

/// The spans Telegram would accept, in byte offsets, at most [`MAX_ENTITIES`].
fn spans<'a>(text: &str, entities: &'a [Entity]) -> Vec<Span<'a>> {
    let positions = Positions::of(text);
    let total = positions.total_units();
    entities
        .iter()
        .filter(|e| match &e.style {
            Style::Link { url } => is_allowed_link(url),
            Style::Pre {
                language: Some(language),
            } => is_plain_language(language),
            _ => true,
        })
        .filter_map(|e| {
            if e.offset >= total || e.length == 0 {
                return None;
            }
            let start = positions.floor(e.offset);
            let end = positions.ceil(e.offset.saturating_add(e.length).min(total));
            (start < end).then_some(Span {
                style: &e.style,
                start,
                end,
            })
        })
        .take(MAX_ENTITIES)
        .collect()
}

/// Which spans are open over one stretch of text, outermost first, within Telegram's rules
/// of nesting: one quote, one link, and nothing else inside code or pre.
fn open_over<'a>(spans: &[Span<'a>], from: usize, to: usize) -> Vec<usize> {
    let mut active: Vec<usize> = (0..spans.len())
        .filter(|&i| spans[i].start <= from && spans[i].end >= to)
        .collect();
    active.sort_by_key(|&i| {
        (
            depth_rank(spans[i].style),
            spans[i].start,
            std::cmp::Reverse(spans[i].end),
            i,
        )
    });
    let code = active.iter().copied().find(|&i| is_code(spans[i].style));
    let mut kept = Vec::with_capacity(active.len());
    let (mut has_quote, mut has_link) = (false, false);
    for i in active {
        let style = spans[i].style;
        if is_quote(style) {
            if has_quote {
                continue;
            }
            has_quote = true;
        } else if code.is_some() {
            if Some(i) != code {
                continue;
            }
        } else if matches!(style, Style::Link { .. }) {
            if has_link {
                continue;
            }
            has_link = true;
        }
        kept.push(i);
    }
    kept
}

/// `text` as Telegram HTML with `entities` applied. Overlapping entities are closed and
/// opened again where they cross, so the tags always nest.
pub fn to_telegram_html(text: &str, entities: &[Entity]) -> String {
    let spans = spans(text, entities);
    if spans.is_empty() {
        return escape(text);
    }
    let mut cuts: Vec<usize> = spans
        .iter()
        .flat_map(|s| [s.start, s.end])
        .chain([0, text.len()])
        .collect();
    cuts.sort_unstable();
    cuts.dedup();

    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut open: Vec<usize> = Vec::new();
    for pair in cuts.windows(2) {
        let (from, to) = (pair[0], pair[1]);
        let wanted = open_over(&spans, from, to);
        let shared = open.iter().zip(&wanted).take_while(|(a, b)| a == b).count();
        while open.len() > shared {
            if let Some(i) = open.pop() {
                close_tag(spans[i].style, &mut out);
            }
        }
        for &i in &wanted[shared..] {
            open_tag(spans[i].style, &mut out);
            open.push(i);
        }
        out.push_str(&escape(&text[from..to]));
    }
    while let Some(i) = open.pop() {
        close_tag(spans[i].style, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::format::{is_valid_telegram_html, visible_text};
    use crate::text::test_support::mixed_text;
    use proptest::prelude::*;

    fn e(style: Style, offset: usize, length: usize) -> Entity {
        Entity {
            style,
            offset,
            length,
        }
    }

    fn link(url: &str) -> Style {
        Style::Link { url: url.into() }
    }

    #[test]
    fn each_style_becomes_its_tag() {
        let text = "bold italic link";
        let html = to_telegram_html(
            text,
            &[
                e(Style::Bold, 0, 4),
                e(Style::Italic, 5, 6),
                e(link("https://x.org/?a=1&b=2"), 12, 4),
            ],
        );
        assert_eq!(
            html,
            "<b>bold</b> <i>italic</i> <a href=\"https://x.org/?a=1&amp;b=2\">link</a>"
        );
        let html = to_telegram_html(
            "abcdefgh",
            &[
                e(Style::Underline, 0, 1),
                e(Style::Strikethrough, 1, 1),
                e(Style::Spoiler, 2, 1),
                e(Style::Code, 3, 1),
                e(Style::Pre { language: None }, 4, 1),
                e(
                    Style::Pre {
                        language: Some("rust".into()),
                    },
                    5,
                    1,
                ),
                e(Style::Blockquote, 6, 1),
                e(Style::ExpandableBlockquote, 7, 1),
            ],
        );
        assert_eq!(
            html,
            "<u>a</u><s>b</s><tg-spoiler>c</tg-spoiler><code>d</code><pre>e</pre>\
             <pre><code class=\"language-rust\">f</code></pre><blockquote>g</blockquote>\
             <blockquote expandable>h</blockquote>"
        );
        assert!(is_valid_telegram_html(&html));
    }

    #[test]
    fn offsets_are_utf16_units_in_persian_with_emoji() {
        // 😀 is two UTF-16 units; «قوی» starts at unit 7.
        let text = "سلام 😀 قوی";
        let html = to_telegram_html(text, &[e(Style::Bold, 8, 3)]);
        assert_eq!(html, "سلام 😀 <b>قوی</b>");
    }

    #[test]
    fn overlapping_entities_nest() {
        let html = to_telegram_html("abcdef", &[e(Style::Bold, 0, 4), e(Style::Italic, 2, 4)]);
        assert_eq!(html, "<b>ab<i>cd</i></b><i>ef</i>");
        let html = to_telegram_html("abcdef", &[e(Style::Italic, 2, 2), e(Style::Bold, 0, 6)]);
        assert_eq!(html, "<b>ab<i>cd</i>ef</b>");
    }

    #[test]
    fn code_holds_nothing_else_and_links_do_not_nest() {
        let html = to_telegram_html("abcd", &[e(Style::Bold, 0, 4), e(Style::Code, 1, 2)]);
        assert_eq!(html, "<b>a</b><code>bc</code><b>d</b>");
        let html = to_telegram_html(
            "abcd",
            &[
                e(link("https://a.org"), 0, 4),
                e(link("https://b.org"), 1, 2),
            ],
        );
        assert_eq!(html, "<a href=\"https://a.org\">abcd</a>");
    }

    #[test]
    fn hostile_input_is_escaped_or_ignored() {
        let text = "<script>alert(1)</script> & 😀";
        assert_eq!(
            to_telegram_html(text, &[]),
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 😀"
        );
        // Half of the surrogate pair: widened to the whole emoji.
        let html = to_telegram_html("a😀b", &[e(Style::Bold, 2, 1)]);
        assert_eq!(html, "a<b>😀</b>b");
        let html = to_telegram_html("x", &[e(link("javascript:alert(1)"), 0, 1)]);
        assert_eq!(html, "x");
        let html = to_telegram_html("x", &[e(link("tg://user?id=1"), 0, 1)]);
        assert_eq!(html, "<a href=\"tg://user?id=1\">x</a>");
        let html = to_telegram_html("abc", &[e(Style::Bold, 2, 100), e(Style::Italic, 9, 1)]);
        assert_eq!(html, "ab<b>c</b>");
        let html = to_telegram_html("abc", &[e(Style::Bold, usize::MAX, usize::MAX)]);
        assert_eq!(html, "abc");
        let bad_language = Style::Pre {
            language: Some("\"><b>".into()),
        };
        assert_eq!(to_telegram_html("x", &[e(bad_language, 0, 1)]), "x");
    }

    #[test]
    fn a_slice_moves_and_clips_the_entities() {
        let message = Formatted {
            text: "/post عنوان\nمتن قوی".into(),
            entities: vec![e(Style::Bold, 16, 3), e(Style::Italic, 6, 10)],
        };
        let body_start = message.text.find("متن").unwrap();
        let body = message.slice(body_start..message.text.len());
        assert_eq!(body.to_html(), "<i>متن </i><b>قوی</b>");
    }

    fn any_style() -> impl Strategy<Value = Style> {
        prop_oneof![
            Just(Style::Bold),
            Just(Style::Italic),
            Just(Style::Underline),
            Just(Style::Strikethrough),
            Just(Style::Spoiler),
            Just(Style::Code),
            Just(Style::Pre { language: None }),
            Just(Style::Pre {
                language: Some("python".into())
            }),
            Just(Style::Blockquote),
            Just(Style::ExpandableBlockquote),
            Just(link("https://x.org/a?b=<c>&d=\"e\"")),
            Just(link("javascript:alert(1)")),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_entities_give_valid_html_showing_the_text(
            text in mixed_text(80),
            entities in prop::collection::vec((any_style(), 0usize..200, 0usize..200), 0..12),
        ) {
            let entities: Vec<Entity> =
                entities.into_iter().map(|(s, o, l)| e(s, o, l)).collect();
            let html = to_telegram_html(&text, &entities);
            prop_assert!(is_valid_telegram_html(&html), "{:?}", html);
            prop_assert_eq!(visible_text(&html), text);
        }
    }
}
