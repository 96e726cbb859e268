//! Feeds: statements published on the site reach subscribers by themselves, once, and
//! broken sites neither flood nor stop anyone.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use jarchi::domain::{ChatId, FeedHealth, FeedPolicy, Lang};
use jarchi::ingest::{ImportReport, MAX_FEED_BYTES, import_pages};
use jarchi::storage::{ChatKind, Storage};

use crate::app::{ADMIN, SettingsTweak, TestApp, WAIT, text_of};
use crate::support::feed_server::FeedServer;
use crate::support::fixtures::{FEED_ATOM, FEED_RSS};

pub(crate) const RSS: &str = "application/rss+xml";
const ATOM: &str = "application/atom+xml";
pub(crate) const SUBSCRIBERS: [i64; 3] = [501, 502, 503];

/// Polls every 200 ms, gives up on a request after a second, and alerts admins after
/// 300 ms of failures: the operator's limits (10 s, 30 s, an hour) scaled down.
pub(crate) fn fast_feeds() -> Option<SettingsTweak> {
    Some(Arc::new(|s| {
        s.poll_interval = Duration::from_millis(200);
        s.feed_timeout = Duration::from_secs(1);
        s.feed_alert_after = Duration::from_millis(300);
    }))
}

pub(crate) async fn spawn(feeds: &[String], tweak: Option<SettingsTweak>) -> TestApp {
    let urls = feeds.join(",");
    let app = TestApp::spawn_with_settings(&[("FEED_URLS", urls.as_str())], tweak).await;
    for chat in SUBSCRIBERS {
        app.storage
            .subscribe(ChatId(chat), ChatKind::Private, Lang::Fa)
            .await
            .unwrap();
    }
    app
}

pub(crate) async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "waited for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub(crate) async fn wait_archive(storage: &Storage, n: i64) {
    eventually(&format!("{n} statements in the archive"), || async {
        storage.count_announcements().await.unwrap() >= n
    })
    .await;
}

/// Waits until `path` has been requested `more` more times: that many polls went by.
pub(crate) async fn wait_polls(server: &FeedServer, path: &str, more: usize) {
    let target = server.requests(path).len() + more;
    eventually(&format!("{more} polls of {path}"), || async {
        server.requests(path).len() >= target
    })
    .await;
}

pub(crate) fn item(guid: &str, title: &str, body: &str) -> String {
    format!(
        "<item><title>{title}</title><link>https://example.org/?p={guid}</link>\
         <guid isPermaLink=\"false\">https://example.org/?p={guid}</guid>\
         <pubDate>Mon, 23 Nov 2026 10:00:00 +0000</pubDate>\
         <description>{body}</description></item>"
    )
}

/// The fixture feed with `items` added at the top, where sites put new statements.
pub(crate) fn rss_with(items: &[String]) -> String {
    FEED_RSS.replacen("<item>", &format!("{}<item>", items.concat()), 1)
}

pub(crate) fn rss_of(items: &[String]) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel>\
         <title>t</title><link>https://example.org/</link><description>d</description>{}\
         </channel></rss>",
        items.concat()
    )
}

fn messages_with(app: &TestApp, chat: i64, needle: &str) -> usize {
    app.sent_to(chat)
        .iter()
        .filter(|m| text_of(m).contains(needle))
        .count()
}

#[tokio::test]
async fn first_sight_archives_quietly_then_each_new_statement_goes_out_once() {
    let server = FeedServer::start().await;
    server.set("/feed.xml", RSS, FEED_RSS);
    let app = spawn(&[server.url("/feed.xml")], fast_feeds()).await;

    wait_archive(&app.storage, 10).await;
    wait_polls(&server, "/feed.xml", 3).await;
    for chat in SUBSCRIBERS {
        assert!(app.sent_to(chat).is_empty(), "first sight must not flood");
    }
    // Unchanged polls are conditional and cost a 304.
    let requests = server.requests("/feed.xml");
    assert_eq!(requests[0].status_sent, 200);
    assert!(
        requests[0]
            .user_agent
            .as_deref()
            .unwrap()
            .starts_with("jarchi/")
    );
    let later = requests.last().unwrap();
    assert_eq!(later.if_none_match, server.etag("/feed.xml"));
    assert!(later.if_modified_since.is_some());
    assert_eq!(later.status_sent, 304);

    server.set(
        "/feed.xml",
        RSS,
        rss_with(&[item("9001", "اعتصاب سراسری کارگران", "<p>متن تازه</p>")]),
    );
    for chat in SUBSCRIBERS {
        app.wait_sent_to(chat, 1).await;
    }
    wait_polls(&server, "/feed.xml", 3).await;
    let app = app.restart().await;
    wait_polls(&server, "/feed.xml", 3).await;
    for chat in SUBSCRIBERS {
        let sent = app.sent_to(chat);
        assert_eq!(sent.len(), 1, "exactly once, across polls and a restart");
        let card = text_of(&sent[0]);
        assert!(card.contains("اعتصاب سراسری کارگران"), "{card}");
        assert!(card.contains("https://example.org/?p=9001"), "{card}");
    }
    assert_eq!(app.storage.count_announcements().await.unwrap(), 11);
    app.stop().await;
}

