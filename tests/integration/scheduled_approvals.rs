//! "Send later" under `PUBLISH_APPROVALS=2`: the typed time makes a request like Send; a
//! second admin's Approve holds the statement for its time, and the schedule task publishes
//! it then, with its lines in the audit trail.

use jarchi::domain::{AuditAction, Lang, UserId};
use jarchi::text::dates::jalali_date;

use crate::app::{ADMIN, TestApp, text_of};
use crate::approvals::{SECOND, THIRD, last_button, press, two_approvals};
use crate::broadcast::{count_with, subscribe, wait_for_text};
use crate::schedule::{press_send_later, preview, seconds_ahead, wait_held};

#[tokio::test]
async fn send_later_with_two_approvals_waits_for_the_second_admin_then_for_its_time() {
    let app: TestApp = two_approvals().await;
    subscribe(&app, [74_001, 74_002]).await;
    let confirm_id = preview(&app, "نشست عمومی", "fa").await;
    press_send_later(&app, confirm_id).await;

    let (due, when) = seconds_ahead(10);
    let note = app.ask(ADMIN, &when).await;
    assert!(
        note.contains("درخواست ۱") && note.contains(&jalali_date(due, Lang::Fa)),
        "{note}"
    );
    let (note_id, withdraw) = last_button(&app, ADMIN);
    assert_eq!(withdraw, "withdraw:1");
    // The other admins get the card and the question, which says when it would go out.
    for admin in [SECOND, THIRD] {
        let asked = app.wait_sent_to(admin, 2).await;
        assert!(
            text_of(&asked[0]).contains("<b>نشست عمومی</b>"),
            "{asked:?}"
        );
        let question = text_of(&asked[1]);
        assert!(question.contains(&jalali_date(due, Lang::Fa)), "{question}");
        assert_eq!(last_button(&app, admin).1, "approve:1");
    }
    // Nothing is held or published before the approval, and the author's own Approve
    // does nothing.
    assert!(app.storage.scheduled(10).await.unwrap().is_empty());
    let refused = press(&app, ADMIN, ADMIN, note_id, "approve:1").await;
    assert!(refused.contains("خودتان"), "{refused}");
    assert!(app.storage.scheduled(10).await.unwrap().is_empty());
    assert!(
        app.storage
            .waiting_schedule(UserId(ADMIN as u64))
            .await
            .unwrap()
            .is_none()
    );

    let (question, approve) = last_button(&app, SECOND);
    press(&app, SECOND, SECOND, question, &approve).await;
    wait_held(&app, 1).await;
    let held = app.storage.scheduled(10).await.unwrap();
    assert_eq!(held[0].due, due);
    wait_for_text(&app, ADMIN, "زمان‌بندی شد", 1).await;
    assert_eq!(app.storage.count_announcements().await.unwrap(), 0);

    // Then out at its time, once.
    for chat in [74_001, 74_002] {
        wait_for_text(&app, chat, "نشست عمومی", 1).await;
    }
    let published = app.storage.latest(1, 0).await.unwrap();
    assert!(published[0].published_at >= due, "went out after its time");
    wait_held(&app, 0).await;
    assert_eq!(count_with(&app, 74_001, "نشست عمومی"), 1);

    // The audit trail: the second admin's approval, then the author's publish.
    let log = app.storage.audit_log(20).await.unwrap();
    let lines: Vec<_> = log
        .iter()
        .map(|e| (e.action, e.admin.0, e.statement))
        .collect();
    assert_eq!(
        lines,
        [
            (AuditAction::Publish, ADMIN as u64, Some(published[0].id)),
            (AuditAction::Approve, SECOND as u64, None),
        ]
    );
    app.stop().await;
}
