//! /search: Persian folding end to end, ranking, and hostile input.

use crate::app::{TestApp, text_of};

const USER: i64 = 2002;

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A minimal RSS document with one item per (title, body), newest first, one day apart.
pub fn rss(items: &[(&str, &str)]) -> String {
    let dated: Vec<(&str, &str, String)> = items
        .iter()
        .enumerate()
        .map(|(i, (title, body))| {
            let day = 28 - (i % 27);
            (*title, *body, format!("{day:02} Feb 2020 10:00:00 +0000"))
        })
        .collect();
    rss_dated(&dated)
}

/// The same with each item's RFC 2822 date given.
pub fn rss_dated(items: &[(&str, &str, String)]) -> String {
    let mut out = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title><link>https://example.org/</link><description>d</description>"#,
    );
    for (i, (title, body, date)) in items.iter().enumerate() {
        out.push_str(&format!(
            "<item><title>{}</title><link>https://example.org/?p={}</link><guid>item-{}-{}</guid><pubDate>{date}</pubDate><description>{}</description></item>",
            xml_escape(title),
            i + 1,
            i + 1,
            title.len(),
            xml_escape(body)
        ));
    }
    out.push_str("</channel></rss>");
    out
}

/// The examples of docs/persian-text.md, through the real bot: stored text, typed query,
/// and whether the statement must be found.
const TABLE: &[(&str, &str, bool)] = &[
    ("نيروهاى امنيتى شليك کردند", "نیروهای امنیتی", true),
    ("مردم كشته شدند", "کشته", true),
    ("تظاهرات ۱۹ مه ۲۰۱۷ در کابل", "19 مه 2017", true),
    ("از ١٣ اردیبهشت اعتصاب", "۱۳ اردیبهشت", true),
    ("اعتراض می‌شود", "میشود", true),
    ("اعتراض می‌شود", "می شود", true),
    ("مؤسسه خیریه", "موسسه", true),
    ("سفارت آمریکا", "امریکا", true),
    ("مردم ایران", "مرد", false),
    ("سفر به ایرلند", "ایران", false),
    ("گشت ارشاد", "کشت", false),
];

#[tokio::test]
async fn persian_spellings_find_each_other() {
    let app = TestApp::spawn().await;
    for (i, (stored, query, should_match)) in TABLE.iter().enumerate() {
        // One statement per row, alone in its archive row, with a unique title marker.
        let marker = format!("ردیف{}", "ث".repeat(i + 1));
        let rss = rss(&[(&marker, stored)]);
        app.import_document(&format!("row{i}.xml"), &rss).await;
        let reply = app.ask(USER, &format!("/search {query}")).await;
        let found = reply.contains(&marker);
        assert_eq!(
            found, *should_match,
            "stored {stored:?}, query {query:?}: {reply}"
        );
        // Clean the row away so that later rows test only themselves.
        let id = app.storage.latest(1, 0).await.unwrap()[0].id;
        app.storage.retract(id).await.unwrap();
    }
    app.stop().await;
}

#[tokio::test]
async fn the_fixture_archive_answers_persian_queries() {
    let app = TestApp::spawn().await;
    app.import_rss().await;
    // The fixture writes نيروهاى امنيتى with Arabic yeh and alef maksura.
    let reply = app.ask(USER, "/search نیروهای امنیتی").await;
    assert!(reply.contains("نیروهای سرکوبگر دولت افغانستان"), "{reply}");
    assert!(reply.contains("<b>"));
    // Titles weigh more: "معدن" is in two titles and both come first.
    let mines = app.ask(USER, "/search معدن").await;
    assert!(mines.matches("<b>").count() >= 2, "{mines}");
    app.stop().await;
}

#[tokio::test]
async fn no_words_no_results_and_usage_get_friendly_answers() {
    let app = TestApp::spawn().await;
    app.import_rss().await;
    let usage = app.ask(USER, "/search").await;
    assert!(usage.contains("/search اعتصاب"), "{usage}");
    let no_terms = app.ask(USER, "/search ؟!").await;
    assert!(no_terms.contains("کلمه"), "{no_terms}");
    let nothing = app.ask(USER, "/search زرافه").await;
    assert!(
        nothing.contains("پیدا نشد") && nothing.contains("زرافه"),
        "{nothing}"
    );
    app.stop().await;
}

#[tokio::test]
async fn hostile_queries_get_normal_answers() {
    let app = TestApp::spawn().await;
    app.import_rss().await;
    let long = "ا".repeat(5000);
    let long_mixed = "NEAR( \" * ".repeat(500);
    for query in [
        "\"",
        "AND",
        "NEAR(",
        "*",
        "' OR 1=1 --",
        "a-b",
        "title:معدن",
        "^معدن",
        "معدن OR",
        "(((",
        "<b>x</b>",
        long.as_str(),
        long_mixed.as_str(),
    ] {
        let reply = app.ask(USER, &format!("/search {query}")).await;
        assert!(!reply.to_lowercase().contains("sql"), "{query:?} → {reply}");
        assert!(!reply.contains("fts5"), "{query:?} → {reply}");
        assert!(
            !reply.contains("مشکلی پیش آمد"),
            "{query:?} failed: {reply}"
        );
    }
    // Still alive and answering.
    let reply = app.ask(USER, "/search معدن").await;
    assert!(reply.contains("<b>"));
    let all = app.telegram.calls_to("sendMessage");
    assert!(
        all.iter()
            .all(|c| text_of(c).encode_utf16().count() <= 4096)
    );
    app.stop().await;
}
