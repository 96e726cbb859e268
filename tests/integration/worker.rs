//! The broadcast worker driven one step at a time against the fake Telegram and a real
//! SQLite file: each test looks at what a step did and how its sends ended, and never
//! sleeps to find out.

use std::time::Duration;

use chrono::Utc;
use jarchi::broadcast::{Settled, Step, Worker, WorkerConfig};
use jarchi::domain::{ChatId, Lang, NewAnnouncement, StatementId};
use jarchi::publish::Publisher;
use jarchi::storage::{ChatKind, DeliveryResult, Storage};
use tempfile::TempDir;

use crate::app::ADMIN;
use crate::support::fake_telegram::{FakeTelegram, Fault};

struct Bench {
    telegram: FakeTelegram,
    storage: Storage,
    publisher: Publisher,
    worker: Worker,
    _dir: TempDir,
}

/// A worker over a fresh database with `chats` subscribed (private chats, in Persian).
async fn bench(chats: &[i64]) -> Bench {
    let telegram = FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("jarchi.db").display());
    let storage = Storage::connect(&url).await.unwrap();
    for chat in chats {
        storage
            .subscribe(ChatId(*chat), ChatKind::Private, Lang::Fa)
            .await
            .unwrap();
    }
    let publisher = Publisher::new(storage.clone());
    let worker = Worker::new(
        storage.clone(),
        telegram.bot(),
        publisher.queue_signal(),
        WorkerConfig::new(25, vec![ChatId(ADMIN)], Lang::Fa),
    );
    Bench {
        telegram,
        storage,
        publisher,
        worker,
        _dir: dir,
    }
}

impl Bench {
    /// Publishes one statement; returns its id.
    async fn publish(&self, key: &str) -> StatementId {
        let statement =
            NewAnnouncement::new(key, "فراخوان", "<p>متن</p>", "متن", None, Utc::now()).unwrap();
        match self.publisher.publish(&statement).await.unwrap() {
            jarchi::storage::PublishOutcome::Published { id, .. } => id,
            other => panic!("not published: {other:?}"),
        }
    }

    async fn step_and_settle(&mut self) -> (Step, Vec<Settled>) {
        let step = self.worker.step().await;
        (step, self.worker.settle().await)
    }

    fn results(settled: &[Settled]) -> Vec<DeliveryResult> {
        settled.iter().map(|s| s.result.clone()).collect()
    }
}

#[tokio::test]
async fn a_step_sends_the_batch_and_the_next_one_reports_the_broadcast() {
    let chats = [501, 502, 503];
    let mut bench = bench(&chats).await;
    let id = bench.publish("worker-sent").await;

    let (step, settled) = bench.step_and_settle().await;
    assert_eq!(step, Step::Dispatched(3));
    assert_eq!(settled.len(), 3);
    assert!(
        settled.iter().all(|s| matches!(
            s.result,
            DeliveryResult::Sent {
                message_id: Some(_)
            }
        )),
        "{settled:?}"
    );
    for chat in chats {
        assert_eq!(bench.telegram.texts_to(chat).len(), 1, "chat {chat}");
    }
    let figures = bench.storage.broadcast_figures(id).await.unwrap().unwrap();
    assert_eq!((figures.sent, figures.pending), (3, 0));

    // Nothing is due now: the step says so, and tells the admin how the broadcast went, once.
    assert_eq!(bench.worker.step().await, Step::Idle);
    assert_eq!(bench.telegram.texts_to(ADMIN).len(), 1);
    assert_eq!(bench.worker.step().await, Step::Idle);
    assert_eq!(bench.telegram.texts_to(ADMIN).len(), 1);
    bench.telegram.assert_no_contract_violations();
}

#[tokio::test]
async fn a_429_puts_the_delivery_off_for_exactly_retry_after() {
    let mut bench = bench(&[601]).await;
    bench.telegram.inject(601, Fault::RetryAfter(7));
    let id = bench.publish("worker-429").await;

    let (step, settled) = bench.step_and_settle().await;
    assert_eq!(step, Step::Dispatched(1));
    assert_eq!(
        Bench::results(&settled),
        vec![DeliveryResult::RetryAt {
            after: Duration::from_secs(7)
        }]
    );
    // Not due for seven seconds: the next step finds nothing to do, and nothing arrived.
    assert_eq!(bench.worker.step().await, Step::Idle);
    assert!(bench.telegram.texts_to(601).is_empty());
    let figures = bench.storage.broadcast_figures(id).await.unwrap().unwrap();
    assert_eq!((figures.sent, figures.pending), (0, 1));
    bench.telegram.assert_no_contract_violations();
}

