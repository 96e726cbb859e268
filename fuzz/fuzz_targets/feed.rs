//! Feed bytes, as a site might serve them, to parsed and sanitised items. Properties: no
//! panic; every item has a key and a title or text; no script survives sanitising; every
//! item's card is valid Telegram HTML within the limit. (Time linear in the input is
//! watched by libFuzzer's -timeout and the slow-input report.)

#![no_main]

use chrono::Utc;
use jarchi::domain::{Announcement, Lang};
use jarchi::ingest::parse_feed_with_type;
use jarchi::text::{TELEGRAM_TEXT_LIMIT, announcement_card, is_valid_telegram_html, visible_len};
use libfuzzer_sys::fuzz_target;

/// The first byte picks the HTTP charset the "server" sends, so that step is fuzzed too.
const CONTENT_TYPES: [Option<&str>; 6] = [
    None,
    Some("application/rss+xml"),
    Some("application/xml; charset=windows-1256"),
    Some("text/xml; charset=utf-16"),
    Some("application/atom+xml; charset=\"utf-8\""),
    Some("application/feed+json; charset=koi8-r"),
];

/// True when `javascript:` stands inside a tag. In text the serialiser escapes `<` and
/// `>`, so a `<` after the last `>` means a tag is open. (Quotes in text stay as they
/// are: the first version of this check, `="javascript:`, took such text for an
/// attribute; see tests/fixtures/feeds/fuzz-feed-d17af6a9.bin.)
fn javascript_in_a_tag(html: &str) -> bool {
    html.match_indices("javascript:").any(|(at, _)| {
        let before = &html[..at];
        before.rfind('<') > before.rfind('>')
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let content_type = CONTENT_TYPES[usize::from(selector) % CONTENT_TYPES.len()];
    let base = (selector & 0x80 != 0).then_some("https://example.org/feed/");
    let Ok(parsed) = parse_feed_with_type(bytes, content_type, base) else {
        return;
    };
    for item in &parsed.items {
        assert!(!item.source_key().trim().is_empty());
        assert!(!item.title().is_empty() || !item.body_text().trim().is_empty());
        let html = item.body_html().to_ascii_lowercase();
        assert!(!html.contains("<script"), "script survived: {html}");
        assert!(!javascript_in_a_tag(&html), "javascript: survived: {html}");
        let statement = Announcement {
            id: 1,
            source_key: item.source_key().to_string(),
            title: item.title().to_string(),
            body_html: item.body_html().to_string(),
            body_text: item.body_text().to_string(),
            link: item.link().map(str::to_string),
            image_url: item.image_url().map(str::to_string),
            published_at: item.published_at(),
            created_at: Utc::now(),
        };
        let card = announcement_card(&statement, Lang::Fa);
        assert!(is_valid_telegram_html(&card), "invalid card: {card:?}");
        assert!(visible_len(&card) <= TELEGRAM_TEXT_LIMIT);
    }
});
