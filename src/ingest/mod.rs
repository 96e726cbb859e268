//! Statements from the organisation's site: fetching, parsing, the poller that follows
//! feeds, and (for `jarchi import`) seeding the archive. No Telegram here.

mod client;
mod guard;
mod parse;
mod poller;

pub use client::{Document, FeedClient, FetchError, Fetched, MAX_FEED_BYTES, Validators};
pub use parse::{ParseError, ParsedFeed, feed_candidates, looks_like_html, parse_feed};
pub use poller::{Poller, PollerConfig};

use std::collections::HashSet;

use crate::domain::{FeedPolicy, NewAnnouncement, link_identity};
use crate::publish::Publisher;
use crate::storage::{ArchiveOutcome, KnownItem, PublishOutcome, Storage, StorageError};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// What an import did, for the operator's terminal.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportReport {
    pub inserted: usize,
    pub duplicates: usize,
    /// Items that could not become statements (no title and no text, a bad link).
    pub skipped: usize,
    /// Feed pages read (more than one with `--pages`).
    pub pages: usize,
}

/// Reads a feed from a file path or an http(s) URL (fetched under `policy`) into the
/// archive, broadcasting nothing.
pub async fn import(
    storage: &Storage,
    source: &str,
    policy: &FeedPolicy,
) -> Result<ImportReport, ImportError> {
    import_pages(storage, source, 1, policy).await
}

/// Like [`import`], then follows older pages (RFC 5005 `next` links, else WordPress's
/// `?paged=2…`) until `pages` were read, a page has nothing new, or a page fails: past
/// the last page WordPress answers 404, which ends the backfill rather than failing it.
pub async fn import_pages(
    storage: &Storage,
    source: &str,
    pages: usize,
    policy: &FeedPolicy,
) -> Result<ImportReport, ImportError> {
    let is_url = source.starts_with("http://") || source.starts_with("https://");
    let mut report = ImportReport::default();
    if !is_url {
        let bytes = tokio::fs::read(source)
            .await
            .map_err(|e| ImportError::Read {
                path: source.to_string(),
                source: e,
            })?;
        archive_page(storage, &parse_feed(&bytes, None)?, &mut report).await?;
        return Ok(report);
    }
    let client = FeedClient::new(policy.clone())?;
    let mut url = source.to_string();
    let mut seen_pages = HashSet::new();
    while report.pages < pages.max(1) && seen_pages.insert(url.clone()) {
        let bytes = match client.fetch_document(&url).await {
            Ok(bytes) => bytes,
            Err(e) if report.pages == 0 => return Err(e.into()),
            Err(e) => {
                tracing::info!(page = report.pages + 1, error = %e, "no further page");
                break;
            }
        };
        let parsed = match parse_feed(&bytes, Some(&url)) {
            Ok(parsed) => parsed,
            Err(e) if report.pages == 0 => return Err(e.into()),
            Err(_) => break,
        };
        let inserted_before = report.inserted;
        archive_page(storage, &parsed, &mut report).await?;
        if report.inserted == inserted_before && report.pages > 1 {
            break;
        }
        url = match parsed.next_page.or_else(|| wordpress_next_page(&url)) {
            Some(next) => next,
            None => break,
        };
    }
    Ok(report)
}

async fn archive_page(
    storage: &Storage,
    parsed: &ParsedFeed,
    report: &mut ImportReport,
) -> Result<(), StorageError> {
    report.pages += 1;
    report.skipped += parsed.skipped;
    for item in &parsed.items {
        match storage.archive(item).await? {
            ArchiveOutcome::Inserted(_) => report.inserted += 1,
            ArchiveOutcome::Duplicate(_) => report.duplicates += 1,
        }
    }
    Ok(())
}

/// WordPress pages its feeds with `paged=N` in the query.
fn wordpress_next_page(current: &str) -> Option<String> {
    let mut url = url::Url::parse(current).ok()?;
    let page = url
        .query_pairs()
        .find(|(k, _)| k == "paged")
        .and_then(|(_, v)| v.parse::<u32>().ok())
        .unwrap_or(1);
    let others: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "paged")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.query_pairs_mut()
        .clear()
        .extend_pairs(others)
        .append_pair("paged", &(page + 1).to_string());
    Some(url.to_string())
}

/// What one feed document did to the archive.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct IngestReport {
    /// Broadcast to subscribers.
    pub published: usize,
    /// Stored without broadcasting (first sight of a feed).
    pub archived: usize,
    /// Known items whose title or content changed: delivered copies are being edited.
    pub revised: usize,
    pub unchanged: usize,
    /// New items over the per-poll cap, archived and waiting for an admin.
    pub hold: Option<Hold>,
}

/// Statements one poll held back, as admins will be asked about them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hold {
    pub id: i64,
    /// Oldest first.
    pub titles: Vec<String>,
}

/// What to do with a feed document's new items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestMode {
    /// A feed's first fetch: archive everything, so that adding a feed never floods
    /// subscribers with its history.
    FirstSight,
    /// Every later fetch: publish new items, the newest `max_new` of them; the older rest
    /// are archived as one hold of `feed_id` for an admin to release. A site that moves,
    /// changes a plugin or is hacked can then never send its archive to every follower.
    Announce { feed_id: i64, max_new: usize },
}