#[tokio::test]
async fn a_403_forgets_the_chat_and_the_others_still_get_the_statement() {
    let mut bench = bench(&[701, 702]).await;
    bench.telegram.inject(701, Fault::Blocked);
    bench.publish("worker-403").await;

    let (step, settled) = bench.step_and_settle().await;
    assert_eq!(step, Step::Dispatched(2));
    let gone: Vec<i64> = settled
        .iter()
        .filter(|s| matches!(s.result, DeliveryResult::Gone { .. }))
        .map(|s| s.delivery)
        .collect();
    assert_eq!(gone.len(), 1, "{settled:?}");
    // Settled means recorded: the blocked chat is already forgotten, like after /stop.
    assert!(
        bench
            .storage
            .subscriber(ChatId(701))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(bench.storage.rows_about_chat(ChatId(701)).await.unwrap(), 0);
    assert_eq!(bench.telegram.texts_to(702).len(), 1);
    assert_eq!(bench.worker.step().await, Step::Idle);
    bench.telegram.assert_no_contract_violations();
}

#[tokio::test]
async fn a_send_that_cannot_reach_telegram_pauses_the_worker_as_a_whole() {
    let mut bench = bench(&[801]).await;
    bench.telegram.begin_outage();
    bench.publish("worker-outage").await;

    let (step, settled) = bench.step_and_settle().await;
    assert_eq!(step, Step::Dispatched(1));
    assert!(
        matches!(
            Bench::results(&settled)[..],
            [DeliveryResult::Transient { give_up: false, .. }]
        ),
        "{settled:?}"
    );
    // The next step claims nothing until a probe or an update says Telegram answers.
    assert_eq!(bench.worker.step().await, Step::Unreachable);
    bench.telegram.end_outage();
    bench.telegram.assert_no_contract_violations();
}

/// A digest subscriber's bench: the worker's clock stands still one millisecond before
/// the chat's digest hour, so a hold lasts a millisecond and the next step finds it due.
async fn digest_bench(chat: i64) -> Bench {
    use chrono::{FixedOffset, TimeZone};
    use jarchi::broadcast::Clock;
    use jarchi::domain::{DigestHour, SubscriberSettings, TEHRAN_OFFSET_SECONDS};

    let mut bench = bench(&[chat]).await;
    let settings = SubscriberSettings {
        lang: Lang::Fa,
        digest: DigestHour::new(20),
        ..SubscriberSettings::default()
    };
    assert!(
        bench
            .storage
            .save_subscriber_settings(ChatId(chat), &settings)
            .await
            .unwrap()
    );
    let tehran = FixedOffset::east_opt(TEHRAN_OFFSET_SECONDS).unwrap();
    let just_before = tehran
        .with_ymd_and_hms(2026, 11, 27, 20, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
        - chrono::Duration::milliseconds(1);
    let mut config = WorkerConfig::new(25, vec![ChatId(ADMIN)], Lang::Fa);
    config.clock = Clock::from_fn(move || just_before);
    bench.worker = Worker::new(
        bench.storage.clone(),
        bench.telegram.bot(),
        bench.publisher.queue_signal(),
        config,
    );
    bench
}

#[tokio::test]
async fn a_long_day_goes_out_as_digest_messages_of_at_most_thirty_and_drops_none() {
    let chat = 801;
    let mut bench = digest_bench(chat).await;
    let mut ids = Vec::new();
    for i in 0..40 {
        ids.push(bench.publish(&format!("digest-{i}")).await);
    }
    // First sight: each is held for the digest, nothing is sent.
    let (step, settled) = bench.step_and_settle().await;
    assert_eq!(step, Step::Dispatched(40));
    assert!(
        settled.is_empty(),
        "holds are settled without a send: {settled:?}"
    );
    assert!(bench.telegram.texts_to(chat).is_empty());
    tokio::time::sleep(Duration::from_millis(20)).await;

    // Due: one message of thirty titles; the other ten wait for the chat's spacing, then
    // go out as the next message.
    let (step, settled) = bench.step_and_settle().await;
    assert_eq!(step, Step::Dispatched(40));
    assert_eq!(settled.len(), 1, "one send for the digest");
    assert_eq!(bench.telegram.texts_to(chat).len(), 1);
    let first = bench.telegram.messages_in(chat)[0].clone();
    let buttons = first.reply_markup.as_ref().unwrap()["inline_keyboard"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(buttons, 30);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (_, settled) = bench.step_and_settle().await;
    assert_eq!(settled.len(), 1);
    let messages = bench.telegram.messages_in(chat);
    assert_eq!(messages.len(), 2);
    let rest = messages[1].reply_markup.as_ref().unwrap()["inline_keyboard"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(rest, 10);
    for id in ids {
        let figures = bench.storage.broadcast_figures(id).await.unwrap().unwrap();
        assert_eq!((figures.sent, figures.pending), (1, 0), "statement {id}");
    }
    assert_eq!(bench.worker.step().await, Step::Idle);
    assert_eq!(bench.telegram.texts_to(chat).len(), 2, "nothing twice");
    bench.telegram.assert_no_contract_violations();
}

#[tokio::test]
async fn a_digest_to_a_chat_that_blocked_the_bot_forgets_the_chat_and_its_rows() {
    let chat = 802;
    let mut bench = digest_bench(chat).await;
    let first = bench.publish("digest-gone-1").await;
    bench.publish("digest-gone-2").await;
    bench.step_and_settle().await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    bench.telegram.inject(chat, Fault::Blocked);
    let (step, settled) = bench.step_and_settle().await;
    assert_eq!(step, Step::Dispatched(2));
    assert!(matches!(
        Bench::results(&settled).as_slice(),
        [DeliveryResult::Gone { .. }]
    ));
    assert!(
        bench
            .storage
            .subscriber(ChatId(chat))
            .await
            .unwrap()
            .is_none()
    );
    let figures = bench
        .storage
        .broadcast_figures(first)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(figures.pending, 0);
    assert_eq!(bench.worker.step().await, Step::Idle);
    bench.telegram.assert_no_contract_violations();
}
