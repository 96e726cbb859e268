//! The public commands, end to end: a Telegram update in, the bot's requests out.

use crate::app::{ADMIN, TestApp, text_of};

const USER: i64 = 1001;

#[tokio::test]
async fn start_subscribes_once_and_stop_forgets() {
    let app = TestApp::spawn().await;

    let welcome = app.ask(USER, "/start").await;
    assert!(welcome.contains("خوش آمدید"), "{welcome}");
    assert!(app.storage.subscriber(USER).await.unwrap().is_some());

    let again = app.ask(USER, "/start").await;
    assert!(again.contains("پیش‌تر عضو شده‌اید"), "{again}");

    let bye = app.ask(USER, "/stop").await;
    assert!(bye.contains("لغو شد"), "{bye}");
    assert!(
        app.storage.subscriber(USER).await.unwrap().is_none(),
        "/stop must forget the chat"
    );
    assert_eq!(app.storage.subscriber_counts().await.unwrap().stopped, 1);

    let not_subscribed = app.ask(USER, "/stop").await;
    assert!(not_subscribed.contains("عضو نیستید"), "{not_subscribed}");
    app.stop().await;
}

#[tokio::test]
async fn english_speakers_are_welcomed_in_english() {
    let app = TestApp::spawn().await;
    let welcome = app.ask_en(USER, "/start").await;
    assert!(welcome.starts_with("Welcome"), "{welcome}");
    // The choice is remembered: later answers stay in English.
    let help = app.ask_n(USER, "/help", Some("fa"), 1).await;
    assert!(text_of(&help[0]).contains("/latest"));
    assert!(text_of(&help[0]).contains("The latest statements"));
    app.stop().await;
}

