//! Topics (issue 13): admins keep them with /topics, statements are given one (`#topic`, the
//! buttons under a /post preview, a feed's category), subscribers choose theirs with
//! checkbuttons, a broadcast reaches only the subscribers of its topic, and /stats counts
//! per topic. Over HTTP against the fake Telegram, with a real SQLite file.

use std::collections::BTreeSet;

use chrono::{Timelike, Utc};
use jarchi::domain::{
    ChatId, QuietHours, SubscriberSettings, TEHRAN_OFFSET_SECONDS, TopicChoice, TopicSlug,
};
use serde_json::Value;

use crate::app::{ADMIN, TestApp, WAIT, text_of};
use crate::broadcast::{count_with, subscribe, wait_for_text};
use crate::ingest::{RSS, SUBSCRIBERS, fast_feeds, rss_of, spawn, wait_archive, wait_polls};
use crate::support::feed_server::FeedServer;

fn slug(s: &str) -> TopicSlug {
    TopicSlug::new(s).unwrap()
}

fn only(slugs: &[&str]) -> TopicChoice {
    TopicChoice::Only(slugs.iter().map(|s| slug(s)).collect::<BTreeSet<_>>())
}

/// Stores a subscriber's topics as the checkbuttons would.
async fn choose(app: &TestApp, chat: i64, choice: TopicChoice) {
    assert!(
        app.storage
            .save_topic_choice(ChatId(chat), &choice)
            .await
            .unwrap()
    );
}

/// Adds the topic "news" (اخبار / News) as an admin does.
async fn add_news(app: &TestApp) {
    let added = app.ask(ADMIN, "/topics add news اخبار | News").await;
    assert!(added.contains("اخبار") && added.contains("news"), "{added}");
}

/// Every `callback_data` of a message's keyboard, row by row.
fn callbacks(markup: &Value) -> Vec<String> {
    markup["inline_keyboard"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row.as_array().into_iter().flatten())
        .filter_map(|b| b["callback_data"].as_str().map(str::to_string))
        .collect()
}

/// Every label of a message's keyboard.
fn labels(markup: &Value) -> Vec<String> {
    markup["inline_keyboard"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row.as_array().into_iter().flatten())
        .filter_map(|b| b["text"].as_str().map(str::to_string))
        .collect()
}

/// Presses `data` on message `message_id` in `chat` and returns the edit it brought.
async fn press_for_edit(app: &TestApp, user: i64, chat: i64, message_id: i64, data: &str) -> Value {
    let before = app.telegram.calls_to("editMessageText").len();
    app.telegram.push_callback(user, chat, message_id, data);
    app.telegram
        .wait_for("editMessageText", before + 1, WAIT)
        .await[before]
        .clone()
}

/// The id of the last message the bot sent to `chat`.
fn last_message_id(app: &TestApp, chat: i64) -> i64 {
    app.telegram.messages_in(chat).last().unwrap().message_id
}

