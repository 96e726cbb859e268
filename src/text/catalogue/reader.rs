//! The words of the daily digest (issue 13 §3).

use super::{id, in_digits_of};
use crate::domain::Lang;

/// The digest's first line: how many statements it names.
pub fn digest_heading(count: usize, lang: Lang) -> String {
    in_digits_of(id::DIGEST_HEADING, lang, &[("count", count.to_string())])
}

/// One statement in the digest: its number, title and date.
pub fn digest_item(id: i64, title: &str, date: &str, lang: Lang) -> String {
    in_digits_of(
        id::DIGEST_ITEM,
        lang,
        &[
            ("id", id.to_string()),
            ("title", title.to_string()),
            ("date", date.to_string()),
        ],
    )
}
