//! The archive at full size (issue 14): the search quality set, snippets, /search with a
//! Jalali month, /archive by year and month (across the leap-year Esfand/Farvardin
//! boundary), and an old database's search index carried over by the migration.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

use crate::app::TestApp;
use crate::experience::{USER, buttons, data_of, last_message, press, wait_edits};
use crate::search::rss_dated;

const QUALITY_SET: &str = include_str!("../fixtures/search-quality/set.json");

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("a valid test date")
}

/// An RSS document of `(title, body, published)`.
fn feed(items: &[(&str, &str, DateTime<Utc>)]) -> String {
    let dated: Vec<(&str, &str, String)> = items
        .iter()
        .map(|(t, b, at)| (*t, *b, at.to_rfc2822()))
        .collect();
    rss_dated(&dated)
}

/// The title of the first card of a results message: its first bold run.
fn first_title(reply: &str) -> Option<String> {
    let start = reply.find("<b>")? + 3;
    let end = start + reply[start..].find("</b>")?;
    Some(reply[start..end].to_string())
}

#[tokio::test]
async fn the_quality_set_finds_the_expected_statement_first() {
    let set: Value = serde_json::from_str(QUALITY_SET).expect("the quality set is JSON");
    let statements: Vec<(String, String, DateTime<Utc>)> = set["statements"]
        .as_array()
        .expect("statements")
        .iter()
        .map(|s| {
            let date =
                chrono::NaiveDate::parse_from_str(s["published"].as_str().unwrap(), "%Y-%m-%d")
                    .unwrap()
                    .and_hms_opt(9, 0, 0)
                    .unwrap()
                    .and_utc();
            (
                s["title"].as_str().unwrap().to_string(),
                s["body"].as_str().unwrap().to_string(),
                date,
            )
        })
        .collect();
    assert_eq!(statements.len(), 30);
    let items: Vec<(&str, &str, DateTime<Utc>)> = statements
        .iter()
        .map(|(t, b, d)| (t.as_str(), b.as_str(), *d))
        .collect();
    let app = TestApp::spawn().await;
    app.import_rss().await;
    app.import_document("quality.xml", &feed(&items)).await;

    let queries = set["queries"].as_array().expect("queries");
    assert_eq!(queries.len(), 20);
    let mut misses = Vec::new();
    for q in queries {
        let query = q["query"].as_str().unwrap();
        let expected = q["first"].as_str().unwrap();
        let reply = app.ask(USER, &format!("/search {query}")).await;
        let first = first_title(&reply);
        if first.as_deref() != Some(expected) {
            misses.push(format!(
                "{query:?} ({}): expected {expected:?}, got {first:?}",
                q["why"].as_str().unwrap_or_default()
            ));
        }
    }
    assert!(
        misses.is_empty(),
        "{} of 20 missed:\n{}",
        misses.len(),
        misses.join("\n")
    );
    app.stop().await;
}

#[tokio::test]
async fn results_show_a_snippet_with_the_words_bold_as_published() {
    let app = TestApp::spawn().await;
    let long_opening = "مقدمه‌ای طولانی درباره اوضاع. ".repeat(30);
    let body = format!(
        "{long_opening}در کابل نيروهاى امنيتى به سوی مردم شلیک کردند و می‌گویند «نيروهاى <ویژه>» هم بودند."
    );
    app.import_document(
        "snippet.xml",
        &feed(&[("گزارش کابل", &body, utc(2021, 8, 1, 9, 0))]),
    )
    .await;
    let reply = app.ask(USER, "/search نیروهای امنیتی").await;
    // Typed with Persian yeh, published with Arabic yeh and alef maksura: bold as published.
    assert!(
        reply.contains("<strong>نيروهاى</strong> <strong>امنيتى</strong> به سوی مردم"),
        "{reply}"
    );
    assert!(
        reply.contains("«<strong>نيروهاى</strong> &lt;ویژه&gt;»"),
        "{reply}"
    );
    // The snippet starts near the match, not at the opening words.
    assert!(reply.contains("…"), "{reply}");
    assert!(reply.matches("مقدمه").count() < 10, "{reply}");
    app.stop().await;
}

