//! A database written before migration 0009 (seconds in some columns, milliseconds in
//! others) keeps working after it: the archive lists, searches and orders as before, the
//! Jalali month filter finds the same statements, and nobody loses a subscription or a
//! draft (remembered searches are dropped on purpose, by 0022). Later rebuilds keep what
//! they carry, too (the delivery queue of 0021).

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Utc};
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, Migrator};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};

use super::Storage;
use crate::domain::{ChatId, Lang, NewAnnouncement, PublishOutcome, StatementId, UserId};
use crate::text::{JalaliMonth, fold_for_index, query_words};

/// 27 Ordibehesht 1396, 30 Ordibehesht 1396, 30 Khordad 1396.
const FIRST: i64 = 1_495_000_000;
const SECOND: i64 = 1_495_238_400;
const THIRD: i64 = 1_497_916_800;

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap()
}

/// Writes a statement the way the code before 0009 did: seconds, the sort key of 0008,
/// its folded words in the index.
async fn insert_old_statement(pool: &SqlitePool, id: i64, title: &str, body: &str, secs: i64) {
    let key = secs * (1 << 22) + id;
    sqlx::query(
        "INSERT INTO announcements (id, source_key, title, body_html, body_text, published_at,
             created_at, updated_at, search_key) VALUES (?1, ?2, ?3, '', ?4, ?5, ?5, ?5, ?6)",
    )
    .bind(id)
    .bind(format!("old-{id}"))
    .bind(title)
    .bind(body)
    .bind(secs)
    .bind(key)
    .execute(pool)
    .await
    .unwrap();
    let (title, body) = (fold_for_index(title), fold_for_index(body));
    sqlx::query("INSERT INTO statement_search (rowid, title, body) VALUES (?1, ?2, ?3)")
        .bind(key)
        .bind(&title)
        .bind(&body)
        .execute(pool)
        .await
        .unwrap();
    for word in title.split(' ').chain(body.split(' ')) {
        sqlx::query("INSERT OR IGNORE INTO search_terms (term) VALUES (?1)")
            .bind(word)
            .execute(pool)
            .await
            .unwrap();
    }
}

/// The embedded migrations before 0009, as a release before it had them.
#[derive(Debug)]
struct MigrationsBefore(i64);

impl<'s> MigrationSource<'s> for MigrationsBefore {
    fn resolve(
        self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send + 's>> {
        Box::pin(async move {
            Ok(super::MIGRATOR
                .iter()
                .filter(|m| m.version < self.0)
                .cloned()
                .collect())
        })
    }
}

/// A new database file in `dir` with the embedded migrations before `version` applied, as
/// a release before that one left it: its URL and a pool on it.
async fn database_before(dir: &std::path::Path, version: i64) -> (String, SqlitePool) {
    let url = format!("sqlite://{}", dir.join("jarchi.db").display());
    let options: SqliteConnectOptions = url.parse().unwrap();
    let pool = SqlitePool::connect_with(options.create_if_missing(true))
        .await
        .unwrap();
    Migrator::new(MigrationsBefore(version))
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    (url, pool)
}

async fn database_before_one_time_unit(dir: &std::path::Path) -> String {
    let (url, pool) = database_before(dir, 9).await;
    insert_old_statement(&pool, 1, "همبستگی با کارگران ایرانی", "متن نخست", FIRST).await;
    insert_old_statement(&pool, 2, "دیدار با خانواده‌ها", "متن دوم", SECOND).await;
    insert_old_statement(&pool, 3, "اعتصاب کارگران نفت", "متن سوم", THIRD).await;
    let now = Utc::now().timestamp();
    sqlx::query(
        "INSERT INTO subscribers (chat_id, chat_kind, lang, status, subscribed_at, updated_at,
             quiet_start, quiet_end) VALUES (4242, 'private', 'en', 'active', ?1, ?1, 22, 7)",
    )
    .bind(now - 86_400)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO admin_drafts (user_id, chat_id, step, title, updated_at)
             VALUES (9001, 9001, 'body', 'عنوان', ?1)",
    )
    .bind(now - 60)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO search_pages (id, expression, month, created_at) VALUES (5, 'کارگر', 139602, ?1)")
        .bind(now - 60)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    url
}

fn ids(statements: &[crate::domain::Announcement]) -> Vec<i64> {
    statements.iter().map(|a| a.id.0).collect()
}

