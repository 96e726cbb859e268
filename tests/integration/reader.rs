//! Issue 13 §1: the whole statement inside Telegram. Every card carries a Share button
//! (inline mode on that statement), a cut card a "Full text" button that sends the whole
//! statement into the chat, a teaser's card a link to the site; all on the card itself.

use chrono::Utc;
use jarchi::domain::{Announcement, ChatId, Lang, NewAnnouncement, StatementContent, StatementId};
use jarchi::storage::{ChatKind, PublishOutcome};
use jarchi::text::full_statement;
use serde_json::Value;

use crate::app::{TestApp, text_of};
use crate::experience::{USER, keyboard, press, wait_call, wait_edits};
use crate::support::fake_telegram::StoredMessage;

/// A statement of many paragraphs, each naming its number: far longer than one message.
fn long_body(paragraphs: usize) -> String {
    (1..=paragraphs)
        .map(|i| format!("بند {i}: {}", "سخنی از جارچی در این بند. ".repeat(12)))
        .collect::<Vec<_>>()
        .join("\n\n")
}

async fn publish(app: &TestApp, key: &str, body: &str) -> StatementId {
    publish_statement(app, key, "اطلاعیهٔ بلند", body).await
}

/// A feed statement keyed `key`, with a link to its page, published now.
pub(crate) async fn publish_statement(
    app: &TestApp,
    key: &str,
    title: &str,
    body: &str,
) -> StatementId {
    let new = NewAnnouncement::new(
        key,
        title,
        format!("<p>{body}</p>"),
        body,
        Some(format!("https://example.org/{key}")),
        Utc::now(),
    )
    .unwrap();
    match app.storage.publish(&new).await.unwrap() {
        PublishOutcome::Published { id, .. } => id,
        PublishOutcome::Duplicate { id } => id,
    }
}

/// The card the broadcast put in the user's chat for `id`.
async fn card_of(app: &TestApp, id: StatementId) -> StoredMessage {
    app.settled_figures(id).await;
    app.telegram
        .messages_in(USER)
        .into_iter()
        .find(|m| m.raw_text.contains(&format!("#{id}")) && m.reply_markup.is_some())
        .unwrap_or_else(|| panic!("no card of {id}\n{}", app.telegram.describe_calls()))
}

fn button_with<'a>(buttons: &'a [Value], field: &str) -> Option<&'a Value> {
    buttons.iter().find(|b| b.get(field).is_some())
}

async fn subscribed_app() -> TestApp {
    let app = TestApp::spawn().await;
    app.ask(USER, "/start").await;
    app
}

/// Presses "Full text" and returns the messages that followed, once `parts` have come.
async fn read_in_full(app: &TestApp, card: &StoredMessage, parts: usize) -> Vec<Value> {
    let data = button_with(&keyboard(card), "callback_data")
        .and_then(|b| b["callback_data"].as_str())
        .expect("a Full text button")
        .to_string();
    let before = app.sent_to(USER).len();
    let answer = press(app, card.message_id, &data).await;
    assert!(
        answer.get("text").is_none(),
        "answered without a refusal: {answer}"
    );
    let parts = app.wait_sent_to(USER, before + parts).await[before..].to_vec();
    // The button is answered first: the client stops spinning before the long send.
    let calls = app.telegram.calls();
    // The last call with these parameters: a second press sends the same parts again.
    let position = |wanted: &Value| calls.iter().rposition(|c| &c.params == wanted);
    let (answered, sent) = (position(&answer), position(&parts[0]));
    assert!(
        answered.is_some() && answered < sent,
        "answered before sending"
    );
    parts
}

#[tokio::test]
async fn full_text_sends_the_whole_long_statement_also_from_an_old_card_after_a_restart() {
    let app = subscribed_app().await;
    let body = long_body(60);
    let id = publish(&app, "long-1", &body).await;
    let card = card_of(&app, id).await;
    let buttons = keyboard(&card);
    let full = button_with(&buttons, "callback_data").expect("a cut card has Full text");
    assert_eq!(full["text"], "📖 متن کامل");
    assert_eq!(full["callback_data"], format!("t:{id}"));

    let statement: Announcement = app.storage.announcement(id).await.unwrap().unwrap();
    let expected = full_statement(&statement, Lang::Fa);
    assert!(expected.len() > 1, "the statement takes several messages");
    let parts = read_in_full(&app, &card, expected.len()).await;
    let texts: Vec<String> = parts.iter().map(text_of).collect();
    assert_eq!(texts, expected, "the whole statement, as /show sends it");
    for i in [1, 30, 60] {
        assert!(
            texts.iter().any(|t| t.contains(&format!("بند {i}:"))),
            "paragraph {i} arrived"
        );
    }

    // The same card, pressed after a restart: the button carries all it needs.
    let app = app.restart().await;
    let again = read_in_full(&app, &card, expected.len()).await;
    assert_eq!(again.iter().map(text_of).collect::<Vec<_>>(), expected);
    app.stop().await;
}

