//! Follows every feed on its own schedule. Each due feed is polled in its own task (at
//! most `concurrency` at once), so one slow or broken site never delays another; every
//! request is bounded by the client's timeout. What must survive a restart (validators,
//! backoff, "first sight done") is in the database, not here.

use std::hash::BuildHasher;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, mpsc};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::client::{FeedClient, FetchError, Fetched, Validators};
use super::parse::{
    ParseError, ParsedFeed, feed_candidates, looks_like_html, parse_feed_with_type,
};
use super::{IngestMode, IngestReport, ingest_items};
use crate::config::Settings;
use crate::domain::time::{millis, now_ms, until_ms};
use crate::domain::{FeedNotice, FeedPolicy, FeedRefusal, HeldStatements, NewAnnouncement};
use crate::ops::FeedPollResult;
use crate::publish::Publisher;
use crate::storage::{FeedState, FeedSuccess, Storage, StorageError};

#[derive(Debug, Clone)]
pub struct PollerConfig {
    pub interval: Duration,
    pub timeout: Duration,
    pub user_agent: String,
    /// How long a feed fails before admins are told.
    pub alert_after: Duration,
    /// The longest a failing feed waits between attempts.
    pub max_backoff: Duration,
    /// Feeds fetched at the same time.
    pub concurrency: usize,
    pub policy: FeedPolicy,
    /// New items one poll may broadcast; more are held for an admin.
    pub max_new_per_poll: usize,
    /// PEM certificate authorities trusted besides the usual ones.
    pub extra_roots: Vec<String>,
}

impl PollerConfig {
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            interval: settings.poll_interval,
            timeout: settings.feed_timeout,
            user_agent: settings.feed_user_agent.clone(),
            alert_after: settings.feed_alert_after,
            max_backoff: Duration::from_secs(3600),
            concurrency: 8,
            policy: settings.feed_policy.clone(),
            max_new_per_poll: settings.feed_max_new_per_poll,
            extra_roots: settings.feed_extra_roots.clone(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
enum PollError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("{url}: {source}")]
    Parse { url: String, source: ParseError },
    #[error("{url} is a web page and announces no feed that could be read")]
    NoFeedFound { url: String },
    #[error("{url} is a web page whose feed {candidate} was refused: {refusal}")]
    CandidateRefused {
        url: String,
        candidate: String,
        refusal: FeedRefusal,
    },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

pub struct Poller {
    storage: Storage,
    publisher: Publisher,
    client: FeedClient,
    config: PollerConfig,
    wake: Arc<Notify>,
    notices: mpsc::Sender<FeedNotice>,
}

/// A page's feed candidates tried at most; each costs a request bounded by the timeout.
const MAX_CANDIDATES: usize = 4;

impl Poller {
    /// `wake` makes the poller look at the feed list at once (after /addfeed).
    pub fn new(
        storage: Storage,
        publisher: Publisher,
        config: PollerConfig,
        wake: Arc<Notify>,
        notices: mpsc::Sender<FeedNotice>,
    ) -> Result<Self, FetchError> {
        let client = FeedClient::with(
            &config.user_agent,
            config.timeout,
            config.policy.clone(),
            &config.extra_roots,
        )?;
        Ok(Self {
            storage,
            publisher,
            client,
            config,
            wake,
            notices,
        })
    }

    pub async fn run(self, shutdown: CancellationToken) {
        let this = Arc::new(self);
        // A poll cut short by the last shutdown left its feed postponed; a restart polls
        // everything now instead (conditional GET keeps that cheap).
        if let Err(e) = this.storage.make_all_feeds_due(now_ms()).await {
            tracing::warn!(error = %e, "could not reschedule the feeds");
        }
        match this.storage.backfill_link_identities().await {
            Ok(0) => {}
            Ok(filled) => tracing::info!(filled, "link identities computed for older statements"),
            Err(e) => tracing::warn!(error = %e, "could not compute older link identities"),
        }
        let mut polls = JoinSet::new();
        loop {
            let free = this.config.concurrency.saturating_sub(polls.len());
            let mut database_failed = false;
            if free > 0 {
                match this.claim_due_feeds(free).await {
                    Ok(feeds) => {
                        for feed in feeds {
                            polls.spawn(Arc::clone(&this).poll(feed));
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "could not read the feed list");
                        database_failed = true;
                    }
                }
            }
            // After a database error the due feeds are still due: waiting for them would
            // spin, so wait a whole interval instead.
            let wait = if polls.len() >= this.config.concurrency || database_failed {
                this.config.interval
            } else {
                this.until_next_due().await
            };
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = this.wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
                Some(joined) = polls.join_next(), if !polls.is_empty() => {
                    if let Err(e) = joined {
                        tracing::error!(error = %e, "a feed poll ended abnormally");
                    }
                }
            }
        }
        // A poll's writes are single transactions, so stopping one midway loses nothing
        // the next poll will not redo.
        polls.abort_all();
        while polls.join_next().await.is_some() {}
        tracing::debug!("the feed poller stopped");
    }

