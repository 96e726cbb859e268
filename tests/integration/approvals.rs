//! A second pair of eyes (`PUBLISH_APPROVALS=2`) and the audit trail, over HTTP against the
//! fake Telegram with a real SQLite file.

use std::sync::Arc;
use std::time::Duration;

use jarchi::config::{Approvals, Settings};
use jarchi::domain::{AuditAction, StatementId, UserId};

use crate::app::{ADMIN, SettingsTweak, TestApp, WAIT, text_of};
use crate::broadcast::{count_with, subscribe, wait_for_text};

/// The admin who approves, and one more who only watches.
pub(crate) const SECOND: i64 = 9002;
pub(crate) const THIRD: i64 = 9003;

/// Three admins, two approvals; a restart keeps both (through the settings tweak).
pub(crate) async fn two_approvals() -> TestApp {
    let tweak: SettingsTweak = Arc::new(|settings: &mut Settings| {
        settings.admin_ids = [ADMIN, SECOND, THIRD].map(|id| id as u64).to_vec();
        settings.publish_approvals = Approvals::Two;
    });
    TestApp::spawn_with_settings(&[], Some(tweak)).await
}

/// The last message with buttons in `chat`: its id and its first button's data.
pub(crate) fn last_button(app: &TestApp, chat: i64) -> (i64, String) {
    let messages = app.telegram.messages_in(chat);
    let message = messages
        .iter()
        .rev()
        .find(|m| m.reply_markup.is_some())
        .expect("a message with buttons");
    let data =
        message.reply_markup.as_ref().expect("buttons")["inline_keyboard"][0][0]["callback_data"]
            .as_str()
            .expect("callback data")
            .to_string();
    (message.message_id, data)
}