#[tokio::test]
async fn a_statement_in_news_reaches_only_subscribers_of_news_and_of_all() {
    let app = TestApp::spawn().await;
    let (everything, news_only, statements_only) = (81_001, 81_002, 81_003);
    subscribe(&app, [everything, news_only, statements_only]).await;
    add_news(&app).await;
    choose(&app, news_only, only(&["news"])).await;
    choose(&app, statements_only, only(&["statements"])).await;

    let published = app.ask(ADMIN, "/post #news خبر فوری\nمتن خبر").await;
    assert!(published.contains("۲ مشترک"), "two recipients: {published}");
    wait_for_text(&app, everything, "خبر فوری", 1).await;
    wait_for_text(&app, news_only, "خبر فوری", 1).await;
    // The card is the statement without the #word.
    let card = text_of(app.sent_to(news_only).last().unwrap());
    assert!(!card.contains("#news"), "{card}");

    // No topic: the house default, "statements".
    app.ask(ADMIN, "/post بیانیهٔ شورا\nمتن بیانیه").await;
    wait_for_text(&app, everything, "بیانیهٔ شورا", 1).await;
    wait_for_text(&app, statements_only, "بیانیهٔ شورا", 1).await;

    // An unknown #word is an answer naming the topics, and nothing is published.
    let unknown = app.ask(ADMIN, "/post #sport مسابقه\nمتن").await;
    assert!(
        unknown.contains("sport") && unknown.contains("#news") && unknown.contains("#statements"),
        "{unknown}"
    );
    assert_eq!(app.storage.count_announcements().await.unwrap(), 2);
    // A number is not a topic: `#12` stays the title's.
    app.ask(ADMIN, "/post #12 دوازدهمین نشست\nمتن").await;
    wait_for_text(&app, everything, "دوازدهمین", 1).await;
    let latest = app.storage.latest(1, 0).await.unwrap();
    assert_eq!(latest[0].title, "#12 دوازدهمین نشست");

    app.assert_silence(statements_only, 2).await;
    assert_eq!(count_with(&app, statements_only, "خبر فوری"), 0);
    assert_eq!(count_with(&app, news_only, "بیانیهٔ شورا"), 0);
    assert_eq!(count_with(&app, news_only, "دوازدهمین"), 0);
    assert_eq!(count_with(&app, everything, "خبر فوری"), 1);

    // /latest in one topic.
    let listed = app.ask_n(everything, "/latest news ۲", Some("fa"), 1).await;
    let list = text_of(&listed[0]);
    assert!(
        list.contains("خبر فوری") && !list.contains("بیانیهٔ شورا"),
        "{list}"
    );
    let all = app.ask(everything, "/latest").await;
    assert!(
        all.contains("خبر فوری") && all.contains("بیانیهٔ شورا"),
        "{all}"
    );
    let unknown = app.ask(everything, "/latest sport").await;
    assert!(unknown.contains("#news"), "{unknown}");

    app.stop().await;
}

#[tokio::test]
async fn settings_show_topics_as_checkbuttons_and_a_topic_added_later_reaches_all() {
    let app = TestApp::spawn().await;
    let reader = 82_001;
    app.ask(reader, "/start").await;
    add_news(&app).await;

    let settings = app.ask_n(reader, "/settings", Some("fa"), 1).await;
    assert!(callbacks(&settings[0]["reply_markup"]).contains(&"tp:c".to_string()));
    let message = last_message_id(&app, reader);

    let shown = press_for_edit(&app, reader, reader, message, "tp:c").await;
    let buttons = labels(&shown["reply_markup"]);
    assert!(
        buttons.iter().any(|b| b.starts_with("✅ همهٔ موضوع‌ها")),
        "{buttons:?}"
    );
    assert!(buttons.contains(&"✅ اخبار".to_string()), "{buttons:?}");
    assert!(buttons.contains(&"✅ بیانیه‌ها".to_string()), "{buttons:?}");

    // From "all", switching news off keeps every other topic on.
    let edited = press_for_edit(&app, reader, reader, message, "tp:t:news").await;
    let buttons = labels(&edited["reply_markup"]);
    assert!(buttons.contains(&"⬜ اخبار".to_string()), "{buttons:?}");
    assert!(buttons.contains(&"✅ بیانیه‌ها".to_string()), "{buttons:?}");
    assert!(
        buttons.iter().any(|b| b.starts_with("⬜ همهٔ موضوع‌ها")),
        "{buttons:?}"
    );
    assert_eq!(
        app.storage.topic_choice(ChatId(reader)).await.unwrap(),
        Some(only(&["statements"]))
    );

    // An explicit set does not grow by itself; "all" does.
    app.ask(ADMIN, "/topics add english انگلیسی | English")
        .await;
    app.ask(ADMIN, "/post #english In English\nText").await;
    app.ask(ADMIN, "/post بیانیهٔ تازه\nمتن").await;
    wait_for_text(&app, reader, "بیانیهٔ تازه", 1).await;
    assert_eq!(count_with(&app, reader, "In English"), 0);

    let back = press_for_edit(&app, reader, reader, message, "tp:a").await;
    assert!(labels(&back["reply_markup"]).contains(&"✅ انگلیسی".to_string()));
    assert_eq!(
        app.storage.topic_choice(ChatId(reader)).await.unwrap(),
        Some(TopicChoice::All)
    );
    app.ask(ADMIN, "/post #english Second in English\nText")
        .await;
    wait_for_text(&app, reader, "Second in English", 1).await;

    // Back leads to the settings, with the topics' button still there.
    let settings = press_for_edit(&app, reader, reader, message, "s:b").await;
    assert!(callbacks(&settings["reply_markup"]).contains(&"tp:c".to_string()));

    // /stop forgets the choice with the rest.
    press_for_edit(&app, reader, reader, message, "tp:t:news").await;
    app.ask(reader, "/stop").await;
    assert_eq!(
        app.storage.rows_about_chat(ChatId(reader)).await.unwrap(),
        0
    );
    app.stop().await;
}

