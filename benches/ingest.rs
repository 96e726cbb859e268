//! Ingest figures for BENCHMARKS.md: parse and ingest throughput for a 1,000-item feed, and
//! the time from a statement appearing on the site to the first subscriber's sendMessage.
//! Run with `cargo bench --bench ingest`. Everything runs on loopback: a tiny feed server
//! and a minimal fake Bot API (getMe, getUpdates, sendMessage; `true` for the rest).
//! `JARCHI_BENCH_SKIP_THROUGHPUT=1` measures the latency only; `JARCHI_BENCH_ONLY_HOSTILE=1`
//! only the hostile documents and the 20,000-item import (issue 10); `RUST_LOG` turns on
//! the app's logs.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use jarchi::config::Settings;
use jarchi::domain::{ChatId, Lang};
use jarchi::ingest::{IngestMode, MAX_FEED_BYTES, ingest_items, parse_feed};

/// A seeded feed whose cap lets every item through: the cost measured is the archive's.
const EVERY_ITEM: IngestMode = IngestMode::Announce {
    feed_id: 1,
    max_new: usize::MAX,
};
use jarchi::publish::Publisher;
use jarchi::startup::App;
use jarchi::storage::{ChatKind, Storage};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

const ITEMS: usize = 1_000;
const SUBSCRIBERS: i64 = 100;
const RUNS: usize = 3;
const LATENCY_SAMPLES: usize = 6;

fn item(n: usize) -> String {
    let paragraph = "<p>کارگران معدن در اعتراض به شرایط ناایمن کار و دستمزدهای پرداخت‌نشده دست از کار کشیدند و خواستار \
                     رسیدگی فوری شدند. <a href=\"/news/detail\">جزئیات</a> &amp; <b>بیانیه</b></p>";
    format!(
        "<item><title>اطلاعیهٔ شمارهٔ {n} دربارهٔ اعتصاب</title>\
         <link>https://example.org/?p={n}</link><guid isPermaLink=\"false\">https://example.org/?p={n}</guid>\
         <pubDate>Mon, 23 Nov 2026 10:00:00 +0000</pubDate>\
         <description><![CDATA[{}<img src=\"/img/{n}.jpg\">]]></description></item>",
        paragraph.repeat(4)
    )
}

fn feed(items: impl Iterator<Item = usize>) -> String {
    let items: String = items.map(item).collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>t</title>\
         <link>https://example.org/</link><description>d</description>{items}</channel></rss>"
    )
}

async fn fresh_storage(dir: &tempfile::TempDir, name: &str) -> Storage {
    let url = format!("sqlite://{}", dir.path().join(name).display());
    Storage::connect(&url).await.expect("database")
}

fn per_second(items: usize, elapsed: Duration) -> f64 {
    items as f64 / elapsed.as_secs_f64()
}

