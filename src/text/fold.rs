//! The search key: one fold applied both when indexing and to every query, so that the
//! Arabic and Persian code points for the same letter, three digit systems, vowel marks and
//! the many ways of typing ZWNJ all meet. See `docs/persian-text.md` for the table.

use unicode_normalization::UnicodeNormalization;

/// Zero-width non-joiner: joins the parts of one word (`می‌شود`) without joining the letters.
const ZWNJ: char = '\u{200C}';
/// Windows Persian keyboards have long produced `¬` (NOT SIGN) where ZWNJ was meant.
const ZWNJ_STAND_IN: char = '¬';

/// Query terms kept before the rest is ignored: a 5,000-character query stays cheap.
const MAX_QUERY_TERMS: usize = 16;
/// Longer terms are cut (and matched by prefix); no real word is this long.
const MAX_TERM_CHARS: usize = 64;
/// Shorter terms must match a whole word: `مرد` must not find `مردم`.
const MIN_PREFIX_TERM_CHARS: usize = 4;
/// A suffix is stripped only if at least this many letters remain (`ها` alone stays `ها`).
const MIN_STEM_CHARS: usize = 3;
/// Plural and superlative endings, longest first so `هایی` wins over `های` and `ها`.
const STRIPPED_SUFFIXES: [&str; 4] = ["هایی", "های", "ها", "ترین"];

/// What one character becomes in the search key.
enum Folded {
    Char(char),
    /// Invisible characters that never separate or change a word.
    Dropped,
    /// A ZWNJ or its stand-in: the caller decides (index keeps both forms, query joins).
    WordJoiner,
}

fn fold_char(c: char) -> Folded {
    match c {
        // Arabic and Urdu yeh forms, including yeh with hamza (`رئیس`/`رییس`).
        'ي' | 'ى' | 'ے' | 'ۓ' | 'ۍ' | 'ې' | 'ئ' => Folded::Char('ی'),
        'ك' | 'ڪ' => Folded::Char('ک'),
        // Teh marbuta and the heh forms.
        'ة' | 'ۀ' | 'ہ' | 'ۂ' | 'ھ' | 'ە' => Folded::Char('ه'),
        'أ' | 'إ' | 'ٱ' | 'آ' => Folded::Char('ا'),
        'ؤ' => Folded::Char('و'),
        // Harakat, superscript alef, Quranic marks and tatweel never change the word.
        '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}' | '\u{0640}' => {
            Folded::Dropped
        }
        '۰'..='۹' => Folded::Char(ascii_digit(c as u32 - '۰' as u32)),
        '٠'..='٩' => Folded::Char(ascii_digit(c as u32 - '٠' as u32)),
        // ZWJ, ZWSP, BOM, LRM, RLM, ALM and the bidi embeddings/isolates are invisible.
        '\u{200D}' | '\u{200B}' | '\u{FEFF}' | '\u{200E}' | '\u{200F}' | '\u{061C}' => {
            Folded::Dropped
        }
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => Folded::Dropped,
        ZWNJ | ZWNJ_STAND_IN => Folded::WordJoiner,
        other => Folded::Char(other),
    }
}

fn ascii_digit(offset: u32) -> char {
    char::from_digit(offset, 10).unwrap_or('0')
}

/// A word of the search key: its letters, joined, and where ZWNJ split it. One string per
/// word, and no list unless a ZWNJ split it: a snippet folds every word it shows, and an
/// import every word of the archive.
#[derive(Default)]
struct Word {
    letters: String,
    /// Byte offsets in `letters` where a part after a ZWNJ starts; never 0 or the end, so
    /// that no part is empty.
    splits: Vec<usize>,
    /// A ZWNJ came since the last letter: the next letter starts a part.
    joiner_pending: bool,
}

impl Word {
    fn push(&mut self, c: char) {
        if std::mem::take(&mut self.joiner_pending) && !self.letters.is_empty() {
            self.splits.push(self.letters.len());
        }
        self.letters.push(c);
    }

    /// A ZWNJ starts a new part, unless the word has no letters yet or just had one.
    fn break_part(&mut self) {
        self.joiner_pending = true;
    }

    fn is_empty(&self) -> bool {
        self.letters.is_empty()
    }

