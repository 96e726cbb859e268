use chrono::Utc;
use feed_rs::model::{Entry, Feed};
use scraper::{Html, Selector};

use crate::domain::NewAnnouncement;
use crate::text::{first_image, html_to_plain};

#[derive(Debug, thiserror::Error)]
#[error("not a readable RSS, Atom or JSON feed: {0}")]
pub struct ParseError(String);

impl ParseError {
    pub fn not_a_feed(reason: &str) -> Self {
        Self(reason.to_string())
    }
}

/// The statements a feed document holds, newest first as the feed gives them.
#[derive(Debug, Default)]
pub struct ParsedFeed {
    pub items: Vec<NewAnnouncement>,
    pub skipped: usize,
    /// RFC 5005's `<link rel="next">`: the page of older items, for backfilling.
    pub next_page: Option<String>,
}

/// Parses RSS 0.9x/1.0/2.0, Atom or JSON Feed. `base` resolves relative links.
/// Item HTML is sanitised here, before anything stores or derives text from it.
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
    let sanitiser = sanitiser(base);
    let mut parsed = ParsedFeed {
        next_page: feed
            .links
            .iter()
            .find(|l| l.rel.as_deref() == Some("next"))
            .map(|l| l.href.clone()),
        ..ParsedFeed::default()
    };
    for entry in feed.entries {
        match to_announcement(entry, &sanitiser) {
            Some(item) => parsed.items.push(item),
            None => parsed.skipped += 1,
        }
    }
    Ok(parsed)
}

/// ammonia's defaults drop scripts, styles, event handlers and `javascript:` URLs; on top,
/// relative links and image sources become absolute, so that they still lead somewhere
/// once the text has left the site.
fn sanitiser(base: Option<&str>) -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    if let Some(base) = base.and_then(|b| url::Url::parse(b).ok()) {
        builder.url_relative(ammonia::UrlRelative::RewriteWithBase(base));
    } else {
        // Without a base a relative link cannot be made to work anywhere: drop it.
        builder.url_relative(ammonia::UrlRelative::Deny);
    }
    builder
}