#[tokio::test]
async fn latest_shows_the_newest_statements_as_cards() {
    let app = TestApp::spawn().await;
    let report = app.import_rss().await;
    assert_eq!(report.inserted, 10);

    let reply = app.ask(USER, "/latest").await;
    assert_eq!(reply.matches("<b>").count(), 5, "{reply}");
    // Newest first: the 2 June statement leads.
    assert!(reply.find("نیروهای سرکوبگر").unwrap() < reply.find("آتنا به اولین").unwrap());
    // Jalali date with Persian digits: 2017-06-02 is 12 Khordad 1396.
    assert!(reply.contains("۱۲ خرداد ۱۳۹۶"), "{reply}");
    assert!(
        reply.contains(r#"<a href="https://example.org/?p=4391">ادامه مطلب</a>"#),
        "{reply}"
    );
    assert!(
        reply.contains('…'),
        "excerpts end with an ellipsis: {reply}"
    );

    let three = app.ask(USER, "/latest ۳").await;
    assert_eq!(three.matches("<b>").count(), 3);
    let capped = app.ask(USER, "/latest 50").await;
    assert_eq!(capped.matches("<b>").count(), 10);
    let nonsense = app.ask(USER, "/latest many").await;
    assert!(nonsense.contains("/latest 3"), "{nonsense}");
    app.stop().await;
}

#[tokio::test]
async fn latest_on_an_empty_archive_says_so() {
    let app = TestApp::spawn().await;
    let reply = app.ask(USER, "/latest").await;
    assert!(reply.contains("هنوز اطلاعیه‌ای"), "{reply}");
    app.stop().await;
}

#[tokio::test]
async fn english_cards_use_gregorian_dates() {
    let app = TestApp::spawn().await;
    app.import_rss().await;
    let reply = app.ask_en(USER, "/latest 1").await;
    assert!(
        reply.contains("2 June 2017")
            || reply.contains("June 2, 2017")
            || reply.contains("2 Jun 2017"),
        "{reply}"
    );
    assert!(reply.contains(">Read more</a>"), "{reply}");
    app.stop().await;
}

#[tokio::test]
async fn show_sends_a_whole_statement_split_to_fit() {
    let app = TestApp::spawn().await;
    let long_body = "این یک جملهٔ بلند از یک اطلاعیهٔ بسیار طولانی است. ".repeat(400);
    let rss = crate::search::rss(&[("اطلاعیهٔ بلند", &long_body)]);
    app.import_document("long.xml", &rss).await;
    let id = app.storage.latest(1, 0).await.unwrap()[0].id;

    let before = app.sent_to(USER).len();
    app.telegram
        .push_private_text(USER, &format!("/show {id}"), Some("fa"));
    // ~20,000 characters: five or six messages of at most 4096.
    let sent = app.wait_sent_to(USER, before + 5).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let parts: Vec<String> = app.sent_to(USER)[before..].iter().map(text_of).collect();
    assert!(parts.len() >= 5, "{}", sent.len());
    assert!(
        parts[0].starts_with("<b>") || parts[0].starts_with("\u{200f}<b>"),
        "{}",
        parts[0]
    );
    assert!(parts.iter().all(|p| p.encode_utf16().count() <= 4096));
    let words: usize = parts.iter().map(|p| p.matches("طولانی").count()).sum();
    assert_eq!(words, 400, "every sentence arrives exactly once");

    let missing = app.ask(USER, "/show 999").await;
    assert!(
        missing.contains("999") || missing.contains("۹۹۹"),
        "{missing}"
    );
    let usage = app.ask(USER, "/show").await;
    assert!(usage.contains("/show 12"), "{usage}");
    app.stop().await;
}

#[tokio::test]
async fn help_lists_the_commands_and_admins_see_theirs() {
    let app = TestApp::spawn().await;
    let help = app.ask(USER, "/help").await;
    for command in [
        "/start",
        "/stop",
        "/latest",
        "/search",
        "/show",
        "/settings",
        "/lang",
        "/help",
    ] {
        assert!(help.contains(command), "{command} missing from {help}");
    }
    assert!(!help.contains("/post"));
    let admin_help = app.ask(ADMIN, "/help").await;
    assert!(
        admin_help.contains("/post") && admin_help.contains("/stats"),
        "{admin_help}"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_command_menu_is_published_in_both_languages() {
    let app = TestApp::spawn().await;
    // The menus go out beside the first getUpdates, not before it: fa, en and the default.
    app.telegram
        .wait_for("setMyCommands", 3, crate::app::WAIT)
        .await;
    let fa = app.telegram.my_commands(Some("fa"));
    let en = app.telegram.my_commands(Some("en"));
    assert_eq!(fa.len(), 9);
    assert_eq!(en.len(), 9);
    assert!(fa.iter().any(|c| c["description"] == "آخرین اطلاعیه‌ها"));
    assert!(
        en.iter()
            .any(|c| c["description"] == "The latest statements")
    );
    app.stop().await;
}

#[tokio::test]
async fn groups_get_answers_to_addressed_commands_and_silence_otherwise() {
    let app = TestApp::spawn().await;
    app.import_rss().await;
    let group = -4001;

    app.telegram
        .push_group_text(group, USER, "/latest@jarchi_test_bot 2");
    let sent = app.wait_sent_to(group, 1).await;
    assert_eq!(text_of(&sent[0]).matches("<b>").count(), 2);

    app.telegram.push_group_text(group, USER, "سلام به همه");
    app.telegram
        .push_group_text(group, USER, "/latest@some_other_bot");
    app.telegram.push_group_text(group, USER, "/unknown");
    app.assert_silence(group, 1).await;
    app.stop().await;
}

#[tokio::test]
async fn private_chatter_and_unknown_commands() {
    let app = TestApp::spawn().await;
    let unknown = app.ask(USER, "/frobnicate").await;
    assert!(unknown.contains("/help"), "{unknown}");
    app.telegram.push_private_text(USER, "سلام", Some("fa"));
    app.assert_silence(USER, 1).await;
    app.stop().await;
}

#[tokio::test]
async fn html_in_statements_is_escaped() {
    let app = TestApp::spawn().await;
    let rss = crate::search::rss(&[(
        "<b>bold</b> & <script>alert(1)</script> \"quoted\"",
        "Body with <i>tags</i> & ampersands < and > signs",
    )]);
    app.import_document("hostile.xml", &rss).await;
    let reply = app.ask(USER, "/latest 1").await;
    assert!(!reply.contains("<script>"), "{reply}");
    // The fake Telegram rejects invalid HTML, so stop() asserting no violations is the real check.
    app.stop().await;
}
