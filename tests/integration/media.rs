//! Statements with media (issue 12 §2): a photo, video, animation, audio, voice message or
//! document whose caption is `/post` goes out with the matching method and the same file id;
//! the card is the caption when it fits 1024 UTF-16 units, else a message after the files;
//! `/edit` edits the caption, `/delete` removes every part; lists, `/show` and inline mode
//! show the media.

use std::time::Duration;

use chrono::Utc;
use jarchi::domain::{Attachment, MediaKind, NewAnnouncement, PublishOutcome, StatementId};
use serde_json::{Value, json};

use crate::app::{ADMIN, TestApp, WAIT, text_of};
use crate::broadcast::subscribe;
use crate::support::fake_telegram::{Fault, StoredMessage};

/// The accepted calls of `method` to `chat`.
pub(crate) fn calls(app: &TestApp, method: &str, chat: i64) -> Vec<Value> {
    app.telegram
        .calls_to(method)
        .into_iter()
        .filter(|p| p["chat_id"].as_i64() == Some(chat))
        .collect()
}

/// Waits until `ready` gives something; panics with the calls seen after `WAIT`.
async fn eventually<T>(app: &TestApp, what: &str, ready: impl Fn() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(found) = ready() {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never: {what}\n{}",
            app.telegram.describe_calls()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until `chat` has had `n` accepted calls of `method`; returns them.
pub(crate) async fn wait_calls(app: &TestApp, method: &str, chat: i64, n: usize) -> Vec<Value> {
    let what = format!("{n} {method} to {chat}");
    eventually(app, &what, || {
        Some(calls(app, method, chat)).filter(|c| c.len() >= n)
    })
    .await
}

/// Waits until the bot's messages in `chat` are as `done` wants them.
async fn wait_messages(
    app: &TestApp,
    chat: i64,
    done: impl Fn(&[StoredMessage]) -> bool,
) -> Vec<StoredMessage> {
    let what = format!("the messages in {chat} as wanted");
    eventually(app, &what, || {
        Some(app.telegram.messages_in(chat)).filter(|m| done(m))
    })
    .await
}

/// The admin sends a media message with this caption and waits for "published" (broadcast
/// reports of earlier statements may come between).
async fn post_media(app: &TestApp, kind: &str, file_id: &str, caption: &str, entities: Value) {
    let before = app.sent_to(ADMIN).len();
    app.telegram
        .push_private_media(ADMIN, kind, file_id, caption, entities);
    let published = || {
        let sent = app.sent_to(ADMIN);
        sent[before..]
            .iter()
            .any(|m| text_of(m).contains("منتشر شد"))
            .then_some(())
    };
    eventually(app, &format!("an answer to the {kind}"), published).await;
}

/// Publishes a statement with these files straight through storage's door.
async fn publish_with(
    app: &TestApp,
    key: &str,
    title: &str,
    body: &str,
    media: Vec<Attachment>,
) -> StatementId {
    let new = NewAnnouncement::new(key, title, "", body, None, Utc::now())
        .unwrap()
        .content()
        .clone()
        .with_media(media)
        .unwrap();
    let new = NewAnnouncement::keyed(jarchi::domain::SourceKey::feed(key).unwrap(), new);
    match app.storage.publish(&new).await.unwrap() {
        PublishOutcome::Published { id, .. } => id,
        other => panic!("not published: {other:?}"),
    }
}

fn photo(file_id: &str) -> Attachment {
    Attachment::telegram(MediaKind::Photo, file_id, None).unwrap()
}

#[tokio::test]
async fn each_media_kind_posted_one_shot_reaches_every_subscriber_with_its_method() {
    let app = TestApp::spawn().await;
    let subscribers = [130_001, 130_002];
    subscribe(&app, subscribers).await;
    let kinds = [
        ("photo", "sendPhoto"),
        ("video", "sendVideo"),
        ("animation", "sendAnimation"),
        ("audio", "sendAudio"),
        ("voice", "sendVoice"),
        ("document", "sendDocument"),
    ];
    for (kind, _) in kinds {
        let caption =
            format!("/post بیانیهٔ {kind}\nمتنی پررنگ برای همه\nhttps://example.org/{kind}");
        let start = caption.find("پررنگ").unwrap();
        let bold = json!([{
            "type": "bold",
            "offset": caption[..start].encode_utf16().count(),
            "length": "پررنگ".encode_utf16().count(),
        }]);
        post_media(&app, kind, &format!("file-{kind}"), &caption, bold).await;
    }
    for chat in subscribers {
        for (kind, method) in kinds {
            let sent = wait_calls(&app, method, chat, 1).await;
            assert_eq!(sent.len(), 1, "{kind}: {sent:#?}");
            assert_eq!(sent[0][kind], format!("file-{kind}"), "{sent:#?}");
            let caption = sent[0]["caption"].as_str().unwrap();
            assert!(caption.contains(&format!("بیانیهٔ {kind}")), "{caption}");
            assert!(caption.contains("<b>پررنگ</b>"), "{caption}");
            assert!(caption.contains("https://example.org/"), "{caption}");
            assert!(!caption.contains("/post"), "{caption}");
        }
        // The card was the caption: no text message besides.
        assert!(app.sent_to(chat).is_empty(), "{:#?}", app.sent_to(chat));
    }
    // Stored with its file and its link; the caption's link line is the link.
    let latest = app.storage.latest(6, 0).await.unwrap();
    assert!(
        latest
            .iter()
            .all(|a| a.media.len() == 1 && a.link.is_some())
    );
    app.stop().await;
}

#[tokio::test]
async fn a_card_too_long_for_a_caption_follows_the_media_and_a_half_sent_delivery_is_not_sent_twice()
 {
    let app = TestApp::spawn().await;
    let chat = 131_001;
    subscribe(&app, [chat]).await;
    // The photo goes; then Telegram asks for a second's patience with the card.
    app.telegram.inject(chat, Fault::Slow(Duration::ZERO));
    app.telegram.inject(chat, Fault::RetryAfter(1));
    // Each 📢 is two UTF-16 units: a title that alone nearly fills a caption.
    let title = "📢".repeat(480);
    let body = "متن بیانیه ".repeat(60);
    let caption = format!("/post {title}\n{body}");
    let before = app.telegram.calls().len();
    post_media(&app, "photo", "file-long", &caption, json!([])).await;
    let cards = app.wait_sent_to(chat, 1).await;
    assert!(text_of(&cards[0]).contains("📢📢📢"), "{cards:?}");
    let refused = app.telegram.calls()[before..]
        .iter()
        .filter(|c| !c.accepted && c.params["chat_id"].as_i64() == Some(chat))
        .count();
    assert_eq!(refused, 1, "{}", app.telegram.describe_calls());
    let photos = calls(&app, "sendPhoto", chat);
    assert_eq!(photos.len(), 1, "the photo went once: {photos:#?}");
    assert!(
        photos[0].get("caption").is_none_or(Value::is_null),
        "{photos:#?}"
    );
    // The photo came before the card.
    let order: Vec<String> = app.telegram.calls()[before..]
        .iter()
        .filter(|c| c.accepted && c.params["chat_id"].as_i64() == Some(chat))
        .map(|c| c.method.clone())
        .collect();
    assert_eq!(order, ["sendPhoto", "sendMessage"], "{order:?}");
    app.stop().await;
}

#[tokio::test]
async fn edit_changes_the_caption_and_delete_removes_every_part() {
    let app = TestApp::spawn().await;
    let chat = 132_001;
    subscribe(&app, [chat]).await;
    // An album whose card is its first item's caption.
    let album = publish_with(
        &app,
        "album",
        "آلبوم",
        "دو عکس",
        vec![photo("p-1"), photo("p-2")],
    )
    .await;
    let groups = wait_calls(&app, "sendMediaGroup", chat, 1).await;
    assert_eq!(
        groups[0]["media"].as_array().unwrap().len(),
        2,
        "{groups:#?}"
    );
    // A document whose card is too long, so the card is a second message.
    let long = "📢".repeat(480);
    let document = publish_with(
        &app,
        "pdf",
        &long,
        &"متن ".repeat(200),
        vec![Attachment::telegram(MediaKind::Document, "doc-1", None).unwrap()],
    )
    .await;
    wait_messages(&app, chat, |m| m.len() == 4).await;
    app.settled_figures(document).await;
    app.settled_figures(album).await;

    let answer = app
        .ask(ADMIN, &format!("/edit {album}\nآلبوم اصلاح‌شده\nمتن تازه"))
        .await;
    assert!(!answer.is_empty());
    let messages = wait_messages(&app, chat, |m| {
        m.iter().any(|m| m.text.contains("آلبوم اصلاح‌شده"))
    })
    .await;
    let edited: Vec<_> = messages.iter().filter(|m| m.edit_count > 0).collect();
    assert_eq!(edited.len(), 1, "{messages:#?}");
    assert_eq!(edited[0].media.as_ref().unwrap().file, "p-1");
    assert!(!calls(&app, "editMessageCaption", chat).is_empty());

    for id in [album, document] {
        app.ask(ADMIN, &format!("/delete {id}")).await;
    }
    let messages = wait_messages(&app, chat, |m| m.iter().all(|m| m.deleted)).await;
    assert_eq!(messages.len(), 4, "{messages:#?}");
    app.stop().await;
}

#[tokio::test]
async fn lists_mark_media_show_sends_the_file_and_inline_mode_offers_the_cached_photo() {
    let app = TestApp::spawn().await;
    let reader = 133_001;
    publish_with(&app, "pic", "عکس خبری", "شرح عکس", vec![photo("pic-1")]).await;
    let pdf = publish_with(
        &app,
        "doc",
        "سند رسمی",
        "شرح سند",
        vec![Attachment::telegram(MediaKind::Document, "doc-9", None).unwrap()],
    )
    .await;

    let latest = app.ask(reader, "/latest").await;
    assert!(latest.contains("🖼"), "{latest}");
    assert!(latest.contains("📄"), "{latest}");

    app.ask(reader, &format!("/show {pdf}")).await;
    let documents = wait_calls(&app, "sendDocument", reader, 1).await;
    assert_eq!(documents[0]["document"], "doc-9");

    let query = app.telegram.push_inline_query(reader, "");
    let answers = app.telegram.wait_for("answerInlineQuery", 1, WAIT).await;
    let answer = answers
        .iter()
        .find(|a| a["inline_query_id"] == query)
        .expect("the query was answered");
    let results = match &answer["results"] {
        Value::String(s) => serde_json::from_str::<Value>(s).unwrap(),
        other => other.clone(),
    };
    let results = results.as_array().unwrap();
    assert!(results.len() <= 50);
    let photo = results
        .iter()
        .find(|r| r["type"] == "photo")
        .expect("a photo");
    assert_eq!(photo["photo_file_id"], "pic-1");
    assert!(photo["caption"].as_str().unwrap().contains("عکس خبری"));
    let document = results
        .iter()
        .find(|r| r["type"] == "document")
        .expect("a document");
    assert_eq!(document["document_file_id"], "doc-9");
    app.stop().await;
}

/// The fake refuses what Telegram refuses of media: a caption over 1024 UTF-16 units after
/// entity parsing, albums outside 2–10 items or mixing kinds that cannot mix, a text edit of
/// a media message. (Its answers parse as teloxide's messages, or the tests above would fail.)
#[tokio::test]
async fn the_fake_refuses_what_telegram_refuses_of_media() {
    use teloxide::payloads::SendPhotoSetters;
    use teloxide::prelude::*;
    use teloxide::types::{
        FileId, InputFile, InputMedia, InputMediaAudio, InputMediaPhoto, InputMediaVideo, ParseMode,
    };

    let fake = crate::support::fake_telegram::FakeTelegram::start().await;
    let bot = fake.bot();
    let chat = teloxide::types::ChatId(134_001);
    let file = |id: &str| InputFile::file_id(FileId(id.into()));
    // 1024 two-unit characters are 2048 units, although they are 1024 characters; the
    // tags do not count.
    let too_long = format!("<b>{}</b>", "📢".repeat(513));
    assert!(
        bot.send_photo(chat, file("a"))
            .caption(too_long)
            .parse_mode(ParseMode::Html)
            .await
            .is_err()
    );
    let fits = format!("<b>{}</b>", "📢".repeat(512));
    let sent = bot
        .send_photo(chat, file("a"))
        .caption(fits)
        .parse_mode(ParseMode::Html)
        .await
        .unwrap();
    assert!(bot.edit_message_text(chat, sent.id, "x").await.is_err());

    let photo = |id: &str| InputMedia::Photo(InputMediaPhoto::new(file(id)));
    assert!(bot.send_media_group(chat, vec![photo("1")]).await.is_err());
    assert!(
        bot.send_media_group(
            chat,
            (0..11).map(|i| photo(&format!("p{i}"))).collect::<Vec<_>>()
        )
        .await
        .is_err()
    );
    let audio = InputMedia::Audio(InputMediaAudio::new(file("s")));
    assert!(
        bot.send_media_group(chat, vec![photo("1"), audio])
            .await
            .is_err()
    );
    let video = InputMedia::Video(InputMediaVideo::new(file("v")));
    let album = bot
        .send_media_group(chat, vec![photo("1"), video])
        .await
        .unwrap();
    assert_eq!(album.len(), 2);
    assert_eq!(album[0].media_group_id(), album[1].media_group_id());
    // Each refusal above broke the contract, as it would with Telegram; nothing else did.
    assert_eq!(
        fake.contract_violations().len(),
        5,
        "{:#?}",
        fake.contract_violations()
    );
}

/// With `PUBLISH_APPROVALS=2` a photo's `/post` waits for a second admin like a text one (who
/// previews it with its photo), and then reaches the subscribers and the channel mirror with its file.
#[tokio::test]
async fn a_photo_post_waits_for_a_second_admin_and_reaches_the_channel() {
    use crate::approvals::{last_button, press};
    const SECOND: i64 = 9002;
    const CHANNEL: i64 = -1_001_234_567_890;
    let tweak: crate::app::SettingsTweak =
        std::sync::Arc::new(|settings: &mut jarchi::config::Settings| {
            settings.admin_ids = vec![ADMIN as u64, SECOND as u64];
            settings.publish_approvals = jarchi::config::Approvals::Two;
            settings.channel_id = Some(CHANNEL);
        });
    let app = TestApp::spawn_with_settings(&[], Some(tweak)).await;
    let chat = 135_001;
    subscribe(&app, [chat]).await;

    let asked_before = app.sent_to(SECOND).len();
    app.telegram.push_private_media(
        ADMIN,
        "photo",
        "file-approved",
        "/post عکس با تأیید\nشرح عکس",
        json!([]),
    );
    // The second admin sees the photo with its card, as subscribers will, then the question.
    let preview = wait_calls(&app, "sendPhoto", SECOND, 1).await;
    assert_eq!(preview[0]["photo"], "file-approved");
    assert!(
        preview[0]["caption"]
            .as_str()
            .unwrap()
            .contains("عکس با تأیید")
    );
    app.wait_sent_to(SECOND, asked_before + 1).await;
    // Nothing went out before the approval.
    assert!(calls(&app, "sendPhoto", chat).is_empty());
    let (question, approve) = last_button(&app, SECOND);
    press(&app, SECOND, SECOND, question, &approve).await;
    for to in [chat, CHANNEL] {
        let sent = wait_calls(&app, "sendPhoto", to, 1).await;
        assert_eq!(sent[0]["photo"], "file-approved");
        assert!(
            sent[0]["caption"]
                .as_str()
                .unwrap()
                .contains("عکس با تأیید")
        );
    }
    app.stop().await;
}
