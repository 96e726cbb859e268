//! A feed cannot flood the followers (a site that moves or pours out items sends nothing
//! old and at most a few new at once), and cannot make the bot reach where it must not
//! (plain http, inside addresses), whichever way the address comes: configured, added by
//! an admin, redirected to, announced by a page, or imported.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use jarchi::domain::FeedHealth;

use crate::app::{ADMIN, TestApp, text_of};
use crate::ingest::{
    RSS, SUBSCRIBERS, eventually, fast_feeds, item, rss_of, rss_with, spawn, wait_archive,
    wait_polls,
};
use crate::support::feed_server::FeedServer;
use crate::support::fixtures::FEED_RSS;

/// The feed server's text: what a subscriber was sent, counted by a title it contains.
fn sent_with(app: &TestApp, chat: i64, needle: &str) -> usize {
    app.sent_to(chat)
        .iter()
        .filter(|m| text_of(m).contains(needle))
        .count()
}

async fn eventually_within<F, Fut>(what: &str, limit: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + limit;
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "waited for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The one held-statements notice's message id and its button's callback data.
fn the_hold_notice(app: &TestApp) -> (i64, String) {
    let notices = hold_notices(app);
    assert_eq!(notices.len(), 1, "one notice for the whole poll");
    let data = notices[0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        .as_str()
        .unwrap()
        .to_string();
    let message_id = app
        .telegram
        .messages_in(ADMIN)
        .into_iter()
        .find(|m| m.text.starts_with('⏸'))
        .unwrap()
        .message_id;
    (message_id, data)
}

/// The held-statements notices an admin was sent (they start with ⏸).
fn hold_notices(app: &TestApp) -> Vec<Value> {
    app.sent_to(ADMIN)
        .into_iter()
        .filter(|m| text_of(m).starts_with('⏸'))
        .collect()
}

#[tokio::test]
async fn a_feed_that_moves_sends_nothing_old_and_new_statements_once() {
    let server = FeedServer::start().await;
    server.set("/feed.xml", RSS, FEED_RSS);
    let app = spawn(&[server.url("/feed.xml")], fast_feeds()).await;
    wait_archive(&app.storage, 10).await;
    // One statement reaches the subscribers before the site moves.
    let delivered = rss_with(&[item("9001", "پیش از جابه‌جایی", "<p>متن</p>")]);
    server.set("/feed.xml", RSS, delivered.clone());
    for chat in SUBSCRIBERS {
        app.wait_sent_to(chat, 1).await;
    }

    // To http and www., with tracking parameters: every guid and link changes, the
    // normalised link does not.
    let to_www = delivered.replace(
        "https://example.org/?p=",
        "http://www.example.org/?utm_source=feed&p=",
    );
    assert_ne!(to_www, delivered);
    server.set("/feed.xml", RSS, to_www);
    wait_polls(&server, "/feed.xml", 3).await;
    // To another host altogether: only the titles and dates are left.
    let elsewhere = delivered.replace("https://example.org/", "https://news.example.net/archive/");
    server.set("/feed.xml", RSS, elsewhere.clone());
    wait_polls(&server, "/feed.xml", 3).await;
    for chat in SUBSCRIBERS {
        assert_eq!(app.sent_to(chat).len(), 1, "a move re-sent the archive");
    }
    assert!(
        app.telegram.calls_to("editMessageText").is_empty(),
        "a new address alone is not worth an edit of every copy"
    );
    assert_eq!(app.storage.count_announcements().await.unwrap(), 11);
    assert!(hold_notices(&app).is_empty());

    // A statement published after the move still goes out, once.
    let fresh = "<item><title>اطلاعیهٔ پس از جابه‌جایی</title>\
                 <link>https://news.example.net/archive/?p=9999</link>\
                 <guid>https://news.example.net/archive/?p=9999</guid>\
                 <pubDate>Tue, 24 Nov 2026 10:00:00 +0000</pubDate>\
                 <description>متن</description></item>";
    server.set(
        "/feed.xml",
        RSS,
        elsewhere.replacen("<item>", &format!("{fresh}<item>"), 1),
    );
    for chat in SUBSCRIBERS {
        app.wait_sent_to(chat, 2).await;
    }
    wait_polls(&server, "/feed.xml", 3).await;
    for chat in SUBSCRIBERS {
        assert_eq!(app.sent_to(chat).len(), 2);
        assert_eq!(sent_with(&app, chat, "پس از جابه‌جایی"), 1);
    }
    assert_eq!(app.storage.count_announcements().await.unwrap(), 12);
    app.stop().await;
}

#[tokio::test]
async fn twenty_new_items_send_five_hold_fifteen_and_the_button_sends_them_once() {
    let server = FeedServer::start().await;
    let seed = item("1", "seed", "seed");
    server.set("/feed.xml", RSS, rss_of(std::slice::from_ref(&seed)));
    let app = spawn(&[server.url("/feed.xml")], fast_feeds()).await;
    wait_archive(&app.storage, 1).await;

    // Newest first, as feeds list them: statement 119 is the newest.
    let mut items: Vec<String> = (100..120)
        .rev()
        .map(|n| item(&n.to_string(), &format!("statement {n}"), "text"))
        .collect();
    items.push(seed.clone());
    server.set("/feed.xml", RSS, rss_of(&items));
    for chat in SUBSCRIBERS {
        app.wait_sent_to(chat, 5).await;
    }
    eventually("the admin's notice", || async {
        !hold_notices(&app).is_empty()
    })
    .await;
    wait_polls(&server, "/feed.xml", 3).await;
    for chat in SUBSCRIBERS {
        assert_eq!(app.sent_to(chat).len(), 5, "the cap is 5 per poll");
        for n in 115..120 {
            assert_eq!(sent_with(&app, chat, &format!("statement {n}")), 1, "{n}");
        }
    }
    assert_eq!(app.storage.count_announcements().await.unwrap(), 21);
    let (notice_id, data) = the_hold_notice(&app);
    let notice = text_of(&hold_notices(&app)[0]);
    for n in 100..115 {
        assert!(notice.contains(&format!("statement {n}")), "{notice}");
    }
    assert!(!notice.contains("statement 115"), "{notice}");
    assert!(data.len() <= 64);

    // A statement published after the flood still goes out, once.
    items.insert(0, item("120", "statement 120", "text"));
    server.set("/feed.xml", RSS, rss_of(&items));
    for chat in SUBSCRIBERS {
        app.wait_sent_to(chat, 6).await;
    }
    wait_polls(&server, "/feed.xml", 2).await;

    let feeds = app.ask_en(ADMIN, "/feeds").await;
    assert!(feeds.contains("15 statements from feed 1"), "{feeds}");

    // The admin decides the fifteen are genuine, and taps twice.
    app.telegram.push_callback(ADMIN, ADMIN, notice_id, &data);
    app.telegram.push_callback(ADMIN, ADMIN, notice_id, &data);
    // Telegram allows one message a second to a chat: fifteen take fifteen seconds.
    eventually_within("the held statements", Duration::from_secs(60), || async {
        SUBSCRIBERS
            .iter()
            .all(|chat| app.sent_to(*chat).len() >= 21)
    })
    .await;
    app.telegram
        .wait_for("answerCallbackQuery", 2, crate::app::WAIT)
        .await;
    wait_polls(&server, "/feed.xml", 3).await;
    for chat in SUBSCRIBERS {
        assert_eq!(app.sent_to(chat).len(), 21, "each held statement once");
        for n in 100..=120 {
            assert_eq!(sent_with(&app, chat, &format!("statement {n}")), 1, "{n}");
        }
        // Released in the site's order.
        let texts: Vec<String> = app.sent_to(chat)[6..].iter().map(text_of).collect();
        assert!(texts[0].contains("statement 100") && texts[14].contains("statement 114"));
    }
    let answered = app
        .telegram
        .messages_in(ADMIN)
        .into_iter()
        .find(|m| m.message_id == notice_id)
        .unwrap();
    assert_eq!(answered.edit_count, 1, "one release, one edit");
    assert!(answered.reply_markup.is_none(), "the button is gone");
    assert!(answered.text.contains("statement 100") && answered.text.contains("📣"));
    assert_eq!(hold_notices(&app).len(), 1);
    let feeds = app.ask_en(ADMIN, "/feeds").await;
    assert!(!feeds.contains("⏸"), "nothing waits any more: {feeds}");
    app.stop().await;
}

#[tokio::test]
async fn only_admins_release_a_hold_and_feeds_offers_it_should_the_notice_be_lost() {
    let server = FeedServer::start().await;
    server.set("/feed.xml", RSS, rss_of(&[item("1", "seed", "seed")]));
    let app = TestApp::spawn_with_settings(
        &[
            ("FEED_URLS", server.url("/feed.xml").as_str()),
            ("FEED_MAX_NEW_PER_POLL", "0"),
        ],
        fast_feeds(),
    )
    .await;
    app.storage
        .subscribe(
            jarchi::domain::ChatId(SUBSCRIBERS[0]),
            jarchi::storage::ChatKind::Private,
            jarchi::domain::Lang::Fa,
        )
        .await
        .unwrap();
    wait_archive(&app.storage, 1).await;
    // With a cap of 0 every new statement waits for an admin.
    server.set(
        "/feed.xml",
        RSS,
        rss_of(&[item("2", "held one", "text"), item("1", "seed", "seed")]),
    );
    eventually("the admin's notice", || async {
        !hold_notices(&app).is_empty()
    })
    .await;
    let (notice_id, data) = the_hold_notice(&app);
    app.telegram.push_callback(4242, 4242, notice_id, &data);
    app.telegram
        .push_callback(ADMIN, ADMIN, notice_id, "hold:999");
    app.telegram
        .wait_for("answerCallbackQuery", 2, crate::app::WAIT)
        .await;
    app.assert_silence(SUBSCRIBERS[0], 0).await;
    let answers = app.telegram.calls_to("answerCallbackQuery");
    let toasts: Vec<&str> = answers.iter().filter_map(|a| a["text"].as_str()).collect();
    assert_eq!(toasts.len(), 2, "{answers:?}");

    // Should the notice be lost, /feeds offers the same button.
    let before = app.sent_to(ADMIN).len();
    app.telegram.push_private_text(ADMIN, "/feeds", Some("en"));
    let list = app.wait_sent_to(ADMIN, before + 1).await[before].clone();
    assert!(text_of(&list).contains("⏸ hold"), "{list}");
    let button = &list["reply_markup"]["inline_keyboard"][0][0];
    assert_eq!(button["callback_data"].as_str(), Some(data.as_str()));
    let list_id = app
        .telegram
        .messages_in(ADMIN)
        .into_iter()
        .find(|m| m.text.contains("⏸ hold"))
        .unwrap()
        .message_id;
    app.telegram.push_callback(ADMIN, ADMIN, list_id, &data);
    app.wait_sent_to(SUBSCRIBERS[0], 1).await;
    // The notice's own button now finds the hold released.
    app.telegram.push_callback(ADMIN, ADMIN, notice_id, &data);
    app.telegram
        .wait_for("answerCallbackQuery", 4, crate::app::WAIT)
        .await;
    app.assert_silence(SUBSCRIBERS[0], 1).await;
    app.stop().await;
}

/// A settings tweak on top of the fast feed timings: `127.0.0.2` stands for a site on the
/// internet, while 127.0.0.1 stays what it is, inside.
fn with_public_site() -> Option<crate::app::SettingsTweak> {
    let fast = fast_feeds().unwrap();
    Some(Arc::new(move |s| {
        fast(s);
        s.feed_policy.treat_as_public = vec![[127, 0, 0, 2].into()];
    }))
}

async fn feed_errors(app: &TestApp, count: usize) -> Vec<(String, Option<String>)> {
    eventually("every feed polled", || async {
        let feeds = app.storage.feed_statuses().await.unwrap();
        feeds.len() == count && feeds.iter().all(|f| f.health != FeedHealth::Waiting)
    })
    .await;
    app.storage
        .feed_statuses()
        .await
        .unwrap()
        .into_iter()
        .map(|f| {
            let error = match f.health {
                FeedHealth::Failing { error, .. } => Some(error),
                _ => None,
            };
            (f.url, error)
        })
        .collect()
}

#[tokio::test]
async fn feeds_do_not_reach_inside_by_any_road() {
    let inside = FeedServer::start().await;
    inside.set("/feed.xml", RSS, FEED_RSS);
    let port = inside.port();
    let site = FeedServer::start_on([127, 0, 0, 2].into()).await;
    site.set("/ok.xml", RSS, rss_of(&[item("1", "seed", "seed")]));
    site.set_redirect("/to-name.xml", &format!("http://localhost:{port}/feed.xml"));
    site.set_redirect("/to-ip.xml", &format!("http://127.0.0.1:{port}/feed.xml"));
    site.set(
        "/",
        "text/html",
        format!(
            "<!DOCTYPE html><html><head><link rel=\"alternate\" \
             type=\"application/rss+xml\" href=\"http://localhost:{port}/feed.xml\"></head></html>"
        ),
    );
    let feeds = [
        site.url("/ok.xml"),
        format!("http://localhost:{port}/feed.xml"),
        site.url("/to-name.xml"),
        site.url("/to-ip.xml"),
        site.url("/"),
    ];
    // Not FEED_URLS: the configuration refuses 127.0.0.2 before a test may call it public.
    let app =
        TestApp::spawn_with_settings(&[("FEED_ALLOW_PRIVATE", "false")], with_public_site()).await;
    app.storage.follow_feeds(&feeds).await.unwrap();

    // What can be told without a fetch is told at once.
    for (address, expected) in [
        (
            format!("http://127.0.0.1:{port}/feed.xml"),
            "127.0.0.1 is a loopback address",
        ),
        (
            format!("http://[::1]:{port}/feed.xml"),
            "::1 is a loopback address",
        ),
        (
            format!("http://[::ffff:127.0.0.1]:{port}/feed.xml"),
            "is a loopback address",
        ),
        (
            "https://169.254.169.254/latest/meta-data/".to_string(),
            "169.254.169.254 is a cloud metadata address",
        ),
        ("https://10.0.0.7/feed/".to_string(), "a private address"),
    ] {
        let answer = app.ask_en(ADMIN, &format!("/addfeed {address}")).await;
        assert!(
            answer.contains(expected) && answer.contains("FEED_ALLOW_PRIVATE=true"),
            "{address}: {answer}"
        );
    }
    let fa = app
        .ask(ADMIN, &format!("/addfeed http://127.0.0.1:{port}/"))
        .await;
    assert!(fa.contains("پذیرفته نشد"), "{fa}");

    // The rest shows in /feeds after a poll.
    let errors = feed_errors(&app, feeds.len()).await;
    let error_of = |url: &str| {
        errors
            .iter()
            .find(|(u, _)| u == url)
            .and_then(|(_, e)| e.clone())
            .unwrap_or_default()
    };
    assert_eq!(error_of(&feeds[0]), "", "the public site works");
    let by_name = error_of(&feeds[1]);
    assert!(
        by_name.contains("localhost leads to") && by_name.contains("loopback"),
        "{by_name}"
    );
    for redirected in [&feeds[2], &feeds[3]] {
        let error = error_of(redirected);
        assert!(
            error.contains("a loopback address"),
            "{redirected}: {error}"
        );
    }
    let page = error_of(&feeds[4]);
    assert!(
        page.contains("whose feed http://localhost") && page.contains("loopback"),
        "{page}"
    );
    let list = app.ask_en(ADMIN, "/feeds").await;
    assert!(
        list.contains("localhost leads to 127.0.0.1") || list.contains("localhost leads to ::1"),
        "{list}"
    );
    assert!(list.contains("FEED_ALLOW_PRIVATE=true"), "{list}");

    assert_eq!(
        inside.request_count(),
        0,
        "nothing reached the inside server"
    );
    assert!(!site.requests("/ok.xml").is_empty());
    assert_eq!(app.storage.count_announcements().await.unwrap(), 1);
    app.stop().await;
}

#[tokio::test]
async fn plain_http_is_refused_unless_allowed() {
    let server = FeedServer::start().await;
    server.set("/feed.xml", RSS, FEED_RSS);
    let app = TestApp::spawn_with_settings(&[("FEED_ALLOW_HTTP", "false")], fast_feeds()).await;
    let url = server.url("/feed.xml");
    let answer = app.ask_en(ADMIN, &format!("/addfeed {url}")).await;
    assert!(
        answer.contains("plain http") && answer.contains("FEED_ALLOW_HTTP=true"),
        "{answer}"
    );
    assert!(app.storage.feed_statuses().await.unwrap().is_empty());
    // Followed while http was allowed, then the operator tightened the policy.
    app.storage
        .follow_feeds(std::slice::from_ref(&url))
        .await
        .unwrap();
    let errors = feed_errors(&app, 1).await;
    let error = errors[0].1.clone().unwrap_or_default();
    assert!(error.contains("plain http"), "{error}");
    let list = app.ask_en(ADMIN, "/feeds").await;
    assert!(list.contains("FEED_ALLOW_HTTP=true"), "{list}");
    assert_eq!(server.request_count(), 0);
    app.stop().await;
}

/// `jarchi import <url>` with exactly these variables (and a fresh database).
async fn import(url: &str, vars: &[(&str, &str)]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("archive.db").display());
    let mut vars = vars.to_vec();
    vars.push(("DATABASE_URL", &db));
    crate::bad_config::run(&["import", url], &vars).await
}

#[tokio::test]
async fn import_follows_the_same_policy() {
    let server = FeedServer::start().await;
    server.set("/feed.xml", RSS, FEED_RSS);
    let port = server.port();
    let by_ip = server.url("/feed.xml");
    let by_name = format!("http://localhost:{port}/feed.xml");

    let (code, _, stderr) = import(&by_ip, &[]).await;
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("plain http") && stderr.contains("FEED_ALLOW_HTTP=true"),
        "{stderr}"
    );
    let http = [("FEED_ALLOW_HTTP", "true")];
    let (code, _, stderr) = import(&by_ip, &http).await;
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("127.0.0.1 is a loopback address"),
        "{stderr}"
    );
    let (code, _, stderr) = import(&by_name, &http).await;
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("localhost leads to"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_eq!(server.request_count(), 0);

    let (code, stdout, stderr) = import(
        &by_name,
        &[("FEED_ALLOW_HTTP", "true"), ("FEED_ALLOW_PRIVATE", "true")],
    )
    .await;
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("imported 10 new statements"), "{stdout}");
    let (code, _, stderr) = import(&by_ip, &[("FEED_ALLOW_HTTP", "maybe")]).await;
    assert_eq!(code, 2);
    assert!(stderr.contains("FEED_ALLOW_HTTP is invalid"), "{stderr}");
}