    /// The word as the index holds it: joined, and when ZWNJ split it, also its parts.
    fn form_strs(&self) -> impl Iterator<Item = &str> {
        let parts = (!self.splits.is_empty()).then(|| {
            let starts = std::iter::once(0).chain(self.splits.iter().copied());
            let ends = self
                .splits
                .iter()
                .copied()
                .chain(std::iter::once(self.letters.len()));
            starts
                .zip(ends)
                .map(|(start, end)| &self.letters[start..end])
        });
        std::iter::once(self.letters.as_str()).chain(parts.into_iter().flatten())
    }

    /// [`form_strs`](Self::form_strs), owned (the tests compare them).
    #[cfg(test)]
    fn forms(&self) -> Vec<String> {
        self.form_strs().map(str::to_string).collect()
    }
}

/// Applies NFKC and the folding table, then splits into words (runs of letters/digits,
/// ZWNJ kept inside a word), each with the byte range of `s` it comes from. Everything else
/// (punctuation, symbols, spaces) separates words. NFKC is applied character by character,
/// which keeps each word's place in the original; for Arabic script it is the same as over
/// the whole text, since the table folds every composed form (`أ`, `ئ`, `ۀ`) to the letter
/// that the separate mark would have been dropped from. Lazy, so that a snippet folds only
/// as far as it shows.
fn folded_words(s: &str) -> FoldedWords<'_, fn(char) -> Option<Step>> {
    folded_words_with(s, quick_step)
}

/// [`folded_words`], taking each character's step from `quick` where it has one.
fn folded_words_with<Q: Fn(char) -> Option<Step>>(s: &str, quick: Q) -> FoldedWords<'_, Q> {
    FoldedWords {
        chars: s.char_indices(),
        quick,
        current: Word::default(),
        span: None,
        ready: std::collections::VecDeque::new(),
    }
}

struct FoldedWords<'a, Q> {
    chars: std::str::CharIndices<'a>,
    quick: Q,
    current: Word,
    span: Option<std::ops::Range<usize>>,
    /// Words finished by the last character (one NFKC expansion, `¼` → `1⁄4`, can end
    /// several).
    ready: std::collections::VecDeque<(std::ops::Range<usize>, Word)>,
}

impl<Q> FoldedWords<'_, Q> {
    fn apply(&mut self, step: Step, original: &std::ops::Range<usize>) {
        match step {
            Step::Nothing => {}
            Step::Joiner => self.current.break_part(),
            Step::Letter(letter) => {
                self.current.push(letter);
                self.span = Some(
                    self.span
                        .take()
                        .map_or(original.clone(), |r| r.start..original.end),
                );
            }
            Step::Separator => {
                let word = std::mem::take(&mut self.current);
                if let Some(range) = self.span.take()
                    && !word.is_empty()
                {
                    self.ready.push_back((range, word));
                }
            }
        }
    }
}

impl<Q: Fn(char) -> Option<Step>> Iterator for FoldedWords<'_, Q> {
    type Item = (std::ops::Range<usize>, Word);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(word) = self.ready.pop_front() {
                return Some(word);
            }
            let Some((at, original)) = self.chars.next() else {
                let word = std::mem::take(&mut self.current);
                return self
                    .span
                    .take()
                    .filter(|_| !word.is_empty())
                    .map(|r| (r, word));
            };
            let range = at..at + original.len_utf8();
            match (self.quick)(original) {
                Some(step) => self.apply(step, &range),
                None => {
                    // Rare characters: NFKC may expand one into several steps.
                    let mut all = Vec::new();
                    steps(original, |step| all.push(step));
                    for step in all {
                        self.apply(step, &range);
                    }
                }
            }
        }
    }
}

/// What one character does to the word being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// A letter or digit of the word, folded and lowercased.
    Letter(char),
    /// Ends the word.
    Separator,
    /// A ZWNJ (see [`Word::break_part`]).
    Joiner,
    Nothing,
}

/// The steps of one character of the text: NFKC, the folding table, then lowercase.
fn steps(original: char, mut apply: impl FnMut(Step)) {
    for c in std::iter::once(original).nfkc() {
        match fold_char(c) {
            Folded::Dropped => apply(Step::Nothing),
            Folded::WordJoiner => apply(Step::Joiner),
            Folded::Char(c) if c.is_alphanumeric() => {
                // `İ` lowercases to `i` plus a combining dot; the dot is not a letter.
                for lower in c.to_lowercase().filter(|l| l.is_alphanumeric()) {
                    apply(Step::Letter(lower));
                }
            }
            Folded::Char(_) => apply(Step::Separator),
        }
    }
}