#[tokio::test]
async fn topics_are_added_renamed_and_removed_with_their_statements_reassigned() {
    let app = TestApp::spawn().await;
    let follower = 83_001;
    subscribe(&app, [follower]).await;

    let bad = app.ask(ADMIN, "/topics add News اخبار | News").await;
    assert!(bad.contains("a-z"), "{bad}");
    let no_names = app.ask(ADMIN, "/topics add news اخبار").await;
    assert!(no_names.contains('|'), "{no_names}");
    add_news(&app).await;
    let taken = app.ask(ADMIN, "/topics add news دیگر | Other").await;
    assert!(taken.contains("/topics"), "{taken}");
    let renamed = app
        .ask(ADMIN, "/topics rename news اخبار روز | Daily news")
        .await;
    assert!(
        renamed.contains("اخبار روز") && renamed.contains("Daily news"),
        "{renamed}"
    );

    let listed = app.ask_n(ADMIN, "/topics", Some("fa"), 1).await;
    let list = text_of(&listed[0]);
    assert!(
        list.contains("اخبار روز") && list.contains("statements"),
        "{list}"
    );
    let buttons = callbacks(&listed[0]["reply_markup"]);
    for expected in ["tp:n", "tp:r:news", "tp:x:news", "tp:r:statements"] {
        assert!(buttons.contains(&expected.to_string()), "{buttons:?}");
    }
    // The default topic stays: no remove button, and a forged one is refused.
    assert!(!buttons.contains(&"tp:x:statements".to_string()));
    let list_id = last_message_id(&app, ADMIN);

    // Rename and add answer with the line to send.
    let before = app.sent_to(ADMIN).len();
    app.telegram
        .push_callback(ADMIN, ADMIN, list_id, "tp:r:news");
    let how = app.wait_sent_to(ADMIN, before + 1).await;
    assert!(text_of(&how[before]).contains("/topics rename news اخبار روز | Daily news"));

    app.ask(ADMIN, "/post #news خبر یک\nمتن").await;
    app.ask(ADMIN, "/post #news خبر دو\nمتن").await;
    choose(&app, follower, only(&["news"])).await;
    // Both broadcasts' reports reach the admin first, so that neither is taken for the
    // question below.
    wait_for_text(&app, ADMIN, "گزارش ارسال", 2).await;

    let before = app.sent_to(ADMIN).len();
    app.telegram
        .push_callback(ADMIN, ADMIN, list_id, "tp:x:news");
    let asked = app.wait_sent_to(ADMIN, before + 1).await[before].clone();
    assert!(
        text_of(&asked).contains('۲'),
        "two statements: {}",
        text_of(&asked)
    );
    assert_eq!(callbacks(&asked["reply_markup"]), ["tp:m:news:statements"]);
    let question = last_message_id(&app, ADMIN);
    let removed = press_for_edit(&app, ADMIN, ADMIN, question, "tp:m:news:statements").await;
    assert!(
        text_of(&removed).contains("بیانیه‌ها"),
        "{}",
        text_of(&removed)
    );
    assert!(
        removed.get("reply_markup").is_none(),
        "the question loses its buttons"
    );

    let topics = app.storage.topics().await.unwrap();
    assert_eq!(topics.len(), 1);
    assert_eq!(
        app.storage
            .statements_in_topic(slug("statements"))
            .await
            .unwrap(),
        2
    );
    // The subscriber who chose it follows its statements, instead of receiving nothing.
    assert_eq!(
        app.storage.topic_choice(ChatId(follower)).await.unwrap(),
        Some(only(&["statements"]))
    );
    // A second tap finds it gone; the default cannot be removed.
    app.telegram
        .push_callback(ADMIN, ADMIN, question, "tp:m:news:statements");
    app.telegram
        .push_callback(ADMIN, ADMIN, list_id, "tp:x:statements");
    let answers = app.telegram.wait_for("answerCallbackQuery", 5, WAIT).await;
    let toasts: Vec<&str> = answers.iter().filter_map(|a| a["text"].as_str()).collect();
    assert!(toasts.iter().any(|t| t.contains("پیش‌فرض")), "{toasts:?}");
    app.stop().await;
}

