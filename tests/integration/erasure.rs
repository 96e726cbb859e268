//! Erased means erased: the real binary, a real SQLite file, and a byte-by-byte look at the
//! database, its `-wal` and `-shm` for the chat id of someone who left.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Utc;
use jarchi::domain::{ChatId, Lang, NewAnnouncement, UserId};
use jarchi::storage::{ChatKind, DeliveryResult, Draft, DraftStep, PublishOutcome, Storage, Swept};
use serde_json::json;
use tokio::time::Instant;

use crate::binary::{spawn_bot, stop_gracefully};
use crate::support::fake_telegram::{FakeTelegram, Fault};

const ADMIN: i64 = 9001;
const ADMIN_USER: UserId = UserId(9001);
/// The promise: off the disk within this long after /stop, while the bot runs.
const ERASURE_DEADLINE: Duration = Duration::from_secs(60);
const WAIT: Duration = Duration::from_secs(20);

/// Every way the id could sit in the files: as SQLite writes an integer in a record (big
/// endian, in the smallest of its widths 1, 2, 3, 4, 6 or 8 bytes that holds it), as a
/// varint (how a rowid, here `subscribers.chat_id`, is written in a b-tree cell), and as
/// decimal text.
fn encodings(id: i64) -> Vec<(&'static str, Vec<u8>)> {
    let width = match id {
        -0x80..=0x7f => 1,
        -0x8000..=0x7fff => 2,
        -0x80_0000..=0x7f_ffff => 3,
        -0x8000_0000..=0x7fff_ffff => 4,
        -0x8000_0000_0000..=0x7fff_ffff_ffff => 6,
        _ => 8,
    };
    let record = id.to_be_bytes()[8 - width..].to_vec();
    vec![
        ("record integer", record),
        ("varint", varint(id as u64)),
        ("decimal text", id.to_string().into_bytes()),
    ]
}

/// SQLite's varint: big-endian groups of 7 bits with the high bit set on all but the last;
/// a ninth byte, if needed, carries 8 bits.
fn varint(value: u64) -> Vec<u8> {
    if value > 0x00ff_ffff_ffff_ffff {
        let mut bytes: Vec<u8> = (0..8)
            .rev()
            .map(|i| ((value >> (8 + 7 * i)) as u8 & 0x7f) | 0x80)
            .collect();
        bytes.push(value as u8);
        return bytes;
    }
    let mut groups = vec![(value & 0x7f) as u8];
    let mut rest = value >> 7;
    while rest > 0 {
        groups.push((rest & 0x7f) as u8 | 0x80);
        rest >>= 7;
    }
    groups.reverse();
    groups
}

fn database_files(db: &Path) -> Vec<PathBuf> {
    ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| {
            let mut name = db.as_os_str().to_owned();
            name.push(suffix);
            PathBuf::from(name)
        })
        .collect()
}