/// [`steps`] of a character of ASCII or the Arabic block, worked out once: nearly every
/// character of a Persian text is one, and NFKC, the letter test and lowercasing outside
/// ASCII were a quarter of an archive import's time. `None` for a character that takes
/// other than one step, and for every other character.
fn quick_step(c: char) -> Option<Step> {
    static ASCII_AND_ARABIC: std::sync::LazyLock<Vec<Option<Step>>> =
        std::sync::LazyLock::new(|| {
            (0..0x80)
                .chain(0x600..0x700)
                .map(|n| char::from_u32(n).and_then(single_step))
                .collect()
        });
    let index = match u32::from(c) {
        n @ 0..0x80 => n,
        n @ 0x600..0x700 => n - 0x600 + 0x80,
        _ if c == ZWNJ => return Some(Step::Joiner),
        _ => return None,
    };
    ASCII_AND_ARABIC.get(index as usize).copied().flatten()
}

fn single_step(c: char) -> Option<Step> {
    let mut all = Vec::new();
    steps(c, |step| all.push(step));
    match all[..] {
        [one] => Some(one),
        _ => None,
    }
}

/// The search key stored in the FTS5 table: folded words separated by single spaces.
/// A ZWNJ-joined word is emitted joined and as its parts (`می‌شود` → `میشود می شود`), so
/// `میشود`, `می شود` and `می‌شود` all find it.
pub fn fold_for_index(s: &str) -> String {
    let mut key = String::with_capacity(s.len());
    for (_, word) in folded_words(s) {
        for form in word.form_strs() {
            if !key.is_empty() {
                key.push(' ');
            }
            key.push_str(form);
        }
    }
    key
}

/// The same fold for what a subscriber typed; ZWNJ simply joins (`می‌شود` → `میشود`).
pub fn fold_query(s: &str) -> String {
    folded_words(s)
        .map(|(_, w)| w.letters)
        .collect::<Vec<_>>()
        .join(" ")
}

/// One term of an FTS5 query: matched whole, or as the start of a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryTerm {
    /// Folded letters and digits only: never FTS5 syntax.
    pub text: String,
    /// Matches every word that starts with `text`.
    pub prefix: bool,
}

impl QueryTerm {
    /// The term for one folded word (see [`query_words`]): long words are cut and matched
    /// by their start, plural and superlative endings are stripped, and words of four or
    /// more letters match by prefix.
    pub fn from_folded(term: &str) -> Self {
        let char_count = term.chars().count();
        if char_count > MAX_TERM_CHARS {
            // The word goes on past the cut, so it can only be found by its start.
            let text = term.chars().take(MAX_TERM_CHARS).collect();
            return QueryTerm { text, prefix: true };
        }
        for suffix in STRIPPED_SUFFIXES {
            if let Some(stem) = term.strip_suffix(suffix)
                && stem.chars().count() >= MIN_STEM_CHARS
            {
                return QueryTerm {
                    text: stem.to_string(),
                    prefix: true,
                };
            }
        }
        QueryTerm {
            text: term.to_string(),
            prefix: char_count >= MIN_PREFIX_TERM_CHARS,
        }
    }

    /// `"text"` or `"text"*`.
    pub fn to_fts(&self) -> String {
        let quoted = quote_fts(&self.text);
        if self.prefix { quoted + "*" } else { quoted }
    }

    /// Whether a word of the search key (see [`words_found_by`]) is one this term finds.
    pub fn finds(&self, folded_word: &str) -> bool {
        folded_word == self.text || (self.prefix && folded_word.starts_with(self.text.as_str()))
    }
}

/// A word as one quoted FTS5 string: inside quotes nothing is syntax, and `"` is doubled.
pub fn quote_fts(word: &str) -> String {
    format!("\"{}\"", word.replace('"', "\"\""))
}

