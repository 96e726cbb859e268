//! One noisy user cannot crowd out the rest: one budget for broadcasts and replies, a token
//! bucket per user, a cap on long replies, group settings for group admins only. Also the
//! answers Telegram gives during trouble: an unreadable reply, and /stats and /healthz
//! while Telegram is unreachable.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use jarchi::config::{FairUse, Settings};
use jarchi::domain::{ChatId, Lang, NewAnnouncement};
use jarchi::storage::{ChatKind, PublishOutcome};

use crate::app::{ADMIN, TestApp, WAIT, text_of};
use crate::support::fake_telegram::Fault;

const SUBSCRIBERS: i64 = 100;
const FIRST_CHAT: i64 = 700_001;

async fn subscribe(app: &TestApp, chats: impl IntoIterator<Item = i64>) {
    for chat in chats {
        app.storage
            .subscribe(ChatId(chat), ChatKind::Private, Lang::Fa)
            .await
            .unwrap();
    }
}

fn count_with(app: &TestApp, chat: i64, needle: &str) -> usize {
    app.sent_to(chat)
        .iter()
        .filter(|c| text_of(c).contains(needle))
        .count()
}

async fn wait_until(what: &str, timeout: Duration, done: impl Fn() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "waited {timeout:?} for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn one_noisy_user_cannot_crowd_out_the_rest() {
    let real_limits: Arc<dyn Fn(&mut Settings) + Send + Sync> =
        Arc::new(|s: &mut Settings| s.fair_use = FairUse::default());
    let app = TestApp::spawn_with_settings(&[], Some(real_limits)).await;
    app.telegram.enable_flood_check();
    app.import_rss().await;
    let chats: Vec<i64> = (FIRST_CHAT..FIRST_CHAT + SUBSCRIBERS).collect();
    subscribe(&app, chats.iter().copied()).await;
    let noisy = FIRST_CHAT;
    let other = 800_001;

    let statement = "بیانیهٔ همگانی";
    app.ask(ADMIN, &format!("/post {statement}\nمتن")).await;
    let flood_began = Instant::now();
    let flooder = {
        let telegram = app.telegram.clone();
        tokio::spawn(async move {
            let commands = ["/latest", "/search تهران", "/help", "/show 1", "/latest 3"];
            // On a schedule, so that a busy machine does not stretch the 5 seconds.
            let start = tokio::time::Instant::now();
            for i in 0..150u32 {
                tokio::time::sleep_until(start + Duration::from_secs(5) * i / 150).await;
                telegram.push_private_text(
                    noisy,
                    commands[i as usize % commands.len()],
                    Some("fa"),
                );
            }
        })
    };
    tokio::time::sleep(Duration::from_secs(2)).await;
    let asked = Instant::now();
    app.telegram.push_private_text(other, "/latest", Some("fa"));
    wait_until("the other user's answer", WAIT, || {
        !app.sent_to(other).is_empty()
    })
    .await;
    flooder.await.unwrap();
    let flood_lasted = flood_began.elapsed();

    let all_reached = || {
        chats
            .iter()
            .all(|chat| count_with(&app, *chat, statement) >= 1)
    };
    wait_until("every subscriber", Duration::from_secs(60), all_reached).await;
    tokio::time::sleep(Duration::from_secs(3)).await;

    // Timestamps are the fake's arrival times.
    let answered = app
        .telegram
        .calls()
        .into_iter()
        .filter(|c| {
            c.accepted && c.method == "sendMessage" && c.params["chat_id"].as_i64() == Some(other)
        })
        .map(|c| c.at)
        .min()
        .unwrap();
    let waited = answered.saturating_duration_since(asked);
    let peak = app.telegram.max_in_window(Duration::from_secs(1), None);
    // Everything to the noisy user but the broadcast itself (its /latest lists the statement too).
    let noisy_replies = app.sent_to(noisy).len() - 1;
    let notes = count_with(&app, noisy, "آهسته‌تر");
    eprintln!(
        "flood test: 150 commands in {:.1} s; {noisy_replies} replies to the noisy user ({notes} slow-down note); the other user's /latest answered in {:.2} s; peak {peak} messages in a second; {} refused by the flood check",
        flood_lasted.as_secs_f64(),
        waited.as_secs_f64(),
        app.telegram.flood_refusals()
    );
    assert!(peak <= 30, "{peak} messages in one second");
    // jarchi kept within the limit itself: the fake never had to refuse a message.
    assert_eq!(app.telegram.flood_refusals(), 0);
    for chat in &chats[1..] {
        assert_eq!(count_with(&app, *chat, statement), 1, "chat {chat}");
    }
    assert!(waited <= WAIT, "the other user waited {waited:?}");
    assert_eq!(notes, 1, "one slow-down note a minute");
    // Five at once and one every two seconds: 150 commands in about 5 s get about 8 answers.
    assert!(noisy_replies <= 12, "{noisy_replies} replies to the flood");
    app.stop().await;
}

