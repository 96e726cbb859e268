//! Outages of Telegram, the network or a proxy: the real binary against a fake Bot API that
//! drops every connection for a while. Nothing may be lost, and only what was in flight when
//! the outage began may arrive twice.

use std::collections::HashMap;
use std::process::Stdio;
use std::time::{Duration, Instant};

use chrono::Utc;

use jarchi::broadcast::Clock;
use jarchi::domain::{ChatId, Lang};
use jarchi::storage::{ChatKind, Storage};
use tokio::process::{Child, Command};

use crate::app::{ADMIN, TestApp, WAIT};
use crate::binary::{self, BIN, free_port, spawn, stop_gracefully};
use crate::support::fake_telegram::{FakeTelegram, Fault};

const SUBSCRIBERS: i64 = 60;
const FIRST_CHAT: i64 = 300_001;
/// How long the fake drops every connection, as the issue asks.
const OUTAGE: Duration = Duration::from_secs(150);
/// The worker's concurrency: the most sends that can be on their way when the outage begins.
const IN_FLIGHT: usize = 16;

fn spawn_jarchi(
    telegram: &FakeTelegram,
    database_url: &str,
    dir: &std::path::Path,
    ops_port: u16,
) -> Child {
    spawn(
        &[
            ("TELOXIDE_TOKEN", FakeTelegram::TOKEN),
            ("TELOXIDE_API_URL", telegram.api_url().as_str()),
            ("DATABASE_URL", database_url),
            ("ADMIN_IDS", &ADMIN.to_string()),
            // Slow enough that "the middle of the broadcast" is several seconds long.
            ("BROADCAST_RATE", "10"),
            ("RUST_LOG", "info"),
            ("OPS_LISTEN", &format!("127.0.0.1:{ops_port}")),
        ],
        dir,
    )
}

/// A fresh database with the subscribers and one statement queued for all of them.
async fn database_with_a_broadcast(dir: &std::path::Path) -> (String, jarchi::domain::StatementId) {
    binary::database_with_a_broadcast(dir, FIRST_CHAT..FIRST_CHAT + SUBSCRIBERS, "اطلاعیهٔ قطعی")
        .await
}

/// Accepted calls of `method` per subscriber whose text contains `needle` (the admins'
/// broadcast report names the statement too, and is not counted).
fn per_chat(telegram: &FakeTelegram, method: &str, needle: &str) -> HashMap<i64, usize> {
    let subscribers = FIRST_CHAT..FIRST_CHAT + SUBSCRIBERS;
    let mut counts = HashMap::new();
    for call in telegram.calls_to(method) {
        let chat = call["chat_id"].as_i64().unwrap_or_default();
        if subscribers.contains(&chat) && call["text"].as_str().is_some_and(|t| t.contains(needle))
        {
            *counts.entry(chat).or_insert(0) += 1;
        }
    }
    counts
}

