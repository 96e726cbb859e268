//! The words of topics (issue 13): /topics, the subscriber's checkbuttons, the topic under a
//! /post preview, /feedtopic and the topics' part of /stats and /feeds.

use super::{Phrase, id, message, number, phrase};
use crate::domain::{FeedTopics, HeldShare, Lang, Topic, TopicFigures, TopicSlug};

/// A topic by its name in `lang`, or its slug when it is not among `topics`.
fn name_of(topics: &[Topic], slug: TopicSlug, lang: Lang) -> String {
    topics
        .iter()
        .find(|t| t.slug == slug)
        .map_or_else(|| slug.to_string(), |t| t.name(lang).to_string())
}

/// `/topics`: every topic with its names and slug.
pub fn topics_list(topics: &[Topic], lang: Lang) -> String {
    let mut out = message(id::TOPICS_HEADING, lang, &[]);
    for topic in topics {
        out.push('\n');
        out.push_str(&message(
            id::TOPICS_LINE,
            lang,
            &[
                ("slug", topic.slug.to_string()),
                ("fa", topic.name_fa.clone()),
                ("en", topic.name_en.clone()),
            ],
        ));
    }
    out.push_str("\n\n");
    out.push_str(phrase(Phrase::TopicsUsage, lang));
    out
}

pub fn topic_rename_button(topic: &Topic, lang: Lang) -> String {
    message(
        id::BUTTON_TOPIC_RENAME,
        lang,
        &[("name", topic.name(lang).to_string())],
    )
}

pub fn topic_remove_button(topic: &Topic, lang: Lang) -> String {
    message(
        id::BUTTON_TOPIC_REMOVE,
        lang,
        &[("name", topic.name(lang).to_string())],
    )
}

/// The line to copy, change and send to rename `topic`.
pub fn topic_rename_how(topic: &Topic, lang: Lang) -> String {
    message(
        id::TOPIC_RENAME_HOW,
        lang,
        &[
            ("slug", topic.slug.to_string()),
            ("fa", topic.name_fa.clone()),
            ("en", topic.name_en.clone()),
        ],
    )
}

pub fn topic_added(topic: &Topic, lang: Lang) -> String {
    message(
        id::TOPIC_ADDED,
        lang,
        &[
            ("slug", topic.slug.to_string()),
            ("name", topic.name(lang).to_string()),
        ],
    )
}

pub fn topic_renamed(topic: &Topic, lang: Lang) -> String {
    message(
        id::TOPIC_RENAMED,
        lang,
        &[("fa", topic.name_fa.clone()), ("en", topic.name_en.clone())],
    )
}

/// Removing `topic`: where should its statements go (a button per other topic)?
pub fn topic_remove_ask(topic: &Topic, statements: i64, lang: Lang) -> String {
    message(
        id::TOPIC_REMOVE_ASK,
        lang,
        &[
            ("name", topic.name(lang).to_string()),
            ("statements", number(statements, lang)),
        ],
    )
}

pub fn topic_move_button(to: &Topic, lang: Lang) -> String {
    message(
        id::BUTTON_TOPIC_MOVE,
        lang,
        &[("name", to.name(lang).to_string())],
    )
}

pub fn topic_removed(removed: TopicSlug, to: &Topic, moved: u64, lang: Lang) -> String {
    message(
        id::TOPIC_REMOVED,
        lang,
        &[
            ("slug", removed.to_string()),
            ("name", to.name(lang).to_string()),
            (
                "moved",
                number(i64::try_from(moved).unwrap_or(i64::MAX), lang),
            ),
        ],
    )
}

/// A checkbutton: `✅ News` or `⬜ News` (plain text, as buttons are).
pub fn topic_checkbutton(name: &str, on: bool) -> String {
    format!("{} {name}", if on { "✅" } else { "⬜" })
}

/// The subscriber's topics, above their checkbuttons.
pub fn topic_choice(all: bool, lang: Lang) -> String {
    let all = if all { "yes" } else { "no" };
    message(id::TOPIC_CHOICE, lang, &[("all", all.to_string())])
}

/// Above the topic buttons under a /post preview.
pub fn post_topic(topics: &[Topic], chosen: TopicSlug, lang: Lang) -> String {
    message(
        id::POST_TOPIC,
        lang,
        &[("name", name_of(topics, chosen, lang))],
    )
}

