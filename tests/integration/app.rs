//! `TestApp`: the real application (dispatcher, storage, broadcast worker) against the fake
//! Telegram server, with a fresh SQLite file per test.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use jarchi::broadcast::Clock;
use jarchi::config::{FairUse, Settings};
use jarchi::domain::{BroadcastFigures, FeedPolicy, StatementId};
use jarchi::ingest::{ImportReport, import};
use jarchi::startup::{App, StartupError};
use jarchi::storage::Storage;
use serde_json::Value;
use tempfile::TempDir;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::support::fake_telegram::FakeTelegram;
use crate::support::fixtures;

/// The admin every test app knows.
pub const ADMIN: i64 = 9001;
pub const WAIT: Duration = Duration::from_secs(15);

/// Changes settings that have no environment variable (or values below what an operator
/// may set, such as a poll interval of a fraction of a second) before the app starts.
pub type SettingsTweak = Arc<dyn Fn(&mut Settings) + Send + Sync>;

pub struct TestApp {
    pub telegram: FakeTelegram,
    pub storage: Storage,
    pub database_url: String,
    pub dir: TempDir,
    /// Where /healthz and /metrics answer (set `OPS_LISTEN=127.0.0.1:0` to have one).
    pub ops_addr: Option<SocketAddr>,
    /// Where the webhook listens, in webhook mode.
    pub webhook_addr: Option<SocketAddr>,
    shutdown: CancellationToken,
    task: Option<JoinHandle<Result<(), StartupError>>>,
    tweak: Option<SettingsTweak>,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// Starts the app with extra environment variables (they win over the defaults).
    pub async fn spawn_with(extra: &[(&str, &str)]) -> Self {
        Self::spawn_with_settings(extra, None).await
    }

    /// Starts the app with the broadcast worker reading time from `clock`.
    pub async fn spawn_with_clock(extra: &[(&str, &str)], clock: Option<Clock>) -> Self {
        Self::spawn_full(extra, None, clock).await
    }

    /// Like [`spawn_with`](Self::spawn_with), then `tweak` adjusts the parsed settings; a
    /// restart applies it again.
    pub async fn spawn_with_settings(extra: &[(&str, &str)], tweak: Option<SettingsTweak>) -> Self {
        Self::spawn_full(extra, tweak, None).await
    }

    async fn spawn_full(
        extra: &[(&str, &str)],
        tweak: Option<SettingsTweak>,
        clock: Option<Clock>,
    ) -> Self {
        let telegram = FakeTelegram::start().await;
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = format!("sqlite://{}", dir.path().join("jarchi.db").display());
        Self::start(telegram, dir, database_url, extra, tweak, clock).await
    }

    async fn start(
        telegram: FakeTelegram,
        dir: TempDir,
        database_url: String,
        extra: &[(&str, &str)],
        tweak: Option<SettingsTweak>,
        clock: Option<Clock>,
    ) -> Self {
        let mut vars: HashMap<String, String> = [
            ("TELOXIDE_TOKEN", FakeTelegram::TOKEN.to_string()),
            ("TELOXIDE_API_URL", telegram.api_url()),
            ("DATABASE_URL", database_url.clone()),
            ("ADMIN_IDS", ADMIN.to_string()),
            // Tests run in parallel: a fixed port would collide. Ops tests ask for port 0.
            ("OPS_LISTEN", String::new()),
            // The local feed server speaks plain http on 127.0.0.1; the tests of the feed
            // policy itself set these to false.
            ("FEED_ALLOW_HTTP", "true".to_string()),
            ("FEED_ALLOW_PRIVATE", "true".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        for (k, v) in extra {
            vars.insert(k.to_string(), v.to_string());
        }
        let mut settings =
            Settings::from_vars(|k| vars.get(k).cloned()).expect("valid test settings");
        // Tests type faster than people: the fair-use limit is off unless a test turns it
        // back on (see `fairness.rs`).
        settings.fair_use = FairUse {
            burst: 10_000,
            refill: Duration::from_millis(1),
        };
        if let Some(tweak) = &tweak {
            tweak(&mut settings);
        }
        let mut app = App::build(settings).await.expect("the app builds");
        if let Some(clock) = clock {
            app = app.with_clock(clock);
        }
        let storage = app.storage().clone();
        let ops_addr = app.ops_addr();
        let webhook_addr = app.webhook_addr();
        let shutdown = CancellationToken::new();
        // Ready once it asks Telegram for updates, or tells Telegram where to post them.
        let ready_call = if webhook_addr.is_some() {
            "setWebhook"
        } else {
            "getUpdates"
        };
        let calls_before = telegram.calls_to(ready_call).len();
        let task = tokio::spawn(app.run(shutdown.clone()));
        telegram.wait_for(ready_call, calls_before + 1, WAIT).await;
        Self {
            telegram,
            storage,
            database_url,
            dir,
            ops_addr,
            webhook_addr,
            shutdown,
            task: Some(task),
            tweak,
        }
    }

    /// Stops the app and starts a new one on the same database and fake server.
    pub async fn restart(mut self) -> Self {
        self.shutdown_now().await;
        let telegram = self.telegram.clone();
        let database_url = self.database_url.clone();
        let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().expect("temp dir"));
        let tweak = self.tweak.clone();
        Self::start(telegram, dir, database_url, &[], tweak, None).await
    }

    /// Like [`restart`](Self::restart), with the new app's worker reading time from `clock`.
    pub async fn restart_with_clock(mut self, clock: Clock) -> Self {
        self.shutdown_now().await;
        let telegram = self.telegram.clone();
        let database_url = self.database_url.clone();
        let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().expect("temp dir"));
        let tweak = self.tweak.clone();
        Self::start(telegram, dir, database_url, &[], tweak, Some(clock)).await
    }

