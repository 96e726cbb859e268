//! The benchmark corpus (issue 14): the words of the example feeds and
//! docs/persian-text.md, drawn Zipf-like (the n-th most frequent word 1/n as often as the
//! first), with «ایران» and «کارگران» among the most frequent so that one-word queries
//! match most of the archive. Bodies have 50–400 words, titles 5–15, and publication dates
//! are spread at random over thirty years, so the order of insertion says nothing about age.

use chrono::{DateTime, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

pub fn vocabulary() -> Vec<String> {
    let text = [
        include_str!("../../tests/fixtures/feeds/feed.rss.xml"),
        include_str!("../../tests/fixtures/feeds/feed.atom.xml"),
        include_str!("../../docs/persian-text.md"),
    ]
    .concat();
    let mut counts: std::collections::HashMap<String, usize> = Default::default();
    for word in text.split(|c: char| !(('\u{0600}'..='\u{06FF}').contains(&c) || c == '\u{200C}')) {
        if word.chars().count() > 1 {
            *counts.entry(word.to_string()).or_default() += 1;
        }
    }
    let mut words: Vec<(String, usize)> = counts.into_iter().collect();
    words.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut vocabulary: Vec<String> = vec!["ایران".into(), "کارگران".into()];
    vocabulary.extend(
        words
            .into_iter()
            .map(|(w, _)| w)
            .filter(|w| w != "ایران" && w != "کارگران"),
    );
    // Two function words lead, as in any Persian text.
    vocabulary.insert(0, "در".into());
    vocabulary.insert(1, "و".into());
    vocabulary.dedup();
    vocabulary
}

struct Zipf {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Zipf {
    fn new(words: Vec<String>) -> Self {
        let mut total = 0.0;
        let cumulative = (1..=words.len())
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect();
        Self { words, cumulative }
    }

    fn words(&self, rng: &mut StdRng, n: usize) -> String {
        let total = *self.cumulative.last().unwrap_or(&1.0);
        (0..n)
            .map(|_| {
                let x = rng.random::<f64>() * total;
                let i = self.cumulative.partition_point(|c| *c < x);
                self.words[i.min(self.words.len() - 1)].as_str()
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

pub struct Item {
    pub title: String,
    pub body: String,
    pub published: DateTime<Utc>,
}

pub fn corpus(n: usize) -> Vec<Item> {
    let zipf = Zipf::new(vocabulary());
    let mut rng = StdRng::seed_from_u64(14);
    let from = Utc
        .with_ymd_and_hms(1995, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    let span = 30 * 365 * 24 * 3600;
    (0..n)
        .map(|_| {
            let title_words = rng.random_range(5..=15);
            let body_words = rng.random_range(50..=400);
            Item {
                title: zipf.words(&mut rng, title_words),
                body: zipf.words(&mut rng, body_words),
                published: from + chrono::Duration::seconds(rng.random_range(0..span)),
            }
        })
        .collect()
}
