//! Search and import figures at archive scale for BENCHMARKS.md (issue 14):
//! `cargo bench --bench search`. `JARCHI_BENCH_SIZES=1000,10000` runs fewer sizes;
//! `JARCHI_BENCH_DB_DIR=/tmp/jarchi-search-db` keeps the built databases there (one
//! directory per size) and reuses them on the next run, skipping the import;
//! `JARCHI_BENCH_ONLY=import` times the import alone, and with it
//! `JARCHI_BENCH_IMPORT=batched` only `jarchi import`'s way (for profiles).
//!
//! The corpus is described in `corpus/mod.rs`: realistic Persian vocabulary, Zipf-like,
//! with one-word queries that match most of the archive.
//!
//! "Today's query" is the search as it was before issue 14, kept here as its own schema and
//! SQL (the two tables and the one SELECT it used) so that both run in one process on the
//! same corpus: bm25 over every match, titles weighted 2:1, then the best six joined.
//! Both are timed as the bot runs them: parse and fold the query, query, fetch the page
//! (five results and one more to know whether there is a next page).

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqliteSynchronous};

use jarchi::storage::{Storage, Workload};

#[path = "corpus/mod.rs"]
mod corpus;
use corpus::{Item, corpus, vocabulary};
use jarchi::domain::Lang;
use jarchi::text::{
    JalaliMonth, QueryTerm, fold_for_index, fts_query, one_message, parse_search, search_card,
};

const ITEMS_PER_FILE: usize = 1_000;
const PAGE: u32 = 6;
const ROUNDS: usize = 20;

const QUERIES: &[&str] = &[
    "ایران",
    "کارگران",
    "کارگران ایران",
    "نیروهای امنیتی",
    "معدن یورت",
    "آتنا دائمی",
    "زندان",
    "19 مه 2017",
    "زرافه",
    "ایران زرافه",
    "خرداد ۱۳۹۶",
    "معدن اردیبهشت 1396",
];

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The corpus as RSS files of 1,000 items, as `jarchi import` reads them.
fn write_feeds(dir: &Path, items: &[Item]) -> Vec<std::path::PathBuf> {
    items
        .chunks(ITEMS_PER_FILE)
        .enumerate()
        .map(|(file, chunk)| {
            let mut xml = String::from(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>t</title>\
                 <link>https://example.org/</link><description>d</description>",
            );
            for (i, item) in chunk.iter().enumerate() {
                let n = file * ITEMS_PER_FILE + i;
                xml.push_str(&format!(
                    "<item><title>{}</title><link>https://example.org/?p={n}</link><guid>item-{n}</guid>\
                     <pubDate>{}</pubDate><description>{}</description></item>",
                    xml_escape(&item.title),
                    item.published.to_rfc2822(),
                    xml_escape(&item.body)
                ));
            }
            xml.push_str("</channel></rss>");
            let path = dir.join(format!("feed-{file}.xml"));
            std::fs::write(&path, xml).expect("write a feed file");
            path
        })
        .collect()
}

/// Today's archive (before issue 14): the statement row, then its folded text in an FTS5
/// table that also stores it, keyed by the statement's id.
async fn legacy_archive(path: &Path) -> SqlitePool {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal);
    let pool = SqlitePool::connect_with(options)
        .await
        .expect("legacy database");
    for sql in [
        "CREATE TABLE announcements (id INTEGER PRIMARY KEY, source_key TEXT NOT NULL UNIQUE,
             title TEXT NOT NULL, body_html TEXT NOT NULL, body_text TEXT NOT NULL, link TEXT,
             image_url TEXT, published_at INTEGER NOT NULL, created_at INTEGER NOT NULL,
             updated_at INTEGER NOT NULL, deleted_at INTEGER) STRICT",
        "CREATE INDEX announcements_newest ON announcements (published_at DESC, id DESC)",
        "CREATE VIRTUAL TABLE announcements_fts USING fts5 (title, body,
             tokenize = 'unicode61 remove_diacritics 0')",
    ] {
        sqlx::query(sql)
            .execute(&pool)
            .await
            .expect("legacy schema");
    }
    pool
}

