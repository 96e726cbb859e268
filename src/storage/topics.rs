//! Topics (issue 13): the list admins keep, what each subscriber chose, which topic a feed's
//! items go to, and the figures /stats shows per topic. The enqueue that reads the choices is
//! in `queue::enqueue_broadcast`.

use chrono::Duration;

use super::announcements::{AnnouncementRow, COLUMNS};
use super::{Storage, StorageError};
use crate::domain::time::now_ms;
use crate::domain::{
    Announcement, ChatId, FeedTopics, HeldShare, StatementId, Topic, TopicChoice, TopicFigures,
    TopicSlug, UserId, fold_category,
};

#[derive(sqlx::FromRow)]
struct TopicRow {
    slug: TopicSlug,
    name_fa: String,
    name_en: String,
}

impl From<TopicRow> for Topic {
    fn from(row: TopicRow) -> Self {
        Topic {
            slug: row.slug,
            name_fa: row.name_fa,
            name_en: row.name_en,
        }
    }
}

/// What became of an admin's "add".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddTopicOutcome {
    Added,
    SlugTaken,
}

/// What became of an admin's "remove".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoveTopicOutcome {
    /// Its statements moved to the other topic; the subscribers' choices of it are gone.
    Removed {
        moved: u64,
    },
    NotFound,
    /// The house default stays (statements without a topic belong to it).
    IsDefault,
    /// The topic the statements were to go to is gone (or is the one removed).
    NoSuchTarget,
}

