-- Topics (issue 13): named streams of statements. A topic is known by its slug, a short
-- ASCII word that storage and buttons carry (domain::TopicSlug); its names are what people
-- read. The seeded topic is the house default: statements from before topics existed, and
-- every statement nobody gave a topic, are in it, and it cannot be removed (only renamed).
CREATE TABLE topics (
    id         INTEGER PRIMARY KEY,
    slug       TEXT    NOT NULL UNIQUE,
    name_fa    TEXT    NOT NULL,
    name_en    TEXT    NOT NULL,
    created_at INTEGER NOT NULL   -- unix ms
) STRICT;

INSERT INTO topics (slug, name_fa, name_en, created_at)
VALUES ('statements', 'بیانیه‌ها', 'Statements', 0);

-- No foreign key: SQLite cannot add a column with REFERENCES and a default; removing a
-- topic moves its statements first (storage::topics::remove_topic).
ALTER TABLE announcements ADD COLUMN topic TEXT NOT NULL DEFAULT 'statements';
CREATE INDEX announcements_by_topic ON announcements (topic, published_at DESC, id DESC);

-- A subscriber has every topic (all_topics = 1, the default, and then a topic added later is
-- on for them too), or exactly the topics listed in subscriber_topics. Only the slugs chosen
-- are stored; the rows go with the subscriber (/stop, a chat gone), and follow a group that
-- became a supergroup.
ALTER TABLE subscribers ADD COLUMN all_topics INTEGER NOT NULL DEFAULT 1 CHECK (all_topics IN (0, 1));

CREATE TABLE subscriber_topics (
    chat_id INTEGER NOT NULL REFERENCES subscribers (chat_id) ON DELETE CASCADE ON UPDATE CASCADE,
    topic   TEXT    NOT NULL REFERENCES topics (slug) ON DELETE CASCADE ON UPDATE CASCADE,
    PRIMARY KEY (chat_id, topic)
) STRICT, WITHOUT ROWID;

-- The enqueue of one statement reads two ranges: the active subscribers who have every topic,
-- and those who chose the statement's topic (storage::queue::enqueue_broadcast).
CREATE INDEX subscribers_active_all_topics ON subscribers (status, all_topics, chat_id);
CREATE INDEX subscriber_topics_by_topic ON subscriber_topics (topic, chat_id);

-- Each feed's items go to its default topic (NULL: the house default), unless one of an
-- item's <category> names is mapped to another topic for that feed.
ALTER TABLE feeds ADD COLUMN default_topic TEXT REFERENCES topics (slug) ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE feed_topics (
    feed_id  INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    category TEXT    NOT NULL,   -- folded: trimmed and lower-cased (storage::topics)
    topic    TEXT    NOT NULL REFERENCES topics (slug) ON DELETE CASCADE ON UPDATE CASCADE,
    PRIMARY KEY (feed_id, category)
) STRICT, WITHOUT ROWID;

-- The topic an admin picked under the /post preview (NULL: the house default).
ALTER TABLE admin_drafts ADD COLUMN topic TEXT;
-- A statement waiting for a second admin, or for its time, keeps its topic until it goes out.
ALTER TABLE approval_requests ADD COLUMN topic TEXT;
ALTER TABLE scheduled_statements ADD COLUMN topic TEXT;