#[tokio::test]
async fn a_statement_revised_on_the_site_is_edited_where_it_was_delivered() {
    let server = FeedServer::start().await;
    server.set("/feed.xml", RSS, rss_of(&[item("1", "قدیمی", "<p>یک</p>")]));
    let app = spawn(&[server.url("/feed.xml")], fast_feeds()).await;
    wait_archive(&app.storage, 1).await;

    let fresh = item("2", "اطلاعیهٔ نخست", "<p>متن نخست</p>");
    server.set(
        "/feed.xml",
        RSS,
        rss_of(&[fresh, item("1", "قدیمی", "<p>یک</p>")]),
    );
    app.wait_sent_to(SUBSCRIBERS[0], 1).await;
    let revised = item("2", "اطلاعیهٔ اصلاح‌شده", "<p>متن اصلاح‌شده</p>");
    server.set(
        "/feed.xml",
        RSS,
        rss_of(&[revised, item("1", "قدیمی", "<p>یک</p>")]),
    );

    eventually("the delivered copy to be edited", || async {
        app.telegram.messages_in(SUBSCRIBERS[0])[0].edit_count == 1
    })
    .await;
    wait_polls(&server, "/feed.xml", 3).await;
    for chat in SUBSCRIBERS {
        let messages = app.telegram.messages_in(chat);
        assert_eq!(messages.len(), 1, "an edit, not a second message");
        assert_eq!(messages[0].edit_count, 1);
        assert!(messages[0].text.contains("اطلاعیهٔ اصلاح‌شده"));
    }
    app.stop().await;
}

#[tokio::test]
async fn a_site_page_leads_to_its_feed() {
    // One site announces its feed in the page head; the other is a WordPress site that
    // announces nothing but answers at /feed/.
    let announced = FeedServer::start().await;
    announced.set(
        "/",
        "text/html; charset=utf-8",
        "<!DOCTYPE html><html><head><title>Site</title>\
         <link rel=\"alternate\" type=\"application/rss+xml\" href=\"/news/rss.xml\">\
         </head><body>…</body></html>",
    );
    announced.set("/news/rss.xml", RSS, FEED_RSS);
    let wordpress = FeedServer::start().await;
    wordpress.set("/", "text/html", "<html><body>no links here</body></html>");
    wordpress.set("/feed/", ATOM, FEED_ATOM);

    let app = spawn(&[announced.url("/"), wordpress.url("/")], fast_feeds()).await;
    eventually("both feeds to be found", || async {
        let feeds = app.storage.feed_statuses().await.unwrap();
        feeds.iter().all(|f| f.health == FeedHealth::Ok)
    })
    .await;
    let feeds = app.storage.feed_statuses().await.unwrap();
    assert_eq!(
        feeds[0].feed_url.as_deref(),
        Some(announced.url("/news/rss.xml").as_str())
    );
    assert_eq!(
        feeds[1].feed_url.as_deref(),
        Some(wordpress.url("/feed/").as_str())
    );
    // The same ten statements in two feeds: one archive entry each.
    assert_eq!(app.storage.count_announcements().await.unwrap(), 10);
    // Afterwards the feed itself is polled, conditionally; the page is left alone.
    let page_requests = announced.requests("/").len();
    wait_polls(&announced, "/news/rss.xml", 2).await;
    assert_eq!(announced.requests("/").len(), page_requests);
    assert_eq!(
        announced
            .requests("/news/rss.xml")
            .last()
            .unwrap()
            .status_sent,
        304
    );
    app.stop().await;
}

#[tokio::test]
async fn hostile_items_become_clean_valid_messages() {
    let server = FeedServer::start().await;
    server.set("/feed.xml", RSS, rss_of(&[item("1", "seed", "seed")]));
    let app = spawn(&[server.url("/feed.xml")], fast_feeds()).await;
    wait_archive(&app.storage, 1).await;

    let huge = "<p>بند بلند. </p>".repeat(1_400);
    assert!(huge.chars().count() > 20_000);
    let hostile = [
        "<item><title><![CDATA[CDATA <b>title</b> & more]]></title>\
         <link>/news/cdata</link><guid>cdata-1</guid>\
         <description><![CDATA[<p>Hello <script>alert('x')</script><a href=\"/about\">about</a>\
         <img src=\"/img/a.png\" onerror=\"steal()\"></p>]]></description></item>"
            .to_string(),
        "<item><title>Entities &amp; &lt;tags&gt; &#1575;&#1740;</title>\
         <link>https://example.org/entities</link>\
         <description>caf&#233; &amp;amp; &lt;b&gt;bold&lt;/b&gt;</description></item>"
            .to_string(),
        "<item><title>No guid, no link</title>\
         <pubDate>Mon, 23 Nov 2026 11:00:00 +0000</pubDate>\
         <description>only a title and a date</description></item>"
            .to_string(),
        format!(
            "<item><title>Huge</title><guid>huge-1</guid><link>https://example.org/huge</link>\
             <description><![CDATA[{huge}]]></description></item>"
        ),
    ];
    let mut items = hostile.to_vec();
    items.push(item("1", "seed", "seed"));
    server.set("/feed.xml", RSS, rss_of(&items));

    let chat = SUBSCRIBERS[0];
    let sent = app.wait_sent_to(chat, 4).await;
    let texts: Vec<String> = sent.iter().map(text_of).collect();
    let all = texts.join("\n");
    assert!(!all.contains("script") && !all.contains("alert(") && !all.contains("steal"));
    // A title's markup is dropped, its text kept.
    assert!(all.contains("CDATA title &amp; more"), "{all}");
    assert!(
        all.contains(&server.url("/news/cdata")),
        "relative link resolved: {all}"
    );
    // Entities decode once: numeric ones to letters, an escaped tag to markup (dropped
    // like any tag in a title or body), a double-escaped ampersand to one ampersand.
    assert!(all.contains("Entities &amp; ای"), "{all}");
    assert!(all.contains("café &amp; bold"), "{all}");
    assert!(all.contains("No guid, no link"));
    let huge_card = texts.iter().find(|t| t.contains("Huge")).unwrap();
    assert!(huge_card.chars().count() < 4096);

    let stored = app.storage.latest(10, 0).await.unwrap();
    let cdata = stored.iter().find(|a| a.source_key == "cdata-1").unwrap();
    assert_eq!(
        cdata.image_url.as_deref(),
        Some(server.url("/img/a.png").as_str())
    );
    assert!(cdata.body_html.contains(&server.url("/about")));
    assert!(!cdata.body_html.contains("onerror"));
    let long = stored.iter().find(|a| a.source_key == "huge-1").unwrap();
    assert!(long.body_text.chars().count() > 15_000);

    // The whole 20,000-character statement, in as many valid messages as it takes.
    let before = app.sent_to(chat).len();
    app.telegram
        .push_private_text(chat, &format!("/show {}", long.id), Some("fa"));
    app.wait_sent_to(chat, before + 4).await;
    wait_polls(&server, "/feed.xml", 2).await;
    assert_eq!(
        app.sent_to(chat)
            .iter()
            .filter(|m| text_of(m).contains("No guid, no link"))
            .count(),
        1,
        "an item without guid or link is still recognised at the next poll"
    );
    app.stop().await;
}