/// Today's `Storage::archive`, statement for statement.
async fn legacy_import(pool: &SqlitePool, files: &[std::path::PathBuf]) -> usize {
    let mut count = 0;
    for file in files {
        let bytes = std::fs::read(file).expect("read");
        let parsed = jarchi::ingest::parse_feed(&bytes, None).expect("parse");
        for new in &parsed.items {
            let mut tx = pool.begin().await.expect("tx");
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO announcements (source_key, title, body_html, body_text, link, image_url,
                     published_at, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
                 ON CONFLICT (source_key) DO NOTHING RETURNING id",
            )
            .bind(new.source_key())
            .bind(new.title())
            .bind(new.body_html())
            .bind(new.body_text())
            .bind(new.link())
            .bind(new.image_url())
            .bind(new.published_at().timestamp())
            .bind(Utc::now().timestamp())
            .fetch_optional(&mut *tx)
            .await
            .expect("insert");
            if let Some(id) = id {
                sqlx::query("DELETE FROM announcements_fts WHERE rowid = ?1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .expect("delete");
                sqlx::query(
                    "INSERT INTO announcements_fts (rowid, title, body) VALUES (?1, ?2, ?3)",
                )
                .bind(id)
                .bind(fold_for_index(new.title()))
                .bind(fold_for_index(new.body_text()))
                .execute(&mut *tx)
                .await
                .expect("index");
                count += 1;
            }
            tx.commit().await.expect("commit");
        }
    }
    count
}

/// Today's `/search`: no month filter existed, so a month is just two more words.
/// Returns the titles found, best first.
async fn legacy_search(pool: &SqlitePool, query: &str) -> Vec<String> {
    let Some(expression) = fts_query(query) else {
        return Vec::new();
    };
    let rows: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
        "SELECT a.id, a.source_key, a.title, a.body_text, a.published_at FROM announcements_fts
         JOIN announcements a ON a.id = announcements_fts.rowid
         WHERE announcements_fts MATCH ?1 AND a.deleted_at IS NULL
         ORDER BY bm25(announcements_fts, 2.0, 1.0), a.published_at DESC, a.id DESC
         LIMIT ?2 OFFSET 0",
    )
    .bind(expression)
    .bind(PAGE)
    .fetch_all(pool)
    .await
    .expect("legacy search");
    rows.into_iter().map(|(_, _, title, _, _)| title).collect()
}

/// The CPU time of each part of [`new_search`], summed over the queries asked.
#[derive(Default)]
struct Parts {
    parse: Duration,
    remember: Duration,
    search: Duration,
    cards: Duration,
}

impl Parts {
    fn line(&self, queries: f64) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1e3 / queries;
        format!(
            "parse {:.3} ms, remember and read back {:.3} ms, search {:.3} ms, cards {:.3} ms",
            ms(self.parse),
            ms(self.remember),
            ms(self.search),
            ms(self.cards)
        )
    }
}

/// `/search` as the bot's first page runs it (`telegram::browse`): parse and fold, remember
/// the search, read it back, search one more than a page, and make the cards with their
/// snippets into one message.
async fn new_search(storage: &Storage, query: &str, parts: &mut Parts) -> Vec<String> {
    let mut lap = cpu_time();
    let mut split = |part: &mut Duration| {
        let now = cpu_time();
        *part += now - lap;
        lap = now;
    };
    let Some(request) = parse_search(query) else {
        return Vec::new();
    };
    split(&mut parts.parse);
    let id = storage.remember_search(&request).await.expect("remember");
    let request = storage
        .remembered_search(id)
        .await
        .expect("remembered")
        .expect("a remembered search");
    split(&mut parts.remember);
    let terms: Vec<QueryTerm> = request
        .words
        .iter()
        .map(|w| QueryTerm::from_folded(w))
        .collect();
    let within = request.month.and_then(JalaliMonth::span);
    let found = storage
        .search(&request.words, within, PAGE, 0)
        .await
        .expect("search");
    split(&mut parts.search);
    let shown = &found[..found.len().min(PAGE as usize - 1)];
    let cards: Vec<String> = shown
        .iter()
        .map(|a| search_card(a, Lang::Fa, &terms))
        .collect();
    std::hint::black_box(one_message(&cards));
    split(&mut parts.cards);
    found.into_iter().map(|a| a.title).collect()
}

