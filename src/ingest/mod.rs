//! Statements from the organisation's site: fetching, parsing, the poller that follows
//! feeds, and (for `jarchi import`) seeding the archive. No Telegram here.

mod chunks;
mod client;
mod decode;
mod guard;
mod parse;
mod poller;
mod sanitise;

pub use client::{Document, FeedClient, FetchError, Fetched, MAX_FEED_BYTES, Validators};
pub use decode::{Decoded, EncodingSource, decode};
pub use parse::{
    DERIVED_TITLE_CHARS, FeedReader, MAX_ENTRIES, ParseError, ParsedFeed, SkippedEntry,
    feed_candidates, looks_like_html, parse_feed, parse_feed_with_type,
};
pub use poller::{Poller, PollerConfig};
pub use sanitise::{MAX_ATTRIBUTES, MAX_DEPTH, MAX_ELEMENTS, Sanitiser, bounded_markup};

use std::collections::HashSet;

use crate::domain::{FeedPolicy, NewAnnouncement, link_identity};
use crate::publish::Publisher;
use crate::storage::{
    ArchiveBatch, ArchiveOutcome, KnownItem, PublishOutcome, Storage, StorageError,
};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is larger than {max_bytes} bytes (see --max-bytes)")]
    TooLarge { path: String, max_bytes: u64 },
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// Statements are stored in batches, each whole or not at all: what came before the
    /// failing batch stays, and a second run skips it by its source keys.
    #[error(
        "the import stopped after storing {inserted} new statements ({source}); running it again stores the rest"
    )]
    Stopped {
        inserted: usize,
        source: StorageError,
    },
}

/// What an import did, for the operator's terminal.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportReport {
    pub inserted: usize,
    pub duplicates: usize,
    /// Entries that could not become statements (neither a title nor a text).
    pub skipped: usize,
    /// Feed pages read (more than one with `--pages`).
    pub pages: usize,
}

impl ImportReport {
    /// Adds another source's figures, for one line about several.
    pub fn add(&mut self, other: ImportReport) {
        self.inserted += other.inserted;
        self.duplicates += other.duplicates;
        self.skipped += other.skipped;
        self.pages += other.pages;
    }
}

/// Reads a feed from a file path or an http(s) URL (fetched under `policy`) into the
/// archive, broadcasting nothing.
pub async fn import(
    storage: &Storage,
    source: &str,
    policy: &FeedPolicy,
) -> Result<ImportReport, ImportError> {
    import_pages(storage, source, 1, MAX_FEED_BYTES as u64, policy).await
}

/// Like [`import`], then follows older pages (RFC 5005 `next` links, else WordPress's
/// `?paged=2…`) until `pages` were read, a page has nothing new, or a page fails: past
/// the last page WordPress answers 404, which ends the backfill rather than failing it.
/// A file larger than `max_bytes` is refused before it is read (fetches have their own cap).
pub async fn import_pages(
    storage: &Storage,
    source: &str,
    pages: usize,
    max_bytes: u64,
    policy: &FeedPolicy,
) -> Result<ImportReport, ImportError> {
    let is_url = source.starts_with("http://") || source.starts_with("https://");
    let mut report = ImportReport::default();
    if !is_url {
        let bytes = read_file(source, max_bytes).await?;
        let reader = FeedReader::new(&bytes, None, None)?;
        drop(bytes);
        archive_document(storage, reader, &mut report).await?;
        return Ok(report);
    }
    let client = FeedClient::new(policy.clone())?;
    let mut url = source.to_string();
    let mut seen_pages = HashSet::new();
    while report.pages < pages.max(1) && seen_pages.insert(url.clone()) {
        let document = match client.fetch(&url, &Validators::default()).await {
            Ok(Fetched::Document(document)) => document,
            // Without validators no server may answer 304; one that does is broken.
            Ok(Fetched::NotModified) if report.pages == 0 => {
                return Err(FetchError::Status {
                    url: url.clone(),
                    status: 304,
                }
                .into());
            }
            Err(e) if report.pages == 0 => return Err(e.into()),
            Ok(Fetched::NotModified) => break,
            Err(e) => {
                tracing::info!(page = report.pages + 1, error = %e, "no further page");
                break;
            }
        };
        let inserted_before = report.inserted;
        let read = match FeedReader::new(
            &document.body,
            document.content_type.as_deref(),
            Some(&document.url),
        ) {
            Ok(reader) => archive_document(storage, reader, &mut report).await,
            Err(e) => Err(e.into()),
        };
        let next_page = match read {
            Ok(next_page) => next_page,
            Err(e) if report.pages == 0 => return Err(e),
            Err(ImportError::Parse(_)) => break,
            Err(e) => return Err(e),
        };
        if report.inserted == inserted_before && report.pages > 1 {
            break;
        }
        url = match next_page.or_else(|| wordpress_next_page(&url)) {
            Some(next) => next,
            None => break,
        };
    }
    Ok(report)
}