async fn wait_until(what: &str, timeout: Duration, done: impl Fn() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "waited {timeout:?} for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Begins the outage once a third of the subscribers got `method` with `needle`; returns how
/// many had, checking that the outage does fall in the middle.
async fn outage_after_a_third(telegram: &FakeTelegram, method: &str, needle: &str) -> usize {
    wait_until(
        "a third of the subscribers",
        Duration::from_secs(60),
        || per_chat(telegram, method, needle).len() >= SUBSCRIBERS as usize / 3,
    )
    .await;
    telegram.begin_outage();
    let reached = per_chat(telegram, method, needle).len();
    assert!(reached < SUBSCRIBERS as usize, "the outage began mid-way");
    reached
}

async fn healthz(port: u16) -> (u16, String) {
    let response = reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The earliest accepted call of `method` that arrived after `at`.
fn first_after(telegram: &FakeTelegram, method: &str, at: Instant) -> Option<Instant> {
    telegram
        .calls()
        .into_iter()
        .filter(|c| c.accepted && c.method == method && c.at >= at)
        .map(|c| c.at)
        .min()
}

#[tokio::test]
async fn a_broadcast_survives_a_150_second_outage() {
    let telegram = FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (database_url, id) = database_with_a_broadcast(dir.path()).await;
    let ops_port = free_port();
    let jarchi = spawn_jarchi(&telegram, &database_url, dir.path(), ops_port);

    let needle = "اطلاعیهٔ قطعی";
    let before_outage = outage_after_a_third(&telegram, "sendMessage", needle).await;

    // While the outage lasts, the operator sees since when Telegram has been unreachable.
    let deadline = Instant::now() + Duration::from_secs(40);
    let body = loop {
        let (status, body) = healthz(ops_port).await;
        if status == 503 {
            break body;
        }
        assert!(Instant::now() < deadline, "/healthz did not notice: {body}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(body.contains("telegram_unreachable_since"), "{body}");
    tokio::time::sleep(OUTAGE.saturating_sub(Duration::from_secs(5))).await;
    let during = per_chat(&telegram, "sendMessage", needle).len();
    telegram.end_outage();
    let ended = Instant::now();

    wait_until("every subscriber", Duration::from_secs(120), || {
        per_chat(&telegram, "sendMessage", needle).len() == SUBSCRIBERS as usize
    })
    .await;
    let resumed = first_after(&telegram, "sendMessage", ended).expect("a send after the outage");
    // Anything extra the worker would wrongly send has time to show.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let counts = per_chat(&telegram, "sendMessage", needle);
    let duplicates: usize = counts.values().map(|n| n - 1).sum();
    eprintln!(
        "outage test: {before_outage} reached before the outage, {during} when it ended, {} of {SUBSCRIBERS} after it, {duplicates} duplicates; sending resumed {:.1} s after Telegram answered again",
        counts.len(),
        resumed.duration_since(ended).as_secs_f64()
    );
    assert_eq!(counts.len(), SUBSCRIBERS as usize, "0 lost");
    assert!(duplicates <= IN_FLIGHT, "{duplicates} duplicates");
    // The probe backs off to at most a minute; the deliveries themselves wait seconds.
    assert!(
        resumed.duration_since(ended) <= Duration::from_secs(75),
        "resumed {:?} after the outage",
        resumed.duration_since(ended)
    );
    let (_, body) = healthz(ops_port).await;
    assert!(!body.contains("telegram_unreachable_since"), "{body}");
    // Receiving updates recovered by itself: a newcomer is answered, and with that update
    // /healthz forgets the failed getUpdates of the outage.
    let newcomer = FIRST_CHAT + SUBSCRIBERS;
    telegram.push_private_text(newcomer, "/help", Some("fa"));
    wait_until(
        "an answer after the outage",
        Duration::from_secs(60),
        || !telegram.texts_to(newcomer).is_empty(),
    )
    .await;
    assert_eq!(healthz(ops_port).await.0, 200);

    let output = stop_gracefully(jarchi).await;
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("Telegram cannot be reached"), "{stderr}");
    assert!(stderr.contains("resumes"), "{stderr}");
    let storage = Storage::connect(&database_url).await.unwrap();
    let figures = storage.broadcast_figures(id).await.unwrap().unwrap();
    assert_eq!((figures.sent, figures.failed, figures.pending), (60, 0, 0));
    telegram.assert_no_contract_violations();
}

#[tokio::test]
async fn an_edit_survives_a_150_second_outage() {
    let telegram = FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (database_url, id) = database_with_a_broadcast(dir.path()).await;
    let ops_port = free_port();
    let jarchi = spawn_jarchi(&telegram, &database_url, dir.path(), ops_port);
    wait_until("the broadcast", Duration::from_secs(60), || {
        per_chat(&telegram, "sendMessage", "اطلاعیهٔ قطعی").len() == SUBSCRIBERS as usize
    })
    .await;

    let revised = "عنوان بازنگری‌شده";
    telegram.push_private_text(
        ADMIN,
        &format!("/edit {id}\n{revised}\nمتن تازه"),
        Some("fa"),
    );
    let before_outage = outage_after_a_third(&telegram, "editMessageText", revised).await;
    tokio::time::sleep(OUTAGE).await;
    telegram.end_outage();

    let all_revised = || {
        (FIRST_CHAT..FIRST_CHAT + SUBSCRIBERS).all(|chat| {
            telegram
                .messages_in(chat)
                .iter()
                .any(|m| m.text.contains(revised) && !m.deleted)
        })
    };
    wait_until("every copy revised", Duration::from_secs(120), all_revised).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let edits = per_chat(&telegram, "editMessageText", revised);
    let repeated: usize = edits.values().map(|n| n - 1).sum();
    // An edit applied just before the outage whose answer was lost is tried again and meets
    // "message is not modified", which jarchi takes as done.
    let not_modified = telegram
        .contract_violations()
        .iter()
        .filter(|v| v.contains("message is not modified"))
        .count();
    eprintln!(
        "edit outage test: {before_outage} copies revised before the outage, all {SUBSCRIBERS} after it; {not_modified} edits repeated"
    );
    assert_eq!(edits.len(), SUBSCRIBERS as usize);
    assert_eq!(repeated, 0, "an applied edit is never applied twice");
    assert!(not_modified <= IN_FLIGHT, "{not_modified} repeated edits");
    assert_eq!(
        telegram.contract_violations().len(),
        not_modified,
        "{}",
        telegram.describe_calls()
    );
    // The statement was sent once to everyone, outage or not.
    let sends = per_chat(&telegram, "sendMessage", "اطلاعیهٔ قطعی");
    assert!(sends.values().all(|n| *n == 1));

    let output = stop_gracefully(jarchi).await;
    assert!(output.status.success());
}

#[tokio::test]
async fn started_while_telegram_is_down_it_says_so_and_waits() {
    let telegram = FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("jarchi.db").display());
    telegram.begin_outage();
    let ops_port = free_port();
    let mut jarchi = spawn_jarchi(&telegram, &database_url, dir.path(), ops_port);
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(
        jarchi.try_wait().unwrap().is_none(),
        "jarchi keeps trying instead of exiting"
    );
    let (status, body) = healthz(ops_port).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("telegram_unreachable_since"), "{body}");
    telegram.end_outage();
    wait_until("polling", Duration::from_secs(90), || {
        !telegram.calls_to("getUpdates").is_empty()
    })
    .await;
    telegram.push_private_text(FIRST_CHAT, "/start", Some("fa"));
    wait_until("the welcome", Duration::from_secs(30), || {
        !telegram.texts_to(FIRST_CHAT).is_empty()
    })
    .await;
    let output = stop_gracefully(jarchi).await;
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot reach Telegram"), "{stderr}");
    assert!(!stderr.contains("did not accept the bot"), "{stderr}");
    assert!(!stderr.contains(FakeTelegram::TOKEN), "{stderr}");
    telegram.assert_no_contract_violations();
}

#[tokio::test]
async fn a_refused_token_still_stops_the_start_with_todays_message() {
    let telegram = FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(BIN)
        .env_clear()
        .envs([
            // Well-formed, but not the token the fake knows: 401 Unauthorized.
            (
                "TELOXIDE_TOKEN",
                "654321:WRONG-token-abcdefghijklmnopqrstuvwxy",
            ),
            ("TELOXIDE_API_URL", telegram.api_url().as_str()),
            ("DATABASE_URL", "sqlite::memory:"),
            ("OPS_LISTEN", ""),
        ])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .output();
    let output = tokio::time::timeout(Duration::from_secs(30), output)
        .await
        .expect("jarchi exits at once on 401")
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("Telegram did not accept the bot (check TELOXIDE_TOKEN"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_failing_delivery_is_given_up_only_after_delivery_give_up_hours() {
    // The worker's clock runs 25 hours ahead: every queued delivery looks a day old.
    let ahead = Clock::from_fn(|| Utc::now() + chrono::Duration::hours(25));
    let app = TestApp::spawn_with_clock(&[("DELIVERY_GIVE_UP_HOURS", "24")], Some(ahead)).await;
    let chat = 310_001;
    app.storage
        .subscribe(ChatId(chat), ChatKind::Private, Lang::Fa)
        .await
        .unwrap();
    app.telegram.inject_persistent(chat, Fault::ServerError);
    app.ask(ADMIN, "/post دیر شده\nمتن").await;
    // teloxide waits 10 s after a 5xx before it reports it.
    let deadline = Instant::now() + WAIT + Duration::from_secs(15);
    let figures = loop {
        let figures = app.storage.latest_broadcast().await.unwrap().unwrap();
        if figures.failed == 1 {
            break figures;
        }
        assert!(Instant::now() < deadline, "{figures:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!((figures.sent, figures.pending), (0, 0));
    app.stop().await;
}
