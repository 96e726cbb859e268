//! Statements from the organisation's site: fetching, parsing, and (for `jarchi import`)
//! seeding the archive. No Telegram here.

mod client;
mod parse;

pub use client::{FeedClient, FetchError};
pub use parse::{ParseError, parse_feed};

use crate::storage::{ArchiveOutcome, Storage, StorageError};

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
}

/// Reads a feed from a file path or an http(s) URL into the archive, broadcasting nothing.
pub async fn import(storage: &Storage, source: &str) -> Result<ImportReport, ImportError> {
    let (bytes, base) = if source.starts_with("http://") || source.starts_with("https://") {
        let client = FeedClient::new()?;
        (
            client.fetch_document(source).await?,
            Some(source.to_string()),
        )
    } else {
        let bytes = tokio::fs::read(source)
            .await
            .map_err(|e| ImportError::Read {
                path: source.to_string(),
                source: e,
            })?;
        (bytes, None)
    };
    let parsed = parse_feed(&bytes, base.as_deref())?;
    let mut report = ImportReport {
        skipped: parsed.skipped,
        ..ImportReport::default()
    };
    for item in &parsed.items {
        match storage.archive(item).await? {
            ArchiveOutcome::Inserted(_) => report.inserted += 1,
            ArchiveOutcome::Duplicate(_) => report.duplicates += 1,
        }
    }
    Ok(report)
}
