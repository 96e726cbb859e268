//! Issue 13 §3: one digest a day. Statements for a digest subscriber are held on the
//! delivery ledger (the same hold as quiet hours) until the chosen hour, then go out as
//! one message through the same queue; nothing is lost or sent twice across restarts, and
//! switching back to "each as it comes" sends what was held, once.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Datelike, FixedOffset, TimeZone, Timelike, Utc};
use jarchi::broadcast::Clock;
use jarchi::domain::{ChatId, Lang, StatementId, TEHRAN_OFFSET_SECONDS};
use jarchi::storage::ChatKind;
use serde_json::Value;

use crate::app::{TestApp, text_of};
use crate::experience::{USER, data_of, last_message, press, wait_edits};
use crate::reader::publish_statement;

const AWAKE: i64 = 5107;

/// A clock the test moves: real time plus a shift.
#[derive(Clone)]
struct MovableClock {
    shift: Arc<Mutex<chrono::Duration>>,
}

impl MovableClock {
    fn new() -> Self {
        Self {
            shift: Arc::new(Mutex::new(chrono::Duration::zero())),
        }
    }

    fn clock(&self) -> Clock {
        let shift = Arc::clone(&self.shift);
        Clock::from_fn(move || Utc::now() + *shift.lock().unwrap())
    }

    fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.shift.lock().unwrap()
    }

    /// Today's `h:m:s` in Tehran is now.
    fn set_tehran(&self, h: u32, m: u32, s: u32) {
        let tehran = FixedOffset::east_opt(TEHRAN_OFFSET_SECONDS).unwrap();
        let now = Utc::now();
        let local = now.with_timezone(&tehran);
        let target: DateTime<Utc> = tehran
            .with_ymd_and_hms(local.year(), local.month(), local.day(), h, m, s)
            .unwrap()
            .with_timezone(&Utc);
        *self.shift.lock().unwrap() = target - now;
    }

    fn tehran_hour(&self) -> u32 {
        let tehran = FixedOffset::east_opt(TEHRAN_OFFSET_SECONDS).unwrap();
        self.now().with_timezone(&tehran).hour()
    }
}

async fn publish(app: &TestApp, key: &str, title: &str) -> StatementId {
    publish_statement(app, key, title, "متن کوتاه.").await
}

/// Chooses the daily digest at `hour` o'clock (Persian digits on the buttons) in /settings.
async fn choose_digest(app: &TestApp, hour_label: &str) {
    app.ask(USER, "/settings").await;
    let settings = last_message(app);
    press(app, settings.message_id, "s:d").await;
    let hours = wait_edits(app, settings.message_id, 1).await;
    press(app, settings.message_id, &data_of(&hours, hour_label)).await;
    let chosen = wait_edits(app, settings.message_id, 2).await;
    assert!(chosen.text.contains(hour_label), "{}", chosen.text);
}

async fn app_with_a_digest_reader(clock: &MovableClock) -> TestApp {
    let app = TestApp::spawn_with_clock(&[], Some(clock.clock())).await;
    app.storage
        .subscribe(ChatId(AWAKE), ChatKind::Private, Lang::Fa)
        .await
        .unwrap();
    app.ask(USER, "/start").await;
    choose_digest(&app, "۲۰:۰۰").await;
    app
}

