//! What a subscriber asked `/search` for: folded words (see [`query_words`]) and, when the
//! query names a Jalali month and year (`خرداد ۱۳۹۶`, `khordad 1396`), that month as a
//! date filter.

use crate::text::dates::{JALALI_MONTHS, JalaliMonth};
use crate::text::fold::{fold_query, query_words};

/// Other spellings people use for a month, folded, beside [`JALALI_MONTHS`].
const MONTH_ALIASES: [(&str, u8); 6] = [
    ("امرداد", 5),
    ("amordad", 5),
    ("dei", 10),
    ("day", 10),
    ("esfand", 12),
    ("ordibehesht", 2),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRequest {
    /// Folded words, as [`query_words`] makes them; empty when the query was only a month.
    pub words: Vec<String>,
    pub month: Option<JalaliMonth>,
}

/// [`JALALI_MONTHS`] as a query's words are folded, Persian and Latin: folded once, not
/// for every word of every query.
static FOLDED_MONTHS: std::sync::LazyLock<Vec<(String, String)>> = std::sync::LazyLock::new(|| {
    JALALI_MONTHS
        .iter()
        .map(|(fa, en)| (fold_query(fa), en.to_lowercase()))
        .collect()
});

/// The month named by one folded word, Persian or Latin.
fn month_number(folded_word: &str) -> Option<u8> {
    FOLDED_MONTHS
        .iter()
        .zip(1u8..)
        .find(|((fa, en), _)| fa == folded_word || en == folded_word)
        .map(|(_, n)| n)
        .or_else(|| {
            MONTH_ALIASES
                .iter()
                .find(|(alias, _)| *alias == folded_word)
                .map(|(_, n)| *n)
        })
}

/// A four-digit year in the archive's range (digits are already ASCII after folding).
fn year_number(folded_word: &str) -> Option<i32> {
    if folded_word.len() != 4 || !folded_word.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    folded_word.parse().ok()
}

/// Splits a query into its words and, if a month and a year stand next to each other in
/// either order, that month. `None` when nothing searchable is left (`؟!`).
pub fn parse_search(user_input: &str) -> Option<SearchRequest> {
    let folded = fold_query(user_input);
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    let mut month = None;
    let mut rest: Vec<&str> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        if month.is_none()
            && let Some(next) = words.get(i + 1)
        {
            let pair = match (month_number(words[i]), year_number(next)) {
                (Some(m), Some(y)) => JalaliMonth::new(y, m),
                _ => match (year_number(words[i]), month_number(next)) {
                    (Some(y), Some(m)) => JalaliMonth::new(y, m),
                    _ => None,
                },
            };
            if pair.is_some() {
                month = pair;
                i += 2;
                continue;
            }
        }
        rest.push(words[i]);
        i += 1;
    }
    let words = query_words(&rest.join(" "));
    (!words.is_empty() || month.is_some()).then_some(SearchRequest { words, month })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::test_support::mixed_text;
    use proptest::prelude::*;

    fn month(y: i32, m: u8) -> Option<JalaliMonth> {
        JalaliMonth::new(y, m)
    }

    #[test]
    fn a_month_and_year_become_a_filter_in_any_script() {
        for query in [
            "خرداد ۱۳۹۶",
            "خرداد 1396",
            "خرداد ١٣٩٦",
            "khordad 1396",
            "Khordad ۱۳۹۶",
            "۱۳۹۶ خرداد",
        ] {
            assert_eq!(
                parse_search(query),
                Some(SearchRequest {
                    words: Vec::new(),
                    month: month(1396, 3)
                }),
                "{query:?}"
            );
        }
        assert_eq!(
            parse_search("آبان ۱۴۰۲").and_then(|r| r.month),
            month(1402, 8)
        );
        assert_eq!(
            parse_search("esfand 1403").and_then(|r| r.month),
            month(1403, 12)
        );
    }

    #[test]
    fn other_words_stay_search_words() {
        let request = parse_search("معدن یورت اردیبهشت ۹۶ ordibehesht 1396").expect("words");
        assert_eq!(request.month, month(1396, 2));
        assert_eq!(request.words, ["معدن", "یورت", "اردیبهشت", "96"]);
    }

    #[test]
    fn a_month_without_a_year_or_a_gregorian_year_is_just_a_word() {
        assert_eq!(
            parse_search("مهر"),
            Some(SearchRequest {
                words: vec!["مهر".to_string()],
                month: None
            })
        );
        assert_eq!(parse_search("مه 2017").and_then(|r| r.month), None);
        assert_eq!(parse_search("tir 2017").and_then(|r| r.month), None);
        assert_eq!(parse_search("؟!"), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn never_panics_and_words_match_fts_query(s in mixed_text(200)) {
            if let Some(request) = parse_search(&s)
                && request.month.is_none()
            {
                prop_assert_eq!(request.words, query_words(&s));
            }
        }
    }
}