#[tokio::test]
async fn broken_feeds_fail_alone_back_off_and_admins_hear_once() {
    let server = FeedServer::start().await;
    server.set("/good.xml", RSS, rss_of(&[item("1", "seed", "seed")]));
    server.set(
        "/malformed.xml",
        RSS,
        "<rss><channel><item><title>oops</channel>",
    );
    server.set(
        "/error.xml",
        "text/html",
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
    );
    server.set_status("/down.xml", 500);
    server.set("/moved.xml", ATOM, FEED_ATOM);
    server.set_redirect("/old.xml", "/moved.xml");
    server.set("/slow.xml", RSS, FEED_RSS);
    server.set_delay("/slow.xml", Duration::from_secs(30));
    let paths = [
        "/good.xml",
        "/malformed.xml",
        "/error.xml",
        "/down.xml",
        "/gone.xml",
        "/old.xml",
        "/slow.xml",
    ];
    let urls: Vec<String> = paths.iter().map(|p| server.url(p)).collect();
    let app = spawn(&urls, fast_feeds()).await;

    // The healthy feed and the redirected one work while the others fail.
    wait_archive(&app.storage, 11).await;
    server.set(
        "/good.xml",
        RSS,
        rss_of(&[item("2", "تازه", "<p>متن</p>"), item("1", "seed", "seed")]),
    );
    for chat in SUBSCRIBERS {
        app.wait_sent_to(chat, 1).await;
    }

    // Every broken feed is reported to the admin once, none of them twice.
    let failing = [
        "/malformed.xml",
        "/error.xml",
        "/down.xml",
        "/gone.xml",
        "/slow.xml",
    ];
    eventually("an alert for each broken feed", || async {
        let texts: Vec<String> = app.sent_to(ADMIN).iter().map(text_of).collect();
        failing
            .iter()
            .all(|p| texts.iter().any(|t| t.contains(&server.url(p))))
    })
    .await;
    let statuses = app.storage.feed_statuses().await.unwrap();
    for (status, path) in statuses.iter().zip(paths) {
        let broken = failing.contains(&path);
        assert_eq!(
            matches!(status.health, FeedHealth::Failing { .. }),
            broken,
            "{path}: {status:?}"
        );
        if let FeedHealth::Failing { error, .. } = &status.health {
            let expected = match path {
                "/malformed.xml" | "/error.xml" => "feed",
                "/down.xml" => "500",
                "/gone.xml" => "404",
                _ => "timed out",
            };
            assert!(error.contains(expected), "{path}: {error}");
        }
    }
    // Backing off: fewer requests to a broken feed than to the healthy one, and longer
    // and longer waits between them (nominally 0.4 s, 0.8 s, 1.6 s…).
    assert!(server.requests("/down.xml").len() < server.requests("/good.xml").len());
    eventually("four attempts at a missing feed", || async {
        server.requests("/gone.xml").len() >= 4
    })
    .await;
    let attempts: Vec<_> = server.requests("/gone.xml").iter().map(|r| r.at).collect();
    let gaps: Vec<Duration> = attempts.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gaps[2] > gaps[0], "no backoff: {gaps:?}");

    server.set_status("/down.xml", 200);
    server.set("/down.xml", RSS, FEED_RSS);
    let back = "(".to_string() + &server.url("/down.xml") + ")";
    eventually("the recovery notice", || async {
        app.sent_to(ADMIN)
            .iter()
            .any(|m| text_of(m).contains(&back) && text_of(m).contains("✅"))
    })
    .await;
    wait_polls(&server, "/down.xml", 2).await;
    for path in failing {
        let mentions = messages_with(&app, ADMIN, &format!("({})", server.url(path)));
        let expected = if path == "/down.xml" { 2 } else { 1 };
        assert_eq!(mentions, expected, "{path}");
    }
    for chat in SUBSCRIBERS {
        assert_eq!(app.sent_to(chat).len(), 1);
    }
    app.stop().await;
}

#[tokio::test]
async fn admins_list_add_and_remove_feeds() {
    let server = FeedServer::start().await;
    server.set("/feed.xml", RSS, FEED_RSS);
    // An hour between polls: only /addfeed's wake-up can explain a fetch.
    let app = TestApp::spawn_with_settings(
        &[],
        Some(Arc::new(|s| s.poll_interval = Duration::from_secs(3600))),
    )
    .await;

    assert!(
        app.ask_en(ADMIN, "/feeds")
            .await
            .contains("No feed is followed")
    );
    assert!(
        app.ask_en(ADMIN, "/addfeed not-a-url")
            .await
            .contains("/addfeed https://")
    );
    let url = server.url("/feed.xml");
    let added = app.ask_en(ADMIN, &format!("/addfeed {url}")).await;
    assert!(added.contains("Feed 1 is added"), "{added}");
    wait_archive(&app.storage, 10).await;
    assert!(app.sent_to(501).is_empty());

    let again = app.ask_en(ADMIN, &format!("/addfeed {url}")).await;
    assert!(again.contains("already followed (feed 1)"), "{again}");
    let list = app.ask_en(ADMIN, "/feeds").await;
    assert!(
        list.contains(&format!("1. {url}")) && list.contains("state: ok"),
        "{list}"
    );
    assert!(
        list.contains("last success:") && !list.contains("never"),
        "{list}"
    );
    let fa = app.ask(ADMIN, "/feeds").await;
    assert!(fa.contains(&url) && fa.contains("سالم"), "{fa}");

    assert!(
        app.ask_en(ADMIN, "/removefeed 9")
            .await
            .contains("no feed number 9")
    );
    assert!(
        app.ask_en(ADMIN, "/removefeed x")
            .await
            .contains("/removefeed 2")
    );
    assert!(
        app.ask_en(ADMIN, "/removefeed ۱")
            .await
            .contains("Feed 1 is no longer followed")
    );
    assert!(
        app.ask_en(ADMIN, "/feeds")
            .await
            .contains("No feed is followed")
    );
    // The statements stay searchable.
    assert_eq!(app.storage.count_announcements().await.unwrap(), 10);

    assert!(
        app.ask_en(4242, "/addfeed https://evil.example/")
            .await
            .contains("admins only")
    );
    assert!(app.storage.feed_statuses().await.unwrap().is_empty());
    app.stop().await;
}

