//! Thin by design: parse the command line, load the configuration, hand over to `startup`.

use std::process::ExitCode;

use clap::Parser;
use tokio_util::sync::CancellationToken;

use jarchi::cli::{Cli, Command, ConfigAction};
use jarchi::config::Settings;
use jarchi::startup::App;
use jarchi::storage::Storage;
use jarchi::{ingest, ops, telemetry};

/// Exit status for configuration mistakes, distinct from runtime failures (1).
const EXIT_CONFIG: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Two workers whatever the machine: the bot waits on the network, it does not compute,
    // and every worker thread costs memory (README, "How small it is").
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(1, &format!("cannot start the async runtime: {e}")),
    };
    runtime.block_on(async {
        match cli.command() {
            Command::Run => run().await,
            Command::Migrate => migrate().await,
            Command::Import {
                source,
                pages,
                max_bytes,
            } => import(source, *pages, *max_bytes).await,
            Command::Backup { path } => backup(path).await,
            Command::Config {
                action: ConfigAction::Check,
            } => config_check(),
            Command::Healthcheck => healthcheck().await,
        }
    })
}

async fn run() -> ExitCode {
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

async fn migrate() -> ExitCode {
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

async fn import(source: &str, pages: u16, max_bytes: Option<u64>) -> ExitCode {
    let policy = match Settings::feed_policy_from_env() {
        Ok(policy) => policy,
        Err(e) => return fail(EXIT_CONFIG, &e.to_string()),
    };
    let storage = match open_storage().await {
        Ok(storage) => storage,
        Err(code) => return code,
    };
    let max_bytes = max_bytes.unwrap_or(ingest::MAX_FEED_BYTES as u64);
    let result =
        ingest::import_pages(&storage, source, usize::from(pages), max_bytes, &policy).await;
    storage.close().await;
    match result {
        Ok(report) => {
            println!(
                "imported {} new statements ({} already in the archive, {} skipped) from {} page(s); nothing was sent",
                report.inserted, report.duplicates, report.skipped, report.pages
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(1, &e.to_string()),
    }
}

async fn backup(path: &std::path::Path) -> ExitCode {
    let storage = match open_storage().await {
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

fn config_check() -> ExitCode {
    match Settings::from_env() {
        Ok(settings) => {
            println!("{}", settings.describe());
            ExitCode::SUCCESS
        }
        Err(e) => fail(EXIT_CONFIG, &e.to_string()),
    }
}

async fn healthcheck() -> ExitCode {
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
async fn open_storage() -> Result<Storage, ExitCode> {
    let url = Settings::database_url_from_env().map_err(|e| fail(EXIT_CONFIG, &e.to_string()))?;
    Storage::connect(&url)
        .await
        .map_err(|e| fail(1, &e.to_string()))
}

/// One line on stderr, never a backtrace: the reader is an operator.
fn fail(code: u8, message: &str) -> ExitCode {
    eprintln!("jarchi: {message}");
    ExitCode::from(code)
}
