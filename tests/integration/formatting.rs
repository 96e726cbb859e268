//! Publishing as the staff publish (issue 12): the formatting an admin types in Telegram
//! survives `/post`, the guided dialogue and `/edit`, hostile entities are escaped or
//! ignored, and a forwarded text message becomes a statement of our own.

use std::time::Duration;

use serde_json::{Value, json};

use crate::app::{ADMIN, TestApp, WAIT, text_of};
use crate::broadcast::subscribe;

/// An entity over the first `needle` in `text`, in UTF-16 units as Telegram counts them.
fn entity(text: &str, needle: &str, kind: Value) -> Value {
    let start = text.find(needle).expect("the needle is in the text");
    let mut entity = kind;
    entity["offset"] = json!(text[..start].encode_utf16().count());
    entity["length"] = json!(needle.encode_utf16().count());
    entity
}

/// The admin sends `text` with `extra` fields (entities, forward_origin); waits for `n`
/// replies and returns them.
async fn send(app: &TestApp, text: &str, extra: Value, n: usize) -> Vec<Value> {
    let before = app.sent_to(ADMIN).len();
    app.telegram.push_private_message(ADMIN, text, extra);
    app.wait_sent_to(ADMIN, before + n).await[before..].to_vec()
}

async fn wait_for_card(app: &TestApp, chat: i64, needle: &str) -> String {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(card) = app
            .sent_to(chat)
            .iter()
            .map(text_of)
            .find(|t| t.contains(needle))
        {
            return card;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "chat {chat} never got {needle:?}\n{}",
            app.telegram.describe_calls()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Presses Send under the last message the bot sent the admin (the preview's question).
fn press_send(app: &TestApp) {
    let confirm_id = app.telegram.messages_in(ADMIN).last().unwrap().message_id;
    app.telegram
        .push_callback(ADMIN, ADMIN, confirm_id, "post:send");
}

const BOLD: &str = "<b>پررنگ</b>";
const ITALIC: &str = "<i>کج</i>";
const LINK: &str = r#"<a href="https://example.org/more?a=1&amp;b=2">اینجا</a>"#;

fn formatted_body(text: &str) -> Value {
    json!({
        "entities": [
            entity(text, "پررنگ", json!({"type": "bold"})),
            entity(text, "کج", json!({"type": "italic"})),
            entity(text, "اینجا", json!({"type": "text_link", "url": "https://example.org/more?a=1&b=2"})),
        ]
    })
}

#[tokio::test]
async fn a_one_shot_post_keeps_bold_italic_and_links_for_every_subscriber() {
    let app = TestApp::spawn().await;
    let subscribers: Vec<i64> = (1..=5).map(|i| 120_000 + i).collect();
    subscribe(&app, subscribers.iter().copied()).await;

    let text = "/post بیانیهٔ قالب‌دار 😀\nیک واژهٔ پررنگ، یک واژهٔ کج و پیوندی اینجا.";
    let reply = send(&app, text, formatted_body(text), 1).await;
    assert!(text_of(&reply[0]).contains("منتشر شد"), "{reply:?}");
    for chat in &subscribers {
        let card = wait_for_card(&app, *chat, "قالب‌دار").await;
        for formatting in [BOLD, ITALIC, LINK] {
            assert!(card.contains(formatting), "{formatting} missing: {card}");
        }
    }
    // Search still reads the plain text; /show shows the formatting too. (The broadcast
    // report first, or `ask` would take it for an answer.)
    wait_for_card(&app, ADMIN, "گزارش ارسال").await;
    let statement = &app.storage.latest(1, 0).await.unwrap()[0];
    assert_eq!(
        statement.body_text,
        "یک واژهٔ پررنگ، یک واژهٔ کج و پیوندی اینجا."
    );
    let found = app.ask(ADMIN, "/search پیوندی").await;
    assert!(found.contains("قالب‌دار"), "{found}");
    let shown = app.ask(ADMIN, &format!("/show {}", statement.id)).await;
    assert!(shown.contains(BOLD) && shown.contains(LINK), "{shown}");
    app.stop().await;
}

#[tokio::test]
async fn hostile_text_and_entities_are_escaped_or_ignored() {
    let app = TestApp::spawn().await;
    subscribe(&app, [121_001]).await;
    let text = "/post عنوان <i>\n<script>alert(1)</script> 😀 بزن & ببین";
    let emoji_at = text[..text.find('😀').unwrap()].encode_utf16().count();
    let extra = json!({
        "entities": [
            // The second half of the emoji's surrogate pair only.
            {"type": "bold", "offset": emoji_at + 1, "length": 1},
            entity(text, "بزن", json!({"type": "text_link", "url": "javascript:alert(1)"})),
            entity(text, "ببین", json!({"type": "italic"})),
            {"type": "underline", "offset": 10_000, "length": 5},
            {"type": "strikethrough", "offset": text[..text.find("ببین").unwrap()].encode_utf16().count(), "length": 10_000},
        ]
    });
    let reply = send(&app, text, extra, 1).await;
    assert!(text_of(&reply[0]).contains("منتشر شد"), "{reply:?}");
    let card = wait_for_card(&app, 121_001, "عنوان").await;
    assert!(
        card.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{card}"
    );
    assert!(card.contains("<b>😀</b>"), "{card}");
    assert!(card.contains("&amp;"), "{card}");
    assert!(!card.contains("javascript"), "{card}");
    assert!(card.contains("&lt;i&gt;"), "the title is escaped: {card}");
    app.stop().await;
}

#[tokio::test]
async fn the_guided_dialogue_keeps_the_body_formatting_and_previews_it_exactly() {
    let app = TestApp::spawn().await;
    subscribe(&app, [122_001]).await;
    app.ask(ADMIN, "/post").await;
    app.ask(ADMIN, "عنوان گام‌به‌گام").await;
    let body = "یک واژهٔ پررنگ، یک واژهٔ کج و پیوندی اینجا.";
    let ask_link = send(&app, body, formatted_body(body), 1).await;
    assert!(text_of(&ask_link[0]).contains("/skip"), "{ask_link:?}");

    // A restart in between loses nothing, formatting included.
    let app = app.restart().await;
    let replies = app.ask_n(ADMIN, "/skip", Some("fa"), 2).await;
    let preview = text_of(&replies[0]);
    for formatting in [BOLD, ITALIC, LINK] {
        assert!(preview.contains(formatting), "{formatting}: {preview}");
    }
    press_send(&app);
    let delivered = wait_for_card(&app, 122_001, "گام‌به‌گام").await;
    assert_eq!(delivered, preview, "subscribers see exactly the preview");
    app.stop().await;
}

#[tokio::test]
async fn an_edit_keeps_its_formatting_in_every_delivered_copy() {
    let app = TestApp::spawn().await;
    let chats = [123_001, 123_002];
    subscribe(&app, chats).await;
    app.ask(ADMIN, "/post عنوان نخست\nمتن نخست").await;
    for chat in chats {
        wait_for_card(&app, chat, "عنوان نخست").await;
    }
    wait_for_card(&app, ADMIN, "گزارش ارسال").await;
    let id = app.storage.latest(1, 0).await.unwrap()[0].id;

    // The body keeps the digits it was typed in; only the number is read.
    let text =
        format!("/edit {id}\nعنوان اصلاح‌شده\nبند ۲: یک واژهٔ پررنگ، یک واژهٔ کج و پیوندی اینجا.");
    let reply = send(&app, &text, formatted_body(&text), 1).await;
    assert!(text_of(&reply[0]).contains("ویرایش شد"), "{reply:?}");
    app.telegram.wait_for("editMessageText", 2, WAIT).await;
    for chat in chats {
        let copy = &app.telegram.messages_in(chat)[0];
        for formatting in [BOLD, ITALIC, LINK, "بند ۲"] {
            assert!(
                copy.raw_text.contains(formatting),
                "{formatting}: {}",
                copy.raw_text
            );
        }
    }
    app.stop().await;
}

fn from_the_channel() -> Value {
    json!({
        "type": "channel",
        "chat": {"id": -1_001_555_000_111_i64, "type": "channel", "title": "سازمان"},
        "message_id": 4321,
        "date": 1_700_000_000,
    })
}

#[tokio::test]
async fn a_forwarded_text_is_previewed_and_sent_as_our_own_statement() {
    let app = TestApp::spawn().await;
    subscribe(&app, [124_001, 124_002]).await;
    let text = "بیانیهٔ کانال\nیک واژهٔ پررنگ، یک واژهٔ کج و پیوندی اینجا.\nhttps://example.org/s/1";
    let mut extra = formatted_body(text);
    extra["forward_origin"] = from_the_channel();
    let replies = send(&app, text, extra, 2).await;
    let preview = text_of(&replies[0]);
    assert!(preview.contains("<b>بیانیهٔ کانال</b>"), "{preview}");
    for formatting in [BOLD, ITALIC, LINK, "https://example.org/s/1"] {
        assert!(preview.contains(formatting), "{formatting}: {preview}");
    }
    assert_eq!(
        replies[1]["reply_markup"]["inline_keyboard"][0]
            .as_array()
            .unwrap()
            .len(),
        2,
        "Send and Cancel"
    );
    assert_eq!(app.storage.count_announcements().await.unwrap(), 0);

    press_send(&app);
    for chat in [124_001, 124_002] {
        let card = wait_for_card(&app, chat, "بیانیهٔ کانال").await;
        assert_eq!(card, preview, "subscribers see exactly the preview");
    }
    assert!(app.telegram.calls_to("forwardMessage").is_empty());
    assert!(app.telegram.calls_to("copyMessage").is_empty());

    // A forwarded command is a statement to pass on, not a command.
    let mut extra = json!({});
    extra["forward_origin"] = from_the_channel();
    let replies = send(&app, "/start در کانال", extra, 2).await;
    assert!(
        text_of(&replies[0]).contains("/start در کانال"),
        "{replies:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_forwarded_photo_is_answered_not_dropped() {
    let app = TestApp::spawn().await;
    let extra = json!({
        "text": null,
        "photo": [{"file_id": "AgACAgQAAxkBAAIB", "file_unique_id": "AQADAgAT", "width": 90, "height": 60}],
        "caption": "عکس بیانیه",
        "forward_origin": from_the_channel(),
    });
    // Since media forwards are published (issue 12, media-intake): the preview, with the
    // photo and Send, and nothing published before Send.
    let reply = send(&app, "", extra, 1).await;
    assert!(text_of(&reply[0]).contains("پیش‌نمایش"), "{reply:?}");
    let photos = app.telegram.calls_to("sendPhoto");
    assert_eq!(photos[0]["photo"], "AgACAgQAAxkBAAIB", "{photos:?}");
    assert_eq!(app.storage.count_announcements().await.unwrap(), 0);
    app.stop().await;
}
