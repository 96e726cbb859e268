//! Item HTML made safe, at a cost linear in its size.
//!
//! ammonia (through html5ever) is what makes HTML safe, but the HTML parsing algorithm
//! does work proportional to the depth of open elements for many tags, and re-opens
//! formatting elements after every block: an item nested 100,000 `<div>`s deep took
//! 20 s. So before ammonia sees it, one linear pass bounds the markup: tags nested
//! deeper than [`MAX_DEPTH`], tags past the [`MAX_ELEMENTS`]th and attributes past the
//! [`MAX_ATTRIBUTES`]th of a tag are dropped (their text stays), formatting tags lose
//! their attributes (identical ones are re-opened at most three times), and comments,
//! scripts and styles go with their content. The pass only ever removes markup, and
//! ammonia still decides what is safe.

use std::collections::HashMap;

/// Open elements kept one inside another; legitimate statements nest a few levels.
pub const MAX_DEPTH: usize = 100;
/// Tags kept in one item; a very long statement has a few hundred.
pub const MAX_ELEMENTS: usize = 5_000;
/// Attributes kept on one tag.
pub const MAX_ATTRIBUTES: usize = 32;

/// ammonia's defaults drop scripts, styles, event handlers and `javascript:` URLs; on top,
/// relative links and image sources become absolute, so that they still lead somewhere
/// once the text has left the site.
pub struct Sanitiser {
    ammonia: ammonia::Builder<'static>,
}

impl Sanitiser {
    /// `base` resolves relative links; without one they are dropped.
    pub fn new(base: Option<&str>) -> Self {
        let mut ammonia = ammonia::Builder::default();
        if let Some(base) = base.and_then(|b| url::Url::parse(b).ok()) {
            ammonia.url_relative(ammonia::UrlRelative::RewriteWithBase(base));
        } else {
            // Without a base a relative link cannot be made to work anywhere: drop it.
            ammonia.url_relative(ammonia::UrlRelative::Deny);
        }
        Self { ammonia }
    }

    pub fn clean(&self, html: &str) -> String {
        self.ammonia.clean(&bounded_markup(html)).to_string()
    }
}

/// Elements whose content is not markup: dropped whole, since a dropped start tag would
/// otherwise turn a script into visible text.
const RAW_TEXT: [&str; 9] = [
    "script", "style", "xmp", "iframe", "noembed", "noframes", "textarea", "title", "noscript",
];
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];
/// Re-opened by the parser after blocks close them ("active formatting elements").
const FORMATTING: [&str; 14] = [
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
];
/// Start tags that close an open `<p>` (a close-enough subset of HTML's list).
const CLOSES_P: [&str; 24] = [
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "div",
    "dl",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "nav",
    "ol",
    "p",
    "section",
    "ul",
];

/// Markup reduced to what the HTML parser handles in linear time (see the module docs).
/// Text is never dropped; what is dropped is markup that could not be displayed anyway.
pub fn bounded_markup(html: &str) -> String {
    let mut pass = Pass {
        html,
        out: String::with_capacity(html.len()),
        open: Vec::new(),
        open_count: HashMap::new(),
        kept_depth: 0,
        kept_elements: 0,
    };
    pass.run();
    pass.out
}

struct Open {
    name: String,
    kept: bool,
}

struct Pass<'a> {
    html: &'a str,
    out: String,
    /// The elements this pass believes open, innermost last, including dropped ones.
    open: Vec<Open>,
    /// How many of each name `open` holds, so that an end tag finds its element in O(1).
    open_count: HashMap<String, usize>,
    kept_depth: usize,
    kept_elements: usize,
}

/// One tag as read: its name (lower case), the spans of its attributes, where it ends.
struct Tag {
    name: String,
    attributes: Vec<(usize, usize)>,
    /// Just past the closing `>`.
    end: usize,
}

