//! Searches kept for paging: a result button names an entry here, never the query itself.
//!
//! Kept in the process's memory, never in the database: what people search for is not
//! something a seized server should hold, and remembering a search on disk cost a write
//! (and its commit emptied every other pooled connection's page cache) on the way of every
//! `/search`. A restart forgets every search, so a button from before it answers "search
//! again", like an expired one; its id is random, so it never opens a newer search.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use super::{Storage, StorageError};
use crate::domain::time::{millis, now_ms};
use crate::text::{JalaliMonth, SearchRequest};

/// A results message older than this answers its buttons with "search again". With the
/// sweep every few minutes (`maintenance`), no search is kept for as long as an hour.
pub(super) const SEARCH_PAGE_LIFETIME: Duration = Duration::from_secs(50 * 60);

/// At most this many searches are kept at once; past it the oldest is forgotten (its
/// buttons then say "search again"). A user may start a search every two seconds (the
/// fair-use bucket), so one person alone can make 1,500 in a lifetime of 50 minutes; 4,096
/// keeps every search of an hour of 1.4 searches a second, far beyond what the
/// organisation's readers ask, in well under a megabyte (with the byte cap below). A flood
/// only shortens how long old pages stay browsable.
const MAX_REMEMBERED: usize = 4096;

/// The folded words of all kept searches together, in bytes. `parse_search` keeps at most
/// 16 words of 65 characters (4,175 bytes at worst), a usual query takes 10 to 40 bytes:
/// this caps a flood of the longest queries at 512 KiB without touching ordinary use.
const MAX_REMEMBERED_BYTES: usize = 512 * 1024;

/// The kept searches, oldest first; shared by every clone of [`Storage`].
#[derive(Debug)]
pub(super) struct RememberedSearches {
    kept: Mutex<Kept>,
    max_entries: usize,
    max_bytes: usize,
}

#[derive(Debug, Default)]
struct Kept {
    by_id: HashMap<i64, Remembered>,
    /// Ids in the order they were remembered, to expire and evict the oldest first.
    order: VecDeque<i64>,
    /// The sum of every kept search's `words` length.
    bytes: usize,
}

#[derive(Debug)]
struct Remembered {
    /// The folded words, joined by spaces: they are letters and digits only.
    words: Box<str>,
    month: Option<JalaliMonth>,
    /// Unix milliseconds.
    remembered_at: i64,
}

impl Default for RememberedSearches {
    fn default() -> Self {
        Self::with_limits(MAX_REMEMBERED, MAX_REMEMBERED_BYTES)
    }
}