async fn throughput() {
    let document = feed((0..ITEMS).rev());
    let base = Some("https://example.org/feed/");
    println!("feed document: {ITEMS} items, {} KB", document.len() / 1024);

    let mut best_parse = Duration::MAX;
    for _ in 0..RUNS {
        let started = Instant::now();
        let parsed = parse_feed(document.as_bytes(), base).expect("parses");
        best_parse = best_parse.min(started.elapsed());
        assert_eq!(parsed.items.len(), ITEMS);
    }
    println!(
        "parse + sanitise:                 {:>8.0} items/s ({:.1} ms per 1,000-item feed)",
        per_second(ITEMS, best_parse),
        best_parse.as_secs_f64() * 1e3
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let mut first_sight = Duration::MAX;
    let mut announce = Duration::MAX;
    let mut unchanged = Duration::MAX;
    for run in 0..RUNS {
        // First sight: parse and archive everything, broadcasting nothing.
        let storage = fresh_storage(&dir, &format!("first-{run}.db")).await;
        let publisher = Publisher::new(storage.clone());
        let started = Instant::now();
        let parsed = parse_feed(document.as_bytes(), base).expect("parses");
        let report = ingest_items(&storage, &publisher, &parsed.items, IngestMode::FirstSight)
            .await
            .expect("ingests");
        first_sight = first_sight.min(started.elapsed());
        assert_eq!(report.archived, ITEMS);

        // The next poll of the same document (a site without ETags): everything known.
        let started = Instant::now();
        let parsed = parse_feed(document.as_bytes(), base).expect("parses");
        let report = ingest_items(&storage, &publisher, &parsed.items, EVERY_ITEM)
            .await
            .expect("ingests");
        unchanged = unchanged.min(started.elapsed());
        assert_eq!(report.unchanged, ITEMS);
        storage.close().await;

        // Every item new on a seeded feed: published and queued for each subscriber.
        let storage = fresh_storage(&dir, &format!("announce-{run}.db")).await;
        for chat in 1..=SUBSCRIBERS {
            storage
                .subscribe(ChatId(chat), ChatKind::Private, Lang::Fa)
                .await
                .expect("subscribes");
        }
        let publisher = Publisher::new(storage.clone());
        let started = Instant::now();
        let parsed = parse_feed(document.as_bytes(), base).expect("parses");
        let report = ingest_items(&storage, &publisher, &parsed.items, EVERY_ITEM)
            .await
            .expect("ingests");
        announce = announce.min(started.elapsed());
        assert_eq!(report.published, ITEMS);
        storage.close().await;
    }
    println!(
        "parse + archive (first sight):    {:>8.0} items/s ({:.0} ms)",
        per_second(ITEMS, first_sight),
        first_sight.as_secs_f64() * 1e3
    );
    println!(
        "parse + compare (unchanged 200):  {:>8.0} items/s ({:.0} ms)",
        per_second(ITEMS, unchanged),
        unchanged.as_secs_f64() * 1e3
    );
    println!(
        "parse + publish to {SUBSCRIBERS} subscribers: {:>8.0} items/s ({:.0} ms, {} deliveries queued)",
        per_second(ITEMS, announce),
        announce.as_secs_f64() * 1e3,
        ITEMS as i64 * SUBSCRIBERS
    );
}

/// The site: one feed document, with an ETag so unchanged polls cost a 304.
#[derive(Default)]
struct Site {
    body: Mutex<(String, u64)>,
    polls: Mutex<Vec<Instant>>,
}

async fn serve_feed(State(site): State<Arc<Site>>, headers: HeaderMap) -> Response {
    site.polls.lock().expect("lock").push(Instant::now());
    let (body, version) = site.body.lock().expect("lock").clone();
    let etag = format!("\"v{version}\"");
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "application/rss+xml".to_string()),
            (header::ETAG, etag),
        ],
        body,
    )
        .into_response()
}

/// The fake Bot API records when each sendMessage arrived.
#[derive(Default)]
struct Telegram {
    sends: Mutex<Vec<Instant>>,
}

async fn serve_telegram(State(tg): State<Arc<Telegram>>, uri: Uri, body: Bytes) -> Response {
    // teloxide writes method names capitalised (`GetMe`); Telegram ignores the case.
    let method = uri
        .path()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let params: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let bot = json!({"id": 1, "is_bot": true, "first_name": "jarchi", "username": "jarchi_bot"});
    let result = match method.as_str() {
        "getme" => {
            let mut me = bot.clone();
            me["can_join_groups"] = json!(true);
            me["can_read_all_group_messages"] = json!(false);
            me["supports_inline_queries"] = json!(false);
            me["can_connect_to_business"] = json!(false);
            me["has_main_web_app"] = json!(false);
            me
        }
        "getupdates" => {
            tokio::time::sleep(Duration::from_millis(500)).await;
            json!([])
        }
        "sendmessage" => {
            let mut sends = tg.sends.lock().expect("lock");
            sends.push(Instant::now());
            json!({
                "message_id": sends.len(),
                "from": bot,
                "chat": {"id": params["chat_id"], "type": "private", "first_name": "s"},
                "date": 1_800_000_000,
                "text": "x",
            })
        }
        _ => json!(true),
    };
    axum::Json(json!({"ok": true, "result": result})).into_response()
}

async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    address
}

