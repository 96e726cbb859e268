//! Telegram's HTML parse mode, re-implemented from the Bot API docs ("Formatting options") and
//! TDLib's error messages, independently of the bot's own HTML code: the fake server checks our
//! requests against Telegram's rules, not against our own assumptions.
//!
//! It is deliberately a little stricter than the real server where the docs are: the docs say every
//! `<` and `&` that is not part of a tag or entity must be escaped, and `<a>` needs an `href`, so a
//! bare `&` or an `<a>` without `href` is rejected here even though TDLib tolerates them.

/// Tags Telegram accepts in HTML parse mode (lower-case; tag names are case-insensitive).
const SUPPORTED_TAGS: &[&str] = &[
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-spoiler",
    "span",
    "tg-emoji",
    "tg-time",
];

/// Parses `html` like Telegram does.
///
/// Returns the text the user sees (tags removed, entities decoded), or the reason Telegram gives
/// after "Bad Request: can't parse entities: ".
pub fn parse(html: &str) -> Result<String, String> {
    let mut parser = Parser {
        html,
        position: 0,
        visible_text: String::with_capacity(html.len()),
        open_tags: Vec::new(),
    };
    parser.run()?;
    Ok(parser.visible_text)
}

/// Length as Telegram counts it: UTF-16 code units.
pub fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

struct Parser<'a> {
    html: &'a str,
    /// Byte offset of the next character to read.
    position: usize,
    visible_text: String,
    /// Names of the tags opened and not yet closed, innermost last.
    open_tags: Vec<String>,
}