/// Presses a button and returns the text of the answer over the chat (empty when the
/// button's message was edited instead).
pub(crate) async fn press(app: &TestApp, user: i64, chat: i64, message: i64, data: &str) -> String {
    let before = app.telegram.calls_to("answerCallbackQuery").len();
    app.telegram.push_callback(user, chat, message, data);
    let answers = app
        .telegram
        .wait_for("answerCallbackQuery", before + 1, WAIT)
        .await;
    answers[before]["text"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// `/post` by the first admin, approved by the second; returns the statement's number.
async fn post_and_approve(app: &TestApp, title: &str) -> StatementId {
    let asked_before = app.sent_to(SECOND).len();
    app.ask(ADMIN, &format!("/post {title}\nمتن")).await;
    app.wait_sent_to(SECOND, asked_before + 2).await;
    let (question, approve) = last_button(app, SECOND);
    let approved_before = count_with(app, ADMIN, "تأیید کرد");
    press(app, SECOND, SECOND, question, &approve).await;
    wait_for_text(app, ADMIN, "تأیید کرد", approved_before + 1).await;
    app.storage.latest(1, 0).await.unwrap()[0].id
}

#[tokio::test]
async fn a_second_admins_approve_publishes_once_and_the_authors_own_is_refused() {
    let app = two_approvals().await;
    let subscribers = [40_001, 40_002];
    subscribe(&app, subscribers).await;

    let note = app
        .ask(ADMIN, "/post اعتصاب\nکارگران دست از کار کشیدند.")
        .await;
    assert!(
        note.contains("درخواست ۱") && note.contains("تأیید"),
        "{note}"
    );
    let (note_id, withdraw) = last_button(&app, ADMIN);
    assert_eq!(withdraw, "withdraw:1");
    // Every other admin gets the card as subscribers will, and the question under it.
    for admin in [SECOND, THIRD] {
        let asked = app.wait_sent_to(admin, 2).await;
        assert!(text_of(&asked[0]).contains("<b>اعتصاب</b>"), "{asked:?}");
        assert!(text_of(&asked[1]).contains("می‌خواهد"), "{asked:?}");
        assert_eq!(last_button(&app, admin).1, "approve:1");
    }
    let preview = text_of(&app.sent_to(SECOND)[0]);
    assert_eq!(app.storage.count_announcements().await.unwrap(), 0);

    // The author's own Approve (a forged press under the note) is refused.
    let refused = press(&app, ADMIN, ADMIN, note_id, "approve:1").await;
    assert!(refused.contains("خودتان"), "{refused}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.storage.count_announcements().await.unwrap(), 0);
    assert_eq!(count_with(&app, subscribers[0], "اعتصاب"), 0);

    // Two admins approve at the same moment: it goes out once.
    let (second_q, _) = last_button(&app, SECOND);
    let (third_q, _) = last_button(&app, THIRD);
    let before = app.telegram.calls_to("answerCallbackQuery").len();
    app.telegram
        .push_callback(SECOND, SECOND, second_q, "approve:1");
    app.telegram
        .push_callback(THIRD, THIRD, third_q, "approve:1");
    app.telegram
        .wait_for("answerCallbackQuery", before + 2, WAIT)
        .await;
    for chat in subscribers {
        wait_for_text(&app, chat, "اعتصاب", 1).await;
    }
    assert_eq!(text_of(&app.sent_to(subscribers[0])[0]), preview);
    // The author hears who approved and how it went.
    wait_for_text(&app, ADMIN, "تأیید کرد", 1).await;
    wait_for_text(&app, ADMIN, "منتشر شد", 1).await;

    // A later tap does nothing more.
    let again = press(&app, SECOND, SECOND, second_q, "approve:1").await;
    assert!(again.contains("پیش‌تر تأیید شده"), "{again}");
    let late = press(&app, ADMIN, ADMIN, note_id, "withdraw:1").await;
    assert!(late.contains("پیش‌تر تأیید شده"), "{late}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    for chat in subscribers {
        assert_eq!(count_with(&app, chat, "اعتصاب"), 1);
    }
    assert_eq!(app.storage.count_announcements().await.unwrap(), 1);

    let log = app.storage.audit_log(20).await.unwrap();
    let lines: Vec<_> = log.iter().map(|e| (e.action, e.admin.0)).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0], (AuditAction::Publish, ADMIN as u64));
    assert_eq!(lines[1].0, AuditAction::Approve);
    assert_ne!(lines[1].1, ADMIN as u64);
    app.stop().await;
}

#[tokio::test]
async fn withdraw_cancels_and_requests_survive_a_restart() {
    let app = two_approvals().await;
    subscribe(&app, [41_001]).await;
    // The guided dialogue's Send asks for approval too.
    app.ask(ADMIN, "/post").await;
    app.ask(ADMIN, "پس‌گرفتنی").await;
    app.ask(ADMIN, "متن").await;
    app.ask_n(ADMIN, "/skip", Some("fa"), 2).await;
    let (confirm, send) = last_button(&app, ADMIN);
    assert_eq!(send, "post:send");
    press(&app, ADMIN, ADMIN, confirm, "post:send").await;
    app.wait_sent_to(SECOND, 2).await;
    app.telegram.wait_for("editMessageText", 1, WAIT).await;
    // The question became the note, with the Withdraw button.
    let (note_id, withdraw) = last_button(&app, ADMIN);
    assert_eq!((note_id, withdraw.as_str()), (confirm, "withdraw:1"));

    let app = app.restart().await;
    let withdrawn = press(&app, SECOND, ADMIN, note_id, "withdraw:1").await;
    assert!(
        withdrawn.contains("فقط مدیری"),
        "only the author: {withdrawn}"
    );
    press(&app, ADMIN, ADMIN, note_id, "withdraw:1").await;
    wait_for_text(&app, SECOND, "پس گرفت", 1).await;
    let note = app.telegram.messages_in(ADMIN).last().cloned().unwrap();
    assert!(note.text.contains("پس گرفت"), "{}", note.text);
    assert_eq!(note.reply_markup, None, "the note loses its button");

    let (question, approve) = last_button(&app, SECOND);
    let late = press(&app, SECOND, SECOND, question, &approve).await;
    assert!(late.contains("پس گرفته"), "{late}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.storage.count_announcements().await.unwrap(), 0);
    assert_eq!(count_with(&app, 41_001, "پس‌گرفتنی"), 0);
    let log = app.storage.audit_log(20).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0].action, log[0].admin),
        (AuditAction::Withdraw, UserId(ADMIN as u64))
    );
    app.stop().await;
}

