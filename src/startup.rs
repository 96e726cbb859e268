//! Wires the rooms together: database, bot, dispatcher, and one shutdown signal for all.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use teloxide::dispatching::Dispatcher;
use teloxide::prelude::*;
use teloxide::types::ParseMode;
use teloxide::update_listeners::webhooks;
use teloxide::update_listeners::{Polling, UpdateListener};
use tokio_util::sync::CancellationToken;

use crate::broadcast::{Clock, Worker, WorkerConfig, relay_feed_notices};
use crate::config::{Settings, Webhook};
use crate::ingest::{FetchError, Poller, PollerConfig};
use crate::ops::{Health, OpsError, OpsServer, TelegramLink, UpdateSource};
use crate::publish::Publisher;
use crate::send_budget::SendBudget;
use crate::storage::{ChatKind, Storage, StorageError};
use crate::telegram::{self, Context, JarchiBot, TelegramBot};

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
    #[error(transparent)]
    Ops(#[from] OpsError),
    #[error("WEBHOOK_LISTEN: cannot listen on {addr}: {reason}")]
    WebhookBind { addr: SocketAddr, reason: String },
    #[error("Telegram refused the webhook (check WEBHOOK_URL): {0}")]
    SetWebhook(teloxide::RequestError),
}

/// How long one `getUpdates` may wait for news. The HTTP timeout must exceed it.
const POLLING_TIMEOUT: Duration = Duration::from_secs(10);
/// The HTTP timeout of every request to Telegram.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(25);
/// Longest pause between two `getUpdates` after failures. Capped so that a link that stays
/// broken keeps reporting failures within [`HEALTH_FAILURE_WINDOW`].
const POLLING_MAX_BACKOFF: Duration = Duration::from_secs(30);
/// A `getUpdates` failure older than this, with nothing heard since, no longer counts
/// against health: longer than one failed request plus the longest back-off.
const HEALTH_FAILURE_WINDOW: Duration = Duration::from_secs(90);
/// Longest pause between two attempts to reach Telegram at start.
const START_MAX_BACKOFF: Duration = Duration::from_secs(60);
/// How often old delivery records are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(6 * 3600);