/// Statements on both sides of Nowruz 1404, after the 30-day Esfand of leap year 1403
/// (30 Esfand 1403 = 20 March 2025; Tehran's midnight is 20:30 UTC), plus the fixture
/// feed's Ordibehesht and Khordad 1396.
async fn calendar_app() -> TestApp {
    let app = TestApp::spawn().await;
    app.import_rss().await;
    let items = [
        (
            "اعتصاب در روز اول اسفند",
            "متن اسفند آغاز",
            utc(2025, 2, 18, 21, 0),
        ),
        (
            "اعتصاب در روز آخر اسفند",
            "متن اسفند پایان",
            utc(2025, 3, 20, 20, 0),
        ),
        (
            "اعتصاب در روز اول فروردین",
            "متن نوروز",
            utc(2025, 3, 20, 20, 40),
        ),
    ];
    app.import_document("nowruz.xml", &feed(&items)).await;
    app
}

#[tokio::test]
async fn search_takes_a_jalali_month_in_any_script_as_a_filter() {
    let app = calendar_app().await;
    for query in ["خرداد ۱۳۹۶", "khordad 1396", "Khordad ١٣٩٦", "۱۳۹۶ خرداد"]
    {
        let reply = app.ask(USER, &format!("/search {query}")).await;
        // 2 June, 31 May, 27 May and 23 May 2017 are in Khordad; 20 May is Ordibehesht.
        assert!(reply.contains("نیروهای سرکوبگر"), "{query}: {reply}");
        assert!(reply.contains("ترور در منچستر"), "{query}: {reply}");
        assert!(!reply.contains("انتخاب مجدد روحانی"), "{query}: {reply}");
    }
    let atena = app.ask(USER, "/search آتنا خرداد 1396").await;
    assert!(atena.contains("آتنا دائمی و اسماعیل عبدی"), "{atena}");
    assert!(!atena.contains("منچستر"), "{atena}");

    let esfand = app.ask(USER, "/search اعتصاب esfand 1403").await;
    assert!(esfand.contains("روز آخر اسفند"), "{esfand}");
    assert!(esfand.contains("روز اول اسفند"), "{esfand}");
    assert!(!esfand.contains("فروردین"), "{esfand}");
    let farvardin = app.ask(USER, "/search اعتصاب فروردین ۱۴۰۴").await;
    assert!(farvardin.contains("روز اول فروردین"), "{farvardin}");
    assert!(!farvardin.contains("اسفند"), "{farvardin}");

    let empty_month = app.ask(USER, "/search تیر ۱۳۹۰").await;
    assert!(empty_month.contains("پیدا نشد"), "{empty_month}");
    app.stop().await;
}

#[tokio::test]
async fn archive_browses_years_then_months_then_statements() {
    let app = calendar_app().await;
    let before = app.sent_to(USER).len();
    app.telegram.push_private_text(USER, "/archive", Some("fa"));
    app.wait_sent_to(USER, before + 1).await;
    let years = last_message(&app);
    let year_buttons = buttons(&years);
    let labels: Vec<&str> = year_buttons.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(labels, ["۱۴۰۴ · ۱", "۱۴۰۳ · ۲", "۱۳۹۶ · ۱۰"], "{years:#?}");

    let answer = press(&app, years.message_id, &data_of(&years, "۱۴۰۳")).await;
    assert!(answer.get("text").is_none(), "{answer}");
    let months = wait_edits(&app, years.message_id, 1).await;
    assert!(months.text.contains("۱۴۰۳"), "{months:#?}");
    let month_labels: Vec<String> = buttons(&months).into_iter().map(|(l, _)| l).collect();
    assert_eq!(month_labels, ["اسفند · ۲", "بازگشت"], "{months:#?}");

    press(&app, months.message_id, &data_of(&months, "اسفند")).await;
    let esfand = wait_edits(&app, months.message_id, 2).await;
    assert!(esfand.text.contains("اسفند ۱۴۰۳"), "{esfand:#?}");
    assert!(esfand.text.contains("روز آخر اسفند") && esfand.text.contains("روز اول اسفند"));
    assert!(!esfand.text.contains("فروردین"), "{esfand:#?}");
    // The newest first, and each statement a button of its own.
    assert!(esfand.text.find("روز آخر") < esfand.text.find("روز اول"));
    assert_eq!(
        buttons(&esfand)
            .iter()
            .filter(|(_, d)| d.starts_with("v:"))
            .count(),
        2
    );

    // Back to the year, back to the years, then Farvardin 1404.
    press(&app, esfand.message_id, &data_of(&esfand, "بازگشت")).await;
    let months_again = wait_edits(&app, esfand.message_id, 3).await;
    assert_eq!(buttons(&months_again), buttons(&months));
    press(
        &app,
        months_again.message_id,
        &data_of(&months_again, "بازگشت"),
    )
    .await;
    let years_again = wait_edits(&app, months_again.message_id, 4).await;
    assert_eq!(buttons(&years_again), year_buttons);
    press(&app, years_again.message_id, &data_of(&years_again, "۱۴۰۴")).await;
    let months_1404 = wait_edits(&app, years_again.message_id, 5).await;
    press(
        &app,
        months_1404.message_id,
        &data_of(&months_1404, "فروردین"),
    )
    .await;
    let farvardin = wait_edits(&app, months_1404.message_id, 6).await;
    assert!(farvardin.text.contains("روز اول فروردین"), "{farvardin:#?}");
    assert!(!farvardin.text.contains("اسفند"), "{farvardin:#?}");
    app.stop().await;
}