impl Pass<'_> {
    fn run(&mut self) {
        let bytes = self.html.as_bytes();
        let mut text_from = 0;
        let mut at = 0;
        while let Some(offset) = bytes[at..].iter().position(|&b| b == b'<') {
            let lt = at + offset;
            let next = bytes.get(lt + 1).copied();
            let is_markup = match next {
                Some(b'!' | b'?') => true,
                Some(b'/') => bytes.get(lt + 2).is_some_and(u8::is_ascii_alphabetic),
                Some(b) => b.is_ascii_alphabetic(),
                None => false,
            };
            if !is_markup {
                // A lone `<` is text.
                at = lt + 1;
                continue;
            }
            self.out.push_str(&self.html[text_from..lt]);
            let end = match next {
                Some(b'!') if bytes[lt..].starts_with(b"<!--") => {
                    find(bytes, lt + 4, b"-->").map_or(bytes.len(), |i| i + 3)
                }
                Some(b'!' | b'?') => find(bytes, lt, b">").map_or(bytes.len(), |i| i + 1),
                Some(b'/') => {
                    let tag = read_tag(bytes, lt + 2, true);
                    self.end_tag(&tag);
                    tag.end
                }
                _ => {
                    let tag = read_tag(bytes, lt + 1, false);
                    self.start_tag(&tag)
                }
            };
            text_from = end;
            at = end;
        }
        self.out.push_str(&self.html[text_from..]);
    }

    /// Writes (or drops) a start tag; returns where the text after it starts.
    fn start_tag(&mut self, tag: &Tag) -> usize {
        let name = tag.name.as_str();
        if RAW_TEXT.contains(&name) {
            return raw_text_end(self.html.as_bytes(), tag.end, name);
        }
        if name == "plaintext" {
            return self.html.len();
        }
        self.close_implied(name);
        let void = VOID.contains(&name);
        let keep = self.kept_elements < MAX_ELEMENTS && (void || self.kept_depth < MAX_DEPTH);
        if keep {
            self.kept_elements += 1;
            self.out.push('<');
            self.out.push_str(name);
            if !FORMATTING.contains(&name) || name == "a" {
                for &(from, to) in tag.attributes.iter().take(MAX_ATTRIBUTES) {
                    self.out.push(' ');
                    self.out.push_str(&self.html[from..to]);
                }
            }
            self.out.push('>');
        }
        // `<div/>` opens a div all the same in HTML: only void elements stay empty.
        if !void {
            self.push(name, keep);
        }
        tag.end
    }

    fn end_tag(&mut self, tag: &Tag) {
        // An end tag for nothing open is ignored by the parser, except `</p>` and `</br>`,
        // which make elements: dropping them all is simpler and loses nothing visible.
        if self.open_count.get(&tag.name).copied().unwrap_or(0) == 0 {
            return;
        }
        // Each element is popped once, so closing many at a time is still linear overall.
        while let Some(open) = self.pop() {
            let found = open.name == tag.name;
            if found {
                if open.kept {
                    self.out.push_str("</");
                    self.out.push_str(&open.name);
                    self.out.push('>');
                }
                return;
            }
        }
    }

    /// The end tags HTML implies: a new `<li>` closes the open one, a block closes a `<p>`.
    fn close_implied(&mut self, name: &str) {
        let Some(top) = self.open.last() else {
            return;
        };
        let implied = match top.name.as_str() {
            "li" | "option" | "tr" => top.name == name,
            "dt" | "dd" => matches!(name, "dt" | "dd"),
            "td" | "th" => matches!(name, "td" | "th" | "tr"),
            "p" => CLOSES_P.contains(&name),
            _ => false,
        };
        if implied && let Some(open) = self.pop() {
            // The parser closes it without a tag; writing one keeps the output explicit.
            if open.kept {
                self.out.push_str("</");
                self.out.push_str(&open.name);
                self.out.push('>');
            }
        }
    }

    fn push(&mut self, name: &str, kept: bool) {
        *self.open_count.entry(name.to_string()).or_default() += 1;
        if kept {
            self.kept_depth += 1;
        }
        self.open.push(Open {
            name: name.to_string(),
            kept,
        });
    }

    fn pop(&mut self) -> Option<Open> {
        let open = self.open.pop()?;
        if let Some(count) = self.open_count.get_mut(&open.name) {
            *count = count.saturating_sub(1);
        }
        if open.kept {
            self.kept_depth -= 1;
        }
        Some(open)
    }
}

/// Where `needle` starts at or after `from`.
fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| from + i)
}

/// Reads a tag from its name (just after `<` or `</`) to its `>`, as HTML's tokenizer
/// does: a `>` inside a quoted attribute value does not end it.
fn read_tag(bytes: &[u8], name_from: usize, end_tag: bool) -> Tag {
    let mut i = name_from;
    while i < bytes.len() && !is_tag_space(bytes[i]) && bytes[i] != b'>' && bytes[i] != b'/' {
        i += 1;
    }
    let name = String::from_utf8_lossy(&bytes[name_from..i]).to_ascii_lowercase();
    let mut attributes = Vec::new();
    loop {
        while i < bytes.len() && (is_tag_space(bytes[i]) || bytes[i] == b'/') {
            i += 1;
        }
        match bytes.get(i) {
            None => {
                return Tag {
                    name,
                    attributes,
                    end: bytes.len(),
                };
            }
            Some(b'>') => {
                return Tag {
                    name,
                    attributes,
                    end: i + 1,
                };
            }
            Some(_) => {}
        }
        let from = i;
        // The name: up to space, `/`, `>` or `=` (a quote here is part of the name).
        i += 1;
        while i < bytes.len() && !is_tag_space(bytes[i]) && !matches!(bytes[i], b'/' | b'>' | b'=')
        {
            i += 1;
        }
        let mut j = i;
        while j < bytes.len() && is_tag_space(bytes[j]) {
            j += 1;
        }
        if bytes.get(j) == Some(&b'=') {
            j += 1;
            while j < bytes.len() && is_tag_space(bytes[j]) {
                j += 1;
            }
            match bytes.get(j) {
                Some(&quote @ (b'"' | b'\'')) => {
                    j = find(bytes, j + 1, &[quote]).map_or(bytes.len(), |k| k + 1);
                }
                _ => {
                    while j < bytes.len() && !is_tag_space(bytes[j]) && bytes[j] != b'>' {
                        j += 1;
                    }
                }
            }
            i = j;
        }
        if !end_tag {
            attributes.push((from, i));
        }
    }
}

