//! Wires the rooms together: database, bot, dispatcher, and one shutdown signal for all.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use teloxide::dispatching::Dispatcher;
use teloxide::prelude::*;
use teloxide::types::ParseMode;
use teloxide::update_listeners::webhooks;
use teloxide::update_listeners::{Polling, UpdateListener};
use tokio::task::{AbortHandle, JoinSet};
use tokio_util::sync::CancellationToken;

use crate::broadcast::{Clock, Worker, WorkerConfig, relay_feed_notices};
use crate::config::{Settings, Webhook};
use crate::ingest::{FetchError, Poller, PollerConfig};
use crate::ops::{Health, OpsError, OpsServer, TelegramLink, UpdateSource};
use crate::publish::Publisher;
use crate::schedule::Scheduler;
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

type NoticeSender = tokio::sync::mpsc::Sender<crate::domain::FeedNotice>;

type UpdateDispatcher =
    Dispatcher<TelegramBot, telegram::HandlerError, teloxide::dispatching::DefaultKey>;

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
        if storage.resume_search_index_merges().await? {
            tracing::info!(
                "an archive import had stopped before its end; the search index merges as usual again"
            );
        }
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

    /// Runs until `shutdown` is cancelled, then lets in-flight handlers finish. Every task
    /// runs under a name (see [`Tasks`]), which the log gives when it ends and why.
    pub async fn run(mut self, shutdown: CancellationToken) -> Result<(), StartupError> {
        let mut tasks = Tasks::default();
        // First, so that /healthz tells the operator when Telegram cannot be reached at start.
        if let Some(ops) = self.ops.take() {
            let serve = ops.serve(
                self.storage.clone(),
                Arc::clone(&self.health),
                shutdown.clone(),
            );
            tasks.spawn("ops listener", serve);
        }
        let link = self.health.link();
        let Some(me) = reach_telegram(&self.bot, &link, &shutdown).await? else {
            let stopped = tasks.stop().await;
            self.storage.close().await;
            tracing::info!("stopped before Telegram could be reached");
            return stopped;
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
        // Before anything else is spawned, so that a refused webhook leaves nothing running.
        let webhook = self.set_webhook().await?;

        let publisher = Publisher::new(self.storage.clone());
        let (feeds_changed, notices) = self.spawn_feeds(&mut tasks, &publisher, &shutdown).await?;
        self.spawn_worker(&mut tasks, &publisher, &link, &shutdown);
        let scheduler = Scheduler::new(self.storage.clone(), publisher.clone(), notices);
        tasks.spawn("schedule", scheduler.run(shutdown.clone()));
        self.spawn_upkeep(&mut tasks, &shutdown);

        let context = Context::new(
            self.storage.clone(),
            publisher,
            Arc::clone(&self.settings),
            feeds_changed,
            Arc::clone(&link),
        );
        let dispatcher = self.dispatcher(context);
        let dispatcher_shutdown = dispatcher.shutdown_token();
        // Beside polling, not before it: the first getUpdates waits for nothing that can wait.
        let tidy = tasks.spawn_brief(
            "command menus",
            tidy_telegram_side(
                self.bot.clone(),
                Arc::clone(&self.settings),
                webhook.is_none(),
            ),
        );
        self.spawn_updates(&mut tasks, dispatcher, webhook);

        tasks.watch_until(&shutdown).await;
        tracing::info!("shutting down");
        tidy.abort();
        // The end of dispatching is awaited through its task, not through the future
        // `shutdown` returns: that future starts listening only when first polled, and a
        // dispatcher that finishes before then (a busy machine) leaves it waiting forever.
        if dispatcher_shutdown.shutdown().is_err() {
            tracing::debug!("the dispatcher was not running");
        }
        let stopped = tasks.stop().await;
        self.storage.close().await;
        tracing::info!("stopped");
        stopped
    }

    /// In webhook mode, tells Telegram where to post updates (setWebhook) and returns the
    /// listener with the server that feeds it; None when polling.
    async fn set_webhook(
        &mut self,
    ) -> Result<
        Option<(
            impl UpdateListener<Err = std::convert::Infallible> + Send + 'static,
            impl Future<Output = ()> + Send + 'static,
        )>,
        StartupError,
    > {
        let (Some(webhook), Some(tcp)) = (&self.settings.webhook, self.webhook_listener.take())
        else {
            return Ok(None);
        };
        let hooked = webhook_listener(&self.bot, webhook, tcp).await?;
        if webhook.secret_generated {
            // Telegram got it with setWebhook; nobody else needs it, so it is not shown.
            tracing::info!("WEBHOOK_SECRET is unset: generated a random one for this run");
        }
        tracing::info!("receiving updates by webhook");
        Ok(Some(hooked))
    }

    /// The feed poller and the relay of what it notices to the admins. Returns what wakes
    /// the poller when /addfeed adds a feed, and a way into the relay for the schedule.
    async fn spawn_feeds(
        &self,
        tasks: &mut Tasks,
        publisher: &Publisher,
        shutdown: &CancellationToken,
    ) -> Result<(Arc<tokio::sync::Notify>, NoticeSender), StartupError> {
        let feed_urls: Vec<String> = self
            .settings
            .feed_urls
            .iter()
            .map(|u| u.to_string())
            .collect();
        self.storage.follow_feeds(&feed_urls).await?;
        let feeds_changed = Arc::new(tokio::sync::Notify::new());
        let (notice_tx, notice_rx) = tokio::sync::mpsc::channel(16);
        let poller = Poller::new(
            self.storage.clone(),
            publisher.clone(),
            PollerConfig::from_settings(&self.settings),
            Arc::clone(&feeds_changed),
            notice_tx.clone(),
        )
        .map_err(StartupError::FeedClient)?;
        tasks.spawn("feed poller", poller.run(shutdown.clone()));
        tasks.spawn(
            "feed notices",
            relay_feed_notices(
                self.bot.inner().clone(),
                self.admin_chats(),
                self.settings.default_lang,
                notice_rx,
                shutdown.clone(),
            ),
        );
        Ok((feeds_changed, notice_tx))
    }

    fn spawn_worker(
        &self,
        tasks: &mut Tasks,
        publisher: &Publisher,
        link: &Arc<TelegramLink>,
        shutdown: &CancellationToken,
    ) {
        let mut worker_config = WorkerConfig::new(
            self.settings.broadcast_rate,
            self.admin_chats(),
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
        .with_link(Arc::clone(link))
        .with_budget(Arc::clone(&self.budget));
        tasks.spawn("broadcast worker", worker.run(shutdown.clone()));
    }

    /// Pruning old delivery records, and keeping erased chats off the disk.
    fn spawn_upkeep(&self, tasks: &mut Tasks, shutdown: &CancellationToken) {
        tasks.spawn(
            "retention",
            prune_periodically(
                self.storage.clone(),
                self.settings.delivery_retention,
                shutdown.clone(),
            ),
        );
        tasks.spawn(
            "erasure",
            self.storage
                .clone()
                .keep_erasures_off_disk(shutdown.clone()),
        );
    }

    /// The dispatcher, fed by the webhook's listener and server when there is one, else by
    /// long polling.
    fn spawn_updates<L, S>(
        &self,
        tasks: &mut Tasks,
        dispatcher: UpdateDispatcher,
        webhook: Option<(L, S)>,
    ) where
        L: UpdateListener<Err = std::convert::Infallible> + Send + 'static,
        S: Future<Output = ()> + Send + 'static,
    {
        let health = Arc::clone(&self.health);
        match webhook {
            Some((listener, server)) => {
                tasks.spawn_fallible("dispatcher", dispatch(dispatcher, listener, health));
                tasks.spawn("webhook listener", server);
            }
            None => {
                let listener = Polling::builder(self.bot.clone())
                    .timeout(POLLING_TIMEOUT)
                    .backoff_strategy(polling_backoff)
                    .build();
                tasks.spawn_fallible("dispatcher", dispatch(dispatcher, listener, health));
            }
        }
    }

    /// The admins' private chats, where reports go.
    fn admin_chats(&self) -> Vec<crate::domain::ChatId> {
        self.settings
            .admin_ids
            .iter()
            .filter_map(|id| crate::domain::UserId(*id).private_chat())
            .collect()
    }

    fn dispatcher(&self, context: Context) -> UpdateDispatcher {
        let handlers_bot = JarchiBot::new(self.bot.clone(), Arc::clone(&self.budget));
        let heard = Arc::clone(&self.health);
        let schema = dptree::inspect(move || heard.update_received()).chain(telegram::schema());
        Dispatcher::builder(self.bot.clone(), schema)
            .dependencies(dptree::deps![context, handlers_bot])
            // teloxide's default logs whole unhandled updates (names, texts) at warn.
            .default_handler(|_update| async {})
            .error_handler(telegram::error_handler())
            .build()
    }
}

/// The app's tasks on one `JoinSet`, each under a name, so that the log says which one
/// ended and why: at once if it ends before shutdown, and as each stops after it.
#[derive(Default)]
struct Tasks {
    running: JoinSet<Result<(), StartupError>>,
    names: HashMap<tokio::task::Id, (&'static str, Lifetime)>,
    first_failure: Option<StartupError>,
}

/// Whether a task ending before shutdown is news.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lifetime {
    /// Runs until shutdown; ending sooner is reported as an error.
    UntilShutdown,
    /// Does one job and ends.
    Brief,
}

impl Tasks {
    fn spawn(&mut self, name: &'static str, task: impl Future<Output = ()> + Send + 'static) {
        self.start(name, Lifetime::UntilShutdown, cannot_fail(task));
    }

    fn spawn_fallible(
        &mut self,
        name: &'static str,
        task: impl Future<Output = Result<(), StartupError>> + Send + 'static,
    ) {
        self.start(name, Lifetime::UntilShutdown, task);
    }

    /// A task that ends on its own; the handle cuts it short at shutdown.
    fn spawn_brief(
        &mut self,
        name: &'static str,
        task: impl Future<Output = ()> + Send + 'static,
    ) -> AbortHandle {
        self.start(name, Lifetime::Brief, cannot_fail(task))
    }

    fn start(
        &mut self,
        name: &'static str,
        lifetime: Lifetime,
        task: impl Future<Output = Result<(), StartupError>> + Send + 'static,
    ) -> AbortHandle {
        let handle = self.running.spawn(task);
        self.names.insert(handle.id(), (name, lifetime));
        handle
    }

    /// Reports every task that ends before `shutdown` is cancelled, and returns then.
    async fn watch_until(&mut self, shutdown: &CancellationToken) {
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                // A task that saw the shutdown first may end in the same instant; select!
                // picks either branch then, and its ending is not a failure.
                Some(joined) = self.running.join_next_with_id() => {
                    self.report(joined, shutdown.is_cancelled());
                }
            }
        }
    }

    /// Waits for every task to stop (each watches the shutdown token), reporting how each
    /// ended. The first task that failed, before or during shutdown, is the error.
    async fn stop(&mut self) -> Result<(), StartupError> {
        while let Some(joined) = self.running.join_next_with_id().await {
            self.report(joined, true);
        }
        self.first_failure.take().map_or(Ok(()), Err)
    }

    fn report(&mut self, joined: Joined, shutting_down: bool) {
        let (id, ending) = match joined {
            Ok((id, Ok(()))) => (id, Ok(())),
            Ok((id, Err(e))) => (id, Err(TaskFailure::Failed(e))),
            Err(e) if e.is_cancelled() => (e.id(), Err(TaskFailure::Cancelled)),
            Err(e) => (e.id(), Err(TaskFailure::Panicked(e.to_string()))),
        };
        let (task, lifetime) = self
            .names
            .remove(&id)
            .unwrap_or(("unnamed", Lifetime::UntilShutdown));
        match ending {
            Ok(()) if shutting_down || lifetime == Lifetime::Brief => {
                tracing::debug!(task, "task ended");
            }
            Ok(()) => tracing::error!(task, "a task ended before shutdown"),
            Err(TaskFailure::Cancelled) => tracing::debug!(task, "task cut short"),
            Err(TaskFailure::Panicked(reason)) => {
                tracing::error!(task, error = %reason, "a task ended abnormally");
            }
            Err(TaskFailure::Failed(e)) => {
                tracing::error!(task, error = %e, "a task failed");
                self.first_failure.get_or_insert(e);
            }
        }
    }
}

