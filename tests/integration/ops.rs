//! Operations: health and metrics over HTTP, webhook mode, backups while broadcasting,
//! retention, the operator's commands, and what the logs never carry.

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;

use chrono::Utc;
use jarchi::domain::{ChatId, Lang, NewAnnouncement, StatementId};
use jarchi::ops::{FeedPollResult, record_feed_poll};
use jarchi::storage::{ChatKind, PublishOutcome, Storage};
use serde_json::Value;
use tokio::process::Command;

use crate::app::{TestApp, WAIT};
use crate::binary::{BIN, free_port, spawn, stop_gracefully};
use crate::support::fake_telegram::{FakeTelegram, Fault};

const SECRET_HEADER: &str = "X-Telegram-Bot-Api-Secret-Token";
const WEBHOOK_SECRET: &str = "webhook-secret_for-the-tests-0123";

fn statement(key: &str, title: &str) -> NewAnnouncement {
    NewAnnouncement::new(
        key,
        title,
        "<p>متن</p>",
        "متن",
        Some("https://example.org/?p=1".into()),
        Utc::now(),
    )
    .unwrap()
}

async fn subscribe(storage: &Storage, chats: impl IntoIterator<Item = i64>) {
    for chat in chats {
        storage
            .subscribe(ChatId(chat), ChatKind::Private, Lang::Fa)
            .await
            .unwrap();
    }
}

async fn publish(storage: &Storage, key: &str, title: &str) -> StatementId {
    match storage.publish(&statement(key, title)).await.unwrap() {
        PublishOutcome::Published { id, .. } => id,
        other => panic!("not published: {other:?}"),
    }
}