#[tokio::test]
async fn an_https_feed_is_never_redirected_to_plain_http() {
    let plain = FeedServer::start().await;
    plain.set("/feed.xml", RSS, FEED_RSS);
    let secure = FeedServer::start_https([127, 0, 0, 1].into()).await;
    secure.set("/feed.xml", RSS, rss_of(&[item("1", "seed", "seed")]));
    secure.set_redirect("/moved.xml", &plain.url("/feed.xml"));
    let feeds = [secure.url("/feed.xml"), secure.url("/moved.xml")];
    let fast = fast_feeds().unwrap();
    let trust_test_ca: crate::app::SettingsTweak = Arc::new(move |s| {
        fast(s);
        s.feed_extra_roots = vec![crate::support::fixtures::TLS_CA_PEM.to_string()];
    });
    // Plain http is allowed here (the tests' default), and still the downgrade is refused.
    let app = TestApp::spawn_with_settings(
        &[("FEED_URLS", feeds.join(",").as_str())],
        Some(trust_test_ca),
    )
    .await;
    let errors = feed_errors(&app, 2).await;
    assert_eq!(errors[0].1, None, "https itself works: {errors:?}");
    let refused = errors[1].1.clone().unwrap_or_default();
    assert!(
        refused.contains("refused the redirect from https to plain http"),
        "{refused}"
    );
    let list = app.ask_en(ADMIN, "/feeds").await;
    assert!(list.contains("from https to plain http"), "{list}");
    assert_eq!(plain.request_count(), 0, "nothing went out in the clear");
    app.stop().await;
}
