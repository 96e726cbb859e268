//! A feed's bytes to text. Sites say what their encoding is in three places, or in none
//! (old Persian sites still serve undeclared windows-1256), so the first that decodes
//! wins, in this order: the byte-order mark, the HTTP charset, the XML declaration; and
//! when nothing is declared or nothing declared decodes, a guess from the bytes
//! themselves (chardetng, Firefox's detector for unlabelled legacy pages).

use std::borrow::Cow;

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};

/// Where the encoding of a document came from, for the logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodingSource {
    ByteOrderMark,
    HttpCharset,
    XmlDeclaration,
    /// Nothing was declared (or nothing declared decoded): valid UTF-8, else a guess.
    Detected,
}

/// A document as text, with any XML declaration's `encoding` taken out: the text is
/// UTF-8 now, and a parser that believed the old label would decode it twice.
#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
    pub source: EncodingSource,
}

/// The encodings this module knows beyond encoding_rs, which (following the WHATWG
/// standard for browsers) has no UTF-32; XML allows it and a few feeds use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Charset {
    Web(&'static Encoding),
    Utf32Le,
    Utf32Be,
}

impl Charset {
    fn name(self) -> &'static str {
        match self {
            Charset::Web(encoding) => encoding.name(),
            Charset::Utf32Le => "UTF-32LE",
            Charset::Utf32Be => "UTF-32BE",
        }
    }

    /// The text, or None when the bytes are not in this encoding.
    fn decode(self, bytes: &[u8]) -> Option<String> {
        match self {
            Charset::Web(encoding) => encoding
                .decode_without_bom_handling_and_without_replacement(bytes)
                .map(Cow::into_owned),
            Charset::Utf32Le => utf32(bytes, u32::from_le_bytes),
            Charset::Utf32Be => utf32(bytes, u32::from_be_bytes),
        }
    }
}

fn utf32(bytes: &[u8], read: fn([u8; 4]) -> u32) -> Option<String> {
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    bytes
        .chunks_exact(4)
        .map(|c| char::from_u32(read([c[0], c[1], c[2], c[3]])))
        .collect()
}

/// Decodes a feed document. `content_type` is the HTTP header, if any; `url` the address
/// it came from, whose top-level domain sharpens the guess (".ir" makes windows-1256
/// likelier than windows-1252).
pub fn decode(bytes: &[u8], content_type: Option<&str>, url: Option<&str>) -> Decoded {
    let (bom, body) = byte_order_mark(bytes);
    let declared = [
        (bom, EncodingSource::ByteOrderMark),
        (
            content_type
                .and_then(http_charset)
                .map(|c| ascii_compatible(c, body)),
            EncodingSource::HttpCharset,
        ),
        (xml_declared(body), EncodingSource::XmlDeclaration),
    ];
    for (charset, source) in declared {
        if let Some(charset) = charset
            && let Some(text) = charset.decode(body)
        {
            return finish(text, charset.name(), source);
        }
    }
    if let Ok(text) = std::str::from_utf8(body) {
        return finish(text.to_string(), UTF_8.name(), EncodingSource::Detected);
    }
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(body, true);
    let guess = detector.guess(
        url.and_then(top_level_domain).as_deref(),
        Utf8Detection::Allow,
    );
    let (text, _) = guess.decode_without_bom_handling(body);
    finish(text.into_owned(), guess.name(), EncodingSource::Detected)
}

fn finish(text: String, encoding: &'static str, source: EncodingSource) -> Decoded {
    Decoded {
        text: without_encoding_declaration(text),
        encoding,
        source,
    }
}

/// The encoding a byte-order mark names, and the bytes after it. UTF-32LE's mark starts
/// with UTF-16LE's, so it is looked for first.
fn byte_order_mark(bytes: &[u8]) -> (Option<Charset>, &[u8]) {
    let marks: [(&[u8], Charset); 5] = [
        (&[0xEF, 0xBB, 0xBF], Charset::Web(UTF_8)),
        (&[0xFF, 0xFE, 0x00, 0x00], Charset::Utf32Le),
        (&[0x00, 0x00, 0xFE, 0xFF], Charset::Utf32Be),
        (&[0xFF, 0xFE], Charset::Web(UTF_16LE)),
        (&[0xFE, 0xFF], Charset::Web(UTF_16BE)),
    ];
    for (mark, charset) in marks {
        if let Some(rest) = bytes.strip_prefix(mark) {
            return (Some(charset), rest);
        }
    }
    (None, bytes)
}

