//! Running the real `jarchi` binary, as an operator (or Docker, or systemd) does.

use std::process::Output;
use std::time::Duration;

use tokio::process::Child;

use crate::support::fake_telegram::FakeTelegram;

pub const BIN: &str = env!("CARGO_BIN_EXE_jarchi");

/// SIGTERM, as `docker stop` and systemd send it, then the exit within the 10 s the issue
/// allows; returns what the process printed.
pub async fn stop_gracefully(child: Child) -> Output {
    let pid = child.id().expect("running");
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    tokio::time::timeout(Duration::from_secs(10), child.wait_with_output())
        .await
        .expect("jarchi exits within 10 s of SIGTERM")
        .expect("jarchi's output")
}

/// Starts `jarchi run` against the fake Bot API with the database at `database_url`, in
/// `dir`, with `extra` variables on top. Its log (stderr) is kept for
/// [`stop_gracefully`]; the ops listener is off, since tests run in parallel.
pub fn spawn_bot(
    telegram: &FakeTelegram,
    database_url: &str,
    dir: &std::path::Path,
    extra: &[(&str, &str)],
) -> Child {
    tokio::process::Command::new(BIN)
        .env_clear()
        .envs([
            ("TELOXIDE_TOKEN", FakeTelegram::TOKEN),
            ("TELOXIDE_API_URL", telegram.api_url().as_str()),
            ("DATABASE_URL", database_url),
            ("OPS_LISTEN", ""),
        ])
        .envs(extra.iter().copied())
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("jarchi starts")
}