#[tokio::test]
async fn import_follows_older_pages_and_sends_nothing() {
    let server = FeedServer::start().await;
    let page = |from: u32| {
        rss_of(
            &(from..from + 3)
                .map(|n| item(&n.to_string(), &format!("statement {n}"), "text"))
                .collect::<Vec<_>>(),
        )
    };
    // WordPress: ?paged=2, ?paged=3, then 404.
    server.set("/feed/", RSS, page(1));
    server.set("/feed/?paged=2", RSS, page(4));
    server.set("/feed/?paged=3", RSS, page(7));
    // RFC 5005: the feed says where the older page is.
    let atom = |n: u32, next: Option<&str>| {
        let next = next
            .map(|href| format!("<link rel=\"next\" href=\"{href}\"/>"))
            .unwrap_or_default();
        format!(
            "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title>\
             <id>urn:t</id><updated>2026-11-23T10:00:00Z</updated>{next}<entry><title>atom {n}</title>\
             <id>urn:atom:{n}</id><updated>2026-11-23T10:00:00Z</updated><summary>s</summary></entry></feed>"
        )
    };
    server.set("/atom", ATOM, atom(1, Some("/atom-older")));
    server.set("/atom-older", ATOM, atom(2, None));

    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::connect(&format!("sqlite://{}", dir.path().join("i.db").display()))
        .await
        .unwrap();
    let report = import_permissively(&storage, &server.url("/feed/"), 10).await;
    assert_eq!((report.inserted, report.pages), (9, 3));
    let again = import_permissively(&storage, &server.url("/feed/"), 10).await;
    assert_eq!(
        (again.inserted, again.pages),
        (0, 2),
        "past the first page, a page with nothing new ends the backfill"
    );
    let atom_report = import_permissively(&storage, &server.url("/atom"), 5).await;
    assert_eq!((atom_report.inserted, atom_report.pages), (2, 2));
    assert_eq!(server.requests("/feed/?paged=4").len(), 1);
    assert_eq!(storage.count_announcements().await.unwrap(), 11);
    storage.close().await;
}

// ---- Every feed a site can serve is read (issue 10) ----

/// The title every Persian fixture starts with; it has no letter that windows-1256 lacks.
const STRIKE: &str = "اعتصاب کارگران معدن";
const MINERS_RU: &str = "Забастовка шахтёров в Кузбассе";

/// A fixture file's name and bytes.
type Fixture = (&'static str, &'static [u8]);

macro_rules! fixture {
    ($name:literal) => {
        (
            $name,
            include_bytes!(concat!("../fixtures/feeds/", $name)) as &[u8],
        )
    };
}

/// One fixture per format, version and encoding, the statements it holds, and a title that
/// must come out letter for letter.
const FORMATS_AND_ENCODINGS: [(Fixture, usize, &str); 25] = [
    (fixture!("rss-0.90.rdf"), 2, STRIKE),
    (fixture!("rss-0.91.xml"), 2, STRIKE),
    (fixture!("rss-0.92.xml"), 2, STRIKE),
    (fixture!("rss-1.0.rdf"), 2, STRIKE),
    (fixture!("rss-2.0.xml"), 2, STRIKE),
    (fixture!("rss-no-version.xml"), 2, STRIKE),
    (fixture!("rss-version-0.94.xml"), 2, STRIKE),
    (fixture!("rss-no-channel.xml"), 2, STRIKE),
    (fixture!("atom-0.3.xml"), 2, STRIKE),
    (fixture!("atom-1.0.xml"), 2, STRIKE),
    (fixture!("json-feed-1.0.json"), 2, STRIKE),
    (fixture!("json-feed-1.1.json"), 2, STRIKE),
    (fixture!("utf-8-bom.xml"), 2, STRIKE),
    (fixture!("utf-16le-bom.xml"), 2, STRIKE),
    (fixture!("utf-16be-bom.xml"), 2, STRIKE),
    (fixture!("utf-32le-bom.xml"), 2, STRIKE),
    (fixture!("windows-1256-undeclared.xml"), 2, STRIKE),
    (fixture!("windows-1256-declared.xml"), 2, STRIKE),
    (fixture!("windows-1256-declared-utf8.xml"), 2, STRIKE),
    (fixture!("windows-1251-undeclared.xml"), 2, MINERS_RU),
    (fixture!("koi8-r-undeclared.xml"), 2, MINERS_RU),
    (fixture!("euc-kr-undeclared.xml"), 2, "광산 노동자 파업"),
    (fixture!("atom-odd-entries.xml"), 5, "اطلاعیهٔ سالم نخست"),
    (fixture!("rss-missing-parts.xml"), 4, "عنوان در دابلین‌کور"),
    (fixture!("rss-linkless.xml"), 3, "اطلاعیهٔ بی‌نشانی"),
];