#[tokio::test]
async fn the_post_preview_offers_the_topics_with_the_default_ticked() {
    let app = TestApp::spawn().await;
    let (news_reader, other) = (84_001, 84_002);
    subscribe(&app, [news_reader, other]).await;
    add_news(&app).await;
    choose(&app, news_reader, only(&["news"])).await;
    choose(&app, other, only(&["statements"])).await;

    app.ask_n(ADMIN, "/post", Some("fa"), 1).await;
    app.ask_n(ADMIN, "گزارش هفته", Some("fa"), 1).await;
    app.ask_n(ADMIN, "متن گزارش", Some("fa"), 1).await;
    let replies = app.ask_n(ADMIN, "/skip", Some("fa"), 2).await;
    let question = &replies[1];
    assert!(
        text_of(question).contains("بیانیه‌ها"),
        "{}",
        text_of(question)
    );
    let buttons = callbacks(&question["reply_markup"]);
    assert_eq!(&buttons[..2], ["post:send", "post:cancel"]);
    assert!(buttons.contains(&"tp:p:news".to_string()), "{buttons:?}");
    assert!(labels(&question["reply_markup"]).contains(&"✅ بیانیه‌ها".to_string()));

    let confirm = last_message_id(&app, ADMIN);
    let picked = press_for_edit(&app, ADMIN, ADMIN, confirm, "tp:p:news").await;
    assert!(labels(&picked["reply_markup"]).contains(&"✅ اخبار".to_string()));
    assert!(text_of(&picked).contains("اخبار"), "{}", text_of(&picked));

    press_for_edit(&app, ADMIN, ADMIN, confirm, "post:send").await;
    wait_for_text(&app, news_reader, "گزارش هفته", 1).await;
    app.assert_silence(other, 0).await;
    app.stop().await;
}

#[tokio::test]
async fn stats_count_per_topic_and_the_share_held_by_quiet_hours() {
    let app = TestApp::spawn().await;
    let (sleeping, awake, news_only) = (85_001, 85_002, 85_003);
    subscribe(&app, [sleeping, awake, news_only]).await;
    add_news(&app).await;
    choose(&app, news_only, only(&["news"])).await;
    // Quiet hours that hold the present hour in Tehran.
    let tehran_hour = ((Utc::now().hour() as i64 * 3600 + TEHRAN_OFFSET_SECONDS as i64)
        .rem_euclid(86_400)
        / 3600) as u8;
    let settings = SubscriberSettings {
        quiet_hours: QuietHours::new(tehran_hour, (tehran_hour + 2) % 24),
        ..SubscriberSettings::default()
    };
    app.storage
        .save_subscriber_settings(ChatId(sleeping), &settings)
        .await
        .unwrap();

    app.ask(ADMIN, "/post #news خبر یک\nمتن").await;
    app.ask(ADMIN, "/post بیانیهٔ یک\nمتن").await;
    wait_for_text(&app, awake, "بیانیهٔ یک", 1).await;

    let stats = app.ask_en(ADMIN, "/stats").await;
    assert!(
        stats.contains("News: 3 · 1"),
        "news: all three, one statement\n{stats}"
    );
    assert!(stats.contains("Statements: 2 · 1"), "{stats}");
    // The last broadcast (the statement) went to two; one of them sleeps.
    assert!(stats.contains("50% (1 of 2)"), "{stats}");
    let persian = app.ask(ADMIN, "/stats").await;
    assert!(persian.contains("اخبار: ۳ · ۱"), "{persian}");
    app.stop().await;
}