    pub async fn shutdown_now(&mut self) {
        self.shutdown.cancel();
        if let Some(task) = self.task.take() {
            let ended = tokio::time::timeout(WAIT, task).await;
            let result = ended
                .expect("the app stops within the wait")
                .expect("the app task does not panic");
            result.expect("the app ends without error");
        }
    }

    pub async fn stop(mut self) {
        self.shutdown_now().await;
        self.telegram.assert_no_contract_violations();
    }

    pub async fn import_rss(&self) -> ImportReport {
        self.import_document("feed.rss.xml", fixtures::FEED_RSS)
            .await
    }

    pub async fn import_document(&self, name: &str, content: &str) -> ImportReport {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).expect("write the feed file");
        import(
            &self.storage,
            path.to_str().expect("utf-8 path"),
            &FeedPolicy::permissive(),
        )
        .await
        .expect("the import succeeds")
    }

    /// A private message from `user` (Telegram language `fa`), and the bot's `n` replies.
    pub async fn ask_n(&self, user: i64, text: &str, lang: Option<&str>, n: usize) -> Vec<Value> {
        let before = self.sent_to(user).len();
        self.telegram.push_private_text(user, text, lang);
        self.wait_sent_to(user, before + n).await[before..].to_vec()
    }

    /// Every reply to a message answered in several parts: at least `n`, then whatever
    /// else arrives before the chat has been quiet for half a second.
    pub async fn ask_all(&self, user: i64, text: &str, lang: Option<&str>, n: usize) -> Vec<Value> {
        let before = self.sent_to(user).len();
        let mut seen = self.ask_n(user, text, lang, n).await.len();
        loop {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let now = self.sent_to(user);
            if now.len() - before == seen {
                return now[before..].to_vec();
            }
            seen = now.len() - before;
        }
    }

    /// The HTML text of the bot's single reply to a private message.
    pub async fn ask(&self, user: i64, text: &str) -> String {
        let replies = self.ask_n(user, text, Some("fa"), 1).await;
        text_of(&replies[0])
    }

    pub async fn ask_en(&self, user: i64, text: &str) -> String {
        let replies = self.ask_n(user, text, Some("en"), 1).await;
        text_of(&replies[0])
    }

    /// The accepted sendMessage calls to a chat, in order.
    pub fn sent_to(&self, chat: i64) -> Vec<Value> {
        self.telegram
            .calls_to("sendMessage")
            .into_iter()
            .filter(|p| p["chat_id"].as_i64() == Some(chat))
            .collect()
    }

    pub async fn wait_sent_to(&self, chat: i64, count: usize) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let sent = self.sent_to(chat);
            if sent.len() >= count {
                return sent;
            }
            if tokio::time::Instant::now() > deadline {
                panic!(
                    "waited for {count} messages to {chat}, saw {}\n{}",
                    sent.len(),
                    self.telegram.describe_calls()
                );
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// A broadcast's figures once nothing of it is pending: Telegram seeing a message comes
    /// before the worker's recorder writes that it was sent.
    pub async fn settled_figures(&self, id: StatementId) -> BroadcastFigures {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let figures = self.storage.broadcast_figures(id).await.unwrap().unwrap();
            if figures.pending == 0 || tokio::time::Instant::now() > deadline {
                return figures;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Waits a moment and checks that nothing more was sent to the chat.
    pub async fn assert_silence(&self, chat: i64, already: usize) {
        tokio::time::sleep(Duration::from_millis(700)).await;
        let sent = self.sent_to(chat);
        assert_eq!(sent.len(), already, "unexpected messages: {sent:#?}");
    }
}

pub fn text_of(call: &Value) -> String {
    call["text"].as_str().unwrap_or_default().to_string()
}