/// `jarchi import FILE` as an operator runs it, on a fresh database in `dir`.
async fn import_with_binary(
    dir: &tempfile::TempDir,
    name: &str,
    bytes: &[u8],
    extra: &[&str],
) -> (i32, String, String, String) {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let db = format!("sqlite://{}", dir.path().join("archive.db").display());
    let mut args = vec!["import"];
    args.extend_from_slice(extra);
    args.push(path.to_str().unwrap());
    let (code, stdout, stderr) = crate::bad_config::run(&args, &[("DATABASE_URL", &db)]).await;
    (code, stdout, stderr, db)
}

async fn archived(db: &str) -> Vec<jarchi::domain::Announcement> {
    let storage = Storage::connect(db).await.unwrap();
    let all = storage.latest(100, 0).await.unwrap();
    storage.close().await;
    all
}

#[tokio::test]
async fn every_format_version_and_encoding_is_imported_by_the_binary() {
    for ((name, bytes), count, title) in FORMATS_AND_ENCODINGS {
        let dir = tempfile::tempdir().unwrap();
        let (code, stdout, stderr, db) = import_with_binary(&dir, name, bytes, &[]).await;
        assert_eq!(code, 0, "{name}: {stderr}");
        assert!(
            stdout.contains(&format!("imported {count} new statements (0 already")),
            "{name}: {stdout}"
        );
        let statements = archived(&db).await;
        let titles: Vec<&str> = statements.iter().map(|a| a.title.as_str()).collect();
        assert!(titles.contains(&title), "{name}: {titles:?}");
        assert!(
            statements.iter().all(|a| !a.title.is_empty()),
            "{name}: every statement has a title: {titles:?}"
        );
        // No replacement characters: every byte was decoded in its own encoding.
        assert!(
            statements
                .iter()
                .all(|a| !a.title.contains('\u{fffd}') && !a.body_text.contains('\u{fffd}')),
            "{name}: {titles:?}"
        );
    }
}

#[tokio::test]
async fn entries_keep_what_they_have_and_odd_ones_do_not_sink_the_feed() {
    let dir = tempfile::tempdir().unwrap();
    let (name, bytes) = fixture!("rss-missing-parts.xml");
    let (code, _, stderr, db) = import_with_binary(&dir, name, bytes, &[]).await;
    assert_eq!(code, 0, "{stderr}");
    let by_link = |statements: &[jarchi::domain::Announcement], end: &str| {
        statements
            .iter()
            .find(|a| a.link.as_deref().is_some_and(|l| l.ends_with(end)))
            .cloned()
            .unwrap_or_else(|| panic!("no statement at {end}"))
    };
    let statements = archived(&db).await;
    // No title: the first sentence of the text, cut at a word, at most 120 characters.
    let untitled = by_link(&statements, "/parts/untitled");
    assert!(
        untitled.title.starts_with("کارگران پتروشیمی امروز صبح"),
        "{}",
        untitled.title
    );
    assert!(untitled.title.chars().count() <= 120, "{}", untitled.title);
    assert!(untitled.title.ends_with('…'));
    assert!(
        untitled
            .body_text
            .starts_with(untitled.title.trim_end_matches('…'))
    );
    assert_eq!(
        by_link(&statements, "/parts/dc").title,
        "عنوان در دابلین‌کور"
    );
    assert_eq!(by_link(&statements, "/parts/media").title, "عنوان در مدیا");
    let encoded = by_link(&statements, "/parts/encoded");
    assert_eq!(encoded.body_text, "متن کامل در content:encoded");
    assert!(encoded.body_html.contains("<b>content:encoded</b>"));

    // An empty text type, an xhtml+xml one and base64 data sank the whole feed before.
    let dir = tempfile::tempdir().unwrap();
    let (name, bytes) = fixture!("atom-odd-entries.xml");
    let (code, _, stderr, db) = import_with_binary(&dir, name, bytes, &[]).await;
    assert_eq!(code, 0, "{stderr}");
    let statements = archived(&db).await;
    let odd = |key: &str| {
        statements
            .iter()
            .find(|a| a.source_key == key)
            .cloned()
            .unwrap_or_else(|| panic!("{key} is missing"))
    };
    assert_eq!(odd("urn:example:odd:2").body_text, "متنی با نوع خالی");
    assert_eq!(odd("urn:example:odd:3").body_text, "متن xhtml");
    // Binary content is no text: the entry keeps its title and shows no base64.
    let base64 = odd("urn:example:odd:4");
    assert_eq!(
        (base64.title.as_str(), base64.body_text.as_str()),
        ("متن base64", "")
    );
    assert_eq!(odd("urn:example:odd:5").body_text, "متن سالم دیگر");

    // Without guid, link or date, title and text identify an entry: two entries with one
    // title are two statements, and the next import knows all three.
    let dir = tempfile::tempdir().unwrap();
    let (name, bytes) = fixture!("rss-linkless.xml");
    let (_, stdout, _, db) = import_with_binary(&dir, name, bytes, &[]).await;
    assert!(stdout.contains("imported 3 new statements"), "{stdout}");
    let (_, again, _, _) = import_with_binary(&dir, name, bytes, &[]).await;
    assert!(
        again.contains("imported 0 new statements (3 already"),
        "{again}"
    );
    let statements = archived(&db).await;
    assert!(
        statements
            .iter()
            .all(|a| a.source_key.starts_with("digest:"))
    );
    assert!(statements.iter().any(|a| a.title == "بی‌عنوان و بی‌پیوند."));
}

