//! Topics: named streams of statements ("statements", "news", …) that subscribers choose.

use std::collections::BTreeSet;
use std::fmt;

use super::Lang;

/// A slug is stored in every statement's row and carried by buttons: the longest button,
/// `tp:m:<from>:<to>` (moving a removed topic's statements), must stay within Telegram's
/// 64 bytes of callback data with two of them.
pub const MAX_SLUG_BYTES: usize = 24;

/// Names are read on buttons; Telegram cuts long ones anyway.
pub const MAX_TOPIC_NAME_CHARS: usize = 40;

/// The topic every statement belongs to unless it is given another (migration 0013 seeds
/// it); it can be renamed, never removed.
pub const DEFAULT_TOPIC: &str = "statements";

/// A topic's stable name in storage and in buttons: 1 to 24 of `a-z`, `0-9`, `-`, `_`,
/// starting with a letter. Kept inline so that buttons that carry one stay `Copy`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TopicSlug {
    len: u8,
    bytes: [u8; MAX_SLUG_BYTES],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TopicError {
    #[error("a topic's slug is 1 to {MAX_SLUG_BYTES} of a-z, 0-9, - and _, starting with a letter")]
    BadSlug,
    #[error("a topic's name is 1 to {MAX_TOPIC_NAME_CHARS} characters")]
    BadName,
}

impl TopicSlug {
    pub fn new(slug: &str) -> Result<Self, TopicError> {
        let slug = slug.trim();
        let well_formed = !slug.is_empty()
            && slug.len() <= MAX_SLUG_BYTES
            && slug.starts_with(|c: char| c.is_ascii_lowercase())
            && slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !well_formed {
            return Err(TopicError::BadSlug);
        }
        let mut bytes = [0; MAX_SLUG_BYTES];
        bytes[..slug.len()].copy_from_slice(slug.as_bytes());
        Ok(Self {
            len: slug.len() as u8,
            bytes,
        })
    }

    /// The house default, [`DEFAULT_TOPIC`].
    pub fn default_topic() -> Self {
        Self::new(DEFAULT_TOPIC).expect("the default slug is well formed")
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII goes in (see `new`).
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }

    pub fn is_default(&self) -> bool {
        self.as_str() == DEFAULT_TOPIC
    }
}

impl fmt::Debug for TopicSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TopicSlug({:?})", self.as_str())
    }
}

impl fmt::Display for TopicSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A topic with its names in each language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    pub slug: TopicSlug,
    pub name_fa: String,
    pub name_en: String,
}

impl Topic {
    /// Names are trimmed and their whitespace made single; both must say something.
    pub fn new(slug: TopicSlug, name_fa: &str, name_en: &str) -> Result<Self, TopicError> {
        Ok(Self {
            slug,
            name_fa: topic_name(name_fa)?,
            name_en: topic_name(name_en)?,
        })
    }

    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fa => &self.name_fa,
            Lang::En => &self.name_en,
        }
    }

    /// Whether `word` (as typed after `#` or after `/latest`) names this topic: its slug, or
    /// either name with `_` for spaces, without regard to case.
    pub fn is_named(&self, word: &str) -> bool {
        let word = word.trim().to_lowercase();
        let spaced = word.replace('_', " ");
        word == self.slug.as_str()
            || spaced == self.name_fa.to_lowercase()
            || spaced == self.name_en.to_lowercase()
    }
}

/// The topic among `topics` that `word` names.
pub fn find_topic<'a>(topics: &'a [Topic], word: &str) -> Option<&'a Topic> {
    topics.iter().find(|t| t.is_named(word))
}

/// A topic's name as admins type it: one line, bounded.
pub fn topic_name(name: &str) -> Result<String, TopicError> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > MAX_TOPIC_NAME_CHARS {
        return Err(TopicError::BadName);
    }
    Ok(name)
}

/// What a subscriber receives: every topic (the default, which includes topics added
/// later), or only those chosen.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TopicChoice {
    #[default]
    All,
    Only(BTreeSet<TopicSlug>),
}

impl TopicChoice {
    pub fn includes(&self, topic: &TopicSlug) -> bool {
        match self {
            TopicChoice::All => true,
            TopicChoice::Only(chosen) => chosen.contains(topic),
        }
    }

    /// One topic's checkbutton pressed: from "all", every other topic of `topics` stays on.
    pub fn toggled(&self, topic: TopicSlug, topics: &[Topic]) -> TopicChoice {
        let mut chosen = match self {
            TopicChoice::All => topics.iter().map(|t| t.slug).collect(),
            TopicChoice::Only(chosen) => chosen.clone(),
        };
        if !chosen.remove(&topic) {
            chosen.insert(topic);
        }
        TopicChoice::Only(chosen)
    }
}

/// A feed's category names are compared folded: one line, lower case.
pub fn fold_category(category: &str) -> String {
    category
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Where one feed's items go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedTopics {
    pub feed_id: i64,
    /// `None`: the house default.
    pub default: Option<TopicSlug>,
    /// Folded category names, each with its topic.
    pub categories: Vec<(String, TopicSlug)>,
}

impl FeedTopics {
    /// The topic of an item with these categories: the first mapped one, else the feed's
    /// default, else `None` (the house default).
    pub fn topic_of(&self, categories: &[String]) -> Option<TopicSlug> {
        let folded: BTreeSet<String> = categories.iter().map(|c| fold_category(c)).collect();
        self.categories
            .iter()
            .find(|(category, _)| folded.contains(category))
            .map(|(_, topic)| *topic)
            .or(self.default)
    }
}

/// One topic's line in /stats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicFigures {
    pub topic: Topic,
    /// Active subscribers who receive it ("all" or chosen).
    pub subscribers: i64,
    /// Statements in it published in the last 30 days.
    pub statements_30_days: i64,
    /// Subscribers of it who chose the daily digest: `None` until the digest exists
    /// (issue 13 §3).
    pub digest_subscribers: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_short_ascii_words() {
        assert_eq!(TopicSlug::new(" news ").unwrap().as_str(), "news");
        assert_eq!(TopicSlug::new("en-2").unwrap().as_str(), "en-2");
        for bad in ["", "News", "2news", "خبر", "a b", "a:b", &"a".repeat(25)] {
            assert_eq!(TopicSlug::new(bad), Err(TopicError::BadSlug), "{bad:?}");
        }
        assert!(TopicSlug::new(&"a".repeat(24)).is_ok());
        assert!(TopicSlug::default_topic().is_default());
    }

    #[test]
    fn names_are_bounded_and_found_by_either_language() {
        let news = Topic::new(
            TopicSlug::new("news").unwrap(),
            " اخبار  روز ",
            "Daily News",
        )
        .unwrap();
        assert_eq!(news.name_fa, "اخبار روز");
        assert!(news.is_named("news") && news.is_named("اخبار_روز") && news.is_named("daily_news"));
        assert!(!news.is_named("new"));
        assert_eq!(Topic::new(news.slug, "", "x"), Err(TopicError::BadName));
        assert_eq!(topic_name(&"x".repeat(41)), Err(TopicError::BadName));
    }

    #[test]
    fn toggling_from_all_keeps_the_others() {
        let topic = |s: &str| Topic::new(TopicSlug::new(s).unwrap(), s, s).unwrap();
        let topics = [topic("statements"), topic("news")];
        let news = topics[1].slug;
        let without_news = TopicChoice::All.toggled(news, &topics);
        assert!(without_news.includes(&topics[0].slug) && !without_news.includes(&news));
        assert!(without_news.toggled(news, &topics).includes(&news));
    }
}