/// The words of a query, folded (ZWNJ joins), as runs of letters and digits: at most
/// [`MAX_QUERY_TERMS`] of them, each at most [`MAX_TERM_CHARS`] characters plus what
/// [`QueryTerm::from_folded`] cuts itself. Empty when nothing searchable was typed.
pub fn query_words(user_input: &str) -> Vec<String> {
    fold_query(user_input)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .take(MAX_QUERY_TERMS)
        .map(|t| {
            // Bounded so a 5,000-letter "word" is not carried around; one letter past the
            // cut keeps it a prefix term.
            t.chars().take(MAX_TERM_CHARS + 1).collect()
        })
        .collect()
}

/// Builds a safe FTS5 `MATCH` expression from whatever a subscriber typed: every term is a
/// quoted run of letters/digits (so `AND`, `NEAR(`, `*`, `"` are harmless strings), terms
/// are joined by spaces (implicit AND), and long terms match by prefix. `None` when nothing
/// searchable is left, e.g. `؟!`.
pub fn fts_query(user_input: &str) -> Option<String> {
    let terms: Vec<String> = query_words(user_input)
        .iter()
        .map(|t| QueryTerm::from_folded(t).to_fts())
        .collect();
    if terms.is_empty() {
        None
    } else {
        Some(terms.join(" "))
    }
}