/// `/post #word …` where no topic is called `word`: the topics there are.
pub fn post_unknown_topic(word: &str, topics: &[Topic], lang: Lang) -> String {
    unknown_topic(id::POST_UNKNOWN_TOPIC, word, topics, lang)
}

/// `/latest word` where no topic is called `word`.
pub fn latest_unknown_topic(word: &str, topics: &[Topic], lang: Lang) -> String {
    unknown_topic(id::LATEST_UNKNOWN_TOPIC, word, topics, lang)
}

fn unknown_topic(message_id: &str, word: &str, topics: &[Topic], lang: Lang) -> String {
    let known = topics
        .iter()
        .map(|t| format!("#{}", t.slug))
        .collect::<Vec<_>>()
        .join(" ");
    let word = word.chars().take(40).collect();
    message(message_id, lang, &[("word", word), ("topics", known)])
}

/// The topics' part of /stats: per topic its subscribers, statements of the last 30 days
/// and (once the digest exists) its digest readers; then what the last broadcast held.
pub fn stats_topics(figures: &[TopicFigures], held: Option<HeldShare>, lang: Lang) -> String {
    let mut out = String::from("\n\n");
    out.push_str(&message(id::STATS_TOPICS_HEADING, lang, &[]));
    for f in figures {
        out.push('\n');
        out.push_str(&message(
            id::STATS_TOPIC,
            lang,
            &[
                ("name", f.topic.name(lang).to_string()),
                ("subscribers", number(f.subscribers, lang)),
                ("statements", number(f.statements_30_days, lang)),
            ],
        ));
        if let Some(digest) = f.digest_subscribers {
            out.push_str(&message(
                id::STATS_TOPIC_DIGEST,
                lang,
                &[("digest", number(digest, lang))],
            ));
        }
    }
    if let Some(held) = held.filter(|h| h.deliveries > 0) {
        let held_count = held.quiet + held.digest;
        let percent = held_count * 100 / held.deliveries;
        out.push('\n');
        out.push_str(&message(
            id::STATS_HELD,
            lang,
            &[
                ("percent", number(percent, lang)),
                ("held", number(held_count, lang)),
                ("recipients", number(held.deliveries, lang)),
            ],
        ));
    }
    out
}

/// The topics' part of /feeds: feeds whose items do not all go to the house default.
pub fn feed_topics(feeds: &[FeedTopics], topics: &[Topic], lang: Lang) -> String {
    if feeds.is_empty() {
        return String::new();
    }
    let mut out = String::from("\n\n");
    out.push_str(&message(id::FEED_TOPICS_HEADING, lang, &[]));
    for feed in feeds {
        if let Some(default) = feed.default {
            out.push('\n');
            out.push_str(&message(
                id::FEED_TOPICS_DEFAULT,
                lang,
                &[
                    ("id", number(feed.feed_id, lang)),
                    ("name", name_of(topics, default, lang)),
                ],
            ));
        }
        for (category, topic) in &feed.categories {
            out.push('\n');
            out.push_str(&message(
                id::FEED_TOPICS_CATEGORY,
                lang,
                &[
                    ("id", number(feed.feed_id, lang)),
                    ("category", category.clone()),
                    ("name", name_of(topics, *topic, lang)),
                ],
            ));
        }
    }
    out
}

pub fn feed_topic_set(feed_id: i64, topic: &Topic, lang: Lang) -> String {
    message(
        id::FEED_TOPIC_SET,
        lang,
        &[
            ("id", number(feed_id, lang)),
            ("name", topic.name(lang).to_string()),
        ],
    )
}

pub fn feed_topic_mapped(feed_id: i64, category: &str, topic: &Topic, lang: Lang) -> String {
    message(
        id::FEED_TOPIC_MAPPED,
        lang,
        &[
            ("id", number(feed_id, lang)),
            ("category", category.to_string()),
            ("name", topic.name(lang).to_string()),
        ],
    )
}

pub fn feed_topic_unmapped(feed_id: i64, category: &str, lang: Lang) -> String {
    message(
        id::FEED_TOPIC_UNMAPPED,
        lang,
        &[
            ("id", number(feed_id, lang)),
            ("category", category.to_string()),
        ],
    )
}