#[tokio::test]
async fn in_groups_only_the_groups_admins_stop_or_change_settings() {
    let app = TestApp::spawn().await;
    let group = -70_001;
    let member = 71_001;
    let group_admin = 71_002;
    app.telegram
        .push_group_text(group, member, "/start@jarchi_test_bot");
    app.wait_sent_to(group, 1).await;
    assert!(
        app.storage
            .subscriber(ChatId(group))
            .await
            .unwrap()
            .is_some()
    );

    for command in [
        "/stop@jarchi_test_bot",
        "/lang@jarchi_test_bot en",
        "/settings@jarchi_test_bot",
    ] {
        let before = app.sent_to(group).len();
        app.telegram.push_group_text(group, member, command);
        let reply = app.wait_sent_to(group, before + 1).await;
        assert!(
            text_of(&reply[before]).contains("فقط مدیران گروه"),
            "{command}: {}",
            text_of(&reply[before])
        );
    }
    let subscriber = app
        .storage
        .subscriber(ChatId(group))
        .await
        .unwrap()
        .unwrap();
    assert!(subscriber.active);
    assert_eq!(subscriber.lang, Lang::Fa);

    app.telegram.make_group_admin(group, group_admin);
    let before = app.sent_to(group).len();
    app.telegram
        .push_group_text(group, group_admin, "/settings@jarchi_test_bot");
    app.wait_sent_to(group, before + 1).await;
    let settings = app.telegram.messages_in(group).pop().unwrap();
    assert!(settings.reply_markup.is_some(), "{settings:?}");

    // A member pressing the settings buttons changes nothing either.
    let query = app
        .telegram
        .push_callback(member, group, settings.message_id, "s:p");
    wait_until("the answer to the button", WAIT, || {
        app.telegram
            .calls_to("answerCallbackQuery")
            .iter()
            .any(|c| c["callback_query_id"].as_str() == Some(query.as_str()))
    })
    .await;
    let answer = app
        .telegram
        .calls_to("answerCallbackQuery")
        .into_iter()
        .find(|c| c["callback_query_id"].as_str() == Some(query.as_str()))
        .unwrap();
    assert!(
        answer["text"]
            .as_str()
            .unwrap_or_default()
            .contains("فقط مدیران گروه")
    );
    let unchanged = app
        .storage
        .subscriber_settings(ChatId(group))
        .await
        .unwrap()
        .unwrap();
    assert!(unchanged.link_previews);

    let before = app.sent_to(group).len();
    app.telegram
        .push_group_text(group, group_admin, "/stop@jarchi_test_bot");
    app.wait_sent_to(group, before + 1).await;
    assert!(
        app.storage
            .subscriber(ChatId(group))
            .await
            .unwrap()
            .is_none_or(|s| !s.active)
    );
    // /settings and /stop by the same admin asked Telegram once: the answer is remembered.
    let asked_about_admin = app
        .telegram
        .calls_to("getChatMember")
        .iter()
        .filter(|c| c["user_id"].as_i64() == Some(group_admin))
        .count();
    assert_eq!(asked_about_admin, 1);
    app.stop().await;
}

