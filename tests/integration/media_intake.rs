//! Files in the guided `/post` (at the text step, at the attachment step, albums), forwarded
//! files, and feed enclosures, over HTTP against the fake Telegram with a real SQLite file:
//! the preview shows the files as subscribers get them, and Send publishes a copy.

use std::time::Duration;

use serde_json::{Value, json};

use crate::app::{ADMIN, TestApp, WAIT, text_of};
use crate::broadcast::subscribe;
use crate::ingest::{RSS, SUBSCRIBERS, fast_feeds, item, rss_of, spawn, wait_archive};
use crate::media::{calls, wait_calls};
use crate::support::feed_server::FeedServer;

/// Every kind of file an admin can send, with the method that sends it.
const KINDS: [(&str, &str); 6] = [
    ("photo", "sendPhoto"),
    ("video", "sendVideo"),
    ("animation", "sendAnimation"),
    ("audio", "sendAudio"),
    ("voice", "sendVoice"),
    ("document", "sendDocument"),
];

/// The message with buttons the admin got last: the preview's question.
fn question_id(app: &TestApp) -> i64 {
    app.telegram
        .messages_in(ADMIN)
        .iter()
        .rev()
        .find(|m| m.reply_markup.is_some())
        .expect("the preview's question")
        .message_id
}

/// Presses a button under the admin's last question and waits for the answer to it.
async fn press(app: &TestApp, data: &str) {
    let before = app.telegram.calls_to("answerCallbackQuery").len();
    app.telegram
        .push_callback(ADMIN, ADMIN, question_id(app), data);
    app.telegram
        .wait_for("answerCallbackQuery", before + 1, WAIT)
        .await;
}

/// A bold word in a caption, in UTF-16 offsets.
fn bold(offset: usize, length: usize) -> Value {
    json!([{ "type": "bold", "offset": offset, "length": length }])
}

#[tokio::test]
async fn guided_files_at_the_text_step_and_at_the_attachment_step_for_each_kind() {
    let app = TestApp::spawn().await;
    let subscriber = 81_001;
    subscribe(&app, [subscriber]).await;
    for (round, (kind, method)) in KINDS.into_iter().enumerate() {
        // At the text step: the caption is the text, with its formatting.
        let title = format!("با پرونده {round}");
        app.ask(ADMIN, "/post").await;
        app.ask(ADMIN, &title).await;
        let file_id = format!("{kind}-at-text-{round}");
        let before = app.sent_to(ADMIN).len();
        app.telegram
            .push_private_media(ADMIN, kind, &file_id, "متن مهم است", bold(4, 3));
        app.wait_sent_to(ADMIN, before + 1).await;
        let before = calls(&app, method, ADMIN).len();
        app.ask(ADMIN, "/skip").await;
        let previews = wait_calls(&app, method, ADMIN, before + 1).await;
        let preview = &previews[before];
        assert_eq!(preview[kind], file_id.as_str(), "{preview}");
        let caption = preview["caption"].as_str().unwrap_or_default();
        assert!(
            caption.contains(&format!("<b>{title}</b>")) && caption.contains("<b>مهم</b>"),
            "the card is the caption, formatting kept: {preview}"
        );
        press(&app, "post:send").await;
        let sent = wait_calls(&app, method, subscriber, 1).await;
        assert_eq!(sent[0][kind], file_id.as_str());
        assert_eq!(sent[0]["caption"], preview["caption"]);

        // At the attachment step: "Add a file" under a text preview.
        let title = format!("بی پرونده {round}");
        app.ask(ADMIN, "/post").await;
        app.ask(ADMIN, &title).await;
        app.ask(ADMIN, "متن").await;
        app.ask_n(ADMIN, "/skip", Some("fa"), 2).await;
        let before = app.sent_to(ADMIN).len();
        press(&app, "post:file").await;
        let asked = app.wait_sent_to(ADMIN, before + 1).await;
        assert!(text_of(&asked[before]).contains("/skip"), "{asked:?}");
        let file_id = format!("{kind}-added-{round}");
        let before = calls(&app, method, ADMIN).len();
        // Its caption is not the text: the text was written already.
        app.telegram
            .push_private_media(ADMIN, kind, &file_id, "زیرنویس", json!([]));
        let previews = wait_calls(&app, method, ADMIN, before + 1).await;
        let caption = previews[before]["caption"].as_str().unwrap_or_default();
        assert!(
            caption.contains(&title) && !caption.contains("زیرنویس"),
            "{caption}"
        );
        press(&app, "post:send").await;
        let sent = wait_calls(&app, method, subscriber, 2).await;
        assert_eq!(sent[1][kind], file_id.as_str());
    }
    assert_eq!(app.storage.count_announcements().await.unwrap(), 12);
    // Text messages were for the dialogue only: the subscriber got files with captions.
    assert!(app.sent_to(subscriber).is_empty());
    app.stop().await;
}

