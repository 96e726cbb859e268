//! Broadcast and search figures for BENCHMARKS.md: `cargo bench --bench broadcast`.
//!
//! The fake Telegram runs in a child process (this same binary, `serve-fake`), so the CPU
//! time and peak memory measured here are jarchi's alone. It answers `sendMessage` with a
//! minimal valid Message and records arrival times on request; nothing leaves loopback.
//!
//! Sizes can be lowered for a quick run: JARCHI_BENCH_SCALE=0.1 cargo bench --bench broadcast
//! The erasure figure alone: cargo bench --bench broadcast -- erasure
//! The enqueue figures alone (without and with topics): cargo bench --bench broadcast -- enqueue

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use chrono::Utc;
use serde_json::{Value, json};
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

use jarchi::broadcast::{Worker, WorkerConfig};
use jarchi::domain::{
    ChatId, Lang, NewAnnouncement, PublishOutcome, Topic, TopicChoice, TopicSlug,
};
use jarchi::storage::{ChatKind, Storage};
use jarchi::text::parse_search;

const TOKEN: &str = "123456:BENCH-token-abcdefghijklmnop";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    if args.iter().any(|a| a == "serve-fake") {
        runtime.block_on(serve_fake());
        return;
    }
    let scale: f64 = std::env::var("JARCHI_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    let scaled = |n: f64| ((n * scale) as i64).max(10);
    if args.iter().any(|a| a == "erasure") {
        runtime.block_on(erasure(scaled(10_000.0), 100));
        return;
    }
    if args.iter().any(|a| a == "enqueue") {
        runtime.block_on(async {
            enqueue(scaled(1_000_000.0)).await;
            enqueue_with_topics(scaled(1_000_000.0)).await;
        });
        return;
    }
    runtime.block_on(async {
        let fake = FakeProcess::start();
        println!(
            "# jarchi broadcast benchmarks ({} cores)",
            std::thread::available_parallelism().map_or(1, |n| n.get())
        );
        unthrottled(&fake, scaled(20_000.0)).await;
        paced(&fake, 300, 25).await;
        enqueue(scaled(1_000_000.0)).await;
        enqueue_with_topics(scaled(1_000_000.0)).await;
        peak_memory(&fake, scaled(100_000.0)).await;
        search().await;
        erasure(scaled(10_000.0), 100).await;
    });
}

// ---------- the fake Telegram, in a child process ----------

#[derive(Default)]
struct FakeState {
    message_id: AtomicI64,
    recording: AtomicBool,
    arrivals: Mutex<Vec<(i64, Instant)>>,
}

async fn serve_fake() {
    let state = Arc::new(FakeState::default());
    let app = axum::Router::new()
        .route("/bot{token}/{method}", post(fake_method))
        .route("/record", post(start_recording))
        .route("/arrivals", get(arrivals))
        .with_state(Arc::clone(&state));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    println!("{}", listener.local_addr().expect("addr").port());
    std::io::stdout().flush().ok();
    axum::serve(listener, app).await.expect("serve");
}