/// The quality set of tests/fixtures/search-quality, asked of today's search and the new
/// one: how many of the 20 queries find the expected statement first.
async fn quality() {
    let set: serde_json::Value =
        serde_json::from_str(include_str!("../tests/fixtures/search-quality/set.json"))
            .expect("the quality set");
    let items: Vec<Item> = set["statements"]
        .as_array()
        .expect("statements")
        .iter()
        .map(|s| Item {
            title: s["title"].as_str().unwrap_or_default().to_string(),
            body: s["body"].as_str().unwrap_or_default().to_string(),
            published: chrono::NaiveDate::parse_from_str(
                s["published"].as_str().unwrap_or_default(),
                "%Y-%m-%d",
            )
            .expect("a date")
            .and_hms_opt(9, 0, 0)
            .expect("a time")
            .and_utc(),
        })
        .collect();
    let dir = tempfile::tempdir().expect("dir");
    let mut files = vec![dir.path().join("fixture.xml")];
    std::fs::write(
        &files[0],
        include_str!("../tests/fixtures/feeds/feed.rss.xml"),
    )
    .expect("write");
    files.extend(write_feeds(dir.path(), &items));
    let storage = Storage::connect(&format!("sqlite://{}", dir.path().join("new.db").display()))
        .await
        .expect("storage");
    for file in &files {
        jarchi::ingest::import(
            &storage,
            file.to_str().expect("path"),
            &jarchi::domain::FeedPolicy::default(),
        )
        .await
        .expect("import");
    }
    let legacy = legacy_archive(&dir.path().join("legacy.db")).await;
    legacy_import(&legacy, &files).await;
    let (mut today, mut new) = (0, 0);
    for q in set["queries"].as_array().expect("queries") {
        let query = q["query"].as_str().unwrap_or_default();
        let expected = q["first"].as_str().unwrap_or_default();
        let first_today = legacy_search(&legacy, query).await.into_iter().next();
        let first_new = new_search(&storage, query, &mut Parts::default())
            .await
            .into_iter()
            .next();
        today += usize::from(first_today.as_deref() == Some(expected));
        new += usize::from(first_new.as_deref() == Some(expected));
        if first_today.as_deref() != Some(expected) {
            println!("  today misses {query:?}: {first_today:?}");
        }
    }
    println!("quality set: today {today} of 20 first results as expected, new {new} of 20");
}

/// CPU time used by this process so far, every thread (sqlx runs SQLite on its own): on a
/// machine shared with other work, wall-clock time also counts the waits for a core.
fn cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) } == 0;
    if !ok {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

struct Timings(Vec<Duration>);

impl Timings {
    fn mean_ms(&self) -> f64 {
        self.0.iter().sum::<Duration>().as_secs_f64() * 1e3 / self.0.len().max(1) as f64
    }

    fn p99_ms(&mut self) -> f64 {
        self.0.sort();
        let i = (self.0.len() * 99 / 100).min(self.0.len().saturating_sub(1));
        self.0.get(i).map_or(0.0, |d| d.as_secs_f64() * 1e3)
    }
}

/// Wall-clock and CPU time spent importing, summed over files.
#[derive(Default)]
struct ImportTime {
    wall: Duration,
    cpu: Duration,
}

impl ImportTime {
    fn start() -> (Instant, Duration) {
        (Instant::now(), cpu_time())
    }

    fn add(&mut self, (wall, cpu): (Instant, Duration)) {
        self.wall += wall.elapsed();
        self.cpu += cpu_time() - cpu;
    }

    fn rates(&self, items: usize) -> String {
        let rate = |d: Duration| items as f64 / d.as_secs_f64();
        format!(
            "{:.0} items/s ({:.0} per CPU-second)",
            rate(self.wall),
            rate(self.cpu)
        )
    }
}

/// The import as it was before batches (issue 14 up to the search): `Storage::archive`,
/// one transaction per statement.
async fn import_each(storage: &Storage, file: &Path) -> usize {
    let bytes = std::fs::read(file).expect("read");
    let parsed = jarchi::ingest::parse_feed(&bytes, None).expect("parse");
    let mut inserted = 0;
    for item in &parsed.items {
        if let jarchi::domain::ArchiveOutcome::Inserted(_) =
            storage.archive(item).await.expect("archive")
        {
            inserted += 1;
        }
    }
    inserted
}

/// The machine's 1-minute load average, printed beside each figure: the cores are shared.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split(' ').next().map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}

fn file_kib(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len() / 1024)
}