#[tokio::test]
async fn an_album_of_three_photos_reaches_subscribers_as_one_media_group() {
    let app = TestApp::spawn().await;
    let subscribers = [82_001, 82_002];
    subscribe(&app, subscribers).await;
    app.ask(ADMIN, "/post").await;
    app.ask(ADMIN, "گزارش تصویری").await;
    let before = app.sent_to(ADMIN).len();
    let files = [
        ("photo", "album-1"),
        ("photo", "album-2"),
        ("photo", "album-3"),
    ];
    app.telegram
        .push_album(ADMIN, &files, "سه عکس از تجمع", bold(0, 2));
    // One answer for the whole album: the question of the link.
    app.wait_sent_to(ADMIN, before + 1).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(app.sent_to(ADMIN).len(), before + 1);
    app.ask(ADMIN, "/skip").await;
    let preview = wait_calls(&app, "sendMediaGroup", ADMIN, 1).await;
    let items = preview[0]["media"].as_array().expect("the album's items");
    let ids: Vec<_> = items.iter().map(|i| i["media"].clone()).collect();
    assert_eq!(ids, ["album-1", "album-2", "album-3"]);
    let caption = items[0]["caption"].as_str().unwrap_or_default();
    assert!(
        caption.contains("<b>گزارش تصویری</b>") && caption.contains("<b>سه</b>"),
        "{caption}"
    );
    press(&app, "post:send").await;
    for chat in subscribers {
        let groups = wait_calls(&app, "sendMediaGroup", chat, 1).await;
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0]["media"], preview[0]["media"]);
        assert!(calls(&app, "sendPhoto", chat).is_empty());
    }
    let latest = app.storage.latest(1, 0).await.unwrap();
    assert_eq!(latest[0].media.len(), 3);
    app.stop().await;
}

#[tokio::test]
async fn a_one_shot_album_whose_caption_begins_with_post_is_one_statement() {
    let app = TestApp::spawn().await;
    let subscriber = 82_101;
    subscribe(&app, [subscriber]).await;
    let files = [("photo", "one-shot-1"), ("video", "one-shot-2")];
    app.telegram
        .push_album(ADMIN, &files, "/post آلبوم یک‌باره\nمتن آلبوم", json!([]));
    let sent = wait_calls(&app, "sendMediaGroup", subscriber, 1).await;
    let items = sent[0]["media"].as_array().expect("the album's items");
    let ids: Vec<_> = items.iter().map(|i| i["media"].clone()).collect();
    assert_eq!(ids, ["one-shot-1", "one-shot-2"]);
    let caption = items[0]["caption"].as_str().unwrap_or_default();
    assert!(
        caption.contains("<b>آلبوم یک‌باره</b>") && !caption.contains("/post"),
        "{caption}"
    );
    // One statement, and no second one from the part that carried the caption.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.storage.count_announcements().await.unwrap(), 1);
    assert!(calls(&app, "sendPhoto", subscriber).is_empty());
    // An album without /post outside the dialogue is not a statement, as before.
    app.telegram.push_album(ADMIN, &files, "فقط عکس", json!([]));
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(app.storage.count_announcements().await.unwrap(), 1);
    app.stop().await;
}

#[tokio::test]
async fn a_forwarded_photo_is_published_as_a_copy_with_its_caption() {
    let app = TestApp::spawn().await;
    let subscriber = 83_001;
    subscribe(&app, [subscriber]).await;
    let origin = json!({
        "type": "channel",
        "chat": { "id": -1_001_234_567_890_i64, "type": "channel", "title": "کانال" },
        "message_id": 77,
        "date": 1_764_000_000,
    });
    app.telegram.push_forwarded_media(
        ADMIN,
        "photo",
        "forwarded-photo",
        "بیانیهٔ کانال\nمتن بیانیه با واژهٔ مهم",
        bold(34, 3),
        origin,
    );
    let preview = wait_calls(&app, "sendPhoto", ADMIN, 1).await;
    let caption = preview[0]["caption"].as_str().unwrap_or_default();
    assert!(
        caption.contains("<b>بیانیهٔ کانال</b>") && caption.contains("<b>مهم</b>"),
        "{caption}"
    );
    app.wait_sent_to(ADMIN, 1).await;
    press(&app, "post:send").await;
    let sent = wait_calls(&app, "sendPhoto", subscriber, 1).await;
    assert_eq!(sent[0]["photo"], "forwarded-photo");
    assert_eq!(sent[0]["caption"], preview[0]["caption"]);
    // A copy under our own card, never "forwarded from".
    for method in ["forwardMessage", "forwardMessages", "copyMessage"] {
        assert!(app.telegram.calls_to(method).is_empty(), "{method}");
    }
    app.stop().await;
}

/// An item with a file, as RSS.
fn item_with_file(guid: &str, title: &str, url: &str, length: u64, mime: &str) -> String {
    item(guid, title, "<p>متن</p>").replace(
        "</item>",
        &format!("<enclosure url=\"{url}\" length=\"{length}\" type=\"{mime}\"/></item>"),
    )
}

#[tokio::test]
async fn a_feed_file_up_to_20_mb_is_sent_by_url_and_a_bigger_one_as_a_link() {
    let server = FeedServer::start().await;
    let old = item("1", "قدیمی", "<p>متن</p>");
    server.set("/feed.xml", RSS, rss_of(std::slice::from_ref(&old)));
    let app = spawn(&[server.url("/feed.xml")], fast_feeds()).await;
    wait_archive(&app.storage, 1).await;

    let small = "https://example.org/media/message.mp3";
    let big = "https://example.org/media/rally.mp4";
    server.set(
        "/feed.xml",
        RSS,
        rss_of(&[
            item_with_file("2", "پیام صوتی", small, 1_048_576, "audio/mpeg"),
            item_with_file("3", "فیلم کامل", big, 50 * 1_048_576, "video/mp4"),
            old,
        ]),
    );
    for chat in SUBSCRIBERS {
        let audio = wait_calls(&app, "sendAudio", chat, 1).await;
        assert_eq!(audio[0]["audio"], small);
        let caption = audio[0]["caption"].as_str().unwrap_or_default();
        assert!(caption.contains("پیام صوتی"), "{caption}");
        let cards = app.wait_sent_to(chat, 1).await;
        let card = text_of(&cards[0]);
        assert!(card.contains("فیلم کامل") && card.contains(big), "{card}");
        assert!(calls(&app, "sendVideo", chat).is_empty());
    }
    app.stop().await;
}