pub(crate) async fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let response = reqwest::get(format!("http://{addr}{path}")).await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The value of one sample line (`name{labels} value`) in Prometheus text.
pub(crate) fn sample(metrics: &str, series: &str) -> Option<f64> {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

async fn eventually<F: Fn() -> bool>(what: &str, done: F) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "waited for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn health_and_metrics_are_served_over_http() {
    let app = TestApp::spawn_with(&[("OPS_LISTEN", "127.0.0.1:0")]).await;
    let ops = app.ops_addr.expect("the ops listener is on");
    subscribe(&app.storage, [31_001, 31_002, 31_003]).await;
    app.telegram.inject_persistent(31_003, Fault::Blocked);
    publish(&app.storage, "ops-metrics", "سنجه‌ها").await;
    for chat in [31_001, 31_002] {
        app.wait_sent_to(chat, 1).await;
    }
    record_feed_poll(FeedPollResult::Unchanged);

    let (status, body) = get(ops, "/healthz").await;
    assert_eq!(status, 200, "{body}");
    let report: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(report["healthy"], true, "{body}");
    assert_eq!(report["updates"], "polling");

    // The blocked chat is marked gone once the worker has recorded it.
    let mut metrics = String::new();
    let deadline = tokio::time::Instant::now() + WAIT;
    while sample(&metrics, r#"jarchi_subscribers{status="gone"}"#) != Some(1.0) {
        assert!(tokio::time::Instant::now() < deadline, "{metrics}");
        tokio::time::sleep(Duration::from_millis(50)).await;
        let (status, body) = get(ops, "/metrics").await;
        assert_eq!(status, 200);
        metrics = body;
    }
    assert_eq!(
        sample(&metrics, r#"jarchi_subscribers{status="active"}"#),
        Some(2.0)
    );
    assert_eq!(sample(&metrics, "jarchi_statements"), Some(1.0));
    assert_eq!(sample(&metrics, "jarchi_queue_depth"), Some(0.0));
    // The registry is shared by the tests of this process, so counters are at least ours.
    assert!(sample(&metrics, r#"jarchi_deliveries_total{outcome="sent"}"#) >= Some(2.0));
    assert!(sample(&metrics, r#"jarchi_deliveries_total{outcome="gone"}"#) >= Some(1.0));
    assert!(sample(&metrics, "jarchi_send_latency_seconds_count") >= Some(3.0));
    assert!(metrics.contains(r#"jarchi_send_latency_seconds_bucket{le="0.1"}"#));
    assert!(sample(&metrics, r#"jarchi_feed_polls_total{result="unchanged"}"#) >= Some(1.0));
    assert!(sample(&metrics, "jarchi_uptime_seconds").is_some());
    let build = format!(
        r#"jarchi_build_info{{version="{}"}}"#,
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(sample(&metrics, &build), Some(1.0), "{metrics}");
    for leak in ["31001", FakeTelegram::TOKEN] {
        assert!(!metrics.contains(leak), "{leak} in /metrics");
    }

    // A database that stops answering makes the bot unhealthy, with the reason.
    app.storage.close().await;
    let (status, body) = get(ops, "/healthz").await;
    assert_eq!(status, 503, "{body}");
    let report: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(report["healthy"], false);
    assert!(
        report["reason"]
            .as_str()
            .unwrap()
            .contains("the database does not answer"),
        "{body}"
    );
    app.stop().await;
}

#[tokio::test]
async fn failing_get_updates_make_the_bot_unhealthy_until_telegram_answers_again() {
    let app = TestApp::spawn_with(&[("OPS_LISTEN", "127.0.0.1:0")]).await;
    let ops = app.ops_addr.unwrap();
    assert_eq!(get(ops, "/healthz").await.0, 200);

    app.telegram.inject_for_method("getUpdates", Fault::Blocked);
    let deadline = tokio::time::Instant::now() + WAIT;
    let body = loop {
        let (status, body) = get(ops, "/healthz").await;
        if status == 503 {
            break body;
        }
        assert!(tokio::time::Instant::now() < deadline, "{body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(body.contains("getUpdates failed"), "{body}");

    app.telegram.clear_faults();
    app.ask(35_001, "/help").await;
    let (status, body) = get(ops, "/healthz").await;
    assert_eq!(status, 200, "an update proves the link works again: {body}");
    app.stop().await;
}

#[tokio::test]
async fn webhook_updates_are_answered_only_with_the_secret() {
    let hook = "https://bot.example.org/jarchi/hook";
    let app = TestApp::spawn_with(&[
        ("WEBHOOK_URL", hook),
        ("WEBHOOK_LISTEN", "127.0.0.1:0"),
        ("WEBHOOK_SECRET", WEBHOOK_SECRET),
    ])
    .await;
    let set = app.telegram.calls_to("setWebhook");
    assert_eq!(set[0]["url"], hook);
    assert_eq!(set[0]["secret_token"], WEBHOOK_SECRET);
    let endpoint = format!("http://{}/jarchi/hook", app.webhook_addr.unwrap());
    let client = reqwest::Client::new();

    // Wrong or missing secret: refused, and nobody is answered.
    let stranger = 32_002;
    for secret in [Some("not-the-secret-at-all-xxxxxxxx"), None] {
        let update = app
            .telegram
            .webhook_private_text(stranger, "/start", Some("fa"));
        let mut request = client.post(&endpoint).json(&update);
        if let Some(secret) = secret {
            request = request.header(SECRET_HEADER, secret);
        }
        let status = request.send().await.unwrap().status().as_u16();
        assert_eq!(status, 401, "secret {secret:?}");
    }

    let user = 32_001;
    let update = app
        .telegram
        .webhook_private_text(user, "/start", Some("fa"));
    let response = client
        .post(&endpoint)
        .header(SECRET_HEADER, WEBHOOK_SECRET)
        .json(&update)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    app.wait_sent_to(user, 1).await;
    assert!(
        app.storage
            .subscriber(ChatId(user))
            .await
            .unwrap()
            .is_some()
    );
    app.assert_silence(stranger, 0).await;
    assert!(
        app.storage
            .subscriber(ChatId(stranger))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        app.telegram.calls_to("getUpdates").is_empty(),
        "a webhook bot does not poll"
    );

    let telegram = app.telegram.clone();
    app.stop().await;
    assert_eq!(
        telegram.calls_to("deleteWebhook").len(),
        1,
        "stopping unhooks"
    );
}

#[tokio::test]
async fn a_backup_taken_while_broadcasting_holds_every_row() {
    let app = TestApp::spawn_with(&[("BROADCAST_RATE", "30")]).await;
    let chats: Vec<i64> = (33_001..33_061).collect();
    subscribe(&app.storage, chats.iter().copied()).await;
    let id = publish(&app.storage, "ops-backup", "پشتیبان").await;
    app.telegram
        .wait_for("sendMessage", 10, Duration::from_secs(20))
        .await;

    let backup = app.dir.path().join("backups/jarchi-backup.db");
    std::fs::create_dir_all(backup.parent().unwrap()).unwrap();
    let args = ["backup", backup.to_str().unwrap()];
    let env = [("DATABASE_URL", app.database_url.as_str())];
    let output = Command::new(BIN)
        .args(args)
        .env_clear()
        .envs(env)
        .current_dir(app.dir.path())
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        app.storage.queue_depth().await.unwrap() > 0,
        "the backup was taken mid-broadcast"
    );

    let copy = Storage::connect(&format!("sqlite://{}", backup.display()))
        .await
        .unwrap();
    assert_eq!(copy.subscriber_counts().await.unwrap().active, 60);
    assert_eq!(copy.count_announcements().await.unwrap(), 1);
    let figures = copy.broadcast_figures(id).await.unwrap().unwrap();
    assert_eq!(figures.pending + figures.sent, 60, "{figures:?}");
    copy.close().await;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&backup).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the backup is private: {mode:o}");
    }

    // An existing file is never overwritten.
    let again = Command::new(BIN)
        .args(args)
        .env_clear()
        .envs(env)
        .current_dir(app.dir.path())
        .output()
        .await
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    // The bot went on while it was copied.
    for chat in &chats {
        app.wait_sent_to(*chat, 1).await;
    }
    app.stop().await;
}

#[tokio::test]
async fn retention_prunes_old_records_but_keeps_what_delete_needs() {
    let app = TestApp::spawn().await;
    subscribe(&app.storage, [34_001, 34_002, 34_003]).await;
    app.telegram.inject_persistent(34_003, Fault::Blocked);
    let id = publish(&app.storage, "ops-retention", "نگهداری").await;
    let storage = app.storage.clone();
    let settled = || async {
        let f = storage.broadcast_figures(id).await.unwrap().unwrap();
        f.sent == 2 && f.gone == 1
    };
    let deadline = tokio::time::Instant::now() + WAIT;
    while !settled().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the broadcast settles"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let month = Duration::from_secs(30 * 86_400);
    assert_eq!(app.storage.prune_deliveries(month).await.unwrap(), 0);
    tokio::time::sleep(Duration::from_millis(5)).await;
    // With no retention at all, nothing goes: the gone chat was erased with its record
    // (only its count stays), and the two delivered copies keep their message ids for as
    // long as the statement exists.
    assert_eq!(
        app.storage.prune_deliveries(Duration::ZERO).await.unwrap(),
        0
    );
    let figures = app.storage.broadcast_figures(id).await.unwrap().unwrap();
    assert_eq!((figures.sent, figures.gone), (2, 1));

    // So /delete still reaches every copy…
    assert_eq!(app.storage.retract(id).await.unwrap(), Some(2));
    let telegram = app.telegram.clone();
    eventually("both copies deleted", || {
        telegram.calls_to("deleteMessage").len() == 2
    })
    .await;
    while app.storage.queue_depth().await.unwrap() > 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // …and once the statement is gone, nothing of it needs keeping.
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(
        app.storage.prune_deliveries(Duration::ZERO).await.unwrap(),
        4
    );
    app.stop().await;
}

#[tokio::test]
async fn config_check_masks_secrets_and_healthcheck_probes_the_ops_listener() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &'static [&'static str], vars: Vec<(&'static str, String)>| {
        let dir = dir.path().to_path_buf();
        async move {
            let output = Command::new(BIN)
                .args(args)
                .env_clear()
                .envs(vars)
                .current_dir(dir)
                .stdin(Stdio::null())
                .output()
                .await
                .unwrap();
            (
                output.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&output.stdout).into_owned(),
                String::from_utf8_lossy(&output.stderr).into_owned(),
            )
        }
    };
    let (code, stdout, stderr) = run(
        &["config", "check"],
        vec![
            ("TELOXIDE_TOKEN", FakeTelegram::TOKEN.to_string()),
            ("WEBHOOK_URL", "https://bot.example.org/hook".to_string()),
            ("WEBHOOK_SECRET", WEBHOOK_SECRET.to_string()),
            ("ADMIN_IDS", "42".to_string()),
        ],
    )
    .await;
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("TELOXIDE_TOKEN=***"), "{stdout}");
    assert!(stdout.contains("WEBHOOK_SECRET=***"), "{stdout}");
    assert!(stdout.contains("OPS_LISTEN=127.0.0.1:9898"), "{stdout}");
    assert!(stdout.contains("DELIVERY_RETENTION_DAYS=30"), "{stdout}");
    let token_secret = FakeTelegram::TOKEN.split_once(':').unwrap().1;
    assert!(!stdout.contains(token_secret) && !stdout.contains(WEBHOOK_SECRET));
    let (code, _, stderr) = run(&["config", "check"], vec![]).await;
    assert_eq!(code, 2);
    assert!(stderr.contains("TELOXIDE_TOKEN"), "{stderr}");

    let app = TestApp::spawn_with(&[("OPS_LISTEN", "127.0.0.1:0")]).await;
    let ops = app.ops_addr.unwrap().to_string();
    let (code, stdout, stderr) = run(&["healthcheck"], vec![("OPS_LISTEN", ops)]).await;
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains(r#""healthy":true"#), "{stdout}");
    app.stop().await;
    let gone = format!("127.0.0.1:{}", free_port());
    let (code, _, stderr) = run(&["healthcheck"], vec![("OPS_LISTEN", gone)]).await;
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("no answer from"), "{stderr}");
}

/// The whole webhook path through the real binary: at debug level neither the token nor the
/// webhook secret appears anywhere (logs, /metrics, /healthz); at info no chat id or text.
#[tokio::test]
async fn webhook_mode_logs_carry_no_secret_and_no_personal_data() {
    for level in ["debug", "info"] {
        let telegram = FakeTelegram::start().await;
        let dir = tempfile::tempdir().unwrap();
        let db = format!("sqlite://{}", dir.path().join("jarchi.db").display());
        let webhook_listen = format!("127.0.0.1:{}", free_port());
        let ops_listen = format!("127.0.0.1:{}", free_port());
        let child = spawn(
            &[
                ("TELOXIDE_TOKEN", FakeTelegram::TOKEN),
                ("TELOXIDE_API_URL", telegram.api_url().as_str()),
                ("DATABASE_URL", db.as_str()),
                ("WEBHOOK_URL", "https://bot.example.org/hook"),
                ("WEBHOOK_LISTEN", webhook_listen.as_str()),
                ("WEBHOOK_SECRET", WEBHOOK_SECRET),
                ("OPS_LISTEN", ops_listen.as_str()),
                ("RUST_LOG", level),
            ],
            dir.path(),
        );
        telegram
            .wait_for("setWebhook", 1, Duration::from_secs(20))
            .await;
        let client = reqwest::Client::new();
        let secret_text = "my-secret-words-456";
        for text in ["/start".to_string(), format!("/search {secret_text}")] {
            let update = telegram.webhook_private_text(5550456, &text, Some("fa"));
            let status = client
                .post(format!("http://{webhook_listen}/hook"))
                .header(SECRET_HEADER, WEBHOOK_SECRET)
                .json(&update)
                .send()
                .await
                .unwrap()
                .status();
            assert!(status.is_success());
        }
        telegram
            .wait_for("sendMessage", 2, Duration::from_secs(20))
            .await;
        let ops: SocketAddr = ops_listen.parse().unwrap();
        let (_, metrics) = get(ops, "/metrics").await;
        let (status, health) = get(ops, "/healthz").await;
        assert_eq!(status, 200, "{health}");
        assert!(health.contains(r#""updates":"webhook""#), "{health}");

        drop(client);
        let output = stop_gracefully(child).await;
        assert!(output.status.success(), "exit status {:?}", output.status);
        let logs = String::from_utf8_lossy(&output.stderr);
        let token_secret = FakeTelegram::TOKEN.split_once(':').unwrap().1;
        for (what, text) in [
            ("logs", &*logs),
            ("/metrics", &metrics),
            ("/healthz", &health),
        ] {
            assert!(!text.contains(token_secret), "the token leaked in {what}");
            assert!(
                !text.contains(WEBHOOK_SECRET),
                "the secret leaked in {what}"
            );
        }
        assert!(logs.contains("receiving updates by webhook"), "{logs}");
        if level == "info" {
            assert!(
                !logs.contains("5550456"),
                "a chat id leaked at info:\n{logs}"
            );
            assert!(
                !logs.contains(secret_text),
                "a text leaked at info:\n{logs}"
            );
        }
    }
}