/// Where a size's databases live: a fresh temporary directory, or with
/// `JARCHI_BENCH_DB_DIR` a kept one per size, so that a later run skips the import. The
/// second value tells whether the kept databases are complete.
fn bench_dir(size: usize) -> (BenchDir, bool) {
    match std::env::var_os("JARCHI_BENCH_DB_DIR") {
        Some(root) => {
            let dir = Path::new(&root).join(size.to_string());
            let built = dir.join(BUILT).exists();
            if !built {
                let _ = std::fs::remove_dir_all(&dir);
                std::fs::create_dir_all(&dir).expect("the kept databases' directory");
            }
            (BenchDir::Kept(dir), built)
        }
        None => (BenchDir::Temp(tempfile::tempdir().expect("dir")), false),
    }
}

/// Written beside the kept databases once both are imported.
const BUILT: &str = "built";

enum BenchDir {
    Temp(tempfile::TempDir),
    Kept(std::path::PathBuf),
}

impl BenchDir {
    fn path(&self) -> &Path {
        match self {
            Self::Temp(dir) => dir.path(),
            Self::Kept(dir) => dir,
        }
    }
}

async fn run(size: usize) {
    let (dir, built) = bench_dir(size);
    let new_path = dir.path().join("new.db");
    let new_url = format!("sqlite://{}", new_path.display());
    // `JARCHI_BENCH_IMPORT_WORKLOAD=bot` imports through the bot's page cache instead.
    let workload = match std::env::var("JARCHI_BENCH_IMPORT_WORKLOAD").as_deref() {
        Ok("bot") => Workload::Bot,
        _ => Workload::BulkImport,
    };
    let storage = Storage::connect_for(&new_url, workload)
        .await
        .expect("storage");
    let legacy_path = dir.path().join("legacy.db");
    if built {
        let legacy = SqlitePool::connect(&format!("sqlite://{}", legacy_path.display()))
            .await
            .expect("legacy database");
        println!(
            "{size} statements: the kept databases in {}",
            dir.path().display()
        );
        storage.close().await;
        let storage = Storage::connect(&new_url).await.expect("storage");
        return measure(size, storage, legacy).await;
    }
    let items = corpus(size);
    let files = write_feeds(dir.path(), &items);
    let legacy = legacy_archive(&legacy_path).await;
    let each_path = dir.path().join("each.db");
    let each = Storage::connect(&format!("sqlite://{}", each_path.display()))
        .await
        .expect("storage");
    // For a profile of `jarchi import` alone: the two other ways are not run.
    let batched_only = std::env::var("JARCHI_BENCH_IMPORT").as_deref() == Ok("batched");
    // As `jarchi import` begins.
    storage
        .hold_search_index_merges()
        .await
        .expect("hold merges");
    // File by file, one after the other, so that all three see the same machine.
    let mut new_time = ImportTime::default();
    let mut each_time = ImportTime::default();
    let mut today_time = ImportTime::default();
    let (mut imported, mut each_imported, mut legacy_imported) = (0, 0, 0);
    for file in &files {
        let started = ImportTime::start();
        let report = jarchi::ingest::import(
            &storage,
            file.to_str().expect("path"),
            &jarchi::domain::FeedPolicy::default(),
        )
        .await
        .expect("import");
        imported += report.inserted;
        new_time.add(started);
        if batched_only {
            continue;
        }
        let started = ImportTime::start();
        each_imported += import_each(&each, file).await;
        each_time.add(started);
        let started = ImportTime::start();
        legacy_imported += legacy_import(&legacy, std::slice::from_ref(file)).await;
        today_time.add(started);
    }
    if !batched_only {
        assert_eq!(imported, legacy_imported);
        assert_eq!(imported, each_imported);
    }
    each.close().await;
    println!(
        "{size} statements imported: today {} ({} MB), one transaction per statement {} ({} MB), \
         new {} ({} MB); load average {}",
        today_time.rates(size),
        file_kib(&legacy_path) / 1024,
        each_time.rates(size),
        file_kib(&each_path) / 1024,
        new_time.rates(size),
        file_kib(&new_path) / 1024,
        load_average(),
    );
    // As `jarchi import` ends: the index merged into one segment.
    let (wall, cpu) = (Instant::now(), cpu_time());
    storage.merge_search_index().await.expect("merge");
    println!(
        "  the index merged after the import in {:.2} s ({:.2} s of CPU)",
        wall.elapsed().as_secs_f64(),
        (cpu_time() - cpu).as_secs_f64()
    );
    for file in &files {
        let _ = std::fs::remove_file(file);
    }
    if let BenchDir::Kept(dir) = &dir {
        std::fs::write(dir.join(BUILT), "").expect("mark the kept databases");
    }
    storage.close().await;
    if std::env::var("JARCHI_BENCH_ONLY").as_deref() == Ok("import") {
        legacy.close().await;
        return;
    }
    // Searched as the bot opens the database, not with the import's larger cache.
    let storage = Storage::connect(&new_url).await.expect("storage");
    measure(size, storage, legacy).await;
}

