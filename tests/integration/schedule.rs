//! "Send later", /scheduled and the schedule task, over HTTP against the fake Telegram with
//! a real SQLite file: held statements survive a restart, go out once, after their time,
//! and late ones are told to the admins.

use std::time::Duration;

use chrono::{DateTime, Utc};
use jarchi::domain::{Lang, UserId};
use jarchi::storage::Storage;
use jarchi::text::dates::jalali_date;
use jarchi::text::localize_digits;
use serde_json::Value;

use crate::app::{ADMIN, TestApp, WAIT, text_of};
use crate::broadcast::{count_with, subscribe, wait_for_text};

/// Runs the guided dialogue to its preview and returns the confirmation's message id,
/// after checking that "Send later" stands under Send and Cancel.
pub(crate) async fn preview(app: &TestApp, title: &str, lang: &str) -> i64 {
    app.ask_n(ADMIN, "/post", Some(lang), 1).await;
    app.ask_n(ADMIN, title, Some(lang), 1).await;
    app.ask_n(ADMIN, "متن اطلاعیه", Some(lang), 1).await;
    let replies = app.ask_n(ADMIN, "/skip", Some(lang), 2).await;
    let keyboard = &replies[1]["reply_markup"]["inline_keyboard"];
    assert_eq!(keyboard[0].as_array().map(Vec::len), Some(2));
    assert_eq!(keyboard[1][0]["callback_data"], "post:later");
    app.telegram.messages_in(ADMIN).last().unwrap().message_id
}

/// Presses "Send later" and returns the question that replaced the confirmation.
pub(crate) async fn press_send_later(app: &TestApp, confirm_id: i64) -> String {
    let before = app.telegram.calls_to("editMessageText").len();
    app.telegram
        .push_callback(ADMIN, ADMIN, confirm_id, "post:later");
    let edits = app
        .telegram
        .wait_for("editMessageText", before + 1, WAIT)
        .await;
    text_of(&edits[before])
}

/// A moment a few seconds ahead, as ISO 8601 in UTC with whole seconds.
pub(crate) fn seconds_ahead(seconds: i64) -> (DateTime<Utc>, String) {
    let due = Utc::now() + chrono::Duration::seconds(seconds);
    let text = due.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let due = DateTime::parse_from_rfc3339(&text).unwrap().to_utc();
    (due, text)
}