#[tokio::test]
async fn a_month_of_many_statements_is_paged_like_latest() {
    let app = calendar_app().await;
    app.ask_en(USER, "/start").await;
    app.ask_en(USER, "/lang en").await;
    app.ask_en(USER, "/archive").await;
    let years = last_message(&app);
    press(&app, years.message_id, &data_of(&years, "1396")).await;
    let months = wait_edits(&app, years.message_id, 1).await;
    let labels: Vec<String> = buttons(&months).into_iter().map(|(l, _)| l).collect();
    assert_eq!(
        labels,
        ["Ordibehesht · 6", "Khordad · 4", "Back"],
        "{months:#?}"
    );
    press(&app, months.message_id, &data_of(&months, "Ordibehesht")).await;
    let first_page = wait_edits(&app, months.message_id, 2).await;
    assert!(
        first_page.text.contains("Ordibehesht 1396"),
        "{first_page:#?}"
    );
    let shown = |m: &crate::support::fake_telegram::StoredMessage| {
        buttons(m)
            .iter()
            .filter(|(_, d)| d.starts_with("v:"))
            .count()
    };
    assert_eq!(shown(&first_page), 5);
    press(&app, first_page.message_id, &data_of(&first_page, "Next")).await;
    let second_page = wait_edits(&app, first_page.message_id, 3).await;
    assert_eq!(shown(&second_page), 1, "{second_page:#?}");
    assert!(
        buttons(&second_page)
            .iter()
            .any(|(l, _)| l.contains("Previous"))
    );
    assert!(
        !buttons(&second_page)
            .iter()
            .any(|(l, _)| l.contains("Next"))
    );

    // A forged month answers politely instead of failing.
    let refused = press(&app, second_page.message_id, "m:1396:13:0").await;
    assert!(refused["text"].as_str().is_some(), "{refused}");
    app.stop().await;
}

#[tokio::test]
async fn an_empty_archive_says_so() {
    let app = TestApp::spawn().await;
    let reply = app.ask(USER, "/archive").await;
    assert!(reply.contains("بایگانی نیست"), "{reply}");
    app.stop().await;
}