#[tokio::test]
async fn a_short_card_has_no_full_text_button_but_every_card_can_be_shared() {
    let app = subscribed_app().await;
    let short = publish(&app, "short-1", "کوتاه و کامل.").await;
    let card = card_of(&app, short).await;
    let buttons = keyboard(&card);
    assert!(
        button_with(&buttons, "callback_data").is_none(),
        "nothing was cut: {buttons:?}"
    );
    let share = button_with(&buttons, "switch_inline_query_chosen_chat").expect("Share");
    assert_eq!(share["text"], "↗️ هم‌رسانی");
    let chosen = &share["switch_inline_query_chosen_chat"];
    assert_eq!(chosen["query"], format!("#{short}"));
    assert_eq!(chosen["allow_user_chats"], true);
    assert_eq!(chosen["allow_group_chats"], true);

    // Another statement is newer, so "the latest" would not be this one.
    publish(&app, "short-2", "یکی دیگر.").await;
    let query_id = app
        .telegram
        .push_inline_query(USER, chosen["query"].as_str().unwrap());
    let answer = wait_call(&app, "answerInlineQuery", "inline_query_id", &query_id).await;
    let results = answer["results"].as_array().expect("results");
    assert_eq!(results.len(), 1, "{answer}");
    assert_eq!(results[0]["id"], short.to_string());
    let shared_text = results[0]["input_message_content"]["message_text"]
        .as_str()
        .unwrap();
    assert!(shared_text.contains("کوتاه و کامل"), "{shared_text}");
    // The card dropped into another chat keeps its buttons.
    assert!(
        results[0]["reply_markup"]["inline_keyboard"].is_array(),
        "{answer}"
    );

    let gone = app.telegram.push_inline_query(USER, "#999999");
    let answer = wait_call(&app, "answerInlineQuery", "inline_query_id", &gone).await;
    assert_eq!(answer["results"].as_array().map(Vec::len), Some(0));
    app.stop().await;
}

#[tokio::test]
async fn a_revised_card_keeps_its_buttons() {
    let app = subscribed_app().await;
    let id = publish(&app, "revised-1", &long_body(3)).await;
    let card = card_of(&app, id).await;
    let revised = StatementContent::new(
        "اطلاعیهٔ بازنگری‌شده",
        "<p>x</p>",
        long_body(4),
        Some("https://example.org/revised-1".into()),
        Utc::now(),
    )
    .unwrap();
    app.storage.revise(id, &revised).await.unwrap();
    let edited = wait_edits(&app, card.message_id, 1).await;
    assert!(edited.text.contains("بازنگری"), "{}", edited.text);
    let buttons = keyboard(&edited);
    assert!(
        button_with(&buttons, "callback_data").is_some(),
        "{buttons:?}"
    );
    assert!(button_with(&buttons, "switch_inline_query_chosen_chat").is_some());
    app.stop().await;
}

#[tokio::test]
async fn a_teaser_card_sends_readers_to_the_site_for_the_full_text() {
    let app = subscribed_app().await;
    app.storage
        .subscribe(ChatId(USER + 1), ChatKind::Private, Lang::En)
        .await
        .unwrap();
    let teaser = publish(&app, "teaser-2", "The first lines of a long article […]").await;
    let card = card_of(&app, teaser).await;
    let buttons = keyboard(&card);
    let site = button_with(&buttons, "url").expect("a link to the site");
    assert_eq!(site["text"], "🌐 متن کامل در سایت");
    assert_eq!(site["url"], "https://example.org/teaser-2");
    assert!(button_with(&buttons, "callback_data").is_none());
    let english = app
        .telegram
        .messages_in(USER + 1)
        .into_iter()
        .find(|m| m.raw_text.contains(&format!("#{teaser}")))
        .expect("the English card");
    let site = button_with(&keyboard(&english), "url").cloned().unwrap();
    assert_eq!(site["text"], "🌐 Full text on the site");
    app.stop().await;
}

#[tokio::test]
async fn in_a_channel_full_text_opens_the_readers_own_chat_with_the_bot() {
    const CHANNEL: i64 = -1_001_300_000_001;
    let app = TestApp::spawn().await;
    app.storage
        .subscribe(ChatId(CHANNEL), ChatKind::Channel, Lang::Fa)
        .await
        .unwrap();
    let id = publish(&app, "channel-1", &long_body(20)).await;
    app.settled_figures(id).await;
    let post = app
        .telegram
        .messages_in(CHANNEL)
        .pop()
        .expect("the channel got the card");
    let data = button_with(&keyboard(&post), "callback_data")
        .and_then(|b| b["callback_data"].as_str())
        .expect("Full text")
        .to_string();

    let query = app
        .telegram
        .push_channel_callback(USER, CHANNEL, post.message_id, &data);
    let answer = wait_call(&app, "answerCallbackQuery", "callback_query_id", &query).await;
    let link = answer["url"].as_str().expect("a link to the bot");
    let payload = link.split("?start=").nth(1).expect("a start parameter");
    app.assert_silence(CHANNEL, 1).await;

    // Start, from that link, in the reader's own chat: the statement, and no subscription.
    let statement = app.storage.announcement(id).await.unwrap().unwrap();
    let parts = full_statement(&statement, Lang::Fa).len();
    let replies = app
        .ask_n(USER, &format!("/start {payload}"), Some("fa"), parts)
        .await;
    assert!(text_of(&replies[0]).contains("اطلاعیهٔ بلند"));
    let subscription = app.storage.subscriber(ChatId(USER)).await.unwrap();
    assert_eq!(subscription, None, "reading is not subscribing");
    app.stop().await;
}
