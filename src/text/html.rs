//! HTML in (feed and admin bodies, possibly messy) and out (Telegram's small HTML dialect).

use scraper::{Html, Node};

/// Escapes text for Telegram's HTML parse mode, which knows only these named entities.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    push_escaped_str(&mut out, s);
    out
}

/// [`escape`] onto the end of `out`.
pub(crate) fn push_escaped_str(out: &mut String, s: &str) {
    for c in s.chars() {
        push_escaped(out, c);
    }
}

/// One character of [`escape`].
pub(crate) fn push_escaped(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        other => out.push(other),
    }
}

/// Elements whose content is never text a reader saw.
fn is_invisible(tag: &str) -> bool {
    matches!(
        tag,
        "script" | "style" | "head" | "title" | "template" | "noscript"
    )
}

/// How an element separates its content from what surrounds it.
enum Break {
    Paragraph,
    Line,
    Cell,
}

fn break_around(tag: &str) -> Option<Break> {
    match tag {
        "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "blockquote" | "pre" | "ul" | "ol"
        | "dl" | "table" | "hr" | "figure" | "section" | "article" | "header" | "footer"
        | "aside" | "nav" | "main" | "details" | "fieldset" | "form" => Some(Break::Paragraph),
        "div" | "li" | "tr" | "dt" | "dd" | "address" | "figcaption" | "caption" | "summary"
        | "thead" | "tbody" | "tfoot" | "legend" | "center" => Some(Break::Line),
        "td" | "th" => Some(Break::Cell),
        _ => None,
    }
}

/// Plain text from HTML: blocks on their own lines, paragraphs separated by one blank
/// line, scripts and styles dropped, entities decoded, spaces collapsed.
/// Text without any tags keeps its own line breaks.
pub fn html_to_plain(html: &str) -> String {
    let document = Html::parse_fragment(html);
    let has_markup = document
        .tree
        .root()
        .descendants()
        .filter_map(|node| node.value().as_element())
        .any(|element| element.name() != "html");

    let mut text = PlainText::default();
    // An explicit stack rather than recursion: a hostile body may nest thousands deep.
    // `true` marks the moment an element is left again.
    let mut stack = vec![(document.tree.root(), false)];
    let mut preformatted_depth = 0usize;
    while let Some((node, leaving)) = stack.pop() {
        match node.value() {
            Node::Text(content) => {
                if !has_markup || preformatted_depth > 0 {
                    text.push(content);
                } else {
                    // Line breaks in markup are source formatting, not the author's.
                    text.push(&content.replace('\n', " "));
                }
            }
            Node::Element(element) => {
                let tag = element.name();
                if is_invisible(tag) {
                    continue;
                }
                if tag == "br" {
                    text.line_break();
                    continue;
                }
                match break_around(tag) {
                    Some(Break::Paragraph) => text.break_at_least(PARAGRAPH),
                    Some(Break::Line) => text.break_at_least(LINE),
                    Some(Break::Cell) => text.push(" "),
                    None => {}
                }
                if tag == "pre" {
                    if leaving {
                        preformatted_depth = preformatted_depth.saturating_sub(1);
                    } else {
                        preformatted_depth += 1;
                    }
                }
                if !leaving {
                    push_children(&mut stack, node);
                }
            }
            Node::Document | Node::Fragment if !leaving => push_children(&mut stack, node),
            _ => {}
        }
    }
    normalise_whitespace(&text.out)
}

const LINE: usize = 1;
const PARAGRAPH: usize = 2;

/// Text gathered from the tree. Block boundaries are remembered, not written, until more
/// text follows: nested and adjacent blocks (`<li>` after `</li>`) then give one break,
/// not a pile of them.
#[derive(Default)]
struct PlainText {
    out: String,
    has_text: bool,
    pending_newlines: usize,
}

impl PlainText {
    fn push(&mut self, s: &str) {
        if s.trim().is_empty() {
            // Whitespace between blocks is formatting; it must not trigger the break.
            self.out.push_str(s);
            return;
        }
        if self.has_text {
            for _ in 0..self.pending_newlines {
                self.out.push('\n');
            }
        }
        self.has_text = true;
        self.pending_newlines = 0;
        self.out.push_str(s);
    }

    fn break_at_least(&mut self, newlines: usize) {
        self.pending_newlines = self.pending_newlines.max(newlines);
    }

    /// `<br>` adds to what is pending: two in a row make a paragraph break.
    fn line_break(&mut self) {
        self.pending_newlines = (self.pending_newlines + 1).min(PARAGRAPH);
    }
}

/// Schedules `node`'s leaving marker, then its children in document order.
fn push_children<'a>(
    stack: &mut Vec<(ego_tree_node::NodeRef<'a>, bool)>,
    node: ego_tree_node::NodeRef<'a>,
) {
    stack.push((node, true));
    let children: Vec<_> = node.children().collect();
    stack.extend(children.into_iter().rev().map(|child| (child, false)));
}