/// A built application: everything opened and checked, nothing running yet.
pub struct App {
    settings: Arc<Settings>,
    storage: Storage,
    bot: TelegramBot,
    /// Every message, broadcast or reply, draws from this one budget.
    budget: Arc<SendBudget>,
    clock: Clock,
    health: Arc<Health>,
    ops: Option<OpsServer>,
    webhook_listener: Option<tokio::net::TcpListener>,
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
        let ops = match settings.ops_listen {
            Some(addr) => Some(OpsServer::bind(addr).await?),
            None => None,
        };
        // Bound now so that a taken port stops the start with a clear message.
        let webhook_listener = match &settings.webhook {
            Some(webhook) => Some(
                tokio::net::TcpListener::bind(webhook.listen)
                    .await
                    .map_err(|e| StartupError::WebhookBind {
                        addr: webhook.listen,
                        reason: e.to_string(),
                    })?,
            ),
            None => None,
        };
        let source = if settings.webhook.is_some() {
            UpdateSource::Webhook
        } else {
            UpdateSource::Polling
        };
        Ok(Self {
            settings: Arc::new(settings),
            storage,
            bot,
            budget: Arc::new(SendBudget::telegram()),
            clock: Clock::system(),
            health: Arc::new(Health::new(source, HEALTH_FAILURE_WINDOW)),
            ops,
            webhook_listener,
            _instance_lock: instance_lock,
        })
    }

    /// Replaces the clock the broadcast worker reads quiet hours by (tests step into them).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// Where `/healthz` and `/metrics` answer, if the ops listener is on.
    pub fn ops_addr(&self) -> Option<SocketAddr> {
        self.ops.as_ref().and_then(OpsServer::local_addr)
    }

    /// Where Telegram's webhook requests are received, in webhook mode.
    pub fn webhook_addr(&self) -> Option<SocketAddr> {
        self.webhook_listener
            .as_ref()
            .and_then(|l| l.local_addr().ok())
    }

    /// Runs until `shutdown` is cancelled, then lets in-flight handlers finish.
    pub async fn run(mut self, shutdown: CancellationToken) -> Result<(), StartupError> {
        // First, so that /healthz tells the operator when Telegram cannot be reached at start.
        let ops = self.ops.take().map(|ops| {
            tokio::spawn(ops.serve(
                self.storage.clone(),
                Arc::clone(&self.health),
                shutdown.clone(),
            ))
        });
        let link = self.health.link();
        let Some(me) = reach_telegram(&self.bot, &link, &shutdown).await? else {
            if let Some(ops) = ops
                && let Err(e) = ops.await
            {
                tracing::error!(error = %e, "the ops listener ended abnormally");
            }
            self.storage.close().await;
            tracing::info!("stopped before Telegram could be reached");
            return Ok(());
        };
        tracing::info!(version = env!("CARGO_PKG_VERSION"), bot = %me.username(), "jarchi is starting");

        if let Some(channel) = self.settings.channel_id {
            // The channel is a subscriber like any other: it gets every statement, and
            // edits and deletions reach it through the same queue.
            self.storage
                .subscribe(
                    crate::domain::ChatId(channel),
                    ChatKind::Channel,
                    self.settings.default_lang,
                )
                .await?;
        }

        // Before anything is spawned, so that a refused webhook leaves nothing running.
        let webhook = match (&self.settings.webhook, self.webhook_listener.take()) {
            (Some(webhook), Some(tcp)) => {
                let hooked = webhook_listener(&self.bot, webhook, tcp).await?;
                if webhook.secret_generated {
                    // Telegram got it with setWebhook; nobody else needs it, so it is not shown.
                    tracing::info!("WEBHOOK_SECRET is unset: generated a random one for this run");
                }
                tracing::info!("receiving updates by webhook");
                Some(hooked)
            }
            _ => None,
        };

        let publisher = Publisher::new(self.storage.clone());
        let feed_urls: Vec<String> = self
            .settings
            .feed_urls
            .iter()
            .map(|u| u.to_string())
            .collect();
        self.storage.follow_feeds(&feed_urls).await?;
        let admins: Vec<crate::domain::ChatId> = self
            .settings
            .admin_ids
            .iter()
            .filter_map(|id| crate::domain::UserId(*id).private_chat())
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

        let mut worker_config = WorkerConfig::new(
            self.settings.broadcast_rate,
            admins,
            self.settings.default_lang,
        );
        worker_config.clock = self.clock.clone();
        worker_config.give_up_after = self.settings.delivery_give_up;
        let worker = Worker::new(
            self.storage.clone(),
            self.bot.inner().clone(),
            publisher.queue_signal(),
            worker_config,
        )
        .with_link(Arc::clone(&link))
        .with_budget(Arc::clone(&self.budget));
        let worker = tokio::spawn(worker.run(shutdown.clone()));
        let pruner = tokio::spawn(prune_periodically(
            self.storage.clone(),
            self.settings.delivery_retention,
            shutdown.clone(),
        ));
        let eraser = tokio::spawn(
            self.storage
                .clone()
                .keep_erasures_off_disk(shutdown.clone()),
        );

        let context = Context::new(
            self.storage.clone(),
            publisher,
            Arc::clone(&self.settings),
            feeds_changed,
            Arc::clone(&link),
        );
        let handlers_bot = JarchiBot::new(self.bot.clone(), Arc::clone(&self.budget));
        let heard = Arc::clone(&self.health);
        let schema = dptree::inspect(move || heard.update_received()).chain(telegram::schema());
        let dispatcher = Dispatcher::builder(self.bot.clone(), schema)
            .dependencies(dptree::deps![context, handlers_bot])
            // teloxide's default logs whole unhandled updates (names, texts) at warn.
            .default_handler(|_update| async {})
            .error_handler(telegram::error_handler())
            .build();
        let dispatcher_shutdown = dispatcher.shutdown_token();

        // Beside polling, not before it: the first getUpdates waits for nothing that can wait.
        let side_tasks = tokio::spawn(tidy_telegram_side(
            self.bot.clone(),
            Arc::clone(&self.settings),
            webhook.is_none(),
        ));
        let health = Arc::clone(&self.health);
        let (polling, webhook_server) = match webhook {
            Some((listener, server)) => {
                (spawn_dispatch(dispatcher, listener, health), Some(server))
            }
            None => {
                let listener = Polling::builder(self.bot.clone())
                    .timeout(POLLING_TIMEOUT)
                    .backoff_strategy(polling_backoff)
                    .build();
                (spawn_dispatch(dispatcher, listener, health), None)
            }
        };

        shutdown.cancelled().await;
        tracing::info!("shutting down");
        side_tasks.abort();
        // The end of dispatching is awaited through its task, not through the future
        // `shutdown` returns: that future starts listening only when first polled, and a
        // dispatcher that finishes before then (a busy machine) leaves it waiting forever.
        if dispatcher_shutdown.shutdown().is_err() {
            tracing::debug!("the dispatcher was not running");
        }
        let polled = polling.await;
        if let Some(server) = webhook_server
            && let Err(e) = server.await
        {
            tracing::error!(error = %e, "the webhook listener ended abnormally");
        }
        for (name, task) in [("feed poller", poller), ("feed notices", notices)] {
            if let Err(e) = task.await {
                tracing::error!(error = %e, task = name, "a task ended abnormally");
            }
        }
        if let Err(e) = worker.await {
            tracing::error!(error = %e, "the broadcast worker ended abnormally");
        }
        if let Some(ops) = ops
            && let Err(e) = ops.await
        {
            tracing::error!(error = %e, "the ops listener ended abnormally");
        }
        if let Err(e) = pruner.await {
            tracing::error!(error = %e, "the retention task ended abnormally");
        }
        if let Err(e) = eraser.await {
            tracing::error!(error = %e, "the erasure task ended abnormally");
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

type DispatchTask = tokio::task::JoinHandle<Result<(), teloxide::RequestError>>;

/// Runs the dispatcher over `listener`, telling `health` about every update and failure.
fn spawn_dispatch<L>(
    mut dispatcher: Dispatcher<
        TelegramBot,
        telegram::HandlerError,
        teloxide::dispatching::DefaultKey,
    >,
    listener: L,
    health: Arc<Health>,
) -> DispatchTask
where
    L: UpdateListener + Send + 'static,
    L::Err: std::fmt::Debug + Send + Sync + 'static,
{
    let failures = move |error: L::Err| {
        let health = Arc::clone(&health);
        async move {
            health.update_failed();
            let unreachable = (&error as &dyn std::any::Any)
                .downcast_ref::<teloxide::RequestError>()
                .is_some_and(cannot_reach);
            if unreachable {
                health.link().failed();
            }
            tracing::error!(error = %telegram::listener_error_summary(&error), "getUpdates failed");
        }
    };
    tokio::spawn(async move {
        dispatcher
            .try_dispatch_with_listener(telegram::SkipUnreadable(listener), Arc::new(failures))
            .await
    })
}

/// teloxide's webhook router (it checks `X-Telegram-Bot-Api-Secret-Token` and answers 401
/// otherwise, and calls setWebhook now and deleteWebhook when stopped), served on our own
/// listener.
async fn webhook_listener(
    bot: &TelegramBot,
    webhook: &Webhook,
    tcp: tokio::net::TcpListener,
) -> Result<
    (
        impl UpdateListener<Err = std::convert::Infallible> + Send + 'static,
        tokio::task::JoinHandle<()>,
    ),
    StartupError,
> {
    let options = webhooks::Options::new(webhook.listen, webhook.url.clone())
        .secret_token(webhook.secret.expose().to_string());
    let (listener, stopped, router) = webhooks::axum_to_router(bot.inner().clone(), options)
        .await
        .map_err(StartupError::SetWebhook)?;
    let server = tokio::spawn(async move {
        if let Err(e) = axum::serve(tcp, router)
            .with_graceful_shutdown(stopped)
            .await
        {
            tracing::error!(error = %e, "the webhook listener stopped");
        }
    });
    Ok((listener, server))
}

/// Publishes the command menus and, when polling, removes a webhook left by another
/// deployment (Telegram refuses getUpdates while one is set, so polling retries until this
/// is done). Neither is needed for the bot to answer, so neither delays its first poll.
async fn tidy_telegram_side(bot: TelegramBot, settings: Arc<Settings>, polling: bool) {
    if let Err(e) = telegram::set_command_menus(&bot, &settings).await {
        // The menu is a convenience; commands work without it.
        tracing::warn!(error = %e, "could not publish the command menu");
    }
    if !polling {
        return;
    }
    match bot.get_webhook_info().await {
        Ok(info) if info.url.is_none() => {}
        Ok(_) => {
            if let Err(e) = bot.delete_webhook().await {
                tracing::warn!(error = %e, "could not remove the webhook; polling cannot start");
            }
        }
        Err(e) => tracing::warn!(error = %e, "could not check for a webhook"),
    }
}

/// teloxide's exponential back-off, capped (see [`POLLING_MAX_BACKOFF`]).
fn polling_backoff(errors: u32) -> Duration {
    teloxide::backoff::exponential_backoff_strategy(errors).min(POLLING_MAX_BACKOFF)
}

/// Prunes old delivery records now and then; the first pass runs at start.
async fn prune_periodically(storage: Storage, retention: Duration, shutdown: CancellationToken) {
    loop {
        match storage.prune_deliveries(retention).await {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, "old delivery records pruned"),
            Err(e) => tracing::warn!(error = %e, "cannot prune old delivery records"),
        }
        tokio::select! {
            _ = tokio::time::sleep(PRUNE_EVERY) => {}
            _ = shutdown.cancelled() => return,
        }
    }
}

/// Asks Telegram who the bot is until it answers, with a back-off up to a minute. Only a
/// refused token ends the start: anything else (network, time-out, 5xx) is Telegram or the
/// network being down, which passes. None: stopped while waiting.
async fn reach_telegram(
    bot: &TelegramBot,
    link: &TelegramLink,
    shutdown: &CancellationToken,
) -> Result<Option<teloxide::types::Me>, StartupError> {
    let mut backoff = Duration::from_secs(1);
    loop {
        let error = match bot.get_me().await {
            Ok(me) => {
                if let Some(down_for) = link.answered() {
                    tracing::info!(down_for_secs = down_for.as_secs(), "Telegram answers");
                }
                return Ok(Some(me));
            }
            Err(e @ teloxide::RequestError::Api(teloxide::ApiError::InvalidToken)) => {
                return Err(StartupError::Telegram(e));
            }
            Err(e) => e,
        };
        link.failed();
        tracing::error!(
            error = %error,
            retry_in_secs = backoff.as_secs(),
            "cannot reach Telegram (check the network, or TELOXIDE_API_URL); trying again"
        );
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = shutdown.cancelled() => return Ok(None),
        }
        backoff = (backoff * 2).min(START_MAX_BACKOFF);
    }
}

/// Whether a failed request says that Telegram cannot be reached, rather than that it
/// refused something.
fn cannot_reach(error: &teloxide::RequestError) -> bool {
    matches!(
        crate::broadcast::classify(Err(error.clone())),
        crate::broadcast::SendOutcome::Transient(_)
    )
}

fn build_bot(settings: &Settings) -> Result<TelegramBot, StartupError> {
    let client = teloxide::net::default_reqwest_settings()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .map_err(|e| StartupError::HttpClient(e.without_url().to_string()))?;
    let mut bot = Bot::with_client(settings.token.expose(), client);
    if let Some(url) = &settings.api_url {
        bot = bot.set_api_url(url.clone());
    }
    Ok(bot.parse_mode(ParseMode::Html))
}