/// The words of a published text with where they stand in it (byte ranges of `s` itself,
/// not of its fold), and whether one of `terms` finds one of its search-key forms (the
/// joined word and, when ZWNJ split it, its parts, as [`fold_for_index`] indexes them).
/// Highlighting bolds the words a query found in the text as published, so the fold never
/// shows.
pub fn words_found_by<'a>(
    s: &'a str,
    terms: &'a [QueryTerm],
) -> impl Iterator<Item = (std::ops::Range<usize>, bool)> + 'a {
    folded_words(s).map(|(range, word)| {
        let found = word
            .form_strs()
            .any(|form| terms.iter().any(|t| t.finds(form)));
        (range, found)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::test_support::mixed_text;
    use proptest::prelude::*;

    /// Mimics FTS5 over a `fold_for_index` key: every query term must equal a token, or
    /// start one when it is a prefix term.
    fn fts_matches(stored: &str, query: &str) -> bool {
        let index = fold_for_index(stored);
        let tokens: Vec<&str> = index.split_whitespace().collect();
        let Some(expression) = fts_query(query) else {
            return false;
        };
        parse_expression(&expression).iter().all(|(term, prefix)| {
            tokens
                .iter()
                .any(|t| *t == term || (*prefix && t.starts_with(term.as_str())))
        })
    }

    /// Reads back what `fts_query` produced: `"term"` or `"term"*`, separated by spaces.
    /// Panics (failing the test) on anything else.
    fn parse_expression(expression: &str) -> Vec<(String, bool)> {
        expression
            .split(' ')
            .map(|piece| {
                let (quoted, prefix) = match piece.strip_suffix('*') {
                    Some(q) => (q, true),
                    None => (piece, false),
                };
                let inner = quoted
                    .strip_prefix('"')
                    .and_then(|q| q.strip_suffix('"'))
                    .unwrap_or_else(|| panic!("not a quoted term: {piece:?} in {expression:?}"));
                assert!(!inner.is_empty(), "empty term in {expression:?}");
                assert!(
                    inner.chars().all(char::is_alphanumeric),
                    "term with syntax in it: {inner:?}"
                );
                (inner.to_string(), prefix)
            })
            .collect()
    }

    #[test]
    fn folding_table_rows() {
        let rows = [
            // NFKC: presentation forms from PDFs become base letters.
            ("ﺍﻋﺘﺮﺍﺽ", "اعتراض"),
            ("ي ى ے ۍ ې ئ", "ی ی ی ی ی ی"),
            ("رئیس", "رییس"),
            ("مسائل", "مسایل"),
            ("ك ڪ", "ک ک"),
            ("ة ۀ ہ ۂ ھ ە", "ه ه ه ه ه ه"),
            ("أ إ ٱ آ", "ا ا ا ا"),
            ("آمریکا", "امریکا"),
            ("ؤ", "و"),
            ("مؤسسه", "موسسه"),
            // Harakat, superscript alef, a Quranic mark, tatweel.
            ("كَتَبَ", "کتب"),
            ("مُحَمَّدٌ", "محمد"),
            ("رحمٰن", "رحمن"),
            ("قرآن\u{06DA}", "قران"),
            ("بـــزرگ", "بزرگ"),
            ("۰۱۲۳۴۵۶۷۸۹ ٠١٢٣٤٥٦٧٨٩", "0123456789 0123456789"),
            (
                "a\u{200D}b\u{200B}c\u{FEFF}d\u{200E}e\u{200F}f\u{061C}g\u{202A}h\u{202E}i\u{2066}j\u{2069}k",
                "abcdefghijk",
            ),
            ("IRAN Iran", "iran iran"),
            // Not folded: these are different words.
            ("ء گ پ چ ژ", "ء گ پ چ ژ"),
            ("گشت کشت", "گشت کشت"),
        ];
        for (input, expected) in rows {
            assert_eq!(fold_for_index(input), expected, "index fold of {input:?}");
            assert_eq!(fold_query(input), expected, "query fold of {input:?}");
        }
    }

    #[test]
    fn zwnj_is_joined_and_split_at_index_time_and_joined_in_queries() {
        assert_eq!(fold_for_index("می\u{200C}شود"), "میشود می شود");
        assert_eq!(fold_for_index("می¬شود"), "میشود می شود");
        assert_eq!(
            fold_for_index("اعتراض می\u{200C}شود."),
            "اعتراض میشود می شود"
        );
        assert_eq!(fold_query("می\u{200C}شود"), "میشود");
        assert_eq!(fold_query("می¬شود"), "میشود");
        // A stray ZWNJ at a word's edge is just invisible.
        assert_eq!(fold_for_index("\u{200C}کتاب\u{200C} "), "کتاب");
    }

    #[test]
    fn punctuation_separates_tokens() {
        assert_eq!(
            fold_for_index("سلام، دنیا! (test)-case"),
            "سلام دنیا test case"
        );
        assert_eq!(fold_for_index("؟!«»"), "");
    }

    #[test]
    fn examples_that_must_hold() {
        let examples = [
            ("نيروهاى امنيتى", "نیروهای امنیتی", true),
            ("كشته شدند", "کشته", true),
            ("۱۹ مه ۲۰۱۷", "19 مه 2017", true),
            ("١٣ اردیبهشت", "۱۳ اردیبهشت", true),
            ("اعتراض می\u{200C}شود", "میشود", true),
            ("اعتراض می\u{200C}شود", "می شود", true),
            ("اعتراض می\u{200C}شود", "می\u{200C}شود", true),
            ("مؤسسه", "موسسه", true),
            ("آمریکا", "امریکا", true),
            ("مردم ایران", "مرد", false),
            ("ایرلند", "ایران", false),
            ("گشت ارشاد", "کشت", false),
            // Prefix and stemming behaviour described alongside the table.
            ("مردم ایرانی", "ایران", true),
            ("بهترین دفتر", "دفتر", true),
            ("دفترها", "دفترهای", true),
        ];
        for (stored, query, expected) in examples {
            assert_eq!(
                fts_matches(stored, query),
                expected,
                "{stored:?} searched with {query:?} (expression {:?})",
                fts_query(query)
            );
        }
    }

    #[test]
    fn query_expressions() {
        assert_eq!(fts_query("نیروهای").as_deref(), Some("\"نیرو\"*"));
        assert_eq!(fts_query("ایران").as_deref(), Some("\"ایران\"*"));
        assert_eq!(fts_query("مرد").as_deref(), Some("\"مرد\""));
        assert_eq!(fts_query("بزرگترین").as_deref(), Some("\"بزرگ\"*"));
        assert_eq!(fts_query("کتابهایی").as_deref(), Some("\"کتاب\"*"));
        // Too little would remain after stripping: kept whole.
        assert_eq!(fts_query("تنها").as_deref(), Some("\"تنها\"*"));
        assert_eq!(fts_query("ها").as_deref(), Some("\"ها\""));
        // Not stripped: `ان`, `ی`, `تر`.
        assert_eq!(fts_query("دفتر").as_deref(), Some("\"دفتر\"*"));
        assert_eq!(
            fts_query("NEAR(a b) AND c").as_deref(),
            Some("\"near\"* \"a\" \"b\" \"and\" \"c\"")
        );
    }

    #[test]
    fn queries_without_words_are_none() {
        for input in [
            "", "   ", "؟!", "\"", "*", "\"\"*", "\u{200C}", "()-:^", "😀",
        ] {
            assert_eq!(fts_query(input), None, "{input:?}");
        }
    }

    #[test]
    fn long_queries_are_capped() {
        let query = "کلمه ".repeat(1000) + &"ب".repeat(5000);
        let expression = fts_query(&query).unwrap_or_default();
        let terms = parse_expression(&expression);
        assert_eq!(terms.len(), MAX_QUERY_TERMS);
        let long = fts_query(&"ب".repeat(5000)).unwrap_or_default();
        assert_eq!(parse_expression(&long), vec![("ب".repeat(64), true)]);
    }

    /// Every character the quick table answers for takes the same step as without it.
    #[test]
    fn quick_steps_are_the_full_steps_of_their_characters() {
        let chars = (0..0x80).chain(0x600..0x700).chain([u32::from(ZWNJ)]);
        for c in chars.filter_map(char::from_u32) {
            if let Some(step) = quick_step(c) {
                assert_eq!(single_step(c), Some(step), "{c:?}");
            }
        }
        // Persian letters and digits, ASCII, and the forms that need the full steps.
        assert_eq!(quick_step('پ'), Some(Step::Letter('پ')));
        assert_eq!(quick_step('ي'), Some(Step::Letter('ی')));
        assert_eq!(quick_step('۶'), Some(Step::Letter('6')));
        assert_eq!(quick_step('Q'), Some(Step::Letter('q')));
        assert_eq!(quick_step(' '), Some(Step::Separator));
        assert_eq!(quick_step('\u{064E}'), Some(Step::Nothing));
        assert_eq!(quick_step('\u{0675}'), None);
        assert_eq!(quick_step('ﻻ'), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn the_quick_steps_fold_as_the_full_steps(s in mixed_text(200)) {
            let words = |quick: &dyn Fn(char) -> Option<Step>| -> Vec<_> {
                folded_words_with(&s, quick)
                    .map(|(range, word)| (range, word.forms()))
                    .collect()
            };
            prop_assert_eq!(words(&quick_step), words(&|_| None));
        }

        #[test]
        fn the_index_fold_is_each_words_forms_joined(s in mixed_text(200)) {
            let forms: Vec<String> = folded_words(&s).flat_map(|(_, word)| word.forms()).collect();
            prop_assert_eq!(fold_for_index(&s), forms.join(" "));
        }

        #[test]
        fn folds_never_panic_and_are_idempotent_tokens(s in mixed_text(200)) {
            let index = fold_for_index(&s);
            let query = fold_query(&s);
            for key in [&index, &query] {
                prop_assert!(!key.starts_with(' ') && !key.ends_with(' ') && !key.contains("  "));
                prop_assert!(key.split(' ').filter(|t| !t.is_empty()).all(|t| t.chars().all(char::is_alphanumeric)));
            }
        }

        #[test]
        fn fts_query_is_only_quoted_terms(s in mixed_text(300)) {
            if let Some(expression) = fts_query(&s) {
                let terms = parse_expression(&expression);
                prop_assert!(!terms.is_empty() && terms.len() <= MAX_QUERY_TERMS);
                prop_assert!(terms.iter().all(|(t, _)| t.chars().count() <= MAX_TERM_CHARS));
            }
        }

        #[test]
        fn stored_text_is_found_by_its_own_words(s in mixed_text(100)) {
            // Every word typed exactly as published finds the statement again.
            for word in s.split_whitespace() {
                if fts_query(word).is_some() {
                    prop_assert!(fts_matches(&s, word), "{:?} not found in {:?}", word, s);
                }
            }
        }
    }

    #[test]
    fn highlight_words_point_into_the_text_as_published() {
        let text = "نيروهاى امنيتى، اعتراض می\u{200C}شود (آمریکا)";
        let words: Vec<_> = folded_words(text)
            .map(|(range, word)| (range, word.forms()))
            .collect();
        let shown: Vec<&str> = words.iter().map(|(r, _)| &text[r.clone()]).collect();
        assert_eq!(
            shown,
            ["نيروهاى", "امنيتى", "اعتراض", "می\u{200C}شود", "آمریکا"]
        );
        assert_eq!(words[0].1, ["نیروهای"]);
        assert_eq!(words[3].1, ["میشود", "می", "شود"]);
        assert_eq!(words[4].1, ["امریکا"]);
        assert!(QueryTerm::from_folded("نیروهای").finds(&words[0].1[0]));
        assert!(!QueryTerm::from_folded("مرد").finds("مردم"));
    }
}