fn to_announcement(entry: Entry, sanitiser: &ammonia::Builder<'_>) -> Option<NewAnnouncement> {
    let title_html = entry.title.map(|t| t.content).unwrap_or_default();
    let title = html_to_plain(&title_html);
    let raw_body = entry
        .content
        .and_then(|c| c.body)
        .filter(|b| !b.trim().is_empty())
        .or_else(|| entry.summary.map(|s| s.content))
        .unwrap_or_default();
    let body_html = sanitiser.clean(&raw_body).to_string();
    let body_text = html_to_plain(&body_html);
    let link = entry
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or(entry.links.first())
        .map(|l| l.href.clone());
    let dated = entry.published.or(entry.updated);
    let source_key = if entry.id.trim().is_empty() {
        // Without a date the title alone has to do: "now" would make the item new at
        // every poll and broadcast it again and again.
        let date = dated.map(|d| d.to_rfc3339()).unwrap_or_default();
        format!("title:{title}|{date}")
    } else {
        entry.id
    };
    let published_at = dated.unwrap_or_else(Utc::now);
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

/// True when a document is a web page rather than a feed: the cue to look for its feed.
pub fn looks_like_html(content_type: Option<&str>, body: &[u8]) -> bool {
    if content_type.is_some_and(|t| t.to_ascii_lowercase().contains("text/html")) {
        return true;
    }
    let start = String::from_utf8_lossy(&body[..body.len().min(512)]).to_ascii_lowercase();
    let start = start.trim_start_matches('\u{feff}').trim_start();
    start.starts_with("<!doctype html") || start.starts_with("<html")
}

/// The feeds a web page announces with `<link rel="alternate" type="…">`, as absolute
/// URLs, in the page's order; then WordPress's conventional `/feed/`.
pub fn feed_candidates(html: &str, page_url: &str) -> Vec<String> {
    let Ok(page) = url::Url::parse(page_url) else {
        return Vec::new();
    };
    let mut candidates = Vec::new();
    if let Ok(selector) = Selector::parse("link[href]") {
        let document = Html::parse_document(html);
        for link in document.select(&selector) {
            let attr = |name| {
                link.value()
                    .attr(name)
                    .unwrap_or_default()
                    .to_ascii_lowercase()
            };
            let is_alternate = attr("rel").split_whitespace().any(|r| r == "alternate");
            let is_feed = matches!(
                attr("type").trim(),
                "application/rss+xml" | "application/atom+xml" | "application/feed+json"
            );
            if let (true, true, Some(href)) = (is_alternate, is_feed, link.value().attr("href"))
                && let Ok(url) = page.join(href.trim())
            {
                candidates.push(url.to_string());
            }
        }
    }
    let mut wordpress = Vec::new();
    if page.path().ends_with('/') && page.path() != "/" {
        wordpress.extend(page.join("feed/").ok());
    }
    wordpress.extend(page.join("/feed/").ok());
    for url in wordpress {
        let url = url.to_string();
        if !candidates.contains(&url) && url != page_url {
            candidates.push(url);
        }
    }
    candidates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_announced_feeds_then_wordpress() {
        let html = r#"<html><head>
            <link rel="stylesheet" href="/style.css">
            <link rel="alternate" type="application/rss+xml" title="x" href="/?feed=rss2">
            <link rel="alternate" type="application/atom+xml" href="https://other.org/atom">
            </head><body></body></html>"#;
        assert_eq!(
            feed_candidates(html, "https://example.org/news/"),
            vec![
                "https://example.org/?feed=rss2",
                "https://other.org/atom",
                "https://example.org/news/feed/",
                "https://example.org/feed/",
            ]
        );
        assert_eq!(
            feed_candidates("<p>nothing</p>", "https://example.org/"),
            vec!["https://example.org/feed/"]
        );
    }

    #[test]
    fn reads_json_feed_and_rss_1() {
        let json = r#"{"version": "https://jsonfeed.org/version/1.1", "title": "t",
            "items": [{"id": "j1", "url": "https://example.org/j1", "title": "JSON",
                       "content_html": "<p>body</p>", "date_published": "2026-11-23T10:00:00Z"}]}"#;
        let parsed = parse_feed(json.as_bytes(), None).unwrap();
        assert_eq!(parsed.items[0].source_key(), "j1");
        assert_eq!(parsed.items[0].body_text(), "body");
        let rdf = r#"<?xml version="1.0"?>
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
            <channel rdf:about="https://example.org/"><title>t</title><link>https://example.org/</link>
            <description>d</description></channel>
            <item rdf:about="https://example.org/r1"><title>RDF</title><link>https://example.org/r1</link>
            <description>old format</description></item></rdf:RDF>"#;
        let parsed = parse_feed(rdf.as_bytes(), None).unwrap();
        assert_eq!(parsed.items[0].title(), "RDF");
        assert_eq!(parsed.items[0].link(), Some("https://example.org/r1"));
    }

    #[test]
    fn tells_pages_from_feeds() {
        assert!(looks_like_html(Some("text/html; charset=utf-8"), b""));
        assert!(looks_like_html(None, b"\n <!DOCTYPE html><html>"));
        assert!(!looks_like_html(
            Some("application/rss+xml"),
            b"<?xml version"
        ));
    }

    #[test]
    fn sanitises_and_resolves_relative_links() {
        let rss = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
            <item><title>A &amp; B</title><link>/?p=1</link>
            <description><![CDATA[<p onclick="x()">Hi <script>alert(1)</script><a href="/about">about</a>
            <img src="img/a.png"></p>]]></description></item></channel></rss>"#;
        let parsed = parse_feed(rss.as_bytes(), Some("https://example.org/feed/")).unwrap();
        let item = &parsed.items[0];
        assert_eq!(item.title(), "A & B");
        assert_eq!(item.link(), Some("https://example.org/?p=1"));
        assert!(!item.body_html().contains("script") && !item.body_html().contains("onclick"));
        assert!(item.body_html().contains("https://example.org/about"));
        assert_eq!(item.image_url(), Some("https://example.org/feed/img/a.png"));
        assert!(!item.body_text().contains("alert"));
    }
}