#[tokio::test]
async fn a_database_from_before_one_time_unit_lists_searches_and_keeps_its_subscribers() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_before_one_time_unit(dir.path()).await;
    let storage = Storage::connect(&url).await.unwrap();

    // Listed newest first, with the dates they were published.
    let latest = storage.latest(10, 0).await.unwrap();
    assert_eq!(ids(&latest), [3, 2, 1]);
    assert_eq!(latest[2].published_at, at(FIRST));
    assert_eq!(
        storage.published_range().await.unwrap(),
        Some((at(FIRST), at(THIRD)))
    );

    // Found by words, newest first; and within a Jalali month, only that month's.
    let workers = query_words("کارگران");
    assert_eq!(
        ids(&storage.search(&workers, None, 10, 0).await.unwrap()),
        [3, 1]
    );
    let ordibehesht = JalaliMonth::new(1396, 2).unwrap().span().unwrap();
    assert_eq!(
        ids(&storage
            .search(&workers, Some(ordibehesht), 10, 0)
            .await
            .unwrap()),
        [1]
    );
    assert_eq!(
        ids(&storage
            .published_between(ordibehesht.0, ordibehesht.1, 10, 0)
            .await
            .unwrap()),
        [2, 1]
    );
    assert_eq!(
        storage
            .count_published(&[
                ordibehesht,
                JalaliMonth::new(1396, 3).unwrap().span().unwrap()
            ])
            .await
            .unwrap(),
        [2, 1]
    );

    // The subscriber is still subscribed, with their settings, and gets the next statement,
    // which takes its place among the old ones by publication time.
    let subscriber = storage.subscriber(ChatId(4242)).await.unwrap().unwrap();
    assert!(subscriber.active);
    assert_eq!(subscriber.lang, Lang::En);
    let settings = storage
        .subscriber_settings(ChatId(4242))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        settings.quiet_hours.map(|q| (q.start(), q.end())),
        Some((22, 7))
    );
    let between = NewAnnouncement::new(
        "new-4",
        "کارگران پتروشیمی",
        "",
        "متن",
        None,
        at(SECOND + 60),
    )
    .unwrap();
    let PublishOutcome::Published { id, recipients } = storage.publish(&between).await.unwrap()
    else {
        panic!("not published");
    };
    assert_eq!((id, recipients), (StatementId(4), 1));
    assert_eq!(ids(&storage.latest(10, 0).await.unwrap()), [3, 4, 2, 1]);
    assert_eq!(
        ids(&storage.search(&workers, None, 10, 0).await.unwrap()),
        [3, 4, 1]
    );

    // A draft of a minute ago has not expired. A search of a minute ago is gone with its
    // table (migration 0022): searches live in memory now, and the disk keeps none.
    assert!(storage.draft(UserId(9001)).await.unwrap().is_some());
    assert_eq!(storage.remembered_search(5).await.unwrap(), None);
    let search_pages: i64 =
        sqlx::query_scalar("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'search_pages%'")
            .fetch_one(&storage.pool)
            .await
            .unwrap();
    assert_eq!(search_pages, 0, "neither the table nor its index is left");

    // Every column is in milliseconds now.
    let (subscribed_at, published_at): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT subscribed_at FROM subscribers), (SELECT published_at FROM announcements WHERE id = 1)",
    )
    .fetch_one(&storage.pool)
    .await
    .unwrap();
    assert!(subscribed_at > 1_000_000_000_000, "{subscribed_at}");
    assert_eq!(published_at, FIRST * 1000);
    storage.close().await;
}

