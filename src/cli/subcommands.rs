//! The body of each subcommand: read only the configuration it needs, do the work, and
//! turn the result into an exit status and one line for the operator.

use std::process::ExitCode;

use tokio_util::sync::CancellationToken;

use super::{EXIT_CONFIG, fail};
use crate::config::Settings;
use crate::ingest::ImportReport;
use crate::startup::App;
use crate::storage::{Storage, Workload};
use crate::{ingest, ops, telemetry};

pub async fn run() -> ExitCode {
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => return fail(EXIT_CONFIG, &e.to_string()),
    };
    telemetry::init(settings.secrets());
    let app = match App::build(settings).await {
        Ok(app) => app,
        Err(e) => return fail(1, &e.to_string()),
    };
    let shutdown = CancellationToken::new();
    tokio::spawn(cancel_on_signal(shutdown.clone()));
    match app.run(shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(1, &e.to_string()),
    }
}

pub async fn migrate() -> ExitCode {
    let url = match Settings::database_url_from_env() {
        Ok(url) => url,
        Err(e) => return fail(EXIT_CONFIG, &e.to_string()),
    };
    match Storage::connect(&url).await {
        Ok(storage) => {
            storage.close().await;
            println!("migrations applied to {url}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(1, &e.to_string()),
    }
}

pub async fn import(sources: &[String], pages: u16, max_bytes: Option<u64>) -> ExitCode {
    let policy = match Settings::feed_policy_from_env() {
        Ok(policy) => policy,
        Err(e) => return fail(EXIT_CONFIG, &e.to_string()),
    };
    let storage = match open_storage(Workload::BulkImport).await {
        Ok(storage) => storage,
        Err(code) => return code,
    };
    let max_bytes = max_bytes.unwrap_or(ingest::MAX_FEED_BYTES as u64);
    if let Err(e) = storage.hold_search_index_merges().await {
        storage.close().await;
        return fail(1, &e.to_string());
    }
    let mut total = ImportReport::default();
    let mut failed = None;
    for source in sources {
        match ingest::import_pages(&storage, source, usize::from(pages), max_bytes, &policy).await {
            Ok(report) => total.add(report),
            Err(e) => {
                failed = Some((source, e.to_string()));
                break;
            }
        }
    }
    // Many statements at once leave the search index in many segments, which every search
    // then opens: merged into one, a search over 100,000 statements costs half. Also after
    // a failure, which must not leave the index without its usual merging.
    let merged = storage.merge_search_index().await;
    storage.close().await;
    let summary = |report: ImportReport| {
        format!(
            "imported {} new statements ({} already in the archive, {} skipped) from {} page(s); nothing was sent",
            report.inserted, report.duplicates, report.skipped, report.pages
        )
    };
    match failed {
        None => match merged {
            Ok(()) => {
                println!("{}", summary(total));
                ExitCode::SUCCESS
            }
            Err(e) => fail(1, &e.to_string()),
        },
        Some((_, message)) if sources.len() == 1 => fail(1, &message),
        Some((source, message)) => {
            if total.pages > 0 {
                println!("before {source}: {}", summary(total));
            }
            fail(1, &format!("{source}: {message}"))
        }
    }
}

pub async fn backup(path: &std::path::Path) -> ExitCode {
    let storage = match open_storage(Workload::Bot).await {
        Ok(storage) => storage,
        Err(code) => return code,
    };
    let result = storage.backup_to(path).await;
    storage.close().await;
    match result {
        Ok(()) => {
            println!("backup written to {}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => fail(1, &e.to_string()),
    }
}

pub fn config_check() -> ExitCode {
    match Settings::from_env() {
        Ok(settings) => {
            println!("{}", settings.describe());
            ExitCode::SUCCESS
        }
        Err(e) => fail(EXIT_CONFIG, &e.to_string()),
    }
}

pub async fn healthcheck() -> ExitCode {
    let addr = match Settings::ops_listen_from_env() {
        Ok(Some(addr)) => addr,
        Ok(None) => {
            return fail(
                EXIT_CONFIG,
                "OPS_LISTEN is empty: there is no health endpoint",
            );
        }
        Err(e) => return fail(EXIT_CONFIG, &e.to_string()),
    };
    match ops::check_health(addr).await {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(1, &e.to_string()),
    }
}

/// SIGTERM (docker stop, systemd) and Ctrl-C both mean "finish what you are doing and go".
async fn cancel_on_signal(shutdown: CancellationToken) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    shutdown.cancel();
}

/// The database alone, for the commands that need no bot: only DATABASE_URL is read.
async fn open_storage(workload: Workload) -> Result<Storage, ExitCode> {
    let url = Settings::database_url_from_env().map_err(|e| fail(EXIT_CONFIG, &e.to_string()))?;
    Storage::connect_for(&url, workload)
        .await
        .map_err(|e| fail(1, &e.to_string()))
}
