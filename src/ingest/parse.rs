use chrono::Utc;
use feed_rs::model::{Entry, Feed};

use crate::domain::NewAnnouncement;
use crate::text::{first_image, html_to_plain};

#[derive(Debug, thiserror::Error)]
#[error("not a readable RSS, Atom or JSON feed: {0}")]
pub struct ParseError(String);

/// The statements a feed document holds, newest first as the feed gives them.
#[derive(Debug, Default)]
pub struct ParsedFeed {
    pub items: Vec<NewAnnouncement>,
    pub skipped: usize,
}

/// Parses RSS 0.9x/1.0/2.0, Atom or JSON Feed. `base` resolves relative links.
pub fn parse_feed(bytes: &[u8], base: Option<&str>) -> Result<ParsedFeed, ParseError> {
    let feed: Feed = feed_rs::parser::Builder::new()
        .base_uri(base)
        // An item's identity is its guid, else its link; without either, title and date
        // (added below) have to do. feed-rs's default would hash and hide which it used.
        .id_generator(|links, _title, _base| {
            links.first().map(|l| l.href.clone()).unwrap_or_default()
        })
        .build()
        .parse(bytes)
        .map_err(|e| ParseError(e.to_string()))?;
    let mut parsed = ParsedFeed::default();
    for entry in feed.entries {
        match to_announcement(entry) {
            Some(item) => parsed.items.push(item),
            None => parsed.skipped += 1,
        }
    }
    Ok(parsed)
}

fn to_announcement(entry: Entry) -> Option<NewAnnouncement> {
    let title_html = entry.title.map(|t| t.content).unwrap_or_default();
    let title = html_to_plain(&title_html);
    let body_html = entry
        .content
        .and_then(|c| c.body)
        .filter(|b| !b.trim().is_empty())
        .or_else(|| entry.summary.map(|s| s.content))
        .unwrap_or_default();
    let body_text = html_to_plain(&body_html);
    let link = entry
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or(entry.links.first())
        .map(|l| l.href.clone());
    let published_at = entry.published.or(entry.updated).unwrap_or_else(Utc::now);
    let source_key = if entry.id.trim().is_empty() {
        format!("title:{title}|{}", published_at.to_rfc3339())
    } else {
        entry.id
    };
    let image = first_image(&body_html).or_else(|| {
        entry
            .media
            .iter()
            .flat_map(|m| m.content.iter())
            .find_map(|c| c.url.as_ref().map(|u| u.to_string()))
    });
    NewAnnouncement::new(source_key, &title, body_html, body_text, link, published_at)
        .ok()
        .map(|a| a.with_image(image))
}