/// Brings a feed's items into the archive. Items the archive already has, under the same
/// key or re-keyed (see [`Storage::recognise`]), are at most revised through the
/// [`Publisher`], never broadcast again; new ones are treated as `mode` says.
pub async fn ingest_items(
    storage: &Storage,
    publisher: &Publisher,
    items: &[NewAnnouncement],
    mode: IngestMode,
) -> Result<IngestReport, StorageError> {
    let announce = matches!(mode, IngestMode::Announce { .. });
    let mut report = IngestReport::default();
    let mut seen = HashSet::new();
    // A feed that lists one item twice would otherwise flip between its two versions.
    let unique: Vec<&NewAnnouncement> = items
        .iter()
        .filter(|item| seen.insert(item.source_key()))
        .collect();
    let mut fresh = FreshItems::default();
    // Feeds list the newest first; subscribers should read them in the site's order.
    for item in unique.into_iter().rev() {
        let fingerprint = fingerprint(item);
        let Some(known) = storage.recognise(item).await? else {
            // Not admitted: the same statement twice in one document under two keys.
            if !fresh.admit(item) {
                report.unchanged += 1;
            }
            continue;
        };
        match known {
            // Retracted by an admin: the tombstone wins over the feed.
            KnownItem { deleted: true, .. } => report.unchanged += 1,
            // The site moved (a new scheme, host or plugin) and the item says nothing new:
            // editing every delivered copy for an address would hold the queue for hours.
            KnownItem {
                id,
                fingerprint: Some(known),
                same_key: false,
                link,
                ..
            } if known == fingerprint_with_link(item, link.as_deref()) => {
                storage.set_feed_fingerprint(id, &fingerprint).await?;
                report.unchanged += 1;
            }
            KnownItem {
                id,
                fingerprint: Some(known),
                ..
            } if known != fingerprint && announce => {
                publisher.revise(id, item).await?;
                storage.set_feed_fingerprint(id, &fingerprint).await?;
                report.revised += 1;
            }
            KnownItem {
                id,
                fingerprint: known,
                same_key,
                ..
            } => {
                if !same_key {
                    tracing::debug!(announcement = id, "a re-keyed feed item was recognised");
                }
                // Imported before, or first sight: what the feed says now is the baseline.
                if known.as_deref() != Some(fingerprint.as_str()) {
                    storage.set_feed_fingerprint(id, &fingerprint).await?;
                }
                report.unchanged += 1;
            }
        }
    }
    let (held, publish) = match mode {
        IngestMode::FirstSight => {
            for item in &fresh.items {
                let id = storage.archive(item).await?.id();
                storage.set_feed_fingerprint(id, &fingerprint(item)).await?;
                report.archived += 1;
            }
            return Ok(report);
        }
        IngestMode::Announce { max_new, .. } => fresh
            .items
            .split_at(fresh.items.len().saturating_sub(max_new)),
    };
    if let (false, IngestMode::Announce { feed_id, .. }) = (held.is_empty(), mode) {
        let (hold_id, outcomes) = storage.archive_held(feed_id, held).await?;
        let mut titles = Vec::new();
        for (item, outcome) in held.iter().zip(outcomes) {
            storage
                .set_feed_fingerprint(outcome.id(), &fingerprint(item))
                .await?;
            if let ArchiveOutcome::Inserted(_) = outcome {
                titles.push(item.title().to_string());
            }
        }
        report.archived += titles.len();
        if !titles.is_empty() {
            report.hold = Some(Hold {
                id: hold_id,
                titles,
            });
        }
    }
    for item in publish {
        let id = match publisher.publish(item).await? {
            PublishOutcome::Published { id, .. } => {
                report.published += 1;
                id
            }
            PublishOutcome::Duplicate { id } => {
                report.unchanged += 1;
                id
            }
        };
        storage.set_feed_fingerprint(id, &fingerprint(item)).await?;
    }
    Ok(report)
}

/// The new items of one document, each of them once: two items that would recognise each
/// other once archived (same link or same title and date) count as one.
#[derive(Default)]
struct FreshItems<'a> {
    items: Vec<&'a NewAnnouncement>,
    identities: HashSet<String>,
    titles_and_dates: HashSet<(&'a str, i64)>,
}

impl<'a> FreshItems<'a> {
    fn admit(&mut self, item: &'a NewAnnouncement) -> bool {
        let identity = item.link().and_then(link_identity);
        let dated = (item.title(), item.published_at().timestamp());
        let known = identity
            .as_ref()
            .is_some_and(|i| self.identities.contains(i))
            || (!item.title().is_empty() && self.titles_and_dates.contains(&dated));
        if known {
            return false;
        }
        self.identities.extend(identity);
        if !item.title().is_empty() {
            self.titles_and_dates.insert(dated);
        }
        self.items.push(item);
        true
    }
}

/// A stable digest of what subscribers see of an item (FNV-1a: std's hasher may change
/// between Rust releases, and a changed digest would edit every delivered copy).
pub fn fingerprint(item: &NewAnnouncement) -> String {
    fingerprint_with_link(item, item.link())
}

/// The fingerprint `item` would have with another link: whether a re-keyed item changed
/// anything but its address.
fn fingerprint_with_link(item: &NewAnnouncement, link: Option<&str>) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [item.title(), item.body_html(), link.unwrap_or_default()] {
        for byte in part.bytes().chain([0xff]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wordpress_pages_count_up() {
        assert_eq!(
            wordpress_next_page("https://example.org/feed/").as_deref(),
            Some("https://example.org/feed/?paged=2")
        );
        assert_eq!(
            wordpress_next_page("https://example.org/?feed=rss2&paged=2").as_deref(),
            Some("https://example.org/?feed=rss2&paged=3")
        );
    }

    #[test]
    fn fingerprints_see_title_body_and_link() {
        let at = chrono::Utc::now();
        let a = NewAnnouncement::new("k", "t", "<p>b</p>", "b", None, at).unwrap();
        let b = NewAnnouncement::new("k", "t", "<p>b!</p>", "b!", None, at).unwrap();
        assert_eq!(fingerprint(&a), fingerprint(&a.clone()));
        assert_ne!(fingerprint(&a), fingerprint(&b));
    }
}