/// Reads a whole file, refusing one over `max_bytes` before reading it: the same promise
/// as the fetch cap, that a mistaken path to a huge file costs nothing.
async fn read_file(path: &str, max_bytes: u64) -> Result<Vec<u8>, ImportError> {
    use tokio::io::AsyncReadExt;
    let read_error = |e| ImportError::Read {
        path: path.to_string(),
        source: e,
    };
    let file = tokio::fs::File::open(path).await.map_err(read_error)?;
    let too_large = || ImportError::TooLarge {
        path: path.to_string(),
        max_bytes,
    };
    let len = file.metadata().await.map_err(read_error)?.len();
    if len > max_bytes {
        return Err(too_large());
    }
    // The file may grow while it is read: read one byte past the cap to notice.
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .await
        .map_err(read_error)?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Statements an import stores per transaction. Each transaction ends with a commit and
/// a full-text index segment that later merges must read again, so one per statement was
/// most of an import's cost; a batch holds the write lock for well under a second, so the
/// running bot's writes wait no longer than that.
const ARCHIVE_BATCH: usize = 500;

/// Archives a document part by part, so that a large file is never held whole; returns
/// its `next` page. Parsing and folding the next batch (half of an import's work) run on
/// a thread of their own while this one is written, so that an import keeps both of a
/// small server's cores busy instead of one at a time.
async fn archive_document(
    storage: &Storage,
    reader: FeedReader,
    report: &mut ImportReport,
) -> Result<Option<String>, ImportError> {
    // One batch waits while the next is prepared: memory stays a few batches, whatever
    // the document's length.
    let (ahead, mut ready) = tokio::sync::mpsc::channel(1);
    let reading = tokio::task::spawn_blocking(move || read_ahead(reader, &ahead));
    let mut next_page = None;
    let mut written = Ok(());
    while let Some(step) = ready.recv().await {
        written = match step {
            ReadAhead::Part {
                next_page: page,
                skipped,
            } => {
                next_page = next_page.or(page);
                report.skipped += skipped.len();
                log_skipped(None, &skipped);
                Ok(())
            }
            // A batch is one transaction: a failure loses that batch and nothing before
            // it, and an import run again skips what is stored by its source keys.
            ReadAhead::Batch(batch) => match storage.archive_batch(&batch).await {
                Ok(outcomes) => {
                    for outcome in outcomes {
                        match outcome {
                            ArchiveOutcome::Inserted(_) => report.inserted += 1,
                            ArchiveOutcome::Duplicate(_) => report.duplicates += 1,
                        }
                    }
                    Ok(())
                }
                Err(source) => Err(ImportError::Stopped {
                    inserted: report.inserted,
                    source,
                }),
            },
            ReadAhead::Failed(e) => Err(e.into()),
        };
        if written.is_err() {
            break;
        }
    }
    // Closed, the channel stops the reading thread at its next batch.
    drop(ready);
    if let Err(e) = reading.await
        && e.is_panic()
    {
        std::panic::resume_unwind(e.into_panic());
    }
    written?;
    report.pages += 1;
    Ok(next_page)
}

/// What the reading thread hands over, in the document's order.
enum ReadAhead {
    /// A part begins: its `next` page and the entries it could not read.
    Part {
        next_page: Option<String>,
        skipped: Vec<SkippedEntry>,
    },
    /// Statements of that part, ready for one transaction.
    Batch(ArchiveBatch),
    /// The part could not be read; nothing follows.
    Failed(ParseError),
}

/// The reading thread: parts in order, each followed by its batches. Returns when the
/// document ends, fails, or the writer stopped listening.
fn read_ahead(mut reader: FeedReader, ahead: &tokio::sync::mpsc::Sender<ReadAhead>) {
    while let Some(part) = reader.next_part() {
        let part = match part {
            Ok(part) => part,
            Err(e) => {
                let _ = ahead.blocking_send(ReadAhead::Failed(e));
                return;
            }
        };
        let begins = ReadAhead::Part {
            next_page: part.next_page,
            skipped: part.skipped,
        };
        if ahead.blocking_send(begins).is_err() {
            return;
        }
        let mut items = part.items.into_iter();
        loop {
            let batch: Vec<NewAnnouncement> = items.by_ref().take(ARCHIVE_BATCH).collect();
            if batch.is_empty()
                || ahead
                    .blocking_send(ReadAhead::Batch(ArchiveBatch::prepare(batch)))
                    .is_err()
            {
                break;
            }
        }
    }
}

/// Entries logged one by one per document; a document of 100,000 empty items would
/// otherwise write 100,000 lines.
const SKIPPED_LOGGED: usize = 10;

/// Logs why entries were skipped: the first few with their place and reason (never
/// their text), then how many in all.
pub(crate) fn log_skipped(feed: Option<i64>, skipped: &[SkippedEntry]) {
    for entry in skipped.iter().take(SKIPPED_LOGGED) {
        tracing::warn!(
            feed,
            entry = entry.position,
            reason = entry.reason,
            "a feed entry was skipped"
        );
    }
    if skipped.len() > SKIPPED_LOGGED {
        tracing::warn!(feed, skipped = skipped.len(), "feed entries were skipped");
    }
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
    /// Entries of the document that could not be read; set by the caller that parsed it.
    pub skipped: usize,
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
                    tracing::debug!(announcement = id.0, "a re-keyed feed item was recognised");
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
            // One transaction for the statements; a crash before the fingerprints leaves
            // them archived without one, which the next poll fills in as unchanged.
            let outcomes = storage.archive_many(&fresh.items).await?;
            for (item, outcome) in fresh.items.iter().zip(outcomes) {
                storage
                    .set_feed_fingerprint(outcome.id(), &fingerprint(item))
                    .await?;
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
    let hash = parse::fnv1a(&[item.title(), item.body_html(), link.unwrap_or_default()]);
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
