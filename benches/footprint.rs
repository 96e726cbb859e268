//! The footprint figures of BENCHMARKS.md (issue 14): `cargo bench --bench footprint`.
//!
//! Runs the jarchi binary as an operator would (`JARCHI_BIN=target/release/jarchi` to pick
//! another build than the bench one) against a minimal Bot API on loopback, with 300
//! subscribers and a 10,000-statement archive (the corpus of `corpus/mod.rs`), and reports:
//! - the time from exec to the first `getUpdates`, and the calls made before it;
//! - the resident memory once idle (after a few long polls), and its peak.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Json;
use axum::routing::post;
use serde_json::{Value, json};

use jarchi::domain::{ChatId, Lang, NewAnnouncement};
use jarchi::storage::{ChatKind, Storage};

#[path = "corpus/mod.rs"]
mod corpus;

const TOKEN: &str = "123456:FOOTPRINT-token-abcdefghijkl";
const SUBSCRIBERS: i64 = 300;
const STATEMENTS: usize = 10_000;
const IDLE: Duration = Duration::from_secs(5);

#[derive(Default)]
struct Calls {
    started: Option<Instant>,
    before_first_poll: Vec<String>,
    first_poll: Option<Duration>,
}

async fn bot_api(
    State(calls): State<Arc<Mutex<Calls>>>,
    Path((_token, method)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Json<Value> {
    // teloxide spells methods as types (`GetMe`); Telegram ignores the case.
    let method = method.to_ascii_lowercase();
    let is_poll = method == "getupdates";
    {
        let mut calls = calls.lock().expect("lock");
        if calls.first_poll.is_none() {
            if is_poll {
                calls.first_poll = calls.started.map(|s| s.elapsed());
            } else {
                calls.before_first_poll.push(method.clone());
            }
        }
    }
    let result = match method.as_str() {
        "getme" => json!({"id": 123456, "is_bot": true, "first_name": "jarchi",
                          "username": "jarchi_bot", "can_join_groups": true,
                          "can_read_all_group_messages": false, "supports_inline_queries": true,
                          "can_connect_to_business": false, "has_main_web_app": false}),
        "getupdates" => {
            let timeout = serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|v| v["timeout"].as_u64())
                .unwrap_or(0);
            tokio::time::sleep(Duration::from_secs(timeout.min(2))).await;
            json!([])
        }
        "getwebhookinfo" => json!({"url": "", "has_custom_certificate": false,
                                   "pending_update_count": 0}),
        _ => json!(true),
    };
    Json(json!({"ok": true, "result": result}))
}

async fn prepare(database: &std::path::Path) {
    let storage = Storage::connect(&format!("sqlite://{}", database.display()))
        .await
        .expect("database");
    for chat in 1..=SUBSCRIBERS {
        storage
            .subscribe(ChatId(chat), ChatKind::Private, Lang::Fa)
            .await
            .expect("subscribe");
    }
    for (i, item) in corpus::corpus(STATEMENTS).into_iter().enumerate() {
        let new = NewAnnouncement::new(
            format!("footprint-{i}"),
            &item.title,
            item.body.clone(),
            item.body,
            None,
            item.published,
        )
        .expect("statement");
        storage.archive(&new).await.expect("archive");
    }
    storage.close().await;
}

fn status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let binary =
        std::env::var("JARCHI_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_jarchi").into());
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("dir");
        let database = dir.path().join("jarchi.db");
        prepare(&database).await;

        let calls = Arc::new(Mutex::new(Calls::default()));
        let app = Router::new()
            .route("/{token}/{method}", post(bot_api))
            .with_state(Arc::clone(&calls));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr: SocketAddr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });

        let size = std::fs::metadata(&binary).map_or(0, |m| m.len());
        calls.lock().expect("lock").started = Some(Instant::now());
        // `JARCHI_BENCH_WRAPPER="heaptrack -o /tmp/jarchi-heap"` runs the bot under a
        // profiler to see where the memory goes (the RSS figures are then the wrapper's).
        let wrapper = std::env::var("JARCHI_BENCH_WRAPPER").unwrap_or_default();
        let mut words = wrapper.split_whitespace();
        let mut command = match words.next() {
            Some(program) => {
                let mut command = std::process::Command::new(program);
                command.args(words).arg(&binary);
                command
            }
            None => std::process::Command::new(&binary),
        };
        let mut child = command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("TELOXIDE_TOKEN", TOKEN)
            .env("TELOXIDE_API_URL", format!("http://{addr}/"))
            .env("DATABASE_URL", format!("sqlite://{}", database.display()))
            // `JARCHI_BENCH_RUST_LOG=sqlx::query=debug` shows what the bot asks SQLite.
            .env(
                "RUST_LOG",
                std::env::var("JARCHI_BENCH_RUST_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .current_dir(dir.path())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("start jarchi");
        let deadline = Instant::now() + Duration::from_secs(30);
        while calls.lock().expect("lock").first_poll.is_none() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let cpu_at_first_poll = cpu_ticks(child.id());
        tokio::time::sleep(IDLE).await;
        let idle_cpu = cpu_ticks(child.id()).saturating_sub(cpu_at_first_poll);
        let rss = status_kib(child.id(), "VmRSS:");
        let peak = status_kib(child.id(), "VmHWM:");
        let threads = status_kib(child.id(), "Threads:");
        let anon = status_kib(child.id(), "RssAnon:");
        let file = status_kib(child.id(), "RssFile:");
        let _ = std::process::Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        let _ = child.wait();

        let calls = calls.lock().expect("lock");
        println!("# jarchi footprint: {binary}");
        println!("binary: {:.1} MB", size as f64 / 1e6);
        println!(
            "exec → first getUpdates: {:.1} ms, after {} calls: {:?}",
            calls.first_poll.map_or(f64::NAN, |d| d.as_secs_f64() * 1e3),
            calls.before_first_poll.len(),
            calls.before_first_poll
        );
        println!(
            "idle RSS with {SUBSCRIBERS} subscribers and {STATEMENTS} statements: {:.1} MiB \
             (heap and stacks {:.1} MiB, mapped files {:.1} MiB; peak {:.1} MiB; {threads} threads)",
            rss as f64 / 1024.0,
            anon as f64 / 1024.0,
            file as f64 / 1024.0,
            peak as f64 / 1024.0
        );
        // SAFETY: sysconf only reads a configuration value.
        let ticks_per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
        println!(
            "CPU while idle: {:.0} ms in the {} s after the first getUpdates",
            idle_cpu as f64 * 1e3 / ticks_per_second,
            IDLE.as_secs()
        );
    });
}

/// User and system CPU time of a process so far, in clock ticks (`/proc/PID/stat`).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name may hold spaces; the fields that follow it do not.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i)?.parse::<u64>().ok())
        .sum()
}
