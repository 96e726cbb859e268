//! The text layer on arbitrary strings: folding, FTS queries, excerpts, splitting and
//! cards. Properties: no panic; every card and part is valid Telegram HTML within the
//! limit; an excerpt and each split part keep to their allowance. (Time linear in the
//! input is watched by libFuzzer's -timeout and the slow-input report.)

#![no_main]

use chrono::{TimeZone, Utc};
use jarchi::domain::{Announcement, Lang};
use jarchi::text::{
    TELEGRAM_TEXT_LIMIT, announcement_card, excerpt, fold_for_index, fold_query, fts_query,
    full_statement, is_valid_telegram_html, split_plain, utf16_len, visible_len,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let input = String::from_utf8_lossy(rest);
    let _ = fold_for_index(&input);
    let _ = fold_query(&input);
    let _ = fts_query(&input);

    let max_chars = usize::from(selector);
    let cut = excerpt(&input, max_chars);
    assert!(cut.chars().count() <= max_chars + 1, "excerpt too long");

    let limit = usize::from(selector).max(2) * 16;
    for part in split_plain(&input, limit) {
        assert!(utf16_len(&part) <= limit, "part over its limit");
        assert!(!part.is_empty());
    }

    // The input split three ways becomes a statement: title, body, link.
    let mut pieces = input.splitn(3, '\u{1}');
    let title = pieces.next().unwrap_or_default().to_string();
    let body = pieces.next().unwrap_or_default().to_string();
    let link = pieces.next().map(|l| format!("https://example.org/{l}"));
    let statement = Announcement {
        id: i64::from(selector) * 1_000_003,
        source_key: "fuzz".to_string(),
        title,
        body_html: String::new(),
        body_text: body,
        link,
        image_url: None,
        published_at: Utc.timestamp_opt(1_800_000_000, 0).unwrap(),
        created_at: Utc.timestamp_opt(1_800_000_000, 0).unwrap(),
    };
    for lang in [Lang::Fa, Lang::En] {
        let card = announcement_card(&statement, lang);
        assert!(is_valid_telegram_html(&card), "invalid card: {card:?}");
        assert!(visible_len(&card) <= TELEGRAM_TEXT_LIMIT, "card over the limit");
        for part in full_statement(&statement, lang) {
            assert!(is_valid_telegram_html(&part), "invalid part: {part:?}");
            assert!(visible_len(&part) <= TELEGRAM_TEXT_LIMIT, "part over the limit");
        }
    }
});