#[tokio::test]
async fn a_feed_category_is_mapped_to_a_topic() {
    let server = FeedServer::start().await;
    let item = |guid: &str, title: &str, category: &str| {
        format!(
            "<item><title>{title}</title><link>https://example.org/?p={guid}</link>\
             <guid isPermaLink=\"false\">https://example.org/?p={guid}</guid>\
             <pubDate>Mon, 23 Nov 2026 10:00:00 +0000</pubDate>{category}\
             <description>متن</description></item>"
        )
    };
    let first = item("1", "نخستین", "");
    server.set("/feed.xml", RSS, rss_of(std::slice::from_ref(&first)));
    let app = spawn(&[server.url("/feed.xml")], fast_feeds()).await;
    wait_archive(&app.storage, 1).await;
    let [everything, news_only, statements_only] = SUBSCRIBERS;
    add_news(&app).await;
    choose(&app, news_only, only(&["news"])).await;
    choose(&app, statements_only, only(&["statements"])).await;

    let usage = app.ask_en(ADMIN, "/feedtopic").await;
    assert!(usage.contains("/feedtopic 1 sport news"), "{usage}");
    let missing = app.ask_en(ADMIN, "/feedtopic 1 ورزش nothing").await;
    assert!(missing.contains("No such feed or topic"), "{missing}");
    let mapped = app.ask_en(ADMIN, "/feedtopic 1 Labour News news").await;
    assert!(
        mapped.contains("labour news") && mapped.contains("News"),
        "{mapped}"
    );
    let feeds = app.ask_en(ADMIN, "/feeds").await;
    assert!(
        feeds.contains("category “labour news” to “News”"),
        "{feeds}"
    );

    server.set(
        "/feed.xml",
        RSS,
        rss_of(&[
            item(
                "2",
                "اعتصاب کارگران",
                "<category>Labour  news</category><category>x</category>",
            ),
            item("3", "بیانیهٔ سایت", "<category>other</category>"),
            first,
        ]),
    );
    wait_for_text(&app, news_only, "اعتصاب کارگران", 1).await;
    wait_for_text(&app, everything, "اعتصاب کارگران", 1).await;
    wait_for_text(&app, statements_only, "بیانیهٔ سایت", 1).await;
    wait_for_text(&app, everything, "بیانیهٔ سایت", 1).await;
    wait_polls(&server, "/feed.xml", 2).await;
    assert_eq!(count_with(&app, news_only, "بیانیهٔ سایت"), 0);
    assert_eq!(count_with(&app, statements_only, "اعتصاب کارگران"), 0);

    // The feed's default: everything not mapped goes to news.
    let set = app.ask_en(ADMIN, "/feedtopic 1 news").await;
    assert!(set.contains("Feed 1: its items go to “News”"), "{set}");
    let unmapped = app.ask_en(ADMIN, "/feedtopic 1 labour news -").await;
    assert!(unmapped.contains("no longer mapped"), "{unmapped}");
    let feeds = app.ask_en(ADMIN, "/feeds").await;
    assert!(feeds.contains("feed 1: everything to “News”"), "{feeds}");
    app.stop().await;
}
