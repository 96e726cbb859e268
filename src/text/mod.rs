//! Pure text functions: the search key (fold), FTS5 queries, search requests and snippets,
//! HTML in and out, excerpts, splitting long text for Telegram, right-to-left marks and
//! dates.
//! A leaf: no I/O, no tokio, no sqlx, no teloxide. Nothing here panics on any input.

pub mod bidi;
pub mod catalogue;
pub mod dates;
pub mod digest;
pub mod digits;
pub mod entities;
pub mod excerpt;
pub mod fold;
pub mod format;
pub mod html;
pub mod listing;
pub mod query;
pub mod snippet;
pub mod split;
pub mod when;

pub use bidi::{RLM, rtl_lines};
pub use dates::{JalaliMonth, format_date};
pub use digest::{DIGEST_MAX_ENTRIES, Digest, digest};
pub use digits::{localize_digits, parse_statement_id, to_ascii_digits};
pub use entities::{Entity, Formatted, Style};
pub use excerpt::{EXCERPT_CHARS, excerpt, excerpt_html};
pub use fold::{QueryTerm, fold_for_index, fold_query, fts_query, query_words, quote_fts};
pub use format::{
    TELEGRAM_CAPTION_LIMIT, TELEGRAM_TEXT_LIMIT, announcement_card, caption_card, card_is_cut,
    fits_caption, full_statement, is_teaser, is_valid_telegram_html, listed_card, preview_card,
    read_more_label, search_card, visible_len,
};
pub use html::{escape, first_image, html_to_plain};
pub use listing::one_message;
pub use query::{SearchRequest, parse_search};
pub use split::{split_plain, utf16_len};

/// Shared proptest strategies: text that mixes every script and hazard the bot meets.
#[cfg(test)]
pub(crate) mod test_support {
    use proptest::prelude::*;

    /// Persian, Arabic forms, Latin, three digit systems, ZWNJ and other invisibles,
    /// HTML-significant characters, emoji and line breaks, in any order.
    pub fn mixed_char() -> impl Strategy<Value = char> {
        prop_oneof![
            4 => prop::sample::select(
                "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیآأإؤئءيىكةۀ".chars().collect::<Vec<_>>()
            ),
            2 => prop::char::range('a', 'z'),
            1 => prop::char::range('A', 'Z'),
            1 => prop::sample::select("0123456789۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩".chars().collect::<Vec<_>>()),
            2 => prop::sample::select(vec![' ', ' ', '\n', '\t', '\r']),
            1 => prop::sample::select(vec![
                '\u{200C}', '\u{200D}', '\u{200B}', '\u{200E}', '\u{200F}', '\u{FEFF}',
                '\u{202B}', '\u{2067}', '\u{064E}', '\u{0640}', '¬',
            ]),
            1 => prop::sample::select("<>&\"'*()-.,!?؟،«»;:/#".chars().collect::<Vec<_>>()),
            1 => prop::sample::select(vec!['😀', '👍', '\u{1F3FD}', '𝔘', '…', 'ﺍ', 'ﻋ', '\u{0301}']),
            1 => any::<char>(),
        ]
    }

    pub fn mixed_text(max_chars: usize) -> impl Strategy<Value = String> {
        prop::collection::vec(mixed_char(), 0..=max_chars).prop_map(|cs| cs.into_iter().collect())
    }

    /// A whole minute in UTC, for tests of dates and times.
    pub fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> chrono::DateTime<chrono::Utc> {
        use chrono::TimeZone;
        chrono::Utc
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .expect("valid test date")
    }
}