async fn latency(poll_interval: Duration, samples: usize) {
    let site = Arc::new(Site::default());
    *site.body.lock().expect("lock") = (feed((0..10).rev()), 0);
    let site_address = serve(
        Router::new()
            .fallback(serve_feed)
            .with_state(Arc::clone(&site)),
    )
    .await;
    let telegram = Arc::new(Telegram::default());
    let telegram_address = serve(
        Router::new()
            .fallback(serve_telegram)
            .with_state(Arc::clone(&telegram)),
    )
    .await;

    let dir = tempfile::tempdir().expect("temp dir");
    let vars = [
        ("TELOXIDE_TOKEN", "123456:ABCdefGHIjklMNOpqr".to_string()),
        ("TELOXIDE_API_URL", format!("http://{telegram_address}/")),
        (
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("latency.db").display()),
        ),
        ("FEED_URLS", format!("http://{site_address}/feed.xml")),
        // The site is plain http on loopback.
        ("FEED_ALLOW_HTTP", "true".to_string()),
        ("FEED_ALLOW_PRIVATE", "true".to_string()),
    ];
    let mut settings = Settings::from_vars(|name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    })
    .expect("settings");
    settings.poll_interval = poll_interval;
    let app = App::build(settings).await.expect("app");
    let storage = app.storage().clone();
    storage
        .subscribe(ChatId(42), ChatKind::Private, Lang::Fa)
        .await
        .expect("subscribes");
    let shutdown = CancellationToken::new();
    let running = tokio::spawn(app.run(shutdown.clone()));
    while storage.count_announcements().await.expect("count") < 10 {
        if running.is_finished() {
            panic!("the app stopped: {:?}", running.await);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    let mut total = Vec::new();
    let mut after_poll = Vec::new();
    for sample in 0..samples {
        let sent_before = telegram.sends.lock().expect("lock").len();
        // The worker spaces messages to one private chat by a second (Telegram's limit);
        // waiting that out keeps it from being counted as ingest latency.
        tokio::time::sleep(Duration::from_millis(1_100)).await;
        // A new statement appears at a different moment of the poll cycle each time
        // (golden-ratio steps spread evenly over the interval).
        tokio::time::sleep(poll_interval.mul_f64((sample as f64 * 0.618) % 1.0)).await;
        let appeared = Instant::now();
        *site.body.lock().expect("lock") = (feed((0..11 + sample).rev()), sample as u64 + 1);
        let sent = loop {
            if let Some(at) = telegram.sends.lock().expect("lock").get(sent_before) {
                break *at;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        };
        let polled = site
            .polls
            .lock()
            .expect("lock")
            .iter()
            .copied()
            .find(|at| *at >= appeared)
            .unwrap_or(appeared);
        total.push(sent - appeared);
        after_poll.push(sent - polled);
    }
    shutdown.cancel();
    let _ = running.await;

    let ms = |d: &Duration| d.as_secs_f64() * 1e3;
    let summary = |v: &mut Vec<Duration>| {
        v.sort();
        format!(
            "median {:.0} ms, max {:.0} ms",
            ms(&v[v.len() / 2]),
            ms(&v[v.len() - 1])
        )
    };
    println!(
        "poll interval {:>5.1} s, {samples} items: site → sendMessage {}; poll → sendMessage {}",
        poll_interval.as_secs_f64(),
        summary(&mut total),
        summary(&mut after_poll)
    );
}

/// One item whose description is `html`, in an RSS document.
fn one_item_feed(html: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>\
         <item><title>hostile</title><guid>hostile-1</guid><description><![CDATA[{html}]]>\
         </description></item></channel></rss>"
    )
}

/// A hostile input of size `n`, and what it is.
type Shape = (&'static str, fn(usize) -> String);

/// Documents built to make the HTML parser work more than linearly, each parsed,
/// sanitised and archived as an import does; twice the size must cost about twice the time.
async fn hostile() {
    let dir = tempfile::tempdir().expect("temp dir");
    let shapes: [Shape; 5] = [
        ("<div> nested n deep", |n| {
            format!("{}deep{}", "<div>".repeat(n), "</div>".repeat(n))
        }),
        ("<b id=i> n times, then <p>x</p> n times", |n| {
            let open: String = (0..n / 2).map(|i| format!("<b id={i}>")).collect();
            format!("<p>{open}</p>{}", "<p>x</p>".repeat(n / 2))
        }),
        ("one tag with n attributes", |n| {
            let attributes: String = (0..n).map(|i| format!(" a{i}=\"{i}\"")).collect();
            format!("<span{attributes}>x</span>")
        }),
        ("<table><tr><td> nested n deep", |n| {
            "<table><tr><td>".repeat(n / 3) + "cell"
        }),
        ("<a href> unclosed n times", |n| {
            (0..n).map(|i| format!("<a href=\"/{i}\">x")).collect()
        }),
    ];
    let documents: [Shape; 2] = [
        ("XML nested n deep inside an item", |n| {
            one_item_feed("").replace(
                "<title>hostile</title>",
                &format!(
                    "<title>hostile</title>{}{}",
                    "<x>".repeat(n),
                    "</x>".repeat(n)
                ),
            )
        }),
        ("n empty <item/>s, then one statement", |n| {
            format!(
                "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>{}\
                 <item><title>last</title><guid>last</guid></item></channel></rss>",
                "<item/>".repeat(n)
            )
        }),
    ];
    let documents = shapes
        .map(|(what, html)| (what, html, true))
        .into_iter()
        .chain(documents.map(|(what, whole)| (what, whole, false)));
    for (what, build, is_item_html) in documents {
        for n in [100_000, 400_000] {
            let document = if is_item_html {
                one_item_feed(&build(n))
            } else {
                build(n)
            };
            if document.len() > MAX_FEED_BYTES {
                continue;
            }
            let storage = fresh_storage(&dir, &format!("hostile-{n}-{}.db", what.len())).await;
            let started = Instant::now();
            // A refusal is an answer too (XML nested past the parser's limit is one).
            let parsed = parse_feed(document.as_bytes(), Some("https://example.org/feed/"));
            let parse = started.elapsed();
            let outcome = match &parsed {
                Ok(parsed) => format!("{} read", parsed.items.len()),
                Err(e) => format!("refused: {e}"),
            };
            for item in parsed.iter().flat_map(|p| &p.items) {
                storage.archive(item).await.expect("archives");
            }
            let total = started.elapsed();
            storage.close().await;
            println!(
                "{what:<42} n = {n:>7}: {:>5.2} MB, parse + sanitise {:>7.1} ms, + archive {:>7.1} ms ({outcome})",
                document.len() as f64 / 1e6,
                parse.as_secs_f64() * 1e3,
                total.as_secs_f64() * 1e3
            );
        }
    }
}

/// `jarchi import` of a 20,000-item feed file, run as the operator runs it: the time and
/// the peak resident memory of that process.
fn import_twenty_thousand() {
    const ENTRIES: usize = 20_000;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("archive.xml");
    std::fs::write(&path, feed((0..ENTRIES).rev())).expect("writes the feed");
    let size = std::fs::metadata(&path).expect("metadata").len();
    let started = Instant::now();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_jarchi"))
        .args(["import", "--max-bytes", &size.to_string()])
        .arg(&path)
        .env_clear()
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("import.db").display()),
        )
        .output()
        .expect("jarchi runs");
    let elapsed = started.elapsed();
    assert!(output.status.success(), "{output:?}");
    // SAFETY: getrusage only writes into the struct it is given.
    let peak_kb = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage.ru_maxrss
    };
    println!(
        "jarchi import of {ENTRIES} items ({:.1} MB): {:.1} s, peak RSS {:.1} MB ({})",
        size as f64 / 1e6,
        elapsed.as_secs_f64(),
        peak_kb as f64 / 1024.0,
        String::from_utf8_lossy(&output.stdout).trim()
    );
}

fn main() {
    // `cargo test --benches` runs bench targets with --bench too; `cargo test` alone
    // passes nothing and should not spend a minute here.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    if std::env::var_os("RUST_LOG").is_some() {
        jarchi::telemetry::init(Vec::new());
    }
    // First, while this process has started no other child: RUSAGE_CHILDREN is its peak.
    import_twenty_thousand();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    if std::env::var_os("JARCHI_BENCH_ONLY_HOSTILE").is_some() {
        runtime.block_on(hostile());
        return;
    }
    runtime.block_on(async {
        hostile().await;
        if std::env::var_os("JARCHI_BENCH_SKIP_THROUGHPUT").is_none() {
            throughput().await;
        }
        latency(Duration::from_secs(10), LATENCY_SAMPLES).await;
        latency(Duration::from_secs(1), 10).await;
    });
}