/// Waits until `count` statements are held.
pub(crate) async fn wait_held(app: &TestApp, count: usize) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while app.storage.scheduled(10).await.unwrap().len() != count {
        assert!(
            tokio::time::Instant::now() < deadline,
            "waited for {count} held"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_held_statement_survives_a_restart_and_goes_out_once_after_its_time() {
    let app = TestApp::spawn().await;
    subscribe(&app, [71_001, 71_002]).await;
    let confirm_id = preview(&app, "برنامهٔ فردا", "fa").await;
    let question = press_send_later(&app, confirm_id).await;
    assert!(question.contains("وقت تهران"), "{question}");

    // Persian digits are read as well as ASCII ones.
    let (due, when) = seconds_ahead(8);
    let confirmed = app.ask(ADMIN, &localize_digits(&when, Lang::Fa)).await;
    assert!(confirmed.contains("زمان‌بندی شد"), "{confirmed}");
    assert!(
        confirmed.contains(&jalali_date(due, Lang::Fa)),
        "the Jalali date in Persian digits: {confirmed}"
    );
    let listed = app.ask(ADMIN, "/scheduled").await;
    assert!(listed.contains("برنامهٔ فردا"), "{listed}");
    assert_eq!(app.storage.count_announcements().await.unwrap(), 0);

    // Down and up again before it is due: the schedule is in the database.
    let app = app.restart().await;
    for chat in [71_001, 71_002] {
        wait_for_text(&app, chat, "برنامهٔ فردا", 1).await;
    }
    let published = app.storage.latest(1, 0).await.unwrap();
    assert_eq!(published.len(), 1);
    assert!(published[0].published_at >= due, "went out after its time");
    assert!(app.storage.scheduled(10).await.unwrap().is_empty());

    // Once: a second restart finds nothing held and nothing more goes out.
    let app = app.restart().await;
    app.assert_silence(71_001, 1).await;
    assert_eq!(count_with(&app, 71_002, "برنامهٔ فردا"), 1);
    assert_eq!(app.storage.count_announcements().await.unwrap(), 1);
    app.stop().await;
}

#[tokio::test]
async fn bad_times_are_refused_and_scheduled_lists_and_cancels() {
    let app = TestApp::spawn().await;
    subscribe(&app, [72_001]).await;
    let confirm_id = preview(&app, "نخستین", "fa").await;
    press_send_later(&app, confirm_id).await;
    // Send is gone with the buttons: a late tap on it publishes nothing.
    app.telegram
        .push_callback(ADMIN, ADMIN, confirm_id, "post:send");
    app.telegram.wait_for("answerCallbackQuery", 2, WAIT).await;

    let unreadable = app.ask(ADMIN, "۲۵:۰۰").await;
    assert!(unreadable.contains("نتوانستم بخوانم"), "{unreadable}");
    let past = app.ask(ADMIN, "2020-01-01T08:00").await;
    assert!(past.contains("گذشته است"), "{past}");
    let too_far = app.ask_en(ADMIN, "2099-01-01T08:00").await;
    assert!(too_far.contains("more than a year ahead"), "{too_far}");
    // Still waiting for a good time.
    let first = app.ask(ADMIN, "فردا ۹").await;
    assert!(first.contains("زمان‌بندی شد"), "{first}");

    let confirm_id = preview(&app, "Second", "en").await;
    press_send_later(&app, confirm_id).await;
    let second = app.ask_en(ADMIN, "tomorrow 9:30").await;
    assert!(
        second.contains("Scheduled") && second.contains("at 09:30 Tehran time"),
        "{second}"
    );
    let held = app.storage.scheduled(10).await.unwrap();
    assert_eq!(held.len(), 2);
    // /cancel while a time is awaited drops the statement.
    let confirm_id = preview(&app, "سومی", "fa").await;
    press_send_later(&app, confirm_id).await;
    let cancelled = app.ask(ADMIN, "/cancel").await;
    assert!(cancelled.contains("کنار گذاشته شد"), "{cancelled}");
    let plain = app.sent_to(ADMIN).len();
    app.telegram.push_private_text(ADMIN, "18:30", Some("fa"));
    app.assert_silence(ADMIN, plain).await;
    assert_eq!(app.storage.scheduled(10).await.unwrap().len(), 2);
    assert!(
        second.contains(&jalali_date(held[1].due, Lang::En)),
        "{second}"
    );

    let replies = app.ask_n(ADMIN, "/scheduled", Some("en"), 1).await;
    let list = text_of(&replies[0]);
    assert!(list.contains("نخستین") && list.contains("Second"), "{list}");
    let buttons: Vec<Value> = replies[0]["reply_markup"]["inline_keyboard"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row[0]["callback_data"].clone())
        .collect();
    let first_cancel = format!("sched:x:{}", held[0].id);
    assert_eq!(
        buttons,
        [first_cancel.clone(), format!("sched:x:{}", held[1].id)]
    );
    let list_id = app.telegram.messages_in(ADMIN).last().unwrap().message_id;

    // Someone else's press cancels nothing.
    app.telegram
        .push_callback(3_003, 3_003, list_id, &first_cancel);
    app.telegram.wait_for("answerCallbackQuery", 5, WAIT).await;
    assert_eq!(app.storage.scheduled(10).await.unwrap().len(), 2);

    app.telegram
        .push_callback(ADMIN, ADMIN, list_id, &first_cancel);
    wait_held(&app, 1).await;
    app.telegram.wait_for("answerCallbackQuery", 6, WAIT).await;
    let edited = app.telegram.wait_for("editMessageText", 4, WAIT).await;
    let edited = text_of(&edited[3]);
    assert!(
        !edited.contains("نخستین") && edited.contains("Second"),
        "{edited}"
    );
    // A second tap: already cancelled, a short answer and nothing else.
    app.telegram
        .push_callback(ADMIN, ADMIN, list_id, &first_cancel);
    let answers = app.telegram.wait_for("answerCallbackQuery", 7, WAIT).await;
    assert!(answers[6]["text"].as_str().is_some(), "{:?}", answers[6]);
    assert_eq!(app.storage.scheduled(10).await.unwrap().len(), 1);
    assert_eq!(app.storage.count_announcements().await.unwrap(), 0);
    assert_eq!(count_with(&app, 72_001, "نخستین"), 0);
    app.stop().await;
}

#[tokio::test]
async fn a_statement_due_while_jarchi_was_down_goes_out_at_start_and_admins_are_told() {
    let mut app = TestApp::spawn().await;
    subscribe(&app, [73_001]).await;
    let confirm_id = preview(&app, "دیرکرده", "fa").await;
    press_send_later(&app, confirm_id).await;
    app.shutdown_now().await;
    // Given a time five minutes ago, as if jarchi had been down when it came due.
    let storage = Storage::connect(&app.database_url).await.unwrap();
    let waiting = storage
        .waiting_schedule(UserId(ADMIN as u64))
        .await
        .unwrap()
        .unwrap();
    let five_minutes_ago = Utc::now().timestamp_millis() - 300_000;
    assert!(storage.set_due(waiting.id, five_minutes_ago).await.unwrap());
    storage.close().await;

    let app = app.restart().await;
    wait_for_text(&app, 73_001, "دیرکرده", 1).await;
    wait_for_text(&app, ADMIN, "دیرتر", 1).await;
    let notice = app
        .sent_to(ADMIN)
        .iter()
        .map(text_of)
        .find(|t| t.contains("دیرتر"))
        .unwrap();
    assert!(notice.contains("دیرکرده"), "{notice}");
    assert!(app.storage.scheduled(10).await.unwrap().is_empty());
    assert_eq!(app.storage.count_announcements().await.unwrap(), 1);
    app.stop().await;
}
