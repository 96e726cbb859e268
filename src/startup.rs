//! Wires the rooms together: database, bot, dispatcher, and one shutdown signal for all.

use std::sync::Arc;
use std::time::Duration;

use teloxide::dispatching::Dispatcher;
use teloxide::error_handlers::LoggingErrorHandler;
use teloxide::prelude::*;
use teloxide::types::ParseMode;
use teloxide::update_listeners::Polling;
use tokio_util::sync::CancellationToken;

use crate::broadcast::{Worker, WorkerConfig, relay_feed_notices};
use crate::config::Settings;
use crate::ingest::{FetchError, Poller, PollerConfig};
use crate::publish::Publisher;
use crate::storage::{ChatKind, Storage, StorageError};
use crate::telegram::{self, Context, JarchiBot};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("another jarchi is already running on {0}; two would send every statement twice")]
    AlreadyRunning(String),
    #[error("cannot lock {path}: {reason}")]
    Lock { path: String, reason: String },
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("cannot build the HTTP client for Telegram: {0}")]
    HttpClient(String),
    #[error("cannot build the HTTP client for feeds (check FEED_USER_AGENT): {0}")]
    FeedClient(FetchError),
    #[error("Telegram did not accept the bot (check TELOXIDE_TOKEN and TELOXIDE_API_URL): {0}")]
    Telegram(teloxide::RequestError),
}

/// How long one `getUpdates` may wait for news. The HTTP timeout must exceed it.
const POLLING_TIMEOUT: Duration = Duration::from_secs(10);

/// A built application: everything opened and checked, nothing running yet.
pub struct App {
    settings: Arc<Settings>,
    storage: Storage,
    bot: JarchiBot,
    /// Held for the life of the app: one instance per database.
    _instance_lock: Option<std::fs::File>,
}

impl App {
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        let instance_lock = lock_database(&settings.database_url)?;
        let storage = Storage::connect(&settings.database_url).await?;
        // We hold the only lock on this database, so every claim left in the queue belongs
        // to a run that died: give those deliveries back now instead of after their lease.
        storage.release_abandoned_claims().await?;
        let bot = build_bot(&settings)?;
        Ok(Self {
            settings: Arc::new(settings),
            storage,
            bot,
            _instance_lock: instance_lock,
        })
    }

    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// Runs until `shutdown` is cancelled, then lets in-flight handlers finish.
    pub async fn run(self, shutdown: CancellationToken) -> Result<(), StartupError> {
        let me = self.bot.get_me().await.map_err(StartupError::Telegram)?;
        tracing::info!(version = env!("CARGO_PKG_VERSION"), bot = %me.username(), "jarchi is starting");

        if let Err(e) = telegram::set_command_menus(&self.bot, &self.settings).await {
            // The menu is a convenience; commands work without it.
            tracing::warn!(error = %e, "could not publish the command menu");
        }
        if let Some(channel) = self.settings.channel_id {
            // The channel is a subscriber like any other: it gets every statement, and
            // edits and deletions reach it through the same queue.
            self.storage
                .subscribe(channel, ChatKind::Channel, self.settings.default_lang)
                .await?;
        }

        let publisher = Publisher::new(self.storage.clone());
        let feed_urls: Vec<String> = self
            .settings
            .feed_urls
            .iter()
            .map(|u| u.to_string())
            .collect();
        self.storage.follow_feeds(&feed_urls).await?;
        let admins: Vec<i64> = self
            .settings
            .admin_ids
            .iter()
            .filter_map(|id| i64::try_from(*id).ok())
            .collect();
        let feeds_changed = Arc::new(tokio::sync::Notify::new());
        let (notice_tx, notice_rx) = tokio::sync::mpsc::channel(16);
        let poller = Poller::new(
            self.storage.clone(),
            publisher.clone(),
            PollerConfig::from_settings(&self.settings),
            Arc::clone(&feeds_changed),
            notice_tx,
        )
        .map_err(StartupError::FeedClient)?;
        let poller = tokio::spawn(poller.run(shutdown.clone()));
        let notices = tokio::spawn(relay_feed_notices(
            self.bot.inner().clone(),
            admins.clone(),
            self.settings.default_lang,
            notice_rx,
            shutdown.clone(),
        ));

        let worker = Worker::new(
            self.storage.clone(),
            self.bot.inner().clone(),
            publisher.queue_signal(),
            WorkerConfig::new(
                self.settings.broadcast_rate,
                admins,
                self.settings.default_lang,
            ),
        );
        let worker = tokio::spawn(worker.run(shutdown.clone()));

        let context = Context {
            storage: self.storage.clone(),
            publisher,
            settings: Arc::clone(&self.settings),
            feeds_changed,
        };
        let mut dispatcher = Dispatcher::builder(self.bot.clone(), telegram::schema())
            .dependencies(dptree::deps![context])
            // teloxide's default logs whole unhandled updates (names, texts) at warn.
            .default_handler(|_update| async {})
            .error_handler(LoggingErrorHandler::with_custom_text("a handler failed"))
            .build();
        let dispatcher_shutdown = dispatcher.shutdown_token();

        let listener = Polling::builder(self.bot.clone())
            .timeout(POLLING_TIMEOUT)
            .delete_webhook()
            .await
            .build();
        let polling = tokio::spawn(async move {
            dispatcher
                .try_dispatch_with_listener(
                    listener,
                    LoggingErrorHandler::with_custom_text("getUpdates failed"),
                )
                .await
        });

        shutdown.cancelled().await;
        tracing::info!("shutting down");
        match dispatcher_shutdown.shutdown() {
            Ok(done) => done.await,
            Err(_idle) => tracing::debug!("the dispatcher was not running"),
        }
        let polled = polling.await;
        for (name, task) in [("feed poller", poller), ("feed notices", notices)] {
            if let Err(e) = task.await {
                tracing::error!(error = %e, task = name, "a task ended abnormally");
            }
        }
        if let Err(e) = worker.await {
            tracing::error!(error = %e, "the broadcast worker ended abnormally");
        }
        match polled {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(StartupError::Telegram(e)),
            Err(e) => tracing::error!(error = %e, "the dispatcher task ended abnormally"),
        }
        self.storage.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Two instances on one database are the classic source of duplicate broadcasts in feed
/// bots. An OS file lock (released by the kernel when the process dies, even by SIGKILL)
/// next to the database keeps it to one.
fn lock_database(database_url: &str) -> Result<Option<std::fs::File>, StartupError> {
    let Some(db_path) = crate::storage::database_path(database_url) else {
        return Ok(None);
    };
    let mut lock_path = db_path.clone().into_os_string();
    lock_path.push(".lock");
    let lock_path = std::path::PathBuf::from(lock_path);
    let lock_error = |e: std::io::Error| StartupError::Lock {
        path: lock_path.display().to_string(),
        reason: e.to_string(),
    };
    if let Some(dir) = lock_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(lock_error)?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(lock_error)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => {
            Err(StartupError::AlreadyRunning(db_path.display().to_string()))
        }
        Err(std::fs::TryLockError::Error(e)) => Err(lock_error(e)),
    }
}

fn build_bot(settings: &Settings) -> Result<JarchiBot, StartupError> {
    let client = teloxide::net::default_reqwest_settings()
        .timeout(POLLING_TIMEOUT + Duration::from_secs(15))
        .build()
        .map_err(|e| StartupError::HttpClient(e.without_url().to_string()))?;
    let mut bot = Bot::with_client(settings.token.expose(), client);
    if let Some(url) = &settings.api_url {
        bot = bot.set_api_url(url.clone());
    }
    Ok(bot.parse_mode(ParseMode::Html))
}
