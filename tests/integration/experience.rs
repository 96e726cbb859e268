//! The subscriber experience: inline mode, paged lists, both languages, right-to-left
//! marks, splitting, /settings, and quiet hours with an injectable clock.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Datelike, FixedOffset, TimeZone, Timelike, Utc};
use jarchi::broadcast::Clock;
use jarchi::domain::{ChatId, Lang, NewAnnouncement, StatementId, TEHRAN_OFFSET_SECONDS};
use jarchi::storage::{ChatKind, PublishOutcome};
use serde_json::Value;

use crate::app::{TestApp, WAIT, text_of};
use crate::search::rss;
use crate::support::fake_telegram::StoredMessage;

pub(crate) const USER: i64 = 5005;
const RLM: char = '\u{200F}';

/// `n` statements, each with the marker word in its body.
fn many(n: usize, marker: &str) -> String {
    let items: Vec<(String, String)> = (0..n)
        .map(|i| {
            (
                format!("اطلاعیهٔ شمارهٔ {}{}", "ث".repeat(i % 7 + 1), i),
                format!("متن {marker} برای بند {i}."),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = items
        .iter()
        .map(|(t, b)| (t.as_str(), b.as_str()))
        .collect();
    rss(&refs)
}

/// Waits for the `n`th call to `method` whose `field` equals `value`, and returns it.
pub(crate) async fn wait_call(app: &TestApp, method: &str, field: &str, value: &str) -> Value {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(call) = app
            .telegram
            .calls_to(method)
            .into_iter()
            .find(|c| c[field].as_str() == Some(value))
        {
            return call;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no {method} with {field} = {value}\n{}",
            app.telegram.describe_calls()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn inline(app: &TestApp, query: &str) -> Value {
    let id = app.telegram.push_inline_query(USER, query);
    wait_call(app, "answerInlineQuery", "inline_query_id", &id).await
}

/// Presses a button under a message and returns the answerCallbackQuery call.
pub(crate) async fn press(app: &TestApp, message_id: i64, data: &str) -> Value {
    let id = app.telegram.push_callback(USER, USER, message_id, data);
    wait_call(app, "answerCallbackQuery", "callback_query_id", &id).await
}

pub(crate) fn last_message(app: &TestApp) -> StoredMessage {
    app.telegram
        .messages_in(USER)
        .pop()
        .expect("the bot sent something")
}

/// Every button under a message, row after row, as Telegram got it.
pub(crate) fn keyboard(message: &StoredMessage) -> Vec<Value> {
    message
        .reply_markup
        .as_ref()
        .and_then(|m| m["inline_keyboard"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .collect()
}

pub(crate) fn buttons(message: &StoredMessage) -> Vec<(String, String)> {
    keyboard(message)
        .iter()
        .map(|b| {
            (
                b["text"].as_str().unwrap_or_default().to_string(),
                b["callback_data"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

pub(crate) fn data_of(message: &StoredMessage, label_part: &str) -> String {
    buttons(message)
        .into_iter()
        .find(|(label, _)| label.contains(label_part))
        .unwrap_or_else(|| panic!("no button {label_part:?} in {message:#?}"))
        .1
}

pub(crate) async fn wait_edits(app: &TestApp, message_id: i64, edits: u32) -> StoredMessage {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let message = app
            .telegram
            .messages_in(USER)
            .into_iter()
            .find(|m| m.message_id == message_id)
            .expect("the message exists");
        if message.edit_count >= edits {
            return message;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no edit: {message:#?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn inline_queries_offer_cards_within_telegrams_limits() {
    let app = TestApp::spawn().await;
    app.import_document("many.xml", &many(60, "پرچم")).await;
    let image_body = r#"<p>گزارش تصویری</p><img src="https://example.org/photo.jpg">"#;
    app.import_document("image.xml", &rss(&[("عکس تازه", image_body)]))
        .await;

    let latest = inline(&app, "").await;
    let results = latest["results"].as_array().unwrap();
    assert_eq!(results.len(), 20, "at most 20, never Telegram's 50");
    assert_eq!(latest["cache_time"], 300);
    assert_eq!(latest["is_personal"], false);
    for result in results {
        assert_eq!(result["type"], "article");
        let content = &result["input_message_content"];
        assert_eq!(content["parse_mode"], "HTML");
        let text = content["message_text"].as_str().unwrap();
        assert!(
            text.contains("<b>") && text.contains("ادامه مطلب"),
            "{text}"
        );
        assert!(text.encode_utf16().count() <= 4096);
        assert!(result["id"].as_str().unwrap().len() <= 64);
        assert!(!result["title"].as_str().unwrap().is_empty());
    }

    // Folded like /search: Arabic yeh and kaf find Persian spellings.
    let found = inline(&app, "پرچم").await;
    assert_eq!(found["results"].as_array().unwrap().len(), 20);
    let photo = inline(&app, "تصويري").await;
    let photo = &photo["results"][0];
    assert_eq!(photo["thumbnail_url"], "https://example.org/photo.jpg");
    assert!(photo["description"].as_str().unwrap().contains("گزارش"));
    let none = inline(&app, "زرافه").await;
    assert_eq!(none["results"].as_array().unwrap().len(), 0);
    let hostile = inline(&app, "\" NEAR( * OR").await;
    assert!(hostile["results"].is_array());
    app.stop().await;
}

#[tokio::test]
async fn latest_and_search_page_forward_and_back_in_place() {
    let app = TestApp::spawn().await;
    app.import_document("many.xml", &many(12, "پرچم")).await;

    let first_page = app.ask(USER, "/latest").await;
    let list = last_message(&app);
    assert_eq!(first_page.matches("<b>").count(), 5);
    let labels = buttons(&list);
    assert_eq!(labels.len(), 6, "five statements and ▶: {labels:?}");
    assert!(labels.iter().all(|(_, data)| data.len() <= 64));

    let next = data_of(&list, "▶");
    let answer = press(&app, list.message_id, &next).await;
    assert!(answer.get("text").is_none(), "a plain answer: {answer}");
    let second = wait_edits(&app, list.message_id, 1).await;
    assert_ne!(second.raw_text, list.raw_text);
    assert_eq!(second.raw_text.matches("<b>").count(), 5);
    let previous = data_of(&second, "◀");
    let third_page = data_of(&second, "▶");
    press(&app, list.message_id, &previous).await;
    let back = wait_edits(&app, list.message_id, 2).await;
    assert_eq!(back.raw_text, list.raw_text, "back to the first page");
    press(&app, list.message_id, &third_page).await;
    let last = wait_edits(&app, list.message_id, 3).await;
    assert_eq!(last.raw_text.matches("<b>").count(), 2);
    assert!(buttons(&last).iter().all(|(label, _)| !label.contains('▶')));

    // A search keeps its query on the server: the buttons carry only numbers.
    app.ask(USER, "/search پرچم").await;
    let results = last_message(&app);
    let next = data_of(&results, "▶");
    assert!(!next.contains("پرچم") && next.starts_with("q:"), "{next}");
    press(&app, results.message_id, &next).await;
    let page_two = wait_edits(&app, results.message_id, 1).await;
    assert_eq!(page_two.raw_text.matches("<b>").count(), 5);

    // A statement's button sends it whole.
    let before = app.sent_to(USER).len();
    let show = data_of(&page_two, "#");
    press(&app, results.message_id, &show).await;
    let sent = app.wait_sent_to(USER, before + 1).await;
    assert!(text_of(sent.last().unwrap()).contains("ادامه مطلب"));
    app.stop().await;
}

/// Searches are remembered in memory only: after a restart, a results button says "search
/// again", and nothing else reaches the chat.
#[tokio::test]
async fn a_results_button_after_a_restart_says_search_again() {
    let app = TestApp::spawn().await;
    app.import_document("many.xml", &many(12, "پرچم")).await;
    app.ask(USER, "/search پرچم").await;
    let results = last_message(&app);
    let next = data_of(&results, "▶");

    let app = app.restart().await;
    let calls_before = app.telegram.calls().len();
    let answer = press(&app, results.message_id, &next).await;
    assert_eq!(
        answer["text"].as_str(),
        Some(jarchi::text::catalogue::phrase(
            jarchi::text::catalogue::Phrase::PageGone,
            Lang::Fa
        )),
        "{answer}"
    );
    let to_the_chat: Vec<String> = app.telegram.calls()[calls_before..]
        .iter()
        .filter(|call| call.params["chat_id"].as_i64() == Some(USER))
        .map(|call| call.method.clone())
        .collect();
    assert!(to_the_chat.is_empty(), "{to_the_chat:?}");
    let unchanged = last_message(&app);
    assert_eq!(
        (unchanged.message_id, unchanged.edit_count),
        (results.message_id, 0)
    );
    app.stop().await;
}

#[tokio::test]
async fn stale_and_forged_buttons_get_a_short_answer() {
    let app = TestApp::spawn().await;
    app.import_document("many.xml", &many(7, "پرچم")).await;
    app.ask(USER, "/latest").await;
    let list = last_message(&app);
    let show = data_of(&list, "#");
    let id = StatementId(show.trim_start_matches("v:").parse().unwrap());
    app.storage.retract(id).await.unwrap();

    for (message_id, data) in [
        (list.message_id, show.as_str()), // a deleted statement
        (list.message_id, "q:999999:5"),  // a search that never was (or expired)
        (list.message_id, "l:5:99995"),   // a page past the end
        (list.message_id, "zz:top"),      // garbage
        (list.message_id, "s:qe:99:1"),   // a forged settings button
        (list.message_id, "post:send"),   // an admin button pressed by someone else
        (424242, "l:5:5"),                // a message the bot never sent
    ] {
        let answer = press(&app, message_id, data).await;
        let text = answer["text"].as_str().unwrap_or_default();
        assert!(!text.is_empty(), "{data}: {answer}");
        assert!(text.chars().count() < 200, "{text}");
    }
    let sent = app.sent_to(USER);
    assert!(
        sent.iter().all(|c| !text_of(c).contains("مشکلی پیش آمد")),
        "no error message"
    );
    app.stop().await;
}

#[tokio::test]
async fn both_languages_and_lang_switches_them() {
    let app = TestApp::spawn().await;
    app.import_rss().await;
    let welcome = app.ask_en(USER, "/start").await;
    assert!(welcome.contains("Welcome"), "{welcome}");
    let english = app.ask_en(USER, "/latest 1").await;
    assert!(
        english.contains("2017") && english.contains("Read more"),
        "{english}"
    );

    let switched = app.ask_en(USER, "/lang fa").await;
    assert!(switched.contains("فارسی"), "{switched}");
    // The stored choice wins over the client's language from now on.
    let persian = app.ask_en(USER, "/latest 1").await;
    assert!(
        persian.contains("۱۳۹۶") && persian.contains("ادامه مطلب"),
        "{persian}"
    );
    let usage = app.ask(USER, "/lang klingon").await;
    assert!(usage.contains("/lang en"), "{usage}");
    app.ask(USER, "/lang en").await;
    let help = app.ask(USER, "/help").await;
    assert!(
        help.contains("/settings") && help.contains("/lang"),
        "{help}"
    );

    let fa_menu = app.telegram.my_commands(Some("fa"));
    assert!(fa_menu.iter().any(|c| c["command"] == "lang"));
    assert!(fa_menu.iter().any(|c| c["command"] == "settings"));
    app.stop().await;
}

#[tokio::test]
async fn a_chats_chosen_language_answers_its_buttons_and_inline_queries_too() {
    let app = TestApp::spawn().await;
    app.import_rss().await;
    app.ask(USER, "/start").await;
    let switched = app.ask(USER, "/lang en").await;
    assert!(switched.contains("English"), "{switched}");

    // Buttons and inline queries carry no client language here, which alone would mean
    // the operator's default (Persian): the chat's own choice wins, as for its commands.
    let forged = press(&app, 424242, "zz:top").await;
    assert_eq!(forged["text"], "This button no longer works.", "{forged}");
    let cards = inline(&app, "").await;
    let first = cards["results"][0]["input_message_content"]["message_text"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(first.contains("Read more"), "{first}");
    app.stop().await;
}

#[tokio::test]
async fn persian_lines_that_start_latin_get_a_right_to_left_mark_and_long_text_splits() {
    let app = TestApp::spawn().await;
    let sentence = "این جمله‌ای از یک بیانیهٔ بلند است که باید سالم برسد. ";
    let body = format!(
        "<p>https://example.org/report منبع گزارش است.</p><p>2024 سال سختی بود.</p><p>UN گزارش داد.</p><p>متن فارسی.</p><p>{}</p>",
        sentence.repeat(250)
    );
    app.import_document(
        "long.xml",
        &rss(&[("UN report: اعتراض‌ها ادامه دارد", &body)]),
    )
    .await;
    let id = app.storage.latest(1, 0).await.unwrap()[0].id;
    let parts = app
        .ask_all(USER, &format!("/show {id}"), Some("fa"), 3)
        .await;
    let first = text_of(&parts[0]);
    assert!(first.starts_with(&format!("{RLM}<b>UN report")), "{first}");
    assert!(
        first.contains(&format!("\n{RLM}https://example.org/report")),
        "{first}"
    );
    assert!(first.contains(&format!("\n{RLM}2024")), "{first}");
    assert!(first.contains(&format!("\n{RLM}UN گزارش")), "{first}");
    assert!(
        first.contains("\nمتن فارسی."),
        "Persian lines stay unmarked: {first}"
    );

    let mut words = Vec::new();
    let messages = app.telegram.messages_in(USER);
    let shown: Vec<&StoredMessage> = messages.iter().rev().take(parts.len()).rev().collect();
    for (i, part) in shown.iter().enumerate() {
        let visible = part.text.trim_end();
        if i + 1 < shown.len() {
            // Cut after a sentence, never inside a word.
            assert!(
                visible.ends_with('.'),
                "part {i} ends with {:?}",
                &visible[visible.len().saturating_sub(40)..]
            );
        }
        words.extend(
            visible
                .split_whitespace()
                .map(|w| w.trim_matches(RLM).to_string())
                .filter(|w| w.contains("بیانیهٔ")),
        );
    }
    assert_eq!(words.len(), 250, "every sentence arrives exactly once");
    app.stop().await;
}

#[tokio::test]
async fn settings_buttons_turn_previews_off_and_switch_language() {
    let app = TestApp::spawn().await;
    let unsubscribed = app.ask(USER, "/settings").await;
    assert!(unsubscribed.contains("/start"), "{unsubscribed}");
    app.ask(USER, "/start").await;
    app.ask(USER, "/settings").await;
    let settings = last_message(&app);
    assert!(
        settings.text.contains("پیش‌نمایش پیوند: روشن"),
        "{}",
        settings.text
    );

    let answer = press(&app, settings.message_id, &data_of(&settings, "🔗")).await;
    assert!(answer["text"].as_str().is_some());
    let off = wait_edits(&app, settings.message_id, 1).await;
    assert!(off.text.contains("خاموش"), "{}", off.text);
    let stored = app
        .storage
        .subscriber_settings(ChatId(USER))
        .await
        .unwrap()
        .unwrap();
    assert!(!stored.link_previews);

    // A broadcast honours it.
    publish(&app, "previews-off").await;
    let delivered = app.wait_sent_to(USER, app.sent_to(USER).len() + 1).await;
    let broadcast = delivered.last().unwrap();
    assert_eq!(
        broadcast["link_preview_options"]["is_disabled"], true,
        "{broadcast}"
    );

    press(&app, settings.message_id, &data_of(&off, "🌐")).await;
    let english = wait_edits(&app, settings.message_id, 2).await;
    assert!(
        english.text.contains("link previews: off"),
        "{}",
        english.text
    );
    assert_eq!(
        app.storage
            .subscriber_settings(ChatId(USER))
            .await
            .unwrap()
            .unwrap()
            .lang,
        Lang::En
    );
    app.stop().await;
}

async fn publish(app: &TestApp, key: &str) -> StatementId {
    let new = NewAnnouncement::new(
        key,
        "اطلاعیهٔ تازه",
        "<p>متن</p>",
        "متن",
        Some("https://example.org/?p=77".into()),
        Utc::now(),
    )
    .unwrap();
    match app.storage.publish(&new).await.unwrap() {
        PublishOutcome::Published { id, .. } => id,
        PublishOutcome::Duplicate { id } => id,
    }
}

#[tokio::test]
async fn quiet_hours_hold_broadcasts_until_they_end_and_drop_none() {
    let shift = Arc::new(Mutex::new(chrono::Duration::zero()));
    let clock_shift = Arc::clone(&shift);
    let clock = Clock::from_fn(move || Utc::now() + *clock_shift.lock().unwrap());
    let app = TestApp::spawn_with_clock(&[], Some(clock.clone())).await;
    const AWAKE: i64 = 5006;
    app.storage
        .subscribe(ChatId(AWAKE), ChatKind::Private, Lang::Fa)
        .await
        .unwrap();

    // Quiet from 22:00 to 07:00, chosen with the buttons.
    app.ask(USER, "/start").await;
    app.ask(USER, "/settings").await;
    let settings = last_message(&app);
    press(&app, settings.message_id, "s:q").await;
    let hours = wait_edits(&app, settings.message_id, 1).await;
    press(&app, settings.message_id, &data_of(&hours, "۲۲:۰۰")).await;
    let hours = wait_edits(&app, settings.message_id, 2).await;
    press(&app, settings.message_id, &data_of(&hours, "۰۷:۰۰")).await;
    let chosen = wait_edits(&app, settings.message_id, 3).await;
    assert!(
        chosen.text.contains("۲۲:۰۰") && chosen.text.contains("۰۷:۰۰"),
        "{}",
        chosen.text
    );

    // Three seconds before the quiet hours end, Tehran time.
    let tehran = FixedOffset::east_opt(TEHRAN_OFFSET_SECONDS).unwrap();
    let now = Utc::now();
    let local = now.with_timezone(&tehran);
    let target: DateTime<Utc> = tehran
        .with_ymd_and_hms(local.year(), local.month(), local.day(), 6, 59, 57)
        .unwrap()
        .with_timezone(&Utc);
    *shift.lock().unwrap() = target - now;

    let before = app.sent_to(USER).len();
    let id = publish(&app, "quiet").await;
    app.wait_sent_to(AWAKE, 1).await;
    assert_eq!(app.sent_to(USER).len(), before, "held during quiet hours");
    assert!(clock.now().with_timezone(&tehran).hour() < 7);

    app.wait_sent_to(USER, before + 1).await;
    let arrived = clock.now().with_timezone(&tehran);
    assert_eq!(
        arrived.hour(),
        7,
        "sent when the quiet hours ended, at {arrived}"
    );
    let figures = app.settled_figures(id).await;
    assert_eq!((figures.sent, figures.pending, figures.failed), (2, 0, 0));
    app.stop().await;
}