/// Waits up to `secs` for `count` messages to the chat.
async fn wait_long(app: &TestApp, chat: i64, count: usize, secs: u64) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let sent = app.sent_to(chat);
        if sent.len() >= count {
            return sent;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "waited for {count} messages to {chat}, saw {}\n{}",
            sent.len(),
            app.telegram.describe_calls()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn three_statements_one_digest_across_a_restart_and_nothing_twice() {
    let clock = MovableClock::new();
    let app = app_with_a_digest_reader(&clock).await;
    // Twenty-five seconds before the digest hour, Tehran time.
    clock.set_tehran(19, 59, 35);
    let before = app.sent_to(USER).len();

    let first = publish(&app, "d-1", "نخستین اطلاعیهٔ روز").await;
    let second = publish(&app, "d-2", "دومین اطلاعیهٔ روز").await;
    wait_long(&app, AWAKE, 2, 15).await;
    let app = app.restart_with_clock(clock.clock()).await;
    let third = publish(&app, "d-3", "سومین اطلاعیهٔ روز").await;
    wait_long(&app, AWAKE, 3, 15).await;
    assert_eq!(
        clock.tehran_hour(),
        19,
        "the test ran too slowly to check the hold"
    );
    assert_eq!(app.sent_to(USER).len(), before, "held for the digest");

    let sent = wait_long(&app, USER, before + 1, 60).await;
    assert!(clock.tehran_hour() >= 20, "not before the hour");
    let digest = &sent[before];
    let text = text_of(digest);
    for title in ["نخستین", "دومین", "سومین"] {
        assert!(text.contains(title), "{title} in {text}");
    }
    assert!(text.contains('۳'), "the count in Persian digits: {text}");
    let buttons: Vec<String> = digest["reply_markup"]["inline_keyboard"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row[0]["callback_data"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        buttons,
        vec![
            format!("v:{first}"),
            format!("v:{second}"),
            format!("v:{third}")
        ]
    );
    for id in [first, second, third] {
        let figures = app.settled_figures(id).await;
        assert_eq!((figures.sent, figures.pending, figures.failed), (2, 0, 0));
        let held = app.storage.held_share(id).await.unwrap();
        assert_eq!((held.deliveries, held.digest), (2, 1));
    }
    assert_eq!(app.storage.digest_subscribers().await.unwrap(), 1);

    // A title in the digest opens the statement as /show does.
    let opened = app.sent_to(USER).len();
    let digest_message = last_message(&app);
    press(&app, digest_message.message_id, &buttons[1]).await;
    let shown = app.wait_sent_to(USER, opened + 1).await;
    assert!(text_of(&shown[opened]).contains("دومین"));

    // Nothing twice: not now, not after another restart.
    app.assert_silence(USER, opened + 1).await;
    let app = app.restart_with_clock(clock.clock()).await;
    app.assert_silence(USER, opened + 1).await;
    app.stop().await;
}

#[tokio::test]
async fn switching_back_to_each_as_it_comes_sends_what_was_held_once() {
    let clock = MovableClock::new();
    let app = app_with_a_digest_reader(&clock).await;
    // Hours before the digest.
    clock.set_tehran(9, 0, 0);
    let before = app.sent_to(USER).len();
    let first = publish(&app, "s-1", "پیش از بازگشت ۱").await;
    let second = publish(&app, "s-2", "پیش از بازگشت ۲").await;
    wait_long(&app, AWAKE, 2, 15).await;
    app.assert_silence(USER, before).await;
    assert_eq!(app.settled_figures(first).await.pending, 1, "held");

    // Back to each statement as it comes: the two held ones arrive now, as cards.
    app.ask(USER, "/settings").await;
    let settings = last_message(&app);
    press(&app, settings.message_id, "s:d").await;
    wait_edits(&app, settings.message_id, 1).await;
    press(&app, settings.message_id, "s:dn").await;
    let chosen = wait_edits(&app, settings.message_id, 2).await;
    assert!(chosen.text.contains("همان وقت که می‌رسد"), "{}", chosen.text);
    let now_sent = app.sent_to(USER).len();
    let cards = wait_long(&app, USER, now_sent + 2, 20).await;
    let cards = &cards[now_sent..];
    assert!(text_of(&cards[0]).contains("پیش از بازگشت ۱"));
    assert!(text_of(&cards[1]).contains("پیش از بازگشت ۲"));
    for id in [first, second] {
        let figures = app.settled_figures(id).await;
        assert_eq!((figures.sent, figures.pending), (2, 0), "sent once each");
    }

    // A new one goes out at once; choosing the digest again holds only what comes next.
    let third = publish(&app, "s-3", "پس از بازگشت").await;
    wait_long(&app, USER, now_sent + 3, 15).await;
    choose_digest(&app, "۲۰:۰۰").await;
    let settled = app.sent_to(USER).len();
    let fourth = publish(&app, "s-4", "در انتظار خلاصه").await;
    app.assert_silence(USER, settled).await;
    assert_eq!(app.settled_figures(third).await.sent, 2);
    wait_long(&app, AWAKE, 4, 15).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    let held = loop {
        let figures = app
            .storage
            .broadcast_figures(fourth)
            .await
            .unwrap()
            .unwrap();
        if figures.sent == 1 || tokio::time::Instant::now() > deadline {
            break figures;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(
        (held.sent, held.pending),
        (1, 1),
        "the other chat has it; ours waits"
    );
    app.stop().await;
}