#[tokio::test]
async fn edit_and_delete_wait_for_approval() {
    let app = two_approvals().await;
    let chat = 42_001;
    subscribe(&app, [chat]).await;
    let id = post_and_approve(&app, "نخستین").await;
    wait_for_text(&app, chat, "نخستین", 1).await;
    // The broadcast's report reaches both admins after the copy; let it land first, so that
    // it is not taken for the answer to /edit.
    for admin in [ADMIN, SECOND] {
        wait_for_text(&app, admin, "گزارش ارسال", 1).await;
    }

    let asked_before = app.sent_to(SECOND).len();
    let note = app
        .ask(ADMIN, &format!("/edit {id}\nاصلاح‌شده\nمتن تازه"))
        .await;
    assert!(note.contains("ویرایش"), "{note}");
    let asked = app.wait_sent_to(SECOND, asked_before + 2).await;
    assert!(text_of(&asked[asked_before]).contains("<b>اصلاح‌شده</b>"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        app.telegram
            .calls_to("editMessageText")
            .iter()
            .all(|c| c["chat_id"] != chat)
    );
    let (question, approve) = last_button(&app, SECOND);
    press(&app, SECOND, SECOND, question, &approve).await;
    wait_for_text(&app, ADMIN, "ویرایش شد", 1).await;
    let deadline = tokio::time::Instant::now() + WAIT;
    while !app.telegram.texts_to(chat)[0].contains("اصلاح‌شده") {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the copy was not edited"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let asked_before = app.sent_to(SECOND).len();
    app.ask(ADMIN, &format!("/delete {id}")).await;
    // A delete is named by its number and title; there is no card to show.
    let asked = app.wait_sent_to(SECOND, asked_before + 1).await;
    let question_text = text_of(&asked[asked_before]);
    assert!(
        question_text.contains("اصلاح‌شده") && question_text.contains("حذف"),
        "{question_text}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!app.telegram.messages_in(chat)[0].deleted);
    let (question, approve) = last_button(&app, SECOND);
    press(&app, SECOND, SECOND, question, &approve).await;
    app.telegram.wait_for("deleteMessage", 1, WAIT).await;
    assert!(app.telegram.messages_in(chat)[0].deleted);

    // Nothing to approve for a statement that is not there.
    let unknown = app.ask(ADMIN, "/delete 4242").await;
    assert!(unknown.contains("پیدا نشد"), "{unknown}");
    let actions: Vec<_> = app
        .storage
        .audit_log(20)
        .await
        .unwrap()
        .iter()
        .map(|e| e.action)
        .collect();
    use AuditAction::{Approve, Delete, Edit, Publish};
    assert_eq!(actions, [Delete, Approve, Edit, Approve, Publish, Approve]);
    app.stop().await;
}

#[tokio::test]
async fn with_one_approval_post_works_as_today_and_lands_in_audit() {
    let app = TestApp::spawn().await;
    subscribe(&app, [43_001]).await;
    let reply = app.ask(ADMIN, "/post امروز\nمتن").await;
    assert!(reply.contains("منتشر شد"), "{reply}");
    wait_for_text(&app, 43_001, "امروز", 1).await;
    wait_for_text(&app, ADMIN, "گزارش ارسال", 1).await;
    let audit = app.ask(ADMIN, "/audit").await;
    assert!(audit.contains("مدیر ۹۰۰۱ · انتشار #۱"), "{audit}");
    app.stop().await;
}

#[tokio::test]
async fn audit_lists_the_last_20_newest_first_and_refuses_non_admins() {
    let app = TestApp::spawn().await;
    for n in 1..=25 {
        app.storage
            .audit(
                UserId(ADMIN as u64),
                AuditAction::Edit,
                Some(StatementId(n)),
            )
            .await
            .unwrap();
    }
    let audit = app.ask_en(ADMIN, "/audit").await;
    let lines: Vec<&str> = audit.lines().skip(1).collect();
    assert_eq!(lines.len(), 20, "{audit}");
    assert!(lines[0].ends_with("edited #25"), "{audit}");
    assert!(lines[19].ends_with("edited #6"), "{audit}");
    let refused = app.ask(3003, "/audit").await;
    assert!(refused.contains("ویژهٔ مدیران"), "{refused}");
    app.stop().await;
}