/// The `charset` parameter of a Content-Type header.
fn http_charset(content_type: &str) -> Option<Charset> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        let label = value.trim().trim_matches(|c| c == '"' || c == '\'');
        label_to_charset(label)
    })
}

fn label_to_charset(label: &str) -> Option<Charset> {
    let lower = label.trim().to_ascii_lowercase();
    match lower.as_str() {
        "utf-32" | "utf-32le" | "ucs-4" | "ucs-4le" => Some(Charset::Utf32Le),
        "utf-32be" | "ucs-4be" => Some(Charset::Utf32Be),
        _ => Encoding::for_label(lower.as_bytes()).map(Charset::Web),
    }
}

/// A label of UTF-16 or UTF-32 on bytes that do not start like it is a mislabel (the
/// document was re-encoded, the label kept): read them as UTF-8 instead, as browsers do.
fn ascii_compatible(charset: Charset, body: &[u8]) -> Charset {
    let wide = match charset {
        Charset::Web(encoding) => encoding == UTF_16LE || encoding == UTF_16BE,
        Charset::Utf32Le | Charset::Utf32Be => true,
    };
    if wide && wide_prefix(body) != Some(charset) {
        Charset::Web(UTF_8)
    } else {
        charset
    }
}

/// XML's own way to tell UTF-16 and UTF-32 without a mark (XML 1.0, appendix F): the
/// bytes of `<?` (or of `<` alone, for a document without a declaration).
fn wide_prefix(body: &[u8]) -> Option<Charset> {
    match body {
        [0x3C, 0, 0, 0, ..] => Some(Charset::Utf32Le),
        [0, 0, 0, 0x3C, ..] => Some(Charset::Utf32Be),
        [0x3C, 0, b, 0, ..] if b.is_ascii() && *b != 0 => Some(Charset::Web(UTF_16LE)),
        [0, 0x3C, 0, b, ..] if b.is_ascii() && *b != 0 => Some(Charset::Web(UTF_16BE)),
        _ => None,
    }
}

/// The encoding the XML declaration names (`<?xml version="1.0" encoding="…"?>`), or the
/// width that the first bytes show. The declaration is ASCII, so it is read as bytes.
fn xml_declared(body: &[u8]) -> Option<Charset> {
    if let Some(wide) = wide_prefix(body) {
        return Some(wide);
    }
    let head = &body[..body.len().min(1024)];
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    let declaration = head[start..].strip_prefix(b"<?xml")?;
    let end = declaration.windows(2).position(|w| w == b"?>")?;
    let label = pseudo_attribute(&declaration[..end], b"encoding")?;
    let charset = label_to_charset(std::str::from_utf8(label).ok()?)?;
    Some(ascii_compatible(charset, body))
}

/// The value of `name="…"` (or `'…'`) in an XML declaration.
fn pseudo_attribute<'a>(declaration: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let at = declaration.windows(name.len()).position(|w| w == name)?;
    let rest = &declaration[at + name.len()..];
    let rest = rest
        .trim_ascii_start()
        .strip_prefix(b"=")?
        .trim_ascii_start();
    let (&quote, rest) = rest.split_first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let len = rest.iter().position(|&b| b == quote)?;
    Some(&rest[..len])
}

/// Drops a leading byte-order mark and the XML declaration's `encoding`: the text is no
/// longer in that encoding.
fn without_encoding_declaration(mut text: String) -> String {
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    let start = text.len() - text.trim_start().len();
    if !text[start..].starts_with("<?xml") {
        return text;
    }
    let Some(end) = text[start..].find("?>") else {
        return text;
    };
    let declaration = &text[start..start + end];
    if pseudo_attribute(declaration.as_bytes(), b"encoding").is_none() {
        return text;
    }
    text.replace_range(start..start + end + 2, "<?xml version=\"1.0\"?>");
    text
}