fn is_tag_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// Just past the `</name>` that ends a raw-text element, or the end of the input.
fn raw_text_end(bytes: &[u8], from: usize, name: &str) -> usize {
    let mut at = from;
    while let Some(lt) = find(bytes, at, b"</") {
        let after = lt + 2;
        let candidate = bytes.get(after..after + name.len());
        let ends_name = bytes
            .get(after + name.len())
            .is_none_or(|&b| is_tag_space(b) || b == b'>' || b == b'/');
        if candidate.is_some_and(|c| c.eq_ignore_ascii_case(name.as_bytes())) && ends_name {
            return read_tag(bytes, after, true).end;
        }
        at = after;
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_markup_passes_unchanged() {
        let html = "<p class=\"x\">Hi <a href=\"/a?b=1&amp;c=2\" title='>'>link</a> \
                    <img src=\"a.png\" alt=\"\"><br/>2 < 3</p><ul><li>a</li><li>b</li></ul>";
        assert_eq!(bounded_markup(html), html.replace("<br/>", "<br>"));
    }

    #[test]
    fn deep_nesting_is_flattened_and_its_text_kept() {
        let depth = 10_000;
        let html = format!(
            "{}deep text{}",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        let out = bounded_markup(&html);
        assert_eq!(out.matches("<div>").count(), MAX_DEPTH);
        assert_eq!(out.matches("</div>").count(), MAX_DEPTH);
        assert!(out.contains("deep text"));
        let self_closing = "<div/>".repeat(depth) + "x";
        assert_eq!(
            bounded_markup(&self_closing).matches("<div>").count(),
            MAX_DEPTH
        );
    }

    #[test]
    fn implied_end_tags_do_not_count_as_depth() {
        let html = "<ul>".to_string() + &"<li>item".repeat(500) + "</ul>";
        let out = bounded_markup(&html);
        assert_eq!(out.matches("<li>").count(), 500);
        let paragraphs = "<p>para".repeat(500);
        assert_eq!(bounded_markup(&paragraphs).matches("<p>").count(), 500);
    }

    #[test]
    fn element_and_attribute_counts_are_capped() {
        let html = "<b>x</b>".repeat(MAX_ELEMENTS + 10);
        let out = bounded_markup(&html);
        assert_eq!(out.matches("<b>").count(), MAX_ELEMENTS);
        assert_eq!(out.matches('x').count(), MAX_ELEMENTS + 10);
        let attributes: String = (0..1_000).map(|i| format!(" a{i}=\"{i}\"")).collect();
        let out = bounded_markup(&format!("<span{attributes}>y</span>"));
        assert_eq!(out.matches('=').count(), MAX_ATTRIBUTES);
        assert_eq!(bounded_markup("<b id=\"1\" class=x>y</b>"), "<b>y</b>");
    }

    #[test]
    fn scripts_comments_and_declarations_go_with_their_content() {
        let html = "a<script>if (a < b) { x() }</script>b<!-- <div> -->c<!DOCTYPE html>\
                    <?php x ?><STYLE>p{}</style >d<script>never closed";
        assert_eq!(bounded_markup(html), "abcd");
        assert_eq!(bounded_markup("<title>t</title>x<plaintext><b>"), "x");
    }

    #[test]
    fn stray_end_tags_and_broken_tags_do_not_panic() {
        for html in [
            "</p></br></div>x",
            "<",
            "<a",
            "<a href=\"",
            "</",
            "</a",
            "<a b='>'",
            "<!--",
            "<!",
            "a<1b>",
            "<ü>ö</ü>",
            "<p>ä<b>ö</p>ü</b>",
        ] {
            let _ = bounded_markup(html);
            let _ = Sanitiser::new(None).clean(html);
        }
        assert_eq!(bounded_markup("</p></br></div>x"), "x");
        assert_eq!(bounded_markup("a<1b>"), "a<1b>");
    }

    #[test]
    fn the_sanitiser_still_removes_what_is_unsafe() {
        let clean = Sanitiser::new(Some("https://example.org/feed/")).clean(
            "<p onclick=\"x()\">Hi <a href=\"/about\">about</a><img src=\"javascript:alert(1)\"></p>",
        );
        assert!(!clean.contains("onclick") && !clean.contains("javascript"));
        assert!(clean.contains("https://example.org/about"));
    }
}