#[tokio::test]
async fn a_database_from_before_the_upgrade_keeps_its_search() {
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};
    use std::str::FromStr;

    let dir = tempfile::tempdir().unwrap();
    let earlier = dir.path().join("migrations");
    std::fs::create_dir(&earlier).unwrap();
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.as_str() < "0005" {
            std::fs::copy(&path, earlier.join(&name)).unwrap();
        }
    }
    let url = format!("sqlite://{}", dir.path().join("jarchi.db").display());
    let pool = SqlitePool::connect_with(
        SqliteConnectOptions::from_str(&url)
            .unwrap()
            .create_if_missing(true),
    )
    .await
    .unwrap();
    sqlx::migrate::Migrator::new(earlier.as_path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    // A statement as the version before issue 14 stored it: the row, and its folded text in
    // the index that kept a copy of it.
    let (title, body) = ("همبستگی با کارگران ایرانی", "متن بیانیه");
    sqlx::query(
        "INSERT INTO announcements (id, source_key, title, body_html, body_text, published_at,
             created_at, updated_at) VALUES (7, 'old-7', ?1, '', ?2, 1495000000, 0, 0)",
    )
    .bind(title)
    .bind(body)
    .execute(&pool)
    .await
    .unwrap();
    // And one whose id is 2^22 past it: the next statement's id, and so its sort key,
    // will then meet statement 7's when both share a publication second.
    sqlx::query(
        "INSERT INTO announcements (id, source_key, title, body_html, body_text, published_at,
             created_at, updated_at) VALUES (4194310, 'old-far', 'دیگر', '', '', 1400000000, 0, 0)",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO announcements_fts (rowid, title, body) VALUES (7, ?1, ?2)")
        .bind(jarchi::text::fold_for_index(title))
        .bind(jarchi::text::fold_for_index(body))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let storage = jarchi::storage::Storage::connect(&url).await.unwrap();
    let words = jarchi::text::query_words("ایران");
    let found = storage.search(&words, None, 5, 0).await.unwrap();
    assert_eq!(found.iter().map(|a| a.id).collect::<Vec<_>>(), [7]);
    // Same second as statement 7, id 4194311: its first key is taken, and it gets another.
    let twin = jarchi::domain::NewAnnouncement::new(
        "new-2",
        "ایرانیان",
        "",
        "",
        None,
        DateTime::from_timestamp(1_495_000_000, 0).unwrap(),
    )
    .unwrap();
    let twin_id = storage.archive(&twin).await.unwrap().id().0;
    assert_eq!(twin_id, 4_194_311);
    let found = storage.search(&words, None, 5, 0).await.unwrap();
    assert_eq!(found.iter().map(|a| a.id).collect::<Vec<_>>(), [twin_id, 7]);
    // A newer statement joins the same index and comes first among equals.
    let newer = jarchi::domain::NewAnnouncement::new(
        "new-1",
        "کارگران ایران",
        "",
        "متن تازه",
        None,
        utc(2024, 1, 1, 0, 0),
    )
    .unwrap();
    let id = storage.archive(&newer).await.unwrap().id().0;
    let found = storage.search(&words, None, 5, 0).await.unwrap();
    assert_eq!(
        found.iter().map(|a| a.id).collect::<Vec<_>>(),
        [id, twin_id, 7]
    );
    storage.close().await;
}

#[tokio::test]
async fn a_merged_index_still_follows_revisions_and_retractions() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("merged.db").display());
    let storage = jarchi::storage::Storage::connect(&url).await.unwrap();
    let mut ids = Vec::new();
    for (day, title) in [(1, "کارگران معدن"), (2, "کارگران نفت"), (3, "پرستاران")]
    {
        let new = jarchi::domain::NewAnnouncement::new(
            format!("merged-{day}"),
            title,
            "",
            "متن",
            None,
            utc(2024, 1, day, 0, 0),
        )
        .unwrap();
        ids.push(storage.archive(&new).await.unwrap().id());
    }
    storage.merge_search_index().await.unwrap();
    let workers = jarchi::text::query_words("کارگران");
    let found =
        |list: Vec<jarchi::domain::Announcement>| -> Vec<_> { list.iter().map(|a| a.id).collect() };
    assert_eq!(
        found(storage.search(&workers, None, 5, 0).await.unwrap()),
        [ids[1], ids[0]]
    );
    storage.retract(ids[1]).await.unwrap();
    let revised = jarchi::domain::StatementContent::new(
        "کارگران بیمارستان",
        "",
        "متن",
        None,
        utc(2024, 1, 3, 0, 0),
    )
    .unwrap();
    storage.revise(ids[2], &revised).await.unwrap();
    assert_eq!(
        found(storage.search(&workers, None, 5, 0).await.unwrap()),
        [ids[2], ids[0]]
    );
    // Merged again, the deleted and the replaced postings stay gone.
    storage.merge_search_index().await.unwrap();
    assert_eq!(
        found(storage.search(&workers, None, 5, 0).await.unwrap()),
        [ids[2], ids[0]]
    );
    let nurses = jarchi::text::query_words("پرستاران");
    assert!(
        storage
            .search(&nurses, None, 5, 0)
            .await
            .unwrap()
            .is_empty()
    );
    storage.close().await;
}

#[tokio::test]
async fn polling_starts_while_the_command_menus_are_still_on_their_way() {
    let app = TestApp::spawn().await;
    // Slower than the test app waits for its first getUpdates: publishing the menus before
    // polling would keep the restarted bot from ever getting there.
    app.telegram.inject_for_method(
        "setMyCommands",
        crate::support::fake_telegram::Fault::Slow(std::time::Duration::from_secs(60)),
    );
    let app = app.restart().await;
    let reply = app.ask(USER, "/archive").await;
    assert!(reply.contains("بایگانی نیست"), "{reply}");
    app.telegram.clear_faults();
    app.stop().await;
}