async fn fake_method(
    State(state): State<Arc<FakeState>>,
    Path((_token, method)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Json<Value> {
    let params: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let result = match method.to_ascii_lowercase().as_str() {
        "getme" => json!({"id": 1, "is_bot": true, "first_name": "Bench", "username": "bench_bot",
            "can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": false,
            "can_connect_to_business": false, "has_main_web_app": false}),
        "sendmessage" => {
            let chat = params["chat_id"].as_i64().unwrap_or_default();
            if state.recording.load(Ordering::Relaxed) {
                state.arrivals.lock().await.push((chat, Instant::now()));
            }
            let id = state.message_id.fetch_add(1, Ordering::Relaxed) + 1;
            json!({"message_id": id, "date": 1_700_000_000, "chat": {"id": chat, "type": "private", "first_name": "x"},
                "from": {"id": 1, "is_bot": true, "first_name": "Bench"}, "text": "ok"})
        }
        _ => json!(true),
    };
    Json(json!({"ok": true, "result": result}))
}

async fn start_recording(State(state): State<Arc<FakeState>>) -> Json<Value> {
    state.arrivals.lock().await.clear();
    state.recording.store(true, Ordering::Relaxed);
    Json(json!(true))
}

/// Arrival times in microseconds since the first, per chat.
async fn arrivals(State(state): State<Arc<FakeState>>) -> Json<Value> {
    let arrivals = state.arrivals.lock().await;
    let first = arrivals.first().map(|(_, t)| *t);
    let list: Vec<Value> = arrivals
        .iter()
        .map(|(chat, t)| {
            json!([
                chat,
                first.map_or(0, |f| t.duration_since(f).as_micros() as u64)
            ])
        })
        .collect();
    Json(json!(list))
}

struct FakeProcess {
    child: Child,
    url: String,
}

impl FakeProcess {
    fn start() -> Self {
        let exe = std::env::current_exe().expect("own path");
        let mut child = Command::new(exe)
            .arg("serve-fake")
            .stdout(Stdio::piped())
            .spawn()
            .expect("fake starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("port");
        Self {
            child,
            url: format!("http://127.0.0.1:{}/", line.trim()),
        }
    }

    fn bot(&self) -> teloxide::Bot {
        teloxide::Bot::new(TOKEN).set_api_url(self.url.parse().expect("url"))
    }

    async fn record(&self) {
        reqwest::Client::new()
            .post(format!("{}record", self.url))
            .send()
            .await
            .expect("record");
    }

    async fn arrivals(&self) -> Vec<(i64, f64)> {
        let list: Vec<(i64, u64)> = reqwest::get(format!("{}arrivals", self.url))
            .await
            .expect("arrivals")
            .json()
            .await
            .expect("json");
        list.into_iter()
            .map(|(c, us)| (c, us as f64 / 1e6))
            .collect()
    }
}

impl Drop for FakeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------- helpers ----------

async fn fresh_storage(dir: &tempfile::TempDir) -> Storage {
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    Storage::connect(&url).await.expect("storage")
}

async fn subscribe(storage: &Storage, n: i64) {
    storage
        .subscribe_many((1..=n).map(|i| {
            (
                ChatId(1_000_000 + i),
                ChatKind::Private,
                if i % 5 == 0 { Lang::En } else { Lang::Fa },
            )
        }))
        .await
        .expect("subscribe");
}

fn statement(key: &str) -> NewAnnouncement {
    let body =
        "نیروهای امنیتی به سوی مردم معترض شلیک کردند و شماری را کشته و زخمی کردند. ".repeat(8);
    NewAnnouncement::new(
        key,
        "اطلاعیهٔ آزمایشی",
        format!("<p>{body}</p>"),
        body,
        Some("https://example.org/?p=1".into()),
        Utc::now(),
    )
    .expect("statement")
}

/// User + system CPU seconds of this process so far.
/// The one-minute load average, printed beside wall-clock figures taken on a shared machine.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Fields 14 and 15 of stat (utime, stime) are 11 and 12 after the name; 100 ticks/s.
    (ticks(11) + ticks(12)) / 100.0
}

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

/// Runs a worker until the queue is empty; returns the wall time.
async fn drain(storage: &Storage, bot: teloxide::Bot, config: WorkerConfig) -> Duration {
    let shutdown = CancellationToken::new();
    let worker = Worker::new(
        storage.clone(),
        bot,
        Arc::new(tokio::sync::Notify::new()),
        config,
    );
    let started = Instant::now();
    let task = tokio::spawn(worker.run(shutdown.clone()));
    while storage.queue_depth().await.expect("depth") > 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed();
    shutdown.cancel();
    task.await.expect("worker");
    elapsed
}

fn unthrottled_config() -> WorkerConfig {
    WorkerConfig {
        rate: None,
        concurrency: 64,
        batch: 256,
        resume_pause: Duration::ZERO,
        ..WorkerConfig::new(25, Vec::new(), Lang::Fa)
    }
}

// ---------- scenarios ----------

async fn unthrottled(fake: &FakeProcess, n: i64) {
    let dir = tempfile::tempdir().expect("dir");
    let storage = fresh_storage(&dir).await;
    subscribe(&storage, n).await;
    storage
        .publish(&statement("unthrottled"))
        .await
        .expect("publish");
    let cpu_before = cpu_seconds();
    let wall = drain(&storage, fake.bot(), unthrottled_config()).await;
    let cpu = cpu_seconds() - cpu_before;
    println!(
        "unthrottled: {n} deliveries in {:.2} s = {:.0} deliveries/s; CPU {:.1} µs per delivery ({:.1}% of a core at 1000 msg/s)",
        wall.as_secs_f64(),
        n as f64 / wall.as_secs_f64(),
        cpu / n as f64 * 1e6,
        cpu / n as f64 * 1000.0 * 100.0
    );
}

async fn paced(fake: &FakeProcess, n: i64, rate: u32) {
    let dir = tempfile::tempdir().expect("dir");
    let storage = fresh_storage(&dir).await;
    subscribe(&storage, n).await;
    storage.publish(&statement("paced")).await.expect("publish");
    fake.record().await;
    drain(
        &storage,
        fake.bot(),
        WorkerConfig::new(rate, Vec::new(), Lang::Fa),
    )
    .await;
    let arrivals = fake.arrivals().await;
    let times: Vec<f64> = arrivals.iter().map(|(_, t)| *t).collect();
    let span = times.last().copied().unwrap_or(0.0) - times.first().copied().unwrap_or(0.0);
    let achieved = (times.len() as f64 - 1.0) / span;
    let most_in_a_second = (0..times.len())
        .map(|i| {
            times[i..]
                .iter()
                .take_while(|t| **t - times[i] < 1.0)
                .count()
        })
        .max()
        .unwrap_or(0);
    let seconds_over = (0..times.len())
        .filter(|i| {
            times[*i..]
                .iter()
                .take_while(|t| **t - times[*i] < 1.0)
                .count()
                > rate as usize
        })
        .count();
    println!(
        "paced: {} subscribers at {rate}/s: achieved {achieved:.2}/s = {:.3} of configured; most in any 1 s window: {most_in_a_second}; windows above the limit: {seconds_over}",
        times.len(),
        achieved / f64::from(rate)
    );
}

async fn enqueue(n: i64) {
    let dir = tempfile::tempdir().expect("dir");
    let storage = fresh_storage(&dir).await;
    let started = Instant::now();
    subscribe(&storage, n).await;
    let subscribing = started.elapsed();
    let started = Instant::now();
    let cpu_before = cpu_seconds();
    storage
        .publish(&statement("enqueue"))
        .await
        .expect("publish");
    let cpu = cpu_seconds() - cpu_before;
    let publishing = started.elapsed();
    println!(
        "enqueue: one statement for {n} subscribers in {:.2} s, CPU {cpu:.2} s (one INSERT … SELECT; setting up the subscribers took {:.1} s; load average {})",
        publishing.as_secs_f64(),
        subscribing.as_secs_f64(),
        load_average()
    );
}

/// The enqueue with topics (issue 13): half the subscribers have every topic, the other
/// half chose two of three ("statements" and "news"). A statement in "news" reaches all of
/// them, one in "english" only the first half; both are one INSERT … SELECT.
async fn enqueue_with_topics(n: i64) {
    let dir = tempfile::tempdir().expect("dir");
    let storage = fresh_storage(&dir).await;
    subscribe(&storage, n).await;
    let started = Instant::now();
    for (slug, fa, en) in [("news", "اخبار", "News"), ("english", "انگلیسی", "English")]
    {
        let topic = Topic::new(TopicSlug::new(slug).expect("slug"), fa, en).expect("topic");
        storage.add_topic(&topic).await.expect("add topic");
    }
    let chosen = TopicChoice::Only(
        ["statements", "news"]
            .into_iter()
            .map(|s| TopicSlug::new(s).expect("slug"))
            .collect(),
    );
    storage
        .save_topic_choices(
            (1..=n)
                .filter(|i| i % 2 == 0)
                .map(|i| (ChatId(1_000_000 + i), chosen.clone())),
        )
        .await
        .expect("choose topics");
    let choosing = started.elapsed();
    for (topic, reach) in [
        ("news", "every subscriber"),
        ("english", "the half with all topics"),
    ] {
        let new = statement(&format!("enqueue-{topic}")).with_topic(TopicSlug::new(topic).ok());
        let started = Instant::now();
        let cpu_before = cpu_seconds();
        let outcome = storage.publish(&new).await.expect("publish");
        let cpu = cpu_seconds() - cpu_before;
        let publishing = started.elapsed();
        let recipients = match outcome {
            PublishOutcome::Published { recipients, .. } => recipients,
            PublishOutcome::Duplicate { .. } => 0,
        };
        println!(
            "enqueue with topics: one statement in {topic:?} for {n} subscribers, half on an explicit set, in {:.2} s, CPU {cpu:.2} s ({recipients} queued: {reach}; choosing the topics took {:.1} s; load average {})",
            publishing.as_secs_f64(),
            choosing.as_secs_f64(),
            load_average()
        );
    }
}

/// /stop in a database of `subscribers` chats and `statements` broadcasts to all of them:
/// the transaction, then the rewrite and checkpoint that take the chat off the disk.
async fn erasure(subscribers: i64, statements: usize) {
    let dir = tempfile::tempdir().expect("dir");
    let storage = fresh_storage(&dir).await;
    subscribe(&storage, subscribers).await;
    for i in 0..statements {
        storage
            .publish(&statement(&format!("erasure-{i}")))
            .await
            .expect("publish");
    }
    assert!(storage.erase_from_disk().await.expect("first rewrite"));
    let size_mb = std::fs::metadata(dir.path().join("bench.db"))
        .expect("size")
        .len() as f64
        / 1e6;
    let mut timings = Vec::new();
    for chat in (1..=5).map(|i| 1_000_000 + i * (subscribers / 6).max(1)) {
        let started = Instant::now();
        assert!(
            storage
                .unsubscribe(ChatId(chat))
                .await
                .expect("unsubscribe")
        );
        let deleted = started.elapsed();
        assert!(storage.erase_from_disk().await.expect("rewrite"));
        timings.push((deleted, started.elapsed()));
    }
    timings.sort_by_key(|(_, total)| *total);
    let (deleted, total) = timings[timings.len() / 2];
    println!(
        "erasure: /stop in a {size_mb:.0} MB database ({subscribers} subscribers, {} delivery rows): rows deleted in {:.1} ms, off the disk (VACUUM + TRUNCATE checkpoint) after {:.2} s (median of {})",
        subscribers * statements as i64,
        deleted.as_secs_f64() * 1000.0,
        total.as_secs_f64(),
        timings.len()
    );
}

async fn peak_memory(fake: &FakeProcess, n: i64) {
    let dir = tempfile::tempdir().expect("dir");
    let storage = fresh_storage(&dir).await;
    subscribe(&storage, n).await;
    storage
        .publish(&statement("memory"))
        .await
        .expect("publish");
    // Reset the high-water mark so that only the broadcast counts.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = status_kib("VmRSS:");
    let wall = drain(&storage, fake.bot(), unthrottled_config()).await;
    let peak = status_kib("VmHWM:");
    println!(
        "memory: broadcasting to {n} subscribers ({:.1} s): peak RSS {:.1} MB (RSS before the broadcast {:.1} MB)",
        wall.as_secs_f64(),
        peak as f64 / 1024.0,
        before as f64 / 1024.0
    );
}

async fn search() {
    let dir = tempfile::tempdir().expect("dir");
    let storage = fresh_storage(&dir).await;
    let feed = dir.path().join("feed.xml");
    std::fs::write(&feed, include_str!("../tests/fixtures/feeds/feed.rss.xml")).expect("write");
    jarchi::ingest::import(
        &storage,
        feed.to_str().expect("path"),
        &jarchi::domain::FeedPolicy::default(),
    )
    .await
    .expect("import");
    let queries = [
        "نیروهای امنیتی",
        "کشته",
        "معدن یورت",
        "آتنا دائمی",
        "19 مه 2017",
        "زرافه",
        "ایران",
    ];
    let mut timings = time_queries(&storage, &queries, 200).await;
    report_search("fixture archive (10 statements)", &mut timings);

    let words: Vec<&str> = "مردم کارگران اعتصاب زندان آزادی دولت سرکوب معدن ایران کابل تظاهرات حقوق زنان دانشجویان معلمان"
        .split(' ')
        .collect();
    for i in 0..10_000usize {
        let body: String = (0..120)
            .map(|j| words[(i * 7 + j * 13) % words.len()])
            .collect::<Vec<_>>()
            .join(" ");
        let title = format!(
            "{} {} {}",
            words[i % words.len()],
            words[(i / 3) % words.len()],
            i
        );
        let item = NewAnnouncement::new(
            format!("synthetic-{i}"),
            &title,
            body.clone(),
            body,
            None,
            Utc::now(),
        )
        .expect("item");
        storage.archive(&item).await.expect("archive");
    }
    let mut timings = time_queries(&storage, &queries, 50).await;
    report_search("archive of 10,010 statements", &mut timings);
}

async fn time_queries(storage: &Storage, queries: &[&str], rounds: usize) -> Vec<Duration> {
    let mut timings = Vec::new();
    for _ in 0..rounds {
        for q in queries {
            let started = Instant::now();
            if let Some(request) = parse_search(q) {
                storage
                    .search(&request.words, None, 5, 0)
                    .await
                    .expect("search");
            }
            timings.push(started.elapsed());
        }
    }
    timings
}

fn report_search(label: &str, timings: &mut [Duration]) {
    timings.sort();
    let mean = timings.iter().sum::<Duration>().as_secs_f64() / timings.len() as f64;
    let p99 = timings[(timings.len() * 99 / 100).min(timings.len() - 1)];
    println!(
        "search over the {label}: mean {:.3} ms, p99 {:.3} ms ({} queries)",
        mean * 1e3,
        p99.as_secs_f64() * 1e3,
        timings.len()
    );
}