impl Parser<'_> {
    fn run(&mut self) -> Result<(), String> {
        while let Some(next) = self.peek() {
            match next {
                '<' if self.rest().starts_with("</") => self.end_tag()?,
                '<' => self.start_tag()?,
                '&' => {
                    let decoded = self.entity()?;
                    self.visible_text.push(decoded);
                }
                other => {
                    self.visible_text.push(other);
                    self.position += other.len_utf8();
                }
            }
        }
        match self.open_tags.last() {
            Some(unclosed) => Err(format!(
                "Can't find end tag corresponding to start tag \"{unclosed}\""
            )),
            None => Ok(()),
        }
    }

    fn rest(&self) -> &str {
        &self.html[self.position..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn skip_whitespace(&mut self) {
        while let Some(c) = self.peek().filter(|c| c.is_whitespace()) {
            self.position += c.len_utf8();
        }
    }

    /// Reads characters while `keep` holds.
    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &str {
        let start = self.position;
        while let Some(c) = self.peek().filter(|&c| keep(c)) {
            self.position += c.len_utf8();
        }
        &self.html[start..self.position]
    }

    /// `<name attr="value" flag>` at `self.position`.
    fn start_tag(&mut self) -> Result<(), String> {
        let tag_offset = self.position;
        self.position += 1; // '<'
        let name = self
            .take_while(|c| !c.is_whitespace() && c != '>')
            .to_ascii_lowercase();
        if !SUPPORTED_TAGS.contains(&name.as_str()) {
            return Err(format!(
                "Unsupported start tag \"{name}\" at byte offset {tag_offset}"
            ));
        }

        let mut attributes: Vec<(String, Option<String>)> = Vec::new();
        loop {
            self.skip_whitespace();
            match self.peek() {
                None => return Err(format!("Unclosed start tag at byte offset {tag_offset}")),
                Some('>') => {
                    self.position += 1;
                    break;
                }
                Some(_) => {}
            }
            let attribute_offset = self.position;
            let attribute_name = self
                .take_while(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                .to_ascii_lowercase();
            if attribute_name.is_empty() {
                return Err(format!(
                    "Empty attribute name in the tag \"{name}\" at byte offset {attribute_offset}"
                ));
            }
            self.skip_whitespace();
            if self.peek() != Some('=') {
                // A flag such as `<blockquote expandable>`.
                attributes.push((attribute_name, None));
                continue;
            }
            self.position += 1; // '='
            self.skip_whitespace();
            let value = self.attribute_value(tag_offset)?;
            attributes.push((attribute_name, Some(value)));
        }

        check_tag_attributes(&name, &attributes, tag_offset)?;
        self.open_tags.push(name);
        Ok(())
    }

    /// A quoted or unquoted attribute value, with entities decoded.
    fn attribute_value(&mut self, tag_offset: usize) -> Result<String, String> {
        let raw = match self.peek() {
            Some(quote @ ('"' | '\'')) => {
                self.position += 1;
                let value = self.take_while(|c| c != quote).to_owned();
                if self.peek() != Some(quote) {
                    return Err(format!("Unclosed start tag at byte offset {tag_offset}"));
                }
                self.position += 1;
                value
            }
            _ => self
                .take_while(|c| !c.is_whitespace() && c != '>')
                .to_owned(),
        };
        let mut value_parser = Parser {
            html: &raw,
            position: 0,
            visible_text: String::new(),
            open_tags: Vec::new(),
        };
        while let Some(c) = value_parser.peek() {
            if c == '&' {
                let decoded = value_parser.entity()?;
                value_parser.visible_text.push(decoded);
            } else {
                value_parser.visible_text.push(c);
                value_parser.position += c.len_utf8();
            }
        }
        Ok(value_parser.visible_text)
    }

    /// `</name>` at `self.position`.
    fn end_tag(&mut self) -> Result<(), String> {
        let tag_offset = self.position;
        self.position += 2; // "</"
        let name = self.take_while(|c| c != '>').trim().to_ascii_lowercase();
        if self.peek() != Some('>') {
            return Err(format!("Unclosed end tag at byte offset {tag_offset}"));
        }
        self.position += 1;
        let Some(innermost) = self.open_tags.pop() else {
            return Err(format!("Unexpected end tag at byte offset {tag_offset}"));
        };
        if innermost != name {
            return Err(format!(
                "Unmatched end tag at byte offset {tag_offset}, expected \"</{innermost}>\", found \"</{name}>\""
            ));
        }
        Ok(())
    }

    /// `&lt;`, `&gt;`, `&amp;`, `&quot;`, `&#NNN;` or `&#xHH;` at `self.position`.
    fn entity(&mut self) -> Result<char, String> {
        let entity_offset = self.position;
        let rest = self.rest();
        // Entities are short; looking a little ahead is enough to find the ';'.
        let body = rest[1..]
            .char_indices()
            .take(12)
            .find(|&(_, c)| c == ';')
            .map(|(end, _)| &rest[1..1 + end]);
        let bare_ampersand = || {
            format!(
                "Character '&' is reserved and must be escaped as \"&amp;\" at byte offset {entity_offset}"
            )
        };
        let Some(body) = body else {
            return Err(bare_ampersand());
        };
        let decoded = match body {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            numeric if numeric.starts_with("#x") || numeric.starts_with("#X") => {
                u32::from_str_radix(&numeric[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            numeric if numeric.starts_with('#') => {
                numeric[1..].parse::<u32>().ok().and_then(char::from_u32)
            }
            named if !named.is_empty() && named.chars().all(|c| c.is_ascii_alphanumeric()) => {
                return Err(format!(
                    "Unsupported HTML entity \"&{named};\" at byte offset {entity_offset}; only &lt; &gt; &amp; &quot; and numeric entities are allowed"
                ));
            }
            _ => return Err(bare_ampersand()),
        };
        match decoded.filter(|&c| c != '\0') {
            Some(c) => {
                self.position += 1 + body.len() + 1;
                Ok(c)
            }
            None => Err(format!(
                "Invalid character entity \"&{body};\" at byte offset {entity_offset}"
            )),
        }
    }
}

/// Attribute rules of the tags that have any.
fn check_tag_attributes(
    name: &str,
    attributes: &[(String, Option<String>)],
    tag_offset: usize,
) -> Result<(), String> {
    let value_of = |wanted: &str| {
        attributes
            .iter()
            .find(|(attribute, _)| attribute == wanted)
            .and_then(|(_, value)| value.as_deref())
    };
    let missing = |attribute: &str| {
        Err(format!(
            "Tag \"{name}\" must have attribute \"{attribute}\" at byte offset {tag_offset}"
        ))
    };
    match name {
        "a" => match value_of("href") {
            Some(href) if !href.trim().is_empty() => Ok(()),
            _ => missing("href"),
        },
        "span" => match value_of("class") {
            Some("tg-spoiler") => Ok(()),
            _ => Err(format!(
                "Tag \"span\" must have class \"tg-spoiler\" at byte offset {tag_offset}"
            )),
        },
        "tg-emoji" => match value_of("emoji-id") {
            Some(id) if !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()) => Ok(()),
            _ => missing("emoji-id"),
        },
        "tg-time" => match value_of("unix") {
            Some(unix) if unix.parse::<i64>().is_ok() => Ok(()),
            _ => missing("unix"),
        },
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_supported_tags_and_returns_the_visible_text() {
        let html = "<b>bold</b> <i>it</i> <a href=\"https://example.org/?a=1&amp;b=2\">link</a> \
                    <span class=\"tg-spoiler\">s</span> <tg-spoiler>t</tg-spoiler> \
                    <blockquote expandable>q</blockquote> <pre><code class=\"language-rust\">x</code></pre> \
                    <tg-emoji emoji-id=\"5368324170671202286\">👍</tg-emoji> <tg-time unix=\"1700000000\" format=\"wd\">then</tg-time> \
                    <STRONG>caps</STRONG>";
        assert_eq!(parse(html).unwrap(), "bold it link s t q x 👍 then caps");
    }

    #[test]
    fn decodes_the_four_named_entities_and_numeric_ones() {
        assert_eq!(
            parse("a &lt;b&gt; &amp; &quot;c&quot; &#1587; &#x644;").unwrap(),
            "a <b> & \"c\" س ل"
        );
    }

    #[test]
    fn persian_text_passes_through() {
        assert_eq!(parse("<b>سلام</b> دنیا").unwrap(), "سلام دنیا");
    }

    #[test]
    fn rejects_what_telegram_rejects() {
        let rejected = [
            ("a < b", "Unsupported start tag \"\" at byte offset 2"),
            ("line<br>break", "Unsupported start tag \"br\""),
            (
                "<b>bold",
                "Can't find end tag corresponding to start tag \"b\"",
            ),
            (
                "<b><i>x</b></i>",
                "Unmatched end tag at byte offset 7, expected \"</i>\", found \"</b>\"",
            ),
            ("x</b>", "Unexpected end tag at byte offset 1"),
            ("<b", "Unclosed start tag"),
            ("<a>x</a>", "must have attribute \"href\""),
            ("<span>x</span>", "must have class \"tg-spoiler\""),
            ("Tom & Jerry", "Character '&' is reserved"),
            ("&nbsp;", "Unsupported HTML entity \"&nbsp;\""),
            ("<b>x</strong>", "Unmatched end tag"),
            ("<a href=\"x>y</a>", "Unclosed start tag"),
        ];
        for (html, expected_reason) in rejected {
            let reason = parse(html).expect_err(html);
            assert!(
                reason.contains(expected_reason),
                "{html:?}: got {reason:?}, expected it to contain {expected_reason:?}"
            );
        }
    }

    #[test]
    fn bare_greater_than_is_tolerated_like_tdlib_does() {
        assert_eq!(parse("a > b").unwrap(), "a > b");
    }

    #[test]
    fn counts_utf16_units() {
        assert_eq!(utf16_len("abc"), 3);
        assert_eq!(utf16_len("سلام"), 4);
        assert_eq!(utf16_len("👍"), 2);
    }
}