impl Storage {
    /// Every topic, the house default first, then in the order they were added.
    pub async fn topics(&self) -> Result<Vec<Topic>, StorageError> {
        let rows: Vec<TopicRow> =
            sqlx::query_as("SELECT slug, name_fa, name_en FROM topics ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(Topic::from).collect())
    }

    pub async fn add_topic(&self, topic: &Topic) -> Result<AddTopicOutcome, StorageError> {
        let added = sqlx::query(
            "INSERT INTO topics (slug, name_fa, name_en, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (slug) DO NOTHING",
        )
        .bind(topic.slug)
        .bind(&topic.name_fa)
        .bind(&topic.name_en)
        .bind(now_ms())
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(if added > 0 {
            AddTopicOutcome::Added
        } else {
            AddTopicOutcome::SlugTaken
        })
    }

    /// New names for a topic; its slug, and so every statement and choice, stays. Returns
    /// false when there is no such topic.
    pub async fn rename_topic(&self, topic: &Topic) -> Result<bool, StorageError> {
        let renamed = sqlx::query("UPDATE topics SET name_fa = ?2, name_en = ?3 WHERE slug = ?1")
            .bind(topic.slug)
            .bind(&topic.name_fa)
            .bind(&topic.name_en)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(renamed > 0)
    }

    /// Removes `topic` in one transaction: its statements (and statements waiting for a
    /// second admin or for their time) move to `statements_to`; the foreign keys drop the
    /// subscribers' choices of it, feeds' mappings to it and feeds' defaults of it.
    pub async fn remove_topic(
        &self,
        topic: TopicSlug,
        statements_to: TopicSlug,
    ) -> Result<RemoveTopicOutcome, StorageError> {
        if topic.is_default() {
            return Ok(RemoveTopicOutcome::IsDefault);
        }
        let mut tx = self.pool.begin().await?;
        let exists = |slug: TopicSlug| {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM topics WHERE slug = ?1").bind(slug)
        };
        if exists(topic).fetch_one(&mut *tx).await? == 0 {
            return Ok(RemoveTopicOutcome::NotFound);
        }
        if statements_to == topic || exists(statements_to).fetch_one(&mut *tx).await? == 0 {
            return Ok(RemoveTopicOutcome::NoSuchTarget);
        }
        let moved = sqlx::query("UPDATE announcements SET topic = ?2 WHERE topic = ?1")
            .bind(topic)
            .bind(statements_to)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        for table in ["approval_requests", "scheduled_statements", "admin_drafts"] {
            sqlx::query(&format!("UPDATE {table} SET topic = ?2 WHERE topic = ?1"))
                .bind(topic)
                .bind(statements_to)
                .execute(&mut *tx)
                .await?;
        }
        // Readers who chose the topic follow its statements: otherwise one whose only
        // choice it was would receive nothing at all from then on, without being told.
        sqlx::query(
            "INSERT OR IGNORE INTO subscriber_topics (chat_id, topic)
             SELECT chat_id, ?2 FROM subscriber_topics WHERE topic = ?1",
        )
        .bind(topic)
        .bind(statements_to)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM topics WHERE slug = ?1")
            .bind(topic)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(RemoveTopicOutcome::Removed { moved })
    }

    /// The newest statements of one topic first (`/latest news`).
    pub async fn latest_in_topic(
        &self,
        topic: TopicSlug,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<Announcement>, StorageError> {
        let rows: Vec<AnnouncementRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM announcements a WHERE a.topic = ?1 AND a.deleted_at IS NULL
             ORDER BY a.published_at DESC, a.id DESC LIMIT ?2 OFFSET ?3"
        ))
        .bind(topic)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Announcement::from).collect())
    }

    /// How many statements are in `topic` (what removing it would move).
    pub async fn statements_in_topic(&self, topic: TopicSlug) -> Result<i64, StorageError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM announcements WHERE topic = ?1 AND deleted_at IS NULL",
        )
        .bind(topic)
        .fetch_one(&self.pool)
        .await?)
    }

    /// A subscriber's topics; `None` for a chat that is not subscribed.
    pub async fn topic_choice(&self, chat_id: ChatId) -> Result<Option<TopicChoice>, StorageError> {
        let all: Option<i64> = sqlx::query_scalar(
            "SELECT all_topics FROM subscribers WHERE chat_id = ?1 AND status = 'active'",
        )
        .bind(chat_id)
        .fetch_optional(&self.pool)
        .await?;
        match all {
            None => Ok(None),
            Some(1) => Ok(Some(TopicChoice::All)),
            Some(_) => {
                let chosen: Vec<TopicSlug> =
                    sqlx::query_scalar("SELECT topic FROM subscriber_topics WHERE chat_id = ?1")
                        .bind(chat_id)
                        .fetch_all(&self.pool)
                        .await?;
                Ok(Some(TopicChoice::Only(chosen.into_iter().collect())))
            }
        }
    }

    /// Stores many subscribers' topics in one transaction (moving a list from another bot,
    /// and benchmarks). Returns how many chats were subscribed.
    pub async fn save_topic_choices(
        &self,
        choices: impl IntoIterator<Item = (ChatId, TopicChoice)>,
    ) -> Result<u64, StorageError> {
        let mut tx = self.pool.begin().await?;
        let mut saved = 0;
        for (chat_id, choice) in choices {
            saved += u64::from(choose_in(&mut tx, chat_id, &choice).await?);
        }
        tx.commit().await?;
        Ok(saved)
    }

    /// Stores a subscriber's topics: "all" keeps no rows. Slugs of topics removed meanwhile
    /// are skipped. Returns false when the chat is not subscribed.
    pub async fn save_topic_choice(
        &self,
        chat_id: ChatId,
        choice: &TopicChoice,
    ) -> Result<bool, StorageError> {
        let mut tx = self.pool.begin().await?;
        let saved = choose_in(&mut tx, chat_id, choice).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Per topic: its subscribers ("all" and those who chose it), its statements of the
    /// last 30 days, and (once the digest exists) how many of them chose the digest.
    pub async fn topic_figures(&self) -> Result<Vec<TopicFigures>, StorageError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            slug: TopicSlug,
            name_fa: String,
            name_en: String,
            subscribers: i64,
            digest: i64,
            statements: i64,
        }
        let since = now_ms() - Duration::days(30).num_milliseconds();
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT t.slug, t.name_fa, t.name_en,
                    (SELECT COUNT(*) FROM subscribers s
                      WHERE s.status = 'active' AND s.all_topics = 1)
                  + (SELECT COUNT(*) FROM subscriber_topics c
                      JOIN subscribers s ON s.chat_id = c.chat_id
                      WHERE c.topic = t.slug AND s.status = 'active' AND s.all_topics = 0)
                    AS subscribers,
                    (SELECT COUNT(*) FROM subscribers s
                      WHERE s.status = 'active' AND s.all_topics = 1 AND s.digest_hour IS NOT NULL)
                  + (SELECT COUNT(*) FROM subscriber_topics c
                      JOIN subscribers s ON s.chat_id = c.chat_id
                      WHERE c.topic = t.slug AND s.status = 'active' AND s.all_topics = 0
                        AND s.digest_hour IS NOT NULL)
                    AS digest,
                    (SELECT COUNT(*) FROM announcements a
                      WHERE a.topic = t.slug AND a.deleted_at IS NULL AND a.published_at >= ?1)
                    AS statements
             FROM topics t ORDER BY t.id",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| TopicFigures {
                topic: Topic {
                    slug: row.slug,
                    name_fa: row.name_fa,
                    name_en: row.name_en,
                },
                subscribers: row.subscribers,
                statements_30_days: row.statements,
                digest_subscribers: Some(row.digest),
            })
            .collect())
    }

    /// What share of the last broadcast (the one /stats shows) was held by quiet hours or
    /// for a digest, as the worker marked its deliveries.
    pub async fn held_share_of_last_broadcast(&self) -> Result<Option<HeldShare>, StorageError> {
        match self.last_broadcast().await? {
            Some(id) => Ok(Some(self.held_share(id).await?)),
            None => Ok(None),
        }
    }

    /// Where a feed's items go: its default topic and its category mappings.
    pub async fn feed_topics(&self, feed_id: i64) -> Result<FeedTopics, StorageError> {
        let default: Option<Option<TopicSlug>> =
            sqlx::query_scalar("SELECT default_topic FROM feeds WHERE id = ?1")
                .bind(feed_id)
                .fetch_optional(&self.pool)
                .await?;
        let categories: Vec<(String, TopicSlug)> = sqlx::query_as(
            "SELECT category, topic FROM feed_topics WHERE feed_id = ?1 ORDER BY category",
        )
        .bind(feed_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(FeedTopics {
            feed_id,
            default: default.flatten(),
            categories,
        })
    }

    /// Every feed's topics that differ from the house default, for /feeds.
    pub async fn all_feed_topics(&self) -> Result<Vec<FeedTopics>, StorageError> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM feeds
             WHERE default_topic IS NOT NULL
                OR id IN (SELECT feed_id FROM feed_topics)
             ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut all = Vec::with_capacity(ids.len());
        for id in ids {
            all.push(self.feed_topics(id).await?);
        }
        Ok(all)
    }

    /// A feed's default topic. Returns false when there is no such feed or topic.
    pub async fn set_feed_default_topic(
        &self,
        feed_id: i64,
        topic: TopicSlug,
    ) -> Result<bool, StorageError> {
        let set = sqlx::query(
            "UPDATE feeds SET default_topic = ?2
             WHERE id = ?1 AND EXISTS (SELECT 1 FROM topics WHERE slug = ?2)",
        )
        .bind(feed_id)
        .bind(topic)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(set > 0)
    }

    /// Items of `feed_id` in `category` go to `topic` (`None`: the mapping is dropped).
    /// Returns false when there is no such feed or topic.
    pub async fn map_feed_category(
        &self,
        feed_id: i64,
        category: &str,
        topic: Option<TopicSlug>,
    ) -> Result<bool, StorageError> {
        let category = fold_category(category);
        let Some(topic) = topic else {
            let dropped =
                sqlx::query("DELETE FROM feed_topics WHERE feed_id = ?1 AND category = ?2")
                    .bind(feed_id)
                    .bind(&category)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
            return Ok(dropped > 0);
        };
        let mapped = sqlx::query(
            "INSERT INTO feed_topics (feed_id, category, topic)
             SELECT f.id, ?2, t.slug FROM feeds f, topics t WHERE f.id = ?1 AND t.slug = ?3
             ON CONFLICT (feed_id, category) DO UPDATE SET topic = excluded.topic",
        )
        .bind(feed_id)
        .bind(&category)
        .bind(topic)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(mapped > 0)
    }

    /// The topic an admin picked under the /post preview.
    pub async fn draft_topic(&self, user_id: UserId) -> Result<Option<TopicSlug>, StorageError> {
        let topic: Option<Option<TopicSlug>> =
            sqlx::query_scalar("SELECT topic FROM admin_drafts WHERE user_id = ?1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(topic.flatten())
    }

    /// Returns false when the admin has no draft.
    pub async fn set_draft_topic(
        &self,
        user_id: UserId,
        topic: TopicSlug,
    ) -> Result<bool, StorageError> {
        let set = sqlx::query("UPDATE admin_drafts SET topic = ?2 WHERE user_id = ?1")
            .bind(user_id)
            .bind(topic)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(set > 0)
    }
}