impl RememberedSearches {
    fn with_limits(max_entries: usize, max_bytes: usize) -> Self {
        Self {
            kept: Mutex::new(Kept::default()),
            max_entries: max_entries.max(1),
            max_bytes,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        // Every change below leaves `Kept` whole before anything can panic.
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps `request` as of `now` (Unix milliseconds) and returns its new id.
    fn remember(&self, request: &SearchRequest, now: i64) -> i64 {
        let words: Box<str> = request.words.join(" ").into();
        let mut kept = self.lock();
        kept.forget_older_than(now - millis(SEARCH_PAGE_LIFETIME));
        while !kept.order.is_empty()
            && (kept.order.len() >= self.max_entries || kept.bytes + words.len() > self.max_bytes)
        {
            kept.forget_oldest();
        }
        let id = loop {
            // 63 random bits: not guessable, and never the id of a search of an earlier run
            // (a counter would start again at one after a restart).
            let id = (rand::random::<u64>() >> 1).cast_signed();
            if !kept.by_id.contains_key(&id) {
                break id;
            }
        };
        kept.bytes += words.len();
        kept.order.push_back(id);
        kept.by_id.insert(
            id,
            Remembered {
                words,
                month: request.month,
                remembered_at: now,
            },
        );
        id
    }

    /// The search kept under `id`, unless it expired by `now`, was forgotten or never was.
    fn recall(&self, id: i64, now: i64) -> Option<SearchRequest> {
        let kept = self.lock();
        let remembered = kept.by_id.get(&id)?;
        if remembered.remembered_at < now - millis(SEARCH_PAGE_LIFETIME) {
            return None;
        }
        Some(SearchRequest {
            words: remembered
                .words
                .split(' ')
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect(),
            month: remembered.month,
        })
    }

    /// Forgets every search expired by `now`; returns how many.
    fn sweep(&self, now: i64) -> u64 {
        let mut kept = self.lock();
        let cutoff = now - millis(SEARCH_PAGE_LIFETIME);
        let before = kept.by_id.len();
        let mut freed = 0;
        kept.by_id.retain(|_, r| {
            let keep = r.remembered_at >= cutoff;
            if !keep {
                freed += r.words.len();
            }
            keep
        });
        kept.bytes -= freed;
        let Kept { by_id, order, .. } = &mut *kept;
        order.retain(|id| by_id.contains_key(id));
        (before - by_id.len()) as u64
    }
}

impl Kept {
    /// Forgets the oldest searches while they are expired (the cheap check on every
    /// `/search`; the sweep also catches any out of order after a clock step).
    fn forget_older_than(&mut self, cutoff: i64) {
        while let Some(oldest) = self.order.front()
            && self
                .by_id
                .get(oldest)
                .is_none_or(|r| r.remembered_at < cutoff)
        {
            self.forget_oldest();
        }
    }

    fn forget_oldest(&mut self) {
        if let Some(id) = self.order.pop_front()
            && let Some(gone) = self.by_id.remove(&id)
        {
            self.bytes -= gone.words.len();
        }
    }
}

impl Storage {
    /// Keeps a search (its folded words and month) for later pages; returns its id, which
    /// the page buttons carry. In memory only (see the module's comment).
    pub async fn remember_search(&self, request: &SearchRequest) -> Result<i64, StorageError> {
        Ok(self.searches.remember(request, now_ms()))
    }

    /// A remembered search, unless it expired, was forgotten (a restart, or the oldest
    /// when too many were kept) or never existed.
    pub async fn remembered_search(&self, id: i64) -> Result<Option<SearchRequest>, StorageError> {
        Ok(self.searches.recall(id, now_ms()))
    }

    /// Forgets the searches expired by `now` (Unix milliseconds); returns how many.
    pub(super) fn sweep_remembered_searches(&self, now: i64) -> u64 {
        self.searches.sweep(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::parse_search;

    const LIFETIME: i64 = SEARCH_PAGE_LIFETIME.as_millis() as i64;
    const NOW: i64 = 1_800_000_000_000;

    fn query(text: &str) -> SearchRequest {
        parse_search(text).expect("a searchable query")
    }

    #[test]
    fn a_search_comes_back_whole_until_it_expires() {
        let searches = RememberedSearches::default();
        let request = query("کارگران معدن خرداد ۱۳۹۶");
        assert_eq!(request.month, JalaliMonth::new(1396, 3));
        let id = searches.remember(&request, NOW);
        assert!(id >= 0);
        assert_eq!(searches.recall(id, NOW), Some(request.clone()));
        assert_eq!(searches.recall(id, NOW + LIFETIME), Some(request));
        assert_eq!(searches.recall(id, NOW + LIFETIME + 1), None);
        assert_eq!(searches.recall(id + 1, NOW), None);
        let month_only = searches.remember(&query("khordad 1396"), NOW);
        assert_eq!(
            searches.recall(month_only, NOW).map(|r| r.words),
            Some(Vec::new())
        );
    }

    #[test]
    fn the_sweep_forgets_expired_searches_only() {
        let searches = RememberedSearches::default();
        let old = searches.remember(&query("زندان"), NOW);
        let newer = searches.remember(&query("ایران"), NOW + 60_000);
        assert_eq!(searches.sweep(NOW + LIFETIME), 0);
        assert_eq!(searches.sweep(NOW + LIFETIME + 1), 1);
        assert_eq!(searches.recall(old, NOW), None, "gone, not only hidden");
        assert!(searches.recall(newer, NOW + 60_000).is_some());
        assert_eq!(searches.lock().bytes, "ایران".len());
        assert_eq!(searches.sweep(NOW + LIFETIME + 60_001), 1);
        let kept = searches.lock();
        assert!(kept.by_id.is_empty() && kept.order.is_empty() && kept.bytes == 0);
    }

    #[test]
    fn a_new_search_forgets_the_expired_ones_before_it() {
        let searches = RememberedSearches::default();
        searches.remember(&query("زندان"), NOW);
        searches.remember(&query("ایران"), NOW + 1);
        searches.remember(&query("معدن"), NOW + LIFETIME + 2);
        let kept = searches.lock();
        assert_eq!(kept.order.len(), 1);
        assert_eq!(kept.bytes, "معدن".len());
    }

    #[test]
    fn when_full_the_oldest_search_is_forgotten_first() {
        let searches = RememberedSearches::with_limits(3, usize::MAX);
        let ids: Vec<i64> = ["یک", "دو", "سه", "چهار"]
            .iter()
            .map(|q| searches.remember(&query(q), NOW))
            .collect();
        assert_eq!(searches.recall(ids[0], NOW), None);
        for id in &ids[1..] {
            assert!(searches.recall(*id, NOW).is_some());
        }
        assert_eq!(searches.lock().by_id.len(), 3);
    }

    #[test]
    fn the_words_kept_stay_under_the_byte_cap() {
        let searches = RememberedSearches::with_limits(usize::MAX, 100);
        let first = searches.remember(&query(&"ب".repeat(30)), NOW); // 60 bytes
        let second = searches.remember(&query(&"پ".repeat(30)), NOW);
        assert_eq!(searches.recall(first, NOW), None, "no room for both");
        assert!(searches.recall(second, NOW).is_some());
        assert_eq!(searches.lock().bytes, 60);
        // One search larger than the cap on its own is still kept: the cap is not a refusal.
        let huge = searches.remember(&query(&"ت".repeat(60)), NOW);
        assert!(searches.recall(huge, NOW).is_some());
        assert_eq!(searches.lock().order.len(), 1);
    }

    /// The real caps: however hostile the queries, the entries and their words stay bounded.
    #[test]
    fn a_flood_of_the_longest_queries_stays_within_both_caps() {
        let searches = RememberedSearches::default();
        let longest = vec!["ث".repeat(5_000); 40].join(" ");
        let request = query(&longest);
        let one = request.words.join(" ").len();
        assert!(
            one <= 16 * 65 * 4 + 15,
            "parse_search bounds a query: {one}"
        );
        for i in 0..(MAX_REMEMBERED + 10) as i64 {
            searches.remember(&request, NOW + i);
        }
        let kept = searches.lock();
        assert!(kept.bytes <= MAX_REMEMBERED_BYTES);
        assert_eq!(kept.bytes, kept.by_id.len() * one);
        assert_eq!(kept.order.len(), kept.by_id.len());
        drop(kept);
        let short = query("ایران");
        for i in 0..(MAX_REMEMBERED + 10) as i64 {
            searches.remember(&short, NOW + 10_000 + i);
        }
        assert_eq!(searches.lock().by_id.len(), MAX_REMEMBERED);
    }

    #[test]
    fn ids_are_random_and_not_a_sequence() {
        let searches = RememberedSearches::default();
        let ids: Vec<i64> = (0..64)
            .map(|_| searches.remember(&query("ایران"), NOW))
            .collect();
        let distinct: std::collections::HashSet<_> = ids.iter().collect();
        assert_eq!(distinct.len(), ids.len());
        assert!(ids.iter().all(|id| *id >= 0));
        // 64 draws of 63 bits: all below 2^40 happens once in 2^(23·64).
        assert!(ids.iter().any(|id| *id > 1 << 40));
        // A fresh store (a restart) knows none of them.
        let restarted = RememberedSearches::default();
        assert!(ids.iter().all(|id| restarted.recall(*id, NOW).is_none()));
    }
}
