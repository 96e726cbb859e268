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
use tokio::io::{AsyncRead, AsyncReadExt};
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
    // Read as it comes: a pipe nobody reads fills at 64 KiB, and the bot then blocks on its
    // next log line (at `trace`, the start alone comes close to that).
    let drained = (drain(child.stdout.take()), drain(child.stderr.take()));
    if let Some(pid) = child.id() {
        OUTPUTS.lock().unwrap().insert(pid, drained);
    }
    child
}

type Drained = tokio::task::JoinHandle<Vec<u8>>;

/// What each running child printed (stdout, stderr), by its pid, for [`stop_gracefully`].
static OUTPUTS: LazyLock<Mutex<HashMap<u32, (Drained, Drained)>>> = LazyLock::new(Default::default);

fn drain<R: AsyncRead + Unpin + Send + 'static>(pipe: Option<R>) -> Drained {
    tokio::spawn(async move {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes).await;
        }
        bytes
    })
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
    let drained = OUTPUTS.lock().unwrap().remove(&pid);
    if let Some((stdout, stderr)) = drained {
        output.stdout = stdout.await.unwrap_or_default();
        output.stderr = stderr.await.unwrap_or_default();
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
