//! Running the real `jarchi` binary, as an operator (or Docker, or systemd) does.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::process::{Output, Stdio};
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use chrono::Utc;
use jarchi::domain::{ChatId, Lang, NewAnnouncement, StatementId};
use jarchi::storage::{ChatKind, PublishOutcome, Storage};
use tokio::io::AsyncReadExt;
use tokio::process::{Child, Command};

use crate::support::fake_telegram::FakeTelegram;

pub const BIN: &str = env!("CARGO_BIN_EXE_jarchi");

/// Starts `jarchi` with exactly these variables in `dir` (so no stray .env), its output
/// captured for [`stop_gracefully`]; killed if the test drops it.
pub fn spawn(vars: &[(&str, &str)], dir: &Path) -> Child {
    let mut child = Command::new(BIN)
        .env_clear()
        .envs(vars.iter().copied())
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("jarchi starts");
    drain_output(&mut child);
    child
}

/// What a spawned process printed, read while it runs, by process id.
type Drained = tokio::task::JoinHandle<(Vec<u8>, Vec<u8>)>;
static DRAINED: LazyLock<Mutex<HashMap<u32, Drained>>> = LazyLock::new(Mutex::default);

/// Reads the child's stdout and stderr as it writes them: a pipe holds 64 KB, and a log at
/// trace level fills that within seconds, after which the process blocks on its next line
/// and stops answering.
fn drain_output(child: &mut Child) {
    let (Some(id), Some(mut stdout), Some(mut stderr)) =
        (child.id(), child.stdout.take(), child.stderr.take())
    else {
        return;
    };
    let drained = tokio::spawn(async move {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let _ = tokio::join!(stdout.read_to_end(&mut out), stderr.read_to_end(&mut err));
        (out, err)
    });
    DRAINED.lock().unwrap().insert(id, drained);
}

/// SIGTERM, as `docker stop` and systemd send it, then the exit within the 10 s the issue
/// allows; returns what the process printed.
pub async fn stop_gracefully(child: Child) -> Output {
    let pid = child.id().expect("running");
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let mut output = tokio::time::timeout(Duration::from_secs(10), child.wait_with_output())
        .await
        .expect("jarchi exits within 10 s of SIGTERM")
        .expect("jarchi's output");
    let drained = DRAINED.lock().unwrap().remove(&pid);
    if let Some(drained) = drained {
        (output.stdout, output.stderr) = drained.await.expect("the output was read");
    }
    output
}

/// A free loopback port, for a listener the binary opens itself.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A new database in `dir` whose `chats` are subscribed and have one statement titled
/// `title` queued for all of them, as a broadcast the binary will find when it starts.
/// Returns the database URL and the statement's id.
pub async fn database_with_a_broadcast(
    dir: &Path,
    chats: Range<i64>,
    title: &str,
) -> (String, StatementId) {
    let database_url = format!("sqlite://{}", dir.join("jarchi.db").display());
    let storage = Storage::connect(&database_url).await.unwrap();
    for chat in chats.clone() {
        storage
            .subscribe(ChatId(chat), ChatKind::Private, Lang::Fa)
            .await
            .unwrap();
    }
    let statement = NewAnnouncement::new(
        title,
        title,
        "<p>متن</p>",
        "متن",
        Some("https://example.org/?p=1".into()),
        Utc::now(),
    )
    .unwrap();
    let PublishOutcome::Published { id, recipients } = storage.publish(&statement).await.unwrap()
    else {
        panic!("not published");
    };
    assert_eq!(recipients, (chats.end - chats.start) as u64);
    storage.close().await;
    (database_url, id)
}

/// Starts `jarchi run` against the fake Bot API with the database at `database_url`, in
/// `dir`, with `extra` variables on top (later ones win). The ops listener is off, since
/// tests run in parallel.
pub fn spawn_bot(
    telegram: &FakeTelegram,
    database_url: &str,
    dir: &Path,
    extra: &[(&str, &str)],
) -> Child {
    let api_url = telegram.api_url();
    let mut vars = vec![
        ("TELOXIDE_TOKEN", FakeTelegram::TOKEN),
        ("TELOXIDE_API_URL", api_url.as_str()),
        ("DATABASE_URL", database_url),
        ("OPS_LISTEN", ""),
    ];
    vars.extend_from_slice(extra);
    spawn(&vars, dir)
}
