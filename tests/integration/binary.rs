//! Running the real `jarchi` binary, as an operator (or Docker, or systemd) does.

use std::process::Output;
use std::time::Duration;

use tokio::process::Child;

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