#[tokio::test]
async fn an_empty_document_is_an_error_with_its_reason_never_a_silent_zero() {
    let dir = tempfile::tempdir().unwrap();
    let (name, bytes) = fixture!("rss-empty.xml");
    let (code, stdout, stderr, _) = import_with_binary(&dir, name, bytes, &[]).await;
    assert_eq!(code, 1, "{stdout}");
    assert!(stderr.contains("the feed lists no entries"), "{stderr}");
    let (code, _, stderr, _) = import_with_binary(&dir, "blank.xml", b" \n", &[]).await;
    assert_eq!(code, 1);
    assert!(stderr.contains("the document is empty"), "{stderr}");

    let server = FeedServer::start().await;
    server.set_bytes("/empty.xml", RSS, bytes.to_vec());
    let app = TestApp::spawn_with_settings(
        &[("FEED_URLS", server.url("/empty.xml").as_str())],
        fast_feeds(),
    )
    .await;
    eventually("the empty feed to be failing", || async {
        let feeds = app.storage.feed_statuses().await.unwrap();
        matches!(&feeds[0].health, FeedHealth::Failing { error, .. } if error.contains("no entries"))
    })
    .await;
    let list = app.ask_en(ADMIN, "/feeds").await;
    assert!(list.contains("the feed lists no entries"), "{list}");
    app.stop().await;
}

/// The documents of `the_poller_reads_every_charset_and_counts_skipped_entries`, as a site
/// serves them.
fn charset_documents() -> Vec<(&'static str, String, Vec<u8>)> {
    let cyrillic = "<?xml version=\"1.0\" encoding=\"windows-1252\"?><rss version=\"2.0\"><channel>\
        <title>t</title><item><title>Забастовка шахтёров в Кузбассе</title><guid>ru-1</guid>\
        <description>Шахтёры прекратили работу.</description></item><item><title>Заявление совета</title>\
        <guid>ru-2</guid><description>Совет призывает всех прийти.</description></item></channel></rss>";
    let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(cyrillic);
    let bad_entry = rss_of(&[
        item("good-1", "نخستین اطلاعیهٔ سالم", "<p>متن</p>"),
        "<item><link>https://example.org/nothing</link><description>  </description></item>"
            .to_string(),
        item("good-2", "دومین اطلاعیهٔ سالم", "<p>متن</p>"),
    ]);
    vec![
        // The HTTP charset wins over a wrong XML declaration.
        (
            "/cp1251.xml",
            format!("{RSS}; charset=windows-1251"),
            cp1251.into_owned(),
        ),
        // The byte-order mark wins over a wrong HTTP charset.
        (
            "/utf16.xml",
            "application/xml; charset=windows-1256".to_string(),
            include_bytes!("../fixtures/feeds/utf-16le-bom.xml").to_vec(),
        ),
        // Nothing declared: the bytes tell. Its items carry the UTF-16 file's titles and no
        // date, so that two feeds read in the same second would be one statement: the titles
        // are made its own.
        (
            "/cp1256.xml",
            RSS.to_string(),
            own_titles_in_windows_1256(include_bytes!(
                "../fixtures/feeds/windows-1256-undeclared.xml"
            )),
        ),
        ("/bad-entry.xml", RSS.to_string(), bad_entry.into_bytes()),
    ]
}

fn own_titles_in_windows_1256(bytes: &[u8]) -> Vec<u8> {
    let (text, _, _) = encoding_rs::WINDOWS_1256.decode(bytes);
    let text = text
        .replace("</title>", " 1256</title>")
        .replace("<title>t 1256", "<title>t");
    encoding_rs::WINDOWS_1256.encode(&text).0.into_owned()
}

#[tokio::test]
async fn the_poller_reads_every_charset_and_counts_skipped_entries() {
    let server = FeedServer::start().await;
    let documents = charset_documents();
    for (path, content_type, body) in &documents {
        server.set_bytes(path, content_type, body.clone());
    }
    let urls: Vec<String> = documents.iter().map(|(p, _, _)| server.url(p)).collect();
    let app = TestApp::spawn_with_settings(
        &[
            ("FEED_URLS", urls.join(",").as_str()),
            ("OPS_LISTEN", "127.0.0.1:0"),
        ],
        fast_feeds(),
    )
    .await;
    wait_archive(&app.storage, 8).await;
    eventually("every feed to be read", || async {
        let feeds = app.storage.feed_statuses().await.unwrap();
        feeds.iter().all(|f| f.health == FeedHealth::Ok)
    })
    .await;
    let titles: Vec<String> = app
        .storage
        .latest(20, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.title)
        .collect();
    for expected in [
        MINERS_RU,
        STRIKE,
        "بيانيه شوراي هماهنگي",
        "نخستین اطلاعیهٔ سالم",
        "دومین اطلاعیهٔ سالم",
    ] {
        assert!(
            titles.iter().any(|t| t == expected),
            "{expected}: {titles:?}"
        );
    }
    assert_eq!(titles.len(), 8, "{titles:?}");
    assert!(
        titles.iter().any(|t| *t == format!("{STRIKE} 1256")),
        "the undeclared windows-1256 feed is read right: {titles:?}"
    );

    // The entry with neither title nor text is skipped, the feed is not, and both
    // /feeds and the poll metric say so.
    let feeds = app.storage.feed_statuses().await.unwrap();
    let skipped: Vec<i64> = feeds.iter().map(|f| f.skipped_entries).collect();
    assert_eq!(skipped, [0, 0, 0, 1]);
    let list = app.ask_en(ADMIN, "/feeds").await;
    assert!(
        list.contains("unreadable entries skipped in the last fetch: 1"),
        "{list}"
    );
    let ops = app.ops_addr.unwrap();
    let (_, metrics) = crate::ops::get(ops, "/metrics").await;
    assert!(
        crate::ops::sample(&metrics, r#"jarchi_feed_polls_total{result="partial"}"#) >= Some(1.0),
        "{metrics}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_file_import_has_the_fetch_cap_unless_max_bytes_raises_it() {
    let (_, rss) = fixture!("rss-2.0.xml");
    let padding = format!("<!-- {} -->", "x".repeat(MAX_FEED_BYTES));
    let text = String::from_utf8(rss.to_vec()).unwrap();
    let large = text.replacen("</channel>", &format!("{padding}</channel>"), 1);
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr, _) = import_with_binary(&dir, "large.xml", large.as_bytes(), &[]).await;
    assert_eq!(code, 1);
    assert!(
        stderr.contains(&format!("is larger than {} bytes", MAX_FEED_BYTES)),
        "{stderr}"
    );
    let raised = (large.len() + 1).to_string();
    let (code, stdout, stderr, _) = import_with_binary(
        &dir,
        "large.xml",
        large.as_bytes(),
        &["--max-bytes", &raised],
    )
    .await;
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("imported 2 new statements"), "{stdout}");
}