/// Before migration 0018 every start rewrote the database, so only an erasure of the last
/// run can still be owed a rewrite: a database that ever erased anybody gets one rewrite at
/// its first start after the upgrade.
#[tokio::test]
async fn a_database_that_erased_before_the_mark_existed_is_rewritten_once() {
    let dir = tempfile::tempdir().unwrap();
    let (url, pool) = database_before(dir.path(), 18).await;
    sqlx::query(
        "INSERT INTO counters (name, value) VALUES ('subscribers_stopped', 3)
         ON CONFLICT (name) DO UPDATE SET value = 3",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let storage = Storage::connect(&url).await.unwrap();
    assert_eq!(storage.pending_erasure().await.unwrap(), Some(1));
    assert!(storage.erase_from_disk().await.unwrap());
    assert_eq!(storage.pending_erasure().await.unwrap(), None);
    storage.close().await;
}

/// The version of the embedded migration with this description (its number may change when
/// branches merge; its name does not).
fn version_of(description: &str) -> i64 {
    super::MIGRATOR
        .iter()
        .find(|m| m.description == description)
        .map(|m| m.version)
        .unwrap()
}

/// The rows and the indexes of the delivery queue, as they read in SQL.
async fn delivery_queue(pool: &SqlitePool) -> (Vec<String>, Vec<String>, Vec<String>) {
    let deliveries = sqlx::query_scalar(
        "SELECT json_array(id, announcement_id, chat_id, action, status, due_at, claimed_until,
                           attempts, message_id, last_error, created_at, done_at, held)
         FROM deliveries ORDER BY id",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let messages = sqlx::query_scalar(
        "SELECT json_array(delivery_id, position, message_id, role)
         FROM delivery_messages ORDER BY delivery_id, position",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let indexes = sqlx::query_scalar(
        "SELECT name || ': ' || sql FROM sqlite_master
         WHERE type = 'index' AND tbl_name = 'deliveries' AND sql IS NOT NULL ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    (deliveries, messages, indexes)
}

/// Migration 0021 rebuilds `deliveries` without its foreign keys (the enqueue's cost): a
/// queue written before it keeps every row, pending and sent, every message a sent row
/// names, and every index by its name and definition; delivery_messages keeps its own
/// foreign key, which still takes a deleted delivery's messages along.
#[tokio::test]
async fn the_delivery_queue_keeps_every_row_when_its_foreign_keys_go() {
    let dir = tempfile::tempdir().unwrap();
    let (url, pool) =
        database_before(dir.path(), version_of("deliveries without foreign keys")).await;
    sqlx::raw_sql(
        "INSERT INTO subscribers (chat_id, chat_kind, lang, status, subscribed_at, updated_at,
             digest_hour)
         VALUES (501, 'private', 'fa', 'active', 1000, 1000, NULL),
                (502, 'private', 'en', 'active', 1000, 1000, 20);
         INSERT INTO announcements (id, source_key, title, body_html, body_text, published_at,
             created_at, updated_at, broadcast_at)
         VALUES (1, 'a-1', 'نخست', '', 'متن', 1000, 1000, 1000, 1000),
                (2, 'a-2', 'دوم', '', 'متن', 1000, 1000, 1000, 1000);
         INSERT INTO deliveries (id, announcement_id, chat_id, action, status, due_at,
             claimed_until, attempts, message_id, last_error, created_at, done_at, held)
         VALUES (1, 1, 501, 'send', 'sent', 1000, NULL, 1, 7001, NULL, 1000, 1000, NULL),
                (2, 1, 502, 'send', 'sent', 1000, NULL, 2, 7002, 'a retry', 1000, 1000, 'quiet'),
                (3, 2, 501, 'send', 'pending', 1000, 1000, 0, NULL, NULL, 1000, NULL, NULL),
                (4, 2, 502, 'send', 'pending', 61000, NULL, 0, NULL, NULL, 1000, NULL, 'digest'),
                (5, 1, 501, 'edit', 'pending', 1000, NULL, 0, 7001, NULL, 1000, NULL, NULL);
         INSERT INTO delivery_messages (delivery_id, position, message_id, role)
         VALUES (1, 0, 7000, 'media'), (1, 1, 7001, 'card'), (2, 0, 7002, 'caption');",
    )
    .execute(&pool)
    .await
    .unwrap();
    let before = delivery_queue(&pool).await;
    let foreign_keys: Vec<(i64, i64, String)> =
        sqlx::query_as(r#"SELECT id, seq, "table" FROM pragma_foreign_key_list('deliveries')"#)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(foreign_keys.len(), 2, "the old shape: {foreign_keys:?}");
    pool.close().await;

    let storage = Storage::connect(&url).await.unwrap();
    let after = delivery_queue(&storage.pool).await;
    assert_eq!((after.0.len(), after.1.len()), (5, 3));
    assert_eq!(after, before);
    let index_names: Vec<String> =
        sqlx::query_scalar("SELECT name FROM pragma_index_list('deliveries') ORDER BY name")
            .fetch_all(&storage.pool)
            .await
            .unwrap();
    assert_eq!(
        index_names,
        [
            "deliveries_by_chat",
            "deliveries_due",
            "deliveries_held_for_digest",
            "deliveries_once"
        ]
    );
    let deliveries_references: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM pragma_foreign_key_list('deliveries')")
            .fetch_one(&storage.pool)
            .await
            .unwrap();
    assert_eq!(deliveries_references, 0);
    let messages_reference: Vec<(String, String, String)> = sqlx::query_as(
        r#"SELECT "table", "to", on_delete FROM pragma_foreign_key_list('delivery_messages')"#,
    )
    .fetch_all(&storage.pool)
    .await
    .unwrap();
    assert_eq!(
        messages_reference,
        [("deliveries".into(), "id".into(), "CASCADE".into())]
    );
    let violations: Vec<(String, Option<i64>)> =
        sqlx::query_as(r#"SELECT "table", rowid FROM pragma_foreign_key_check"#)
            .fetch_all(&storage.pool)
            .await
            .unwrap();
    assert_eq!(violations, []);
    // The pool still checks foreign keys on every connection.
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut connection = storage.pool.acquire().await.unwrap();
        let on: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&mut *connection)
            .await
            .unwrap();
        assert_eq!(on, 1);
        held.push(connection);
    }
    drop(held);

    // A chat that leaves takes its rows and their messages along.
    assert!(storage.unsubscribe(ChatId(501)).await.unwrap());
    let (deliveries, messages, _) = delivery_queue(&storage.pool).await;
    assert_eq!(deliveries, [before.0[1].clone(), before.0[3].clone()]);
    assert_eq!(messages, [before.1[2].clone()]);
    storage.close().await;
}