/// The rightmost label of a URL's host, as chardetng wants it: lower-case ASCII, no dot.
fn top_level_domain(url: &str) -> Option<Vec<u8>> {
    let url = url::Url::parse(url).ok()?;
    let host = url.host_str()?;
    let label = host.trim_end_matches('.').rsplit('.').next()?;
    let valid = !label.is_empty()
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    valid.then(|| label.as_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PERSIAN: &str = "کارگران معدن در اعتراض به دستمزدهاي پرداخت‌نشده دست از کار کشيدند";

    fn windows_1256(text: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1256.encode(text);
        assert!(!unmappable);
        bytes.into_owned()
    }

    #[test]
    fn undeclared_windows_1256_is_recognised() {
        let doc = format!("<?xml version=\"1.0\"?><rss><title>{PERSIAN}</title></rss>");
        let decoded = decode(&windows_1256(&doc), None, None);
        assert_eq!(decoded.encoding, "windows-1256");
        assert_eq!(decoded.source, EncodingSource::Detected);
        assert!(decoded.text.contains(PERSIAN));
    }

    #[test]
    fn the_order_is_mark_then_http_then_declaration() {
        let doc = format!("<?xml version=\"1.0\" encoding=\"windows-1252\"?><t>{PERSIAN}</t>");
        let bytes = windows_1256(&doc);
        let by_http = decode(
            &bytes,
            Some("application/xml; charset=\"Windows-1256\""),
            None,
        );
        assert_eq!(
            (by_http.encoding, by_http.source),
            ("windows-1256", EncodingSource::HttpCharset)
        );
        assert!(by_http.text.contains(PERSIAN));
        assert!(by_http.text.starts_with("<?xml version=\"1.0\"?><t>"));

        let by_declaration = decode(&bytes, Some("text/xml"), None);
        assert_eq!(by_declaration.source, EncodingSource::XmlDeclaration);
        assert_eq!(by_declaration.encoding, "windows-1252");

        let mut marked = vec![0xEF, 0xBB, 0xBF];
        marked.extend_from_slice(doc.as_bytes());
        let by_mark = decode(&marked, Some("text/xml; charset=windows-1256"), None);
        assert_eq!(by_mark.source, EncodingSource::ByteOrderMark);
        assert!(by_mark.text.starts_with("<?xml version=\"1.0\"?>"));
    }

    #[test]
    fn a_declaration_that_does_not_decode_gives_way_to_detection() {
        let doc = format!("<?xml version=\"1.0\" encoding=\"utf-8\"?><t>{PERSIAN}</t>");
        let decoded = decode(&windows_1256(&doc), None, Some("https://example.ir/feed"));
        assert_eq!(decoded.source, EncodingSource::Detected);
        assert!(decoded.text.contains(PERSIAN));
    }

    #[test]
    fn utf_16_and_32_with_and_without_marks() {
        let doc = format!("<?xml version=\"1.0\" encoding=\"UTF-16\"?><t>{PERSIAN}</t>");
        let le: Vec<u8> = doc.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = doc.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let le32: Vec<u8> = doc
            .chars()
            .flat_map(|c| u32::from(c).to_le_bytes())
            .collect();
        let be32: Vec<u8> = doc
            .chars()
            .flat_map(|c| u32::from(c).to_be_bytes())
            .collect();
        for (bytes, mark) in [
            (le, &[0xFF, 0xFE][..]),
            (be, &[0xFE, 0xFF][..]),
            (le32, &[0xFF, 0xFE, 0, 0][..]),
            (be32, &[0, 0, 0xFE, 0xFF][..]),
        ] {
            for marked in [true, false] {
                let input = if marked {
                    [mark, &bytes].concat()
                } else {
                    bytes.clone()
                };
                let decoded = decode(&input, None, None);
                assert!(decoded.text.contains(PERSIAN), "{decoded:?}");
                assert!(decoded.text.starts_with("<?xml version=\"1.0\"?><t>"));
            }
        }
    }

    #[test]
    fn a_wide_label_on_narrow_bytes_means_utf_8() {
        let doc = format!("<?xml version=\"1.0\" encoding=\"UTF-16\"?><t>{PERSIAN}</t>");
        let decoded = decode(doc.as_bytes(), Some("text/xml; charset=utf-16"), None);
        assert_eq!(decoded.encoding, "UTF-8");
        assert!(decoded.text.contains(PERSIAN));
    }

    #[test]
    fn odd_inputs_decode_to_something() {
        for input in [
            &b""[..],
            b"\xff",
            b"\xfe\xff\x00",
            b"\x00\x00\xfe\xff\x00\x11\x00\x00",
            b"<?xml encoding=",
            b"<?xml encoding='x'?>",
        ] {
            decode(input, Some("text/xml; charset"), Some("http://[::1]/"));
        }
        assert_eq!(
            top_level_domain("https://Example.IR./feed").as_deref(),
            Some(&b"ir"[..])
        );
        assert_eq!(top_level_domain("http://127.0.0.1/"), Some(b"1".to_vec()));
    }
}