    /// Due feeds, each pushed back far enough that it is not picked again while in flight.
    async fn claim_due_feeds(&self, limit: usize) -> Result<Vec<FeedState>, StorageError> {
        let now = now_ms();
        let feeds = self
            .storage
            .due_feeds(now, u32::try_from(limit).unwrap_or(u32::MAX))
            .await?;
        let in_flight = self.config.timeout * (MAX_CANDIDATES as u32 + 2);
        for feed in &feeds {
            self.storage
                .postpone_feed(feed.id, now + millis(in_flight))
                .await?;
        }
        Ok(feeds)
    }

    async fn until_next_due(&self) -> Duration {
        match self.storage.next_feed_poll_at().await {
            Ok(Some(at)) => until_ms(at).min(self.config.interval),
            Ok(None) => self.config.interval,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the feed schedule");
                self.config.interval
            }
        }
    }

    #[tracing::instrument(skip_all, fields(feed = feed.id))]
    async fn poll(self: Arc<Self>, feed: FeedState) {
        match self.fetch_and_ingest(&feed).await {
            Ok((success, report)) => {
                let next = now_ms() + millis(jittered(self.config.interval, feed.id));
                let success = FeedSuccess {
                    next_poll_at_ms: next,
                    ..success
                };
                if let Err(e) = self.storage.record_feed_success(feed.id, &success).await {
                    tracing::warn!(error = %e, "could not record a feed poll");
                }
                let anything_new = report.published + report.revised + report.archived > 0;
                crate::ops::record_feed_poll(if report.skipped > 0 {
                    FeedPollResult::Partial
                } else if anything_new {
                    FeedPollResult::New
                } else {
                    FeedPollResult::Unchanged
                });
                if anything_new {
                    tracing::info!(
                        published = report.published,
                        revised = report.revised,
                        archived = report.archived,
                        "feed polled"
                    );
                } else {
                    tracing::debug!("feed polled, nothing new");
                }
                if let Some(hold) = report.hold {
                    tracing::info!(
                        hold = hold.id,
                        held = hold.titles.len(),
                        "too many new items at once: the rest wait for an admin"
                    );
                    self.notify(FeedNotice::Held(HeldStatements {
                        hold_id: hold.id,
                        feed_id: feed.id,
                        feed_url: feed.url.clone(),
                        broadcast: report.published,
                        titles: hold.titles,
                    }))
                    .await;
                }
                if feed.alerted {
                    self.notify(FeedNotice::Recovered {
                        id: feed.id,
                        url: feed.url.clone(),
                    })
                    .await;
                }
            }
            Err(error) => {
                crate::ops::record_feed_poll(FeedPollResult::Error);
                self.record_failure(&feed, &error).await;
            }
        }
    }

    async fn record_failure(&self, feed: &FeedState, error: &PollError) {
        let failures = u32::try_from(feed.failures + 1).unwrap_or(u32::MAX);
        tracing::warn!(failures, error = %error, "feed poll failed");
        let backoff = self
            .config
            .interval
            .saturating_mul(2u32.saturating_pow(failures.min(20)))
            .min(self.config.max_backoff);
        let now = now_ms();
        let since = feed.failing_since.unwrap_or(now);
        let alert = !feed.alerted && now - since >= millis(self.config.alert_after);
        let next = now + millis(jittered(backoff, feed.id));
        if let Err(e) = self
            .storage
            .record_feed_failure(feed.id, &error.to_string(), next, feed.alerted || alert)
            .await
        {
            tracing::warn!(error = %e, "could not record a feed failure");
        }
        if alert {
            self.notify(FeedNotice::Failing {
                id: feed.id,
                url: feed.url.clone(),
                since: chrono::DateTime::from_timestamp_millis(since).unwrap_or_default(),
                error: error.to_string(),
            })
            .await;
        }
    }

    async fn notify(&self, notice: FeedNotice) {
        if self.notices.send(notice).await.is_err() {
            tracing::debug!("nobody listens to feed notices");
        }
    }

    /// One poll: a conditional GET of the feed (finding it first if the address is a web
    /// page), then its items into the archive.
    async fn fetch_and_ingest(
        &self,
        feed: &FeedState,
    ) -> Result<(FeedSuccess, IngestReport), PollError> {
        let target = feed.feed_url.as_deref().unwrap_or(&feed.url);
        let validators = Validators {
            etag: feed.etag.clone(),
            last_modified: feed.last_modified.clone(),
        };
        let document = match self.client.fetch(target, &validators).await? {
            Fetched::NotModified => {
                let unchanged = FeedSuccess {
                    feed_url: None,
                    etag: feed.etag.clone(),
                    last_modified: feed.last_modified.clone(),
                    next_poll_at_ms: 0,
                    skipped_entries: None,
                };
                return Ok((unchanged, IngestReport::default()));
            }
            Fetched::Document(document) => document,
        };
        let is_page = looks_like_html(document.content_type.as_deref(), &document.body);
        let (feed_url, validators, mut parsed) = if is_page && feed.feed_url.is_none() {
            self.discover(&document.url, &document.body).await?
        } else if is_page {
            // A feed that now answers with a web page: usually an error or login page.
            return Err(PollError::Parse {
                url: target.to_string(),
                source: ParseError::not_a_feed("an HTML page came instead of the feed"),
            });
        } else {
            let parsed = parse_feed_with_type(
                &document.body,
                document.content_type.as_deref(),
                Some(&document.url),
            )
            .map_err(|source| PollError::Parse {
                url: target.to_string(),
                source,
            })?;
            (target.to_string(), document.validators, parsed)
        };
        let mode = if feed.seeded {
            IngestMode::Announce {
                feed_id: feed.id,
                max_new: self.config.max_new_per_poll,
            }
        } else {
            IngestMode::FirstSight
        };
        // Each item goes to the topic its feed maps its categories to (issue 13).
        let topics = self.storage.feed_topics(feed.id).await?;
        let items: Vec<NewAnnouncement> = std::mem::take(&mut parsed.items)
            .into_iter()
            .map(|item| {
                let topic = topics.topic_of(item.categories());
                item.with_topic(topic)
            })
            .collect();
        let mut report = ingest_items(&self.storage, &self.publisher, &items, mode).await?;
        report.skipped = parsed.skipped.len();
        super::log_skipped(Some(feed.id), &parsed.skipped);
        Ok((
            FeedSuccess {
                feed_url: Some(feed_url),
                etag: validators.etag,
                last_modified: validators.last_modified,
                next_poll_at_ms: 0,
                skipped_entries: Some(i64::try_from(parsed.skipped.len()).unwrap_or(i64::MAX)),
            },
            report,
        ))
    }

    /// The first readable feed a web page announces, else its WordPress `/feed/`.
    async fn discover(
        &self,
        page_url: &str,
        page: &[u8],
    ) -> Result<(String, Validators, ParsedFeed), PollError> {
        let html = String::from_utf8_lossy(page);
        let mut refused = None;
        for candidate in feed_candidates(&html, page_url)
            .into_iter()
            .take(MAX_CANDIDATES)
        {
            let document = match self.client.fetch(&candidate, &Validators::default()).await {
                Ok(Fetched::Document(document)) => document,
                Ok(Fetched::NotModified) => continue,
                Err(FetchError::Refused { refusal, .. }) => {
                    // What the admin must hear about: the page points somewhere we will not go.
                    refused.get_or_insert((candidate, refusal));
                    continue;
                }
                Err(e) => {
                    tracing::debug!(error = %e, "a feed candidate failed");
                    continue;
                }
            };
            if looks_like_html(document.content_type.as_deref(), &document.body) {
                continue;
            }
            if let Ok(parsed) = parse_feed_with_type(
                &document.body,
                document.content_type.as_deref(),
                Some(&document.url),
            ) {
                tracing::info!("found the feed a web page announces");
                return Ok((candidate, document.validators, parsed));
            }
        }
        Err(match refused {
            Some((candidate, refusal)) => PollError::CandidateRefused {
                url: page_url.to_string(),
                candidate,
                refusal,
            },
            None => PollError::NoFeedFound {
                url: page_url.to_string(),
            },
        })
    }
}

/// `base` less up to a tenth, so that feeds added together (and several bots on one site)
/// do not poll in lockstep. Only ever earlier: a statement then waits at most one interval.
fn jittered(base: Duration, feed_id: i64) -> Duration {
    let noise = std::collections::hash_map::RandomState::new().hash_one((feed_id, now_ms()));
    // noise % 1001 is 0..=1000, so the factor runs from 0.9 to 1.0.
    let factor = 0.9 + (noise % 1001) as f64 / 10_000.0;
    base.mul_f64(factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_within_a_tenth() {
        for id in 0..200 {
            let d = jittered(Duration::from_secs(100), id);
            assert!(d >= Duration::from_secs(90) && d <= Duration::from_secs(100));
        }
    }
}