async fn measure(size: usize, storage: Storage, legacy: SqlitePool) {
    let rounds = std::env::var("JARCHI_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(if size >= 100_000 { ROUNDS / 4 } else { ROUNDS });
    // For a profile of one side: `JARCHI_BENCH_ONLY=new` (or `today`) times that one alone.
    let only = std::env::var("JARCHI_BENCH_ONLY").ok();
    let (time_today, time_new) = (
        only.as_deref() != Some("new"),
        only.as_deref() != Some("today"),
    );
    // Warm both caches once, then interleave the two so that neither gets a quieter machine.
    for q in QUERIES {
        if time_today {
            legacy_search(&legacy, q).await;
        }
        if time_new {
            new_search(&storage, q, &mut Parts::default()).await;
        }
    }
    let mut today = Timings(Vec::new());
    let mut new = Timings(Vec::new());
    let (mut today_cpu, mut new_cpu) = (Duration::ZERO, Duration::ZERO);
    let mut parts = Parts::default();
    let mut per_query: Vec<(Duration, Duration, usize)> = vec![Default::default(); QUERIES.len()];
    for _ in 0..rounds {
        for (i, q) in QUERIES.iter().enumerate() {
            if time_today {
                let (started, cpu) = (Instant::now(), cpu_time());
                legacy_search(&legacy, q).await;
                let t = started.elapsed();
                today_cpu += cpu_time() - cpu;
                today.0.push(t);
                per_query[i].0 += t;
            }
            if time_new {
                let (started, cpu) = (Instant::now(), cpu_time());
                let found = new_search(&storage, q, &mut parts).await.len();
                let t = started.elapsed();
                new_cpu += cpu_time() - cpu;
                new.0.push(t);
                per_query[i].1 += t;
                per_query[i].2 = found;
            }
        }
    }
    for (q, (t_today, t_new, found)) in QUERIES.iter().zip(&per_query) {
        println!(
            "  {q:<24} today {:>9.3} ms   new {:>7.3} ms   ({found} shown)",
            t_today.as_secs_f64() * 1e3 / rounds as f64,
            t_new.as_secs_f64() * 1e3 / rounds as f64,
        );
    }
    let queries = (rounds * QUERIES.len()) as f64;
    let (today_mean, new_mean) = (today.mean_ms(), new.mean_ms());
    println!(
        "| {size} | today: mean {today_mean:.3} ms, p99 {:.3} ms, CPU {:.3} ms | new: mean {new_mean:.3} ms, p99 {:.3} ms, CPU {:.3} ms | {:.1}× (mean) | {} queries each",
        today.p99_ms(),
        today_cpu.as_secs_f64() * 1e3 / queries,
        new.p99_ms(),
        new_cpu.as_secs_f64() * 1e3 / queries,
        today_mean / new_mean,
        queries
    );
    println!("  new, CPU per query: {}", parts.line(queries));
    storage.close().await;
    legacy.close().await;
}

fn main() {
    let sizes: Vec<usize> = std::env::var("JARCHI_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 10_000, 100_000]);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    println!(
        "# jarchi search at scale ({} cores), vocabulary of {} words",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        vocabulary().len()
    );
    runtime.block_on(async {
        // A profile of one side (`JARCHI_BENCH_ONLY`) leaves out the quality set, whose
        // imports and bm25 ranking would fill the profile.
        if std::env::var_os("JARCHI_BENCH_ONLY").is_none() {
            quality().await;
        }
        for size in sizes {
            run(size).await;
        }
    });
}