#[tokio::test]
async fn a_large_archive_file_is_read_in_parts_and_loses_no_entry() {
    // More than two parts of 500 entries, with a skipped entry in the second.
    let mut items: Vec<String> = (0..1_234)
        .map(|n| item(&format!("big-{n}"), &format!("اطلاعیهٔ {n}"), "<p>متن</p>"))
        .collect();
    items[700] = "<item><description> </description></item>".to_string();
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr, db) =
        import_with_binary(&dir, "archive.xml", rss_of(&items).as_bytes(), &[]).await;
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("imported 1233 new statements (0 already in the archive, 1 skipped)"),
        "{stdout}"
    );
    let storage = Storage::connect(&db).await.unwrap();
    assert_eq!(storage.count_announcements().await.unwrap(), 1_233);
    storage.close().await;
}

/// Statements, rows of the full-text index, and statements without their index row.
async fn archive_and_index(db: &str) -> (i64, i64, i64) {
    let pool = sqlx::SqlitePool::connect(db).await.unwrap();
    let counts = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM announcements), (SELECT COUNT(*) FROM statement_search),
                (SELECT COUNT(*) FROM announcements a WHERE NOT EXISTS
                    (SELECT 1 FROM statement_search WHERE rowid = a.search_key))",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    counts
}

/// Whether the prefix vocabulary holds `word`.
async fn knows_term(db: &str, word: &str) -> bool {
    let pool = sqlx::SqlitePool::connect(db).await.unwrap();
    let known = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM search_terms WHERE term = ?1)")
        .bind(word)
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    known
}

/// The full-text index's merge settings (`automerge`, `crisismerge`) as stored in it;
/// absent means SQLite's defaults (4 and 16).
async fn index_merging(db: &str) -> (i64, i64) {
    let pool = sqlx::SqlitePool::connect(db).await.unwrap();
    let setting = |name: &'static str| {
        sqlx::query_scalar::<_, i64>("SELECT v FROM statement_search_config WHERE k = ?1")
            .bind(name)
            .fetch_optional(&pool)
    };
    let merging = (
        setting("automerge").await.unwrap().unwrap_or(4),
        setting("crisismerge").await.unwrap().unwrap_or(16),
    );
    pool.close().await;
    merging
}

/// How many segments the full-text index is in.
async fn index_segments(db: &str) -> i64 {
    let pool = sqlx::SqlitePool::connect(db).await.unwrap();
    let segments = sqlx::query_scalar("SELECT COUNT(DISTINCT segid) FROM statement_search_idx")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    segments
}

/// `jarchi import` of `items` as one file, which succeeds and reports `report`.
async fn import_reporting(dir: &tempfile::TempDir, items: &[String], report: &str) {
    let (code, stdout, stderr, _) =
        import_with_binary(dir, "archive.xml", rss_of(items).as_bytes(), &[]).await;
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains(report), "{stdout}");
}

async fn search_titles(db: &str, query: &str) -> Vec<String> {
    let storage = Storage::connect(db).await.unwrap();
    let request = jarchi::text::parse_search(query).unwrap();
    let found = storage.search(&request.words, None, 10, 0).await.unwrap();
    storage.close().await;
    found.into_iter().map(|a| a.title).collect()
}

#[tokio::test]
async fn a_batched_import_stores_each_statement_once_and_indexes_it() {
    let dir = tempfile::tempdir().unwrap();
    let first = [item("old-1", "بیانیهٔ پیشین", "<p>متن پیشین</p>")];
    let (code, _, stderr, db) =
        import_with_binary(&dir, "first.xml", rss_of(&first).as_bytes(), &[]).await;
    assert_eq!(code, 0, "{stderr}");
    // 1,100 entries, read in three parts: one already archived, one given three times
    // (twice in the first part, once in the last), and each with a word of its own.
    let mut items: Vec<String> = (0..1_097)
        .map(|n| {
            item(
                &format!("batch-{n}"),
                &format!("اطلاعیهٔ {n}"),
                &format!("<p>متن نشان{n}ویژه</p>"),
            )
        })
        .collect();
    items.insert(3, first[0].clone());
    items.insert(10, item("batch-5", "تکراری", "<p>متن تکراری</p>"));
    items.push(item("batch-5", "تکراری دوباره", "<p>متن تکراری</p>"));
    import_reporting(
        &dir,
        &items,
        "imported 1097 new statements (3 already in the archive, 0 skipped)",
    )
    .await;
    assert_eq!(archive_and_index(&db).await, (1_098, 1_098, 0));
    // The import held the index's merges and gave them back at its end.
    assert_eq!(index_merging(&db).await, (4, 16));
    // The first of two entries under one key is the one kept.
    assert_eq!(search_titles(&db, "نشان5ویژه").await, ["اطلاعیهٔ 5"]);
    assert!(search_titles(&db, "تکراری").await.is_empty());
    // Every batch's words reached the prefix vocabulary: the first, middle and last part.
    for n in [0, 600, 1_096] {
        assert!(knows_term(&db, &format!("نشان{n}ویژه")).await, "{n}");
        assert_eq!(
            search_titles(&db, &format!("نشان{n}ویژه")).await,
            [format!("اطلاعیهٔ {n}")]
        );
    }
}