#[tokio::test]
async fn show_stops_at_ten_messages_and_links_to_the_rest() {
    let app = TestApp::spawn().await;
    let paragraph = "این یک جملهٔ بلند در اطلاعیه است. ".repeat(60);
    let body = vec![paragraph.trim(); 40].join("\n\n");
    let statement = NewAnnouncement::new(
        "very-long",
        "اطلاعیهٔ بسیار بلند",
        format!("<p>{body}</p>"),
        &body,
        Some("https://example.org/?p=99".into()),
        Utc::now(),
    )
    .unwrap();
    let PublishOutcome::Published { id, .. } = app.storage.publish(&statement).await.unwrap()
    else {
        panic!("not published");
    };
    let user = 72_001;
    let parts = app
        .ask_n(user, &format!("/show {id}"), Some("fa"), 10)
        .await;
    app.assert_silence(user, 10).await;
    let last = text_of(&parts[9]);
    assert!(last.contains("متن کامل"), "{last}");
    assert!(last.contains("https://example.org/?p=99"), "{last}");
    app.stop().await;
}

#[tokio::test]
async fn an_unreadable_reply_after_a_send_counts_as_delivered_once() {
    let app = TestApp::spawn().await;
    let chat = 73_001;
    subscribe(&app, [chat]).await;
    app.telegram.inject(chat, Fault::UnreadableReply);
    app.ask(ADMIN, "/post پاسخ ناخوانا\nمتن").await;
    app.wait_sent_to(chat, 1).await;
    // Time enough for the quickest retry (2 s) to show, were it wrongly made.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(app.sent_to(chat).len(), 1, "never sent again");
    let figures = app.storage.latest_broadcast().await.unwrap().unwrap();
    assert_eq!((figures.sent, figures.failed, figures.pending), (1, 0, 0));
    // Delivered without a message id: an edit has no copy it could reach.
    let revised =
        NewAnnouncement::new("x", "پاسخ ناخوانا ۲", "<p>متن</p>", "متن", None, Utc::now()).unwrap();
    assert_eq!(
        app.storage
            .revise(figures.announcement_id, &revised)
            .await
            .unwrap(),
        Some(0)
    );
    app.stop().await;
}

#[tokio::test]
async fn stats_and_healthz_say_since_when_telegram_is_unreachable() {
    let app = TestApp::spawn_with(&[("OPS_LISTEN", "127.0.0.1:0")]).await;
    let ops = app.ops_addr.unwrap();
    let chat = 74_001;
    subscribe(&app, [chat]).await;
    app.telegram.inject_persistent(chat, Fault::ServerError);
    app.telegram.inject_for_method("getMe", Fault::ServerError);
    app.ask(ADMIN, "/post در انتظار تلگرام\nمتن").await;

    // teloxide waits 10 s after a 5xx before it reports it.
    let deadline = Instant::now() + Duration::from_secs(40);
    let body = loop {
        let response = reqwest::get(format!("http://{ops}/healthz")).await.unwrap();
        let status = response.status().as_u16();
        let body = response.text().await.unwrap();
        if status == 503 {
            break body;
        }
        assert!(Instant::now() < deadline, "{body}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(body.contains("telegram_unreachable_since"), "{body}");
    let stats = app.ask(ADMIN, "/stats").await;
    assert!(
        stats.contains("تلگرام از") && stats.contains("در دسترس نیست"),
        "{stats}"
    );

    app.telegram.clear_faults();
    wait_until(
        "the delivery after the outage",
        Duration::from_secs(90),
        || count_with(&app, chat, "در انتظار تلگرام") == 1,
    )
    .await;
    let response = reqwest::get(format!("http://{ops}/healthz")).await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let stats = app.ask(ADMIN, "/stats").await;
    assert!(!stats.contains("تلگرام از"), "{stats}");
    let figures = app.storage.latest_broadcast().await.unwrap().unwrap();
    assert_eq!((figures.sent, figures.failed), (1, 0));
    app.stop().await;
}