/// `scraper` exposes its tree's node type only through `ElementRef`'s `Deref`; naming it
/// here keeps the traversal readable without depending on `ego-tree` directly.
mod ego_tree_node {
    pub type NodeRef<'a> = <scraper::ElementRef<'a> as std::ops::Deref>::Target;
}

/// Collapses spaces and tabs within lines, trims every line, allows at most one blank line
/// in a row, and trims the whole.
fn normalise_whitespace(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut pending_newlines = 0usize;
    for line in raw.split('\n') {
        let collapsed = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if collapsed.is_empty() {
            pending_newlines += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if pending_newlines >= 1 { "\n\n" } else { "\n" });
        }
        out.push_str(&collapsed);
        pending_newlines = 0;
    }
    out
}

/// The `src` of the first `<img>` that has one.
pub fn first_image(html: &str) -> Option<String> {
    let document = Html::parse_fragment(html);
    document
        .tree
        .root()
        .descendants()
        .filter_map(|node| node.value().as_element())
        .filter(|element| element.name() == "img")
        .filter_map(|element| element.attr("src"))
        .map(str::trim)
        .find(|src| !src.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::test_support::mixed_text;
    use proptest::prelude::*;

    #[test]
    fn escapes_the_four_characters_telegram_knows() {
        assert_eq!(
            escape(r#"<b>"Tom" & Jerry</b>"#),
            "&lt;b&gt;&quot;Tom&quot; &amp; Jerry&lt;/b&gt;"
        );
        assert_eq!(escape("سلام 'x'"), "سلام 'x'");
    }

    #[test]
    fn blocks_become_lines_and_paragraphs() {
        let html = "<h1>Title</h1><p>First  para\n  continues</p><p>Second<br>line</p>\
                    <ul><li>one</li><li>two</li></ul><div>a</div><div>b</div>";
        assert_eq!(
            html_to_plain(html),
            "Title\n\nFirst para continues\n\nSecond\nline\n\none\ntwo\n\na\nb"
        );
    }

    #[test]
    fn scripts_styles_and_comments_are_dropped_and_entities_decoded() {
        let html = "<style>p{}</style><script>alert(1)</script><!-- c --><p>a &amp; b &lt;c&gt; &#1587;&nbsp;x</p>";
        assert_eq!(html_to_plain(html), "a & b <c> س x");
    }

    #[test]
    fn messy_html_still_gives_text() {
        assert_eq!(
            html_to_plain("<p>unclosed <b>bold <i>both</p>tail"),
            "unclosed bold both\n\ntail"
        );
        assert_eq!(html_to_plain("<div><p>x</div></span></p>"), "x");
        assert_eq!(html_to_plain("<p></p><p>\n</p>  "), "");
    }

    #[test]
    fn at_most_one_blank_line() {
        assert_eq!(html_to_plain("<p>a</p><br><br><br><p>b</p>"), "a\n\nb");
    }

    #[test]
    fn plain_text_comes_back_whitespace_normalised() {
        let text = "بیانیه   شماره ۱\n\n\n\nمتن  اول\nخط دوم\n\nپایان ";
        assert_eq!(
            html_to_plain(text),
            "بیانیه شماره ۱\n\nمتن اول\nخط دوم\n\nپایان"
        );
        assert_eq!(html_to_plain("a < b & c > d"), "a < b & c > d");
    }

    #[test]
    fn preformatted_text_keeps_its_lines() {
        assert_eq!(html_to_plain("<pre>a\nb</pre>"), "a\nb");
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = "<div>".repeat(20_000) + "deep" + &"</div>".repeat(20_000);
        assert_eq!(html_to_plain(&html), "deep");
    }

    #[test]
    fn finds_the_first_image() {
        assert_eq!(
            first_image(
                r#"<p>x</p><img alt="no src"><img src=" https://x.org/a.jpg "><img src="b.png">"#
            ),
            Some("https://x.org/a.jpg".to_string())
        );
        assert_eq!(first_image("<p>no image</p>"), None);
        assert_eq!(first_image(""), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn escaped_text_has_no_markup(s in mixed_text(200)) {
            let escaped = escape(&s);
            prop_assert!(!escaped.contains('<') && !escaped.contains('>') && !escaped.contains('"'));
        }

        #[test]
        fn html_to_plain_never_panics_and_is_normalised(s in mixed_text(300)) {
            let plain = html_to_plain(&s);
            prop_assert_eq!(plain.trim(), plain.as_str());
            prop_assert!(!plain.contains("\n\n\n"));
            let _ = first_image(&s);
        }
    }
}
