//! A search result's snippet: the words around the first match in the text as published,
//! with every matched word in bold. Matching runs on the search key (see `fold`), the
//! output on the original text, so `نيروهاى` is bolded as printed when `نیروهای` was typed.
//! Matches are `<strong>` and titles `<b>`: Telegram draws both bold, and a page's titles
//! stay countable apart from its matches.

use crate::text::fold::{QueryTerm, words_found_by};
use crate::text::html::{push_escaped, push_escaped_str};

const ELLIPSIS: &str = "…";

/// Of a snippet's length, how much may come before the first match: enough context to read
/// the match in, while keeping it near the top.
const LEAD_DIVISOR: usize = 4;

/// The snippet of `plain` for `terms`, at most about `max_chars` characters of text, as
/// Telegram HTML; `None` when no word of `plain` matches (the match was in the title).
pub fn snippet(plain: &str, terms: &[QueryTerm], max_chars: usize) -> Option<String> {
    // The text is folded only as far as the snippet reaches: up to the first match, then
    // to the end of the budget.
    let mut unread = words_found_by(plain, terms);
    let mut words = Vec::new();
    let mut matched: Vec<bool> = Vec::new();
    let first = loop {
        let (range, found) = unread.next()?;
        words.push(range);
        matched.push(found);
        if found {
            break words.len() - 1;
        }
    };
    let lead_chars = max_chars / LEAD_DIVISOR;
    let match_start = words[first].start;
    // Start at the earliest word that still leaves the match within the lead.
    let mut start_word = first;
    while start_word > 0
        && plain[words[start_word - 1].start..match_start]
            .chars()
            .count()
            <= lead_chars
    {
        start_word -= 1;
    }
    let start = if start_word == 0 {
        0
    } else {
        words[start_word].start
    };
    // End after the last whole word that fits.
    let budget_end = plain[start..]
        .char_indices()
        .nth(max_chars)
        .map_or(plain.len(), |(i, _)| start + i);
    for (range, found) in unread.by_ref() {
        let past_budget = range.end > budget_end;
        matched.push(found);
        words.push(range);
        if past_budget {
            break;
        }
    }
    let end = if budget_end == plain.len() {
        plain.len()
    } else {
        words
            .iter()
            .map(|r| r.end)
            .take_while(|e| *e <= budget_end)
            .last()
            .filter(|e| *e > match_start)
            .unwrap_or(words[first].end)
    };

    let mut out = String::with_capacity(end - start + 64);
    if start > 0 {
        out.push_str(ELLIPSIS);
    }
    let mut at = start;
    for (range, bold) in words.iter().zip(&matched) {
        // One printed character can fold into several words (`¼` is `1⁄4`): they share
        // its range, and only the first is bolded.
        if !*bold || range.start < start.max(at) || range.end > end {
            continue;
        }
        push_collapsed(&mut out, &plain[at..range.start]);
        out.push_str("<strong>");
        push_escaped_str(&mut out, &plain[range.clone()]);
        out.push_str("</strong>");
        at = range.end;
    }
    push_collapsed(&mut out, &plain[at..end]);
    let trimmed = out.trim();
    if trimmed.len() != out.len() {
        out = trimmed.to_string();
    }
    if end < plain.len() {
        out.push_str(ELLIPSIS);
    }
    Some(out)
}

/// Appends `piece` escaped, with every run of whitespace (line breaks too) made one space.
fn push_collapsed(out: &mut String, piece: &str) {
    let mut in_space = false;
    for c in piece.chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            in_space = false;
            push_escaped(out, c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::format::{is_valid_telegram_html, visible_len};
    use crate::text::test_support::mixed_text;
    use proptest::prelude::*;

    fn terms(words: &[&str]) -> Vec<QueryTerm> {
        words.iter().map(|w| QueryTerm::from_folded(w)).collect()
    }

    #[test]
    fn a_character_that_folds_into_several_words_is_bolded_once() {
        for query in [&["1"][..], &["4"], &["1", "4"]] {
            let shown = snippet("¼", &terms(query), 100);
            if let Some(shown) = shown {
                assert!(is_valid_telegram_html(&shown), "{shown}");
                assert_eq!(shown.matches("<strong>").count(), 1, "{shown}");
            }
        }
        assert!(snippet("a ¼ b", &terms(&["4"]), 100).is_some());
    }

    #[test]
    fn bolds_the_words_as_published_whatever_spelling_was_typed() {
        let body = "در کابل نيروهاى امنيتى به سوی مردم شلیک کردند. نیروهای <ویژه> هم آمدند.";
        let shown = snippet(body, &terms(&["نیروهای", "امنیتی"]), 300).expect("a match");
        assert_eq!(
            shown,
            "در کابل <strong>نيروهاى</strong> <strong>امنيتى</strong> به سوی مردم شلیک کردند. <strong>نیروهای</strong> &lt;ویژه&gt; هم آمدند."
        );
    }

    #[test]
    fn zwnj_words_and_prefixes_are_bolded_whole() {
        let shown = snippet(
            "این اعتراض می‌شود و ایرانیان",
            &terms(&["میشود", "ایران"]),
            300,
        )
        .expect("a match");
        assert_eq!(
            shown,
            "این اعتراض <strong>می‌شود</strong> و <strong>ایرانیان</strong>"
        );
        assert_eq!(snippet("مردم ایران", &terms(&["مرد"]), 300), None);
    }

    #[test]
    fn a_late_match_is_shown_with_a_little_context() {
        let body = format!("{} معدن یورت {}", "کلمه ".repeat(200), "پایان ".repeat(200));
        let shown = snippet(&body, &terms(&["معدن"]), 100).expect("a match");
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        assert!(shown.contains("<strong>معدن</strong> یورت"), "{shown}");
        let before = shown.split("<strong>").next().unwrap_or_default();
        assert!(before.chars().count() <= 100 / LEAD_DIVISOR + 2, "{shown}");
        assert!(visible_len(&shown) <= 104);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn snippets_are_valid_html_of_bounded_length(
            body in mixed_text(600),
            query in mixed_text(20),
            max in 10usize..300,
        ) {
            let terms: Vec<QueryTerm> = crate::text::fold::query_words(&query)
                .iter()
                .map(|w| QueryTerm::from_folded(w))
                .collect();
            if let Some(shown) = snippet(&body, &terms, max) {
                prop_assert!(is_valid_telegram_html(&shown), "{:?}", shown);
                prop_assert!(shown.contains("<strong>"));
                // A single long matched word may exceed the budget; nothing else does.
                let longest = words_found_by(&body, &terms)
                    .map(|(r, _)| body[r.clone()].chars().count())
                    .max()
                    .unwrap_or(0);
                prop_assert!(visible_len(&shown) <= 2 * (max + longest + 2));
            }
        }
    }
}
