//! Prometheus metrics. Names, so that dashboards can rely on them:
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `jarchi_subscribers` | gauge | `status` = active, gone, stopped |
//! | `jarchi_statements` | gauge | |
//! | `jarchi_queue_depth` | gauge | |
//! | `jarchi_deliveries_total` | counter | `outcome` = sent, retry_after, gone, migrated, transient, failed |
//! | `jarchi_send_latency_seconds` | histogram | |
//! | `jarchi_feed_polls_total` | counter | `result` = new, unchanged, error |
//! | `jarchi_uptime_seconds` | gauge | |
//! | `jarchi_build_info` | gauge (1) | `version` |
//!
//! Gauges that mirror the database are refreshed at each scrape (see `server`).

use std::sync::OnceLock;
use std::time::Duration;

use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};

pub(super) const SUBSCRIBERS: &str = "jarchi_subscribers";
pub(super) const STATEMENTS: &str = "jarchi_statements";
pub(super) const QUEUE_DEPTH: &str = "jarchi_queue_depth";
pub(super) const UPTIME: &str = "jarchi_uptime_seconds";
pub(super) const BUILD_INFO: &str = "jarchi_build_info";
const DELIVERIES: &str = "jarchi_deliveries_total";
const SEND_LATENCY: &str = "jarchi_send_latency_seconds";
const FEED_POLLS: &str = "jarchi_feed_polls_total";

/// Telegram answers in tens to hundreds of milliseconds; past 10 s something is wrong.
const LATENCY_BUCKETS: &[f64] = &[0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// How one delivery to Telegram ended, as a metric label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    Sent,
    RetryAfter,
    Gone,
    Migrated,
    Transient,
    Failed,
}

impl DeliveryOutcome {
    fn label(self) -> &'static str {
        match self {
            DeliveryOutcome::Sent => "sent",
            DeliveryOutcome::RetryAfter => "retry_after",
            DeliveryOutcome::Gone => "gone",
            DeliveryOutcome::Migrated => "migrated",
            DeliveryOutcome::Transient => "transient",
            DeliveryOutcome::Failed => "failed",
        }
    }
}

/// How one poll of one feed ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedPollResult {
    /// The feed brought at least one new statement.
    New,
    /// Fetched (or 304 Not Modified) with nothing new.
    Unchanged,
    /// Read, but at least one entry of the document was skipped as unreadable.
    Partial,
    /// Network, HTTP or parse failure.
    Error,
}

impl FeedPollResult {
    fn label(self) -> &'static str {
        match self {
            FeedPollResult::New => "new",
            FeedPollResult::Unchanged => "unchanged",
            FeedPollResult::Partial => "partial",
            FeedPollResult::Error => "error",
        }
    }
}

/// Counts one send, edit or delete and how long Telegram took to answer it.
pub fn record_delivery(outcome: DeliveryOutcome, latency: Duration) {
    metrics::counter!(DELIVERIES, "outcome" => outcome.label()).increment(1);
    metrics::histogram!(SEND_LATENCY).record(latency.as_secs_f64());
}

/// Counts one feed poll; the ingest poller calls this once per feed and poll.
pub fn record_feed_poll(result: FeedPollResult) {
    metrics::counter!(FEED_POLLS, "result" => result.label()).increment(1);
}

/// Installs the process-wide recorder once and returns its handle; later calls (several
/// apps in one test process) share it.
pub fn install_recorder() -> Result<PrometheusHandle, String> {
    static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(SEND_LATENCY.to_string()), LATENCY_BUCKETS)
                .and_then(PrometheusBuilder::install_recorder)
                .map_err(|e: BuildError| e.to_string())?;
            metrics::describe_counter!(DELIVERIES, "Sends, edits and deletes by outcome");
            metrics::describe_histogram!(
                SEND_LATENCY,
                metrics::Unit::Seconds,
                "Time Telegram took to answer one delivery"
            );
            metrics::describe_counter!(FEED_POLLS, "Feed polls by result");
            metrics::describe_gauge!(SUBSCRIBERS, "Subscribers by status");
            metrics::describe_gauge!(STATEMENTS, "Statements in the archive");
            metrics::describe_gauge!(QUEUE_DEPTH, "Deliveries waiting to be sent");
            metrics::describe_gauge!(UPTIME, metrics::Unit::Seconds, "Time since start");
            metrics::describe_gauge!(BUILD_INFO, "Always 1; the version is in the label");
            Ok(handle)
        })
        .clone()
}