async fn cannot_fail(task: impl Future<Output = ()>) -> Result<(), StartupError> {
    task.await;
    Ok(())
}

type Joined = Result<(tokio::task::Id, Result<(), StartupError>), tokio::task::JoinError>;

/// Why a task ended other than by finishing.
enum TaskFailure {
    Failed(StartupError),
    Panicked(String),
    Cancelled,
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

/// Runs the dispatcher over `listener`, telling `health` about every update and failure.
fn dispatch<L>(
    mut dispatcher: UpdateDispatcher,
    listener: L,
    health: Arc<Health>,
) -> impl Future<Output = Result<(), StartupError>> + Send + 'static
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
    async move {
        dispatcher
            .try_dispatch_with_listener(telegram::SkipUnreadable(listener), Arc::new(failures))
            .await
            .map_err(StartupError::Telegram)
    }
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
        impl Future<Output = ()> + Send + 'static,
    ),
    StartupError,
> {
    let options = webhooks::Options::new(webhook.listen, webhook.url.clone())
        .secret_token(webhook.secret.expose().to_string());
    let (listener, stopped, router) = webhooks::axum_to_router(bot.inner().clone(), options)
        .await
        .map_err(StartupError::SetWebhook)?;
    let server = async move {
        if let Err(e) = axum::serve(tcp, router)
            .with_graceful_shutdown(stopped)
            .await
        {
            tracing::error!(error = %e, "the webhook listener stopped");
        }
    };
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
