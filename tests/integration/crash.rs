//! kill -9 in the middle of a broadcast: the real binary, a few hundred subscribers, a
//! restart, and a count of what everyone received.

use std::collections::HashMap;
use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

use crate::binary::{BIN, database_with_a_broadcast};
use crate::support::fake_telegram::FakeTelegram;

const SUBSCRIBERS: i64 = 300;
const FIRST_CHAT: i64 = 100_001;

fn spawn_jarchi(telegram: &FakeTelegram, database_url: &str, dir: &std::path::Path) -> Child {
    Command::new(BIN)
        .env_clear()
        .envs([
            ("TELOXIDE_TOKEN", FakeTelegram::TOKEN),
            ("TELOXIDE_API_URL", telegram.api_url().as_str()),
            ("DATABASE_URL", database_url),
            ("BROADCAST_RATE", "30"),
            ("RUST_LOG", "warn"),
            // Tests run in parallel: the default ops port would collide.
            ("OPS_LISTEN", ""),
        ])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("jarchi starts")
}

/// How many copies of the broadcast each subscriber received.
fn received(telegram: &FakeTelegram) -> HashMap<i64, usize> {
    let mut counts = HashMap::new();
    for call in telegram.calls_to("sendMessage") {
        let chat = call["chat_id"].as_i64().unwrap_or_default();
        if call["text"]
            .as_str()
            .is_some_and(|t| t.contains("اطلاعیهٔ آزمایش"))
        {
            *counts.entry(chat).or_insert(0) += 1;
        }
    }
    counts
}

#[tokio::test]
async fn sigkill_mid_broadcast_loses_nothing() {
    let telegram = FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (database_url, _) = database_with_a_broadcast(
        dir.path(),
        FIRST_CHAT..FIRST_CHAT + SUBSCRIBERS,
        "اطلاعیهٔ آزمایش",
    )
    .await;

    let mut first = spawn_jarchi(&telegram, &database_url, dir.path());
    telegram
        .wait_for("sendMessage", 100, Duration::from_secs(60))
        .await;
    first.start_kill().expect("SIGKILL");
    first.wait().await.unwrap();
    let before_restart = received(&telegram).len();
    assert!(
        before_restart < SUBSCRIBERS as usize,
        "the kill came mid-broadcast"
    );

    let mut second = spawn_jarchi(&telegram, &database_url, dir.path());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    while received(&telegram).len() < SUBSCRIBERS as usize {
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {} of {SUBSCRIBERS} subscribers got the statement",
            received(&telegram).len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Give the second run time to send anything extra it would wrongly send.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let counts = received(&telegram);
    let duplicates: usize = counts.values().map(|n| n - 1).sum();
    eprintln!(
        "crash test: {} subscribers reached before the kill, all {SUBSCRIBERS} after the restart, {duplicates} duplicates",
        before_restart
    );
    assert_eq!(counts.len(), SUBSCRIBERS as usize, "0 lost");
    // At most the sends in flight at the kill (the worker's concurrency) can repeat.
    assert!(duplicates <= 16, "{duplicates} duplicates");

    let pid = second.id().unwrap().to_string();
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status();
    let status = tokio::time::timeout(Duration::from_secs(10), second.wait())
        .await
        .expect("a graceful stop within 10 s")
        .unwrap();
    assert!(status.success());
    telegram.assert_no_contract_violations();
}

#[tokio::test]
async fn a_second_instance_on_the_same_database_refuses_to_start() {
    let telegram = FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("jarchi.db").display());
    let mut first = spawn_jarchi(&telegram, &database_url, dir.path());
    telegram
        .wait_for("getUpdates", 1, Duration::from_secs(30))
        .await;

    let second = Command::new(BIN)
        .env_clear()
        .envs([
            ("TELOXIDE_TOKEN", FakeTelegram::TOKEN),
            ("TELOXIDE_API_URL", telegram.api_url().as_str()),
            ("DATABASE_URL", database_url.as_str()),
        ])
        .current_dir(dir.path())
        .output()
        .await
        .unwrap();
    assert_eq!(second.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains("another jarchi is already running"),
        "{stderr}"
    );
    first.start_kill().unwrap();
    first.wait().await.unwrap();
}