/// Where the id is found: (file, encoding) pairs. A missing file holds nothing.
fn traces_of(id: i64, db: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for file in database_files(db) {
        let Ok(bytes) = std::fs::read(&file) else {
            continue;
        };
        for (encoding, pattern) in encodings(id) {
            if bytes
                .windows(pattern.len())
                .any(|w| w == pattern.as_slice())
            {
                found.push(format!(
                    "{} ({encoding})",
                    file.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    found
}

/// Polls the files until the id is gone from all of them; returns how long that took.
async fn wait_until_erased(id: i64, db: &Path, bot: &mut tokio::process::Child) -> Duration {
    let started = Instant::now();
    loop {
        let found = traces_of(id, db);
        if found.is_empty() {
            assert!(
                bot.try_wait().unwrap().is_none(),
                "the bot still runs: the erasure did not wait for a shutdown"
            );
            return started.elapsed();
        }
        assert!(
            started.elapsed() < ERASURE_DEADLINE,
            "{id} still on disk after {ERASURE_DEADLINE:?}: {found:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn wait_for_messages(telegram: &FakeTelegram, chat: i64, count: usize) {
    let deadline = Instant::now() + WAIT;
    while telegram.texts_to(chat).len() < count {
        assert!(
            Instant::now() < deadline,
            "waited for {count} messages to {chat}\n{}",
            telegram.describe_calls()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

struct Running {
    telegram: FakeTelegram,
    /// Held so that the folder outlives the bot.
    _dir: tempfile::TempDir,
    db: PathBuf,
    bot: tokio::process::Child,
}

async fn start_bot() -> Running {
    let telegram = FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jarchi.db");
    let url = format!("sqlite://{}", db.display());
    let bot = spawn_bot(
        &telegram,
        &url,
        dir.path(),
        &[("ADMIN_IDS", "9001"), ("RUST_LOG", "info")],
    );
    telegram.wait_for("getUpdates", 1, WAIT).await;
    Running {
        telegram,
        _dir: dir,
        db,
        bot,
    }
}

/// Subscribes `chats` and has each receive one statement, so that the id sits in the
/// subscriber row, its index entries and a delivery row; then checks that the scan finds
/// each of them, or a later "not found" would prove nothing.
async fn subscribe_and_deliver(run: &Running, chats: &[i64]) {
    for chat in chats {
        run.telegram.push_private_text(*chat, "/start", Some("fa"));
        wait_for_messages(&run.telegram, *chat, 1).await;
    }
    run.telegram
        .push_private_text(ADMIN, "/post پیش از رفتن\nمتن", Some("fa"));
    for chat in chats {
        wait_for_messages(&run.telegram, *chat, 2).await;
        let found = traces_of(*chat, &run.db);
        assert!(
            found.iter().any(|f| f.contains("record integer")),
            "{chat} must be on disk first: {found:?}"
        );
    }
}

/// After the bot stopped: no row names the chat, and the counts say what happened.
async fn counts_after_forgetting(db: &Path, chat: i64) -> jarchi::storage::SubscriberCounts {
    let storage = Storage::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    assert_eq!(storage.rows_about_chat(ChatId(chat)).await.unwrap(), 0);
    let counts = storage.subscriber_counts().await.unwrap();
    storage.close().await;
    counts
}

#[tokio::test]
async fn stop_erases_the_chat_id_from_every_database_file() {
    // Distinctive: ten digits, like a real Telegram id, and no other number near it.
    let leaving = 7_391_046_285;
    let staying = 5_120_337_941;
    let mut run = start_bot().await;
    subscribe_and_deliver(&run, &[leaving, staying]).await;

    run.telegram.push_private_text(leaving, "/stop", Some("fa"));
    let took = wait_until_erased(leaving, &run.db, &mut run.bot).await;
    eprintln!("/stop → chat id off the disk in {} ms", took.as_millis());
    wait_for_messages(&run.telegram, leaving, 3).await;
    assert!(
        !traces_of(staying, &run.db).is_empty(),
        "the scan finds a subscriber who stayed"
    );

    let output = stop_gracefully(run.bot).await;
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(!log.contains(&leaving.to_string()), "{log}");
    let counts = counts_after_forgetting(&run.db, leaving).await;
    assert_eq!((counts.stopped, counts.active), (1, 1));
    run.telegram.assert_no_contract_violations();
}

#[tokio::test]
async fn a_chat_that_blocked_the_bot_is_erased_like_stop() {
    let blocking = 6_482_915_307;
    let staying = 5_120_337_941;
    let mut run = start_bot().await;
    subscribe_and_deliver(&run, &[blocking, staying]).await;

    run.telegram.inject_persistent(blocking, Fault::Blocked);
    run.telegram
        .push_private_text(ADMIN, "/post دوم\nمتن", Some("fa"));
    wait_for_messages(&run.telegram, staying, 3).await;
    let took = wait_until_erased(blocking, &run.db, &mut run.bot).await;
    eprintln!("blocked → chat id off the disk in {} ms", took.as_millis());

    // Counts are kept: /stats still says one chat is no longer reachable.
    let before = run.telegram.texts_to(ADMIN).len();
    run.telegram.push_private_text(ADMIN, "/stats", Some("fa"));
    let deadline = Instant::now() + WAIT;
    let stats = loop {
        let texts = run.telegram.texts_to(ADMIN);
        if let Some(stats) = texts[before..]
            .iter()
            .find(|t| t.contains("در دسترس نیستند"))
        {
            break stats.clone();
        }
        assert!(Instant::now() < deadline, "no /stats answer: {texts:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(stats.contains("در دسترس نیستند: ۱"), "{stats}");

    stop_gracefully(run.bot).await;
    let counts = counts_after_forgetting(&run.db, blocking).await;
    assert_eq!((counts.gone, counts.stopped, counts.active), (1, 0, 1));
    run.telegram.assert_no_contract_violations();
}

#[cfg(unix)]
#[tokio::test]
async fn start_closes_an_open_database_and_its_folder_to_other_users() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    let chmod =
        |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();

    let telegram = FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("data");
    let db = folder.join("jarchi.db");
    let url = format!("sqlite://{}", db.display());
    // A database left wide open by an older version or a careless restore.
    Storage::connect(&url).await.unwrap().close().await;
    for file in database_files(&db) {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&file)
            .unwrap();
        chmod(&file, 0o644);
    }
    chmod(&folder, 0o755);

    let bot = spawn_bot(&telegram, &url, dir.path(), &[("RUST_LOG", "info")]);
    telegram.wait_for("getUpdates", 1, WAIT).await;
    for file in database_files(&db) {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
    assert_eq!(mode(&folder), 0o700);
    let output = stop_gracefully(bot).await;
    let log = String::from_utf8_lossy(&output.stderr);
    let line = log
        .lines()
        .find(|l| l.contains("readable by its owner only"))
        .unwrap_or_else(|| panic!("the tightening is logged: {log}"));
    for name in ["jarchi.db", "jarchi.db-wal", "jarchi.db-shm", "data/"] {
        assert!(line.contains(name), "{name}: {line}");
    }
    telegram.assert_no_contract_violations();
}

#[tokio::test]
async fn an_update_teloxide_cannot_read_is_logged_by_its_kind_only() {
    let run = start_bot().await;
    // A message whose chat is not an object: teloxide cannot read it, and would log it whole.
    run.telegram.push_update(json!({
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": "broken",
            "from": {"id": 4_400_123_987_i64, "is_bot": false, "first_name": "Maryam Secretname"},
            "text": "words nobody may log"
        }
    }));
    // Updates are handled in order: the reply to this one shows the other was dealt with.
    run.telegram
        .push_private_text(4_400_123_988, "/start", Some("fa"));
    wait_for_messages(&run.telegram, 4_400_123_988, 1).await;

    let output = stop_gracefully(run.bot).await;
    let log = String::from_utf8_lossy(&output.stderr);
    for secret in ["Secretname", "nobody may log", "4400123987"] {
        assert!(!log.contains(secret), "{secret} reached the log: {log}");
    }
    let line = log
        .lines()
        .find(|l| l.contains("cannot read"))
        .unwrap_or_else(|| panic!("the skipped update is logged: {log}"));
    assert!(line.contains("message"), "{line}");
    run.telegram.assert_no_contract_violations();
}

fn statement(key: &str) -> NewAnnouncement {
    NewAnnouncement::new(key, "عنوان", "<p>متن</p>", "متن", None, Utc::now()).unwrap()
}

#[tokio::test]
async fn searches_and_drafts_expire_and_are_swept() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::connect(&format!("sqlite://{}", dir.path().join("j.db").display()))
        .await
        .unwrap();
    let search = storage
        .remember_search(&jarchi::text::parse_search("تهران").unwrap())
        .await
        .unwrap();
    storage
        .save_draft(&Draft {
            user_id: ADMIN_USER,
            chat_id: ChatId(ADMIN),
            step: DraftStep::Body,
            title: "عنوان".into(),
            body: String::new(),
            body_html: None,
            link: None,
            media: Vec::new(),
        })
        .await
        .unwrap();
    let now = Utc::now();
    assert_eq!(
        storage.sweep_expired_at(now).await.unwrap(),
        Swept::default()
    );

    // Within the hour a search is gone; a draft lives a week.
    let swept = storage
        .sweep_expired_at(now + chrono::Duration::hours(1))
        .await
        .unwrap();
    assert_eq!((swept.search_pages, swept.drafts), (1, 0));
    assert_eq!(storage.remembered_search(search).await.unwrap(), None);
    assert!(storage.draft(ADMIN_USER).await.unwrap().is_some());
    let swept = storage
        .sweep_expired_at(now + chrono::Duration::seconds(7 * 86_400 + 1))
        .await
        .unwrap();
    assert_eq!((swept.search_pages, swept.drafts), (0, 1));
    assert_eq!(storage.draft(ADMIN_USER).await.unwrap(), None);
    assert!(storage.checkpoint_truncate().await.unwrap());
    storage.close().await;
}

#[tokio::test]
async fn last_error_keeps_a_short_reason_only() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::connect(&format!("sqlite://{}", dir.path().join("j.db").display()))
        .await
        .unwrap();
    storage
        .subscribe(ChatId(31_337), ChatKind::Private, Lang::Fa)
        .await
        .unwrap();
    let PublishOutcome::Published { id, .. } = storage.publish(&statement("k1")).await.unwrap()
    else {
        panic!("published");
    };
    let claimed = storage
        .claim_deliveries(10, Duration::from_secs(60))
        .await
        .unwrap();
    let long = format!("Bad Request: {}", "x".repeat(1000));
    let outcomes: Vec<_> = claimed
        .into_iter()
        .map(|d| {
            (
                d,
                DeliveryResult::Failed {
                    error: long.clone(),
                },
            )
        })
        .collect();
    storage.record_deliveries(&outcomes).await.unwrap();
    let figures = storage.broadcast_figures(id).await.unwrap().unwrap();
    let kept = figures.last_error.unwrap();
    assert_eq!(kept.chars().count(), 200);
    assert!(kept.starts_with("Bad Request: "), "{kept}");
    storage.close().await;
}

/// Where each id is, by a set of all the byte windows of the files (one pass, not one per id).
fn ids_on_disk(ids: &[i64], db: &Path) -> Vec<i64> {
    let mut windows = std::collections::HashSet::new();
    for file in database_files(db) {
        let Ok(bytes) = std::fs::read(&file) else {
            continue;
        };
        for width in [5, 6] {
            windows.extend(bytes.windows(width).map(pack));
        }
    }
    ids.iter()
        .copied()
        .filter(|id| {
            encodings(*id)
                .into_iter()
                .filter(|(_, pattern)| matches!(pattern.len(), 5 | 6))
                .any(|(_, pattern)| windows.contains(&pack(&pattern)))
        })
        .collect()
}

/// A window of up to 7 bytes as one number, its width in the top byte.
fn pack(bytes: &[u8]) -> u64 {
    bytes.iter().fold(bytes.len() as u64, |packed, b| {
        (packed << 8) | u64::from(*b)
    })
}

/// Subscribes `count` ten-digit ids from `first`, spread so that no two are near each
/// other, and returns them.
async fn subscribe_spread(storage: &Storage, first: i64, count: i64) -> Vec<i64> {
    let ids: Vec<i64> = (0..count).map(|i| first + i * 7919).collect();
    storage
        .subscribe_many(
            ids.iter()
                .map(|id| (ChatId(*id), ChatKind::Private, Lang::Fa)),
        )
        .await
        .unwrap();
    ids
}

/// Deleting rows is not enough once the tables span many pages: SQLite keeps deleted rowids
/// as b-tree dividers and moved cells in unused page space. The rewrite after an erasure
/// leaves none of the erased ids anywhere in the files.
#[tokio::test]
async fn erasing_many_chats_leaves_no_copy_anywhere_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jarchi.db");
    let storage = Storage::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let ids = subscribe_spread(&storage, 7_000_000_000, 3000).await;
    for key in ["m1", "m2", "m3"] {
        storage.publish(&statement(key)).await.unwrap();
    }
    assert!(storage.checkpoint_truncate().await.unwrap());
    let (erased, kept): (Vec<i64>, Vec<i64>) = ids.iter().copied().partition(|id| id % 2 == 0);
    assert_eq!(
        ids_on_disk(&erased, &db).len(),
        erased.len(),
        "all on disk first"
    );

    for id in &erased {
        assert!(storage.unsubscribe(ChatId(*id)).await.unwrap());
    }
    assert!(storage.checkpoint_truncate().await.unwrap());
    let after_checkpoint = ids_on_disk(&erased, &db).len();
    assert!(storage.erase_from_disk().await.unwrap());
    let after_rewrite = ids_on_disk(&erased, &db);
    eprintln!(
        "{} chats erased: {after_checkpoint} still on disk after secure_delete and a checkpoint, {} after the rewrite",
        erased.len(),
        after_rewrite.len()
    );
    assert!(after_rewrite.is_empty(), "{after_rewrite:?}");
    assert_eq!(ids_on_disk(&kept, &db).len(), kept.len(), "the others stay");
    storage.close().await;
}

/// A start rewrites the database only when an erasure still waits for it (issue 14: the
/// rewrite at every start cost seconds and memory). The mark is written with the erasure,
/// so a bot stopped before its rewrite leaves it, and the next start takes the ids off the
/// disk and clears it.
#[tokio::test]
async fn an_erasure_left_unrewritten_is_taken_off_the_disk_at_the_next_start() {
    let telegram = FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jarchi.db");
    let url = format!("sqlite://{}", db.display());
    let storage = Storage::connect(&url).await.unwrap();
    assert_eq!(
        storage.pending_erasure().await.unwrap(),
        None,
        "a new database owes no rewrite"
    );
    let ids = subscribe_spread(&storage, 7_100_000_000, 1000).await;
    storage.publish(&statement("m1")).await.unwrap();
    let (erased, kept): (Vec<i64>, Vec<i64>) = ids.iter().copied().partition(|id| id % 2 == 0);
    for id in &erased {
        assert!(storage.unsubscribe(ChatId(*id)).await.unwrap());
    }
    let marked = storage.pending_erasure().await.unwrap();
    assert!(
        marked.is_some(),
        "the erasure is marked in its own transaction"
    );
    // Stopped before the rewrite: the ids are still in the files.
    assert!(storage.checkpoint_truncate().await.unwrap());
    storage.close().await;
    assert!(!ids_on_disk(&erased, &db).is_empty(), "not yet rewritten");

    let mut bot = spawn_bot(&telegram, &url, dir.path(), &[("RUST_LOG", "info")]);
    telegram.wait_for("getUpdates", 1, WAIT).await;
    let deadline = Instant::now() + ERASURE_DEADLINE;
    loop {
        let storage = Storage::connect(&url).await.unwrap();
        let pending = storage.pending_erasure().await.unwrap();
        storage.close().await;
        if pending.is_none() && ids_on_disk(&erased, &db).is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "the start did not rewrite");
        assert!(bot.try_wait().unwrap().is_none(), "the bot stopped");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop_gracefully(bot).await;
    assert_eq!(ids_on_disk(&kept, &db).len(), kept.len(), "the others stay");
    telegram.assert_no_contract_violations();
}

/// The rewrite clears the mark only when no erasure came after it read the mark.
#[tokio::test]
async fn the_rewrite_clears_the_erasure_mark_it_saw() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::connect(&format!("sqlite://{}", dir.path().join("j.db").display()))
        .await
        .unwrap();
    storage
        .subscribe_many([1, 2].map(|id| (ChatId(7_200_000_000 + id), ChatKind::Private, Lang::Fa)))
        .await
        .unwrap();
    assert!(storage.unsubscribe(ChatId(7_200_000_001)).await.unwrap());
    let first = storage.pending_erasure().await.unwrap().unwrap();
    assert!(storage.unsubscribe(ChatId(7_200_000_002)).await.unwrap());
    let second = storage.pending_erasure().await.unwrap().unwrap();
    assert!(second > first, "every erasure moves the mark on");
    // A /stop of a chat that is not subscribed erases nothing and owes nothing.
    assert!(storage.erase_from_disk().await.unwrap());
    assert_eq!(storage.pending_erasure().await.unwrap(), None);
    assert!(!storage.unsubscribe(ChatId(7_200_000_003)).await.unwrap());
    assert_eq!(storage.pending_erasure().await.unwrap(), None);
    storage.close().await;
}

/// Topic choices (issue 13) are stored with the chat id; /stop takes them off the disk too.
#[tokio::test]
async fn stop_erases_topic_choices_from_every_database_file() {
    let leaving = 7_318_264_095;
    let mut run = start_bot().await;
    run.telegram
        .push_private_text(ADMIN, "/topics add news اخبار | News", Some("fa"));
    wait_for_messages(&run.telegram, ADMIN, 1).await;
    subscribe_and_deliver(&run, &[leaving]).await;
    run.telegram
        .push_private_text(leaving, "/settings", Some("fa"));
    wait_for_messages(&run.telegram, leaving, 3).await;
    let settings = run.telegram.messages_in(leaving).last().unwrap().message_id;
    // From "all" to every topic but news: one row per topic kept, each naming the chat.
    run.telegram
        .push_callback(leaving, leaving, settings, "tp:t:news");
    run.telegram.wait_for("answerCallbackQuery", 1, WAIT).await;
    let storage = Storage::connect(&format!("sqlite://{}", run.db.display()))
        .await
        .unwrap();
    let deadline = Instant::now() + WAIT;
    while storage.topic_choice(ChatId(leaving)).await.unwrap()
        == Some(jarchi::domain::TopicChoice::All)
    {
        assert!(Instant::now() < deadline, "the choice was not saved");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    storage.close().await;

    run.telegram.push_private_text(leaving, "/stop", Some("fa"));
    wait_until_erased(leaving, &run.db, &mut run.bot).await;
    stop_gracefully(run.bot).await;
    counts_after_forgetting(&run.db, leaving).await;
    run.telegram.assert_no_contract_violations();
}
