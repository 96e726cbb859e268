//! The real binary, as an operator runs it: clear one-line errors for bad configuration,
//! and no secret or personal data in the logs.

use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;

use crate::binary::{BIN, spawn, stop_gracefully};
use crate::support::fake_telegram::FakeTelegram;

const TOKEN: &str = "123456:ABCdefGHIjklMNOpqr";

/// Runs `jarchi` with exactly these variables, in an empty folder (so no stray .env).
pub(crate) async fn run(args: &[&str], vars: &[(&str, &str)]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(BIN)
        .args(args)
        .env_clear()
        .envs(vars.iter().copied())
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .output()
        .await
        .expect("the binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn assert_one_clear_line(stderr: &str, variable: &str) {
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "exactly one line, got: {stderr}");
    assert!(
        lines[0].contains(variable),
        "the line names {variable}: {stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_missing_token_exits_2_naming_the_variable() {
    let (code, _, stderr) = run(&[], &[]).await;
    assert_eq!(code, 2);
    assert_one_clear_line(&stderr, "TELOXIDE_TOKEN");
}

#[tokio::test]
async fn invalid_values_exit_2_naming_the_variable() {
    for (var, value) in [
        ("BROADCAST_RATE", "fast"),
        ("POLL_INTERVAL_SECS", "-5"),
        ("ADMIN_IDS", "@someone"),
        ("DEFAULT_LANG", "klingon"),
        ("FEED_URLS", "not a url"),
        ("DATABASE_URL", "postgres://db/jarchi"),
        ("TELOXIDE_TOKEN", "paste-your-token-here"),
    ] {
        let mut vars = vec![("TELOXIDE_TOKEN", TOKEN)];
        vars.retain(|(k, _)| *k != var);
        vars.push((var, value));
        let (code, _, stderr) = run(&["run"], &vars).await;
        assert_eq!(code, 2, "{var}={value}: {stderr}");
        assert_one_clear_line(&stderr, var);
    }
}

#[tokio::test]
async fn an_unusable_database_path_is_reported_clearly() {
    let (code, _, stderr) = run(
        &["migrate"],
        &[("DATABASE_URL", "sqlite:///proc/jarchi/jarchi.db")],
    )
    .await;
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("cannot open the database /proc/jarchi/jarchi.db"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[tokio::test]
async fn help_version_migrate_and_import() {
    let (code, stdout, _) = run(&["--help"], &[]).await;
    assert_eq!(code, 0);
    for word in ["run", "migrate", "import"] {
        assert!(stdout.contains(word), "{stdout}");
    }
    let (code, stdout, _) = run(&["--version"], &[]).await;
    assert_eq!(code, 0);
    assert!(stdout.contains(env!("CARGO_PKG_VERSION")));

    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("archive.db").display());
    let feed = dir.path().join("feed.xml");
    std::fs::write(&feed, crate::support::fixtures::FEED_RSS).unwrap();
    let (code, stdout, stderr) = run(
        &["import", feed.to_str().unwrap()],
        &[("DATABASE_URL", &db)],
    )
    .await;
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("imported 10 new statements"), "{stdout}");
    let (_, again, _) = run(
        &["import", feed.to_str().unwrap()],
        &[("DATABASE_URL", &db)],
    )
    .await;
    assert!(
        again.contains("imported 0 new statements (10 already"),
        "{again}"
    );

    let (code, _, stderr) = run(
        &["import", "/nonexistent/feed.xml"],
        &[("DATABASE_URL", &db)],
    )
    .await;
    assert_eq!(code, 1);
    assert!(
        stderr.contains("cannot read /nonexistent/feed.xml"),
        "{stderr}"
    );
    let garbage = dir.path().join("garbage.xml");
    std::fs::write(&garbage, "<html><body>not a feed</body></html>").unwrap();
    let (code, _, stderr) = run(
        &["import", garbage.to_str().unwrap()],
        &[("DATABASE_URL", &db)],
    )
    .await;
    assert_eq!(code, 1);
    assert!(
        stderr.contains("not a readable RSS, Atom or JSON feed"),
        "{stderr}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("archive.db"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the database is private to its owner: {mode:o}"
        );
    }
}

#[tokio::test]
async fn an_unreachable_telegram_does_not_leak_the_token() {
    // Nothing listens on port 9 of loopback: every request fails with a network error,
    // whose text would carry the request URL (and so the token) if nobody redacted it.
    // jarchi says it cannot reach Telegram and keeps trying until it is stopped.
    let dir = tempfile::tempdir().unwrap();
    let mut child = spawn(
        &[
            ("TELOXIDE_TOKEN", TOKEN),
            ("TELOXIDE_API_URL", "http://127.0.0.1:9/"),
            ("DATABASE_URL", "sqlite::memory:"),
            ("RUST_LOG", "trace"),
            ("OPS_LISTEN", ""),
        ],
        dir.path(),
    );
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(child.try_wait().unwrap().is_none(), "jarchi keeps trying");
    let output = stop_gracefully(child).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("cannot reach Telegram"), "{stderr}");
    assert!(!stderr.contains("did not accept the bot"), "{stderr}");
    assert!(
        !stderr.contains("ABCdefGHIjklMNOpqr") && !stdout.contains("ABCdefGHIjklMNOpqr"),
        "{stderr}"
    );
}

/// A whole session through the real binary: the token never appears even at trace level,
/// and at info level no chat id and no message text appear.
#[tokio::test]
async fn logs_carry_no_token_and_no_personal_data() {
    for level in ["trace", "info"] {
        let telegram = FakeTelegram::start().await;
        let dir = tempfile::tempdir().unwrap();
        let db = format!("sqlite://{}", dir.path().join("jarchi.db").display());
        let api_url = telegram.api_url();
        let child = spawn(
            &[
                ("TELOXIDE_TOKEN", FakeTelegram::TOKEN),
                ("TELOXIDE_API_URL", api_url.as_str()),
                ("DATABASE_URL", db.as_str()),
                ("ADMIN_IDS", "777"),
                ("RUST_LOG", level),
                // Tests run in parallel: the default ops port would collide.
                ("OPS_LISTEN", ""),
            ],
            dir.path(),
        );
        telegram
            .wait_for("getUpdates", 1, Duration::from_secs(20))
            .await;
        let secret_text = "my-secret-words-123";
        telegram.push_private_text(5550123, "/start", Some("fa"));
        telegram.push_private_text(5550123, &format!("/search {secret_text}"), Some("fa"));
        telegram.push_private_text(5550123, "/post intrusion attempt", Some("fa"));
        telegram
            .wait_for("sendMessage", 3, Duration::from_secs(20))
            .await;

        // SIGTERM: a graceful stop.
        let output = stop_gracefully(child).await;
        assert!(output.status.success(), "exit status {:?}", output.status);
        let logs = String::from_utf8_lossy(&output.stderr);
        let token_secret = FakeTelegram::TOKEN.split_once(':').unwrap().1;
        assert!(
            !logs.contains(token_secret),
            "the token leaked at {level}:\n{logs}"
        );
        assert!(logs.contains("jarchi is starting"), "{logs}");
        if level == "info" {
            assert!(
                !logs.contains("5550123"),
                "a chat id leaked at info:\n{logs}"
            );
            assert!(
                !logs.contains(secret_text),
                "a message text leaked at info:\n{logs}"
            );
            assert!(
                !logs.contains("intrusion"),
                "a message text leaked at info:\n{logs}"
            );
            assert!(logs.contains("refused"), "the refusal is logged:\n{logs}");
        }
    }
}