/// [`Storage::save_topic_choice`] in the caller's transaction.
async fn choose_in(
    tx: &mut sqlx::SqliteConnection,
    chat_id: ChatId,
    choice: &TopicChoice,
) -> Result<bool, StorageError> {
    let updated = sqlx::query(
        "UPDATE subscribers SET all_topics = ?2, updated_at = ?3
         WHERE chat_id = ?1 AND status = 'active'",
    )
    .bind(chat_id)
    .bind(i64::from(choice == &TopicChoice::All))
    .bind(now_ms())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if updated == 0 {
        return Ok(false);
    }
    sqlx::query("DELETE FROM subscriber_topics WHERE chat_id = ?1")
        .bind(chat_id)
        .execute(&mut *tx)
        .await?;
    if let TopicChoice::Only(chosen) = choice {
        for topic in chosen {
            sqlx::query(
                "INSERT INTO subscriber_topics (chat_id, topic)
                 SELECT ?1, slug FROM topics WHERE slug = ?2",
            )
            .bind(chat_id)
            .bind(topic)
            .execute(&mut *tx)
            .await?;
        }
    }
    Ok(true)
}

/// Gives a newly stored statement the topic it was given, in the caller's transaction; a
/// topic removed meanwhile leaves it in the house default (the column's default).
pub(super) async fn set_statement_topic(
    tx: &mut sqlx::SqliteConnection,
    id: StatementId,
    topic: Option<TopicSlug>,
) -> Result<(), StorageError> {
    if let Some(topic) = topic.filter(|t| !t.is_default()) {
        sqlx::query(
            "UPDATE announcements SET topic = ?2
             WHERE id = ?1 AND EXISTS (SELECT 1 FROM topics WHERE slug = ?2)",
        )
        .bind(id)
        .bind(topic)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}