#[tokio::test]
async fn an_import_that_fails_midway_keeps_whole_batches_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("archive.db").display());
    Storage::connect(&db).await.unwrap().close().await;
    // The database refuses one statement of the second part (entries 500–999), as a full
    // disk or a locked file would refuse a write.
    let pool = sqlx::SqlitePool::connect(&db).await.unwrap();
    sqlx::query(
        "CREATE TRIGGER refuse BEFORE INSERT ON announcements
         WHEN NEW.source_key LIKE '%?p=part-700' BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    )
    .execute(&pool)
    .await
    .unwrap();
    let items: Vec<String> = (0..1_234)
        .map(|n| {
            let word = if (500..1_000).contains(&n) {
                "میانی"
            } else {
                "کناری"
            };
            item(
                &format!("part-{n}"),
                &format!("اطلاعیهٔ {n}"),
                &format!("<p>متن {word}</p>"),
            )
        })
        .collect();
    let (code, stdout, stderr, _) =
        import_with_binary(&dir, "archive.xml", rss_of(&items).as_bytes(), &[]).await;
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stderr.contains("stopped after storing 500 new statements")
            && stderr.contains("disk full")
            && stderr.contains("running it again stores the rest"),
        "{stderr}"
    );
    // The first batch whole, none of the second: no statement without its index row, and
    // no word of the refused batch in the vocabulary.
    assert_eq!(archive_and_index(&db).await, (500, 500, 0));
    assert!(knows_term(&db, "کناری").await);
    assert!(!knows_term(&db, "میانی").await);
    // A failed import too gives the index its usual merging back.
    assert_eq!(index_merging(&db).await, (4, 16));

    sqlx::query("DROP TRIGGER refuse")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    import_reporting(
        &dir,
        &items,
        "imported 734 new statements (500 already in the archive, 0 skipped)",
    )
    .await;
    assert_eq!(archive_and_index(&db).await, (1_234, 1_234, 0));
    assert!(knows_term(&db, "میانی").await);
}

/// `jarchi import --pages` of a feed on the local server, with the fetch cap and no address
/// rules (the server is on loopback).
async fn import_permissively(storage: &Storage, url: &str, pages: usize) -> ImportReport {
    import_pages(
        storage,
        url,
        pages,
        MAX_FEED_BYTES as u64,
        &FeedPolicy::permissive(),
    )
    .await
    .unwrap()
}

/// An import killed before its end (no chance to give the index its merging back) leaves
/// it to the bot's next start: held merges are resumed, and nothing is written when there
/// is nothing to resume.
#[tokio::test]
async fn merges_held_by_an_interrupted_import_are_resumed_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("archive.db").display());
    let storage = Storage::connect(&db).await.unwrap();
    assert!(!storage.resume_search_index_merges().await.unwrap());
    storage.hold_search_index_merges().await.unwrap();
    storage.close().await;
    assert_eq!(index_merging(&db).await, (0, 64));
    let storage = Storage::connect(&db).await.unwrap();
    assert!(storage.resume_search_index_merges().await.unwrap());
    assert!(!storage.resume_search_index_merges().await.unwrap());
    storage.close().await;
    assert_eq!(index_merging(&db).await, (4, 16));
}

/// The statements of one batch go into the full-text index as one segment, not one each:
/// FTS5 writes out what it holds at every statement that opens a savepoint, so the index
/// rows come after the batch's other writes (an import of 100,000 statements spent a
/// third of SQLite's time writing and merging per-statement segments).
#[tokio::test]
async fn a_batch_is_one_segment_of_the_search_index() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("archive.db").display());
    let storage = Storage::connect(&db).await.unwrap();
    storage.hold_search_index_merges().await.unwrap();
    let items: Vec<String> = (0..200)
        .map(|n| {
            item(
                &format!("seg-{n}"),
                &format!("عنوان {n}"),
                "<p>متن بیانیه</p>",
            )
        })
        .collect();
    let parsed = jarchi::ingest::parse_feed(rss_of(&items).as_bytes(), None).unwrap();
    let batch: Vec<_> = parsed.items.iter().collect();
    storage.archive_many(&batch).await.unwrap();
    storage.close().await;
    assert_eq!(index_segments(&db).await, 1);
    assert_eq!(archive_and_index(&db).await, (200, 200, 0));
}

/// `jarchi import A B`: both files in one run, one line for both, the index merged once
/// into one segment and given its usual merging back; a file that cannot be read stops
/// the run there, naming it, and keeps what the files before it stored.
#[tokio::test]
async fn one_import_reads_several_files_and_merges_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, from: usize| {
        let items: Vec<String> = (from..from + 3)
            .map(|n| item(&format!("many-{n}"), &format!("اطلاعیهٔ {n}"), "<p>متن</p>"))
            .collect();
        let path = dir.path().join(name);
        std::fs::write(&path, rss_of(&items)).unwrap();
        path.to_str().unwrap().to_string()
    };
    let (first, second) = (file("a.xml", 0), file("b.xml", 3));
    let db = format!("sqlite://{}", dir.path().join("archive.db").display());
    let env = [("DATABASE_URL", db.as_str())];
    let (code, stdout, stderr) = crate::bad_config::run(&["import", &first, &second], &env).await;
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains(
            "imported 6 new statements (0 already in the archive, 0 skipped) from 2 page(s)"
        ),
        "{stdout}"
    );
    assert_eq!(archive_and_index(&db).await, (6, 6, 0));
    assert_eq!(index_merging(&db).await, (4, 16));
    assert_eq!(index_segments(&db).await, 1);

    let third = file("c.xml", 6);
    let missing = dir.path().join("missing.xml");
    let missing = missing.to_str().unwrap();
    let (code, stdout, stderr) =
        crate::bad_config::run(&["import", &third, missing, &first], &env).await;
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("before ") && stdout.contains("imported 3 new statements"),
        "{stdout}"
    );
    assert!(
        stderr.contains("missing.xml") && !stderr.contains("panicked"),
        "{stderr}"
    );
    assert_eq!(archive_and_index(&db).await, (9, 9, 0));
    assert_eq!(index_merging(&db).await, (4, 16));
}
