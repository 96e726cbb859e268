-- The delivery queue: one row per (statement, chat) to send, plus edit and delete jobs for
-- copies already delivered. Publishing inserts the 'send' rows in the same transaction as
-- the statement; the broadcast worker claims due rows with one UPDATE … RETURNING.

ALTER TABLE announcements ADD COLUMN broadcast_at INTEGER;     -- unix ms; NULL: archived only
ALTER TABLE announcements ADD COLUMN report_sent_at INTEGER;   -- unix ms; completion report sent
ALTER TABLE announcements ADD COLUMN deleted_at INTEGER;       -- tombstone: keeps source_key so a
                                                               -- feed cannot bring it back

CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    announcement_id INTEGER NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    -- ON UPDATE CASCADE follows a group that Telegram migrated to a supergroup.
    chat_id         INTEGER NOT NULL REFERENCES subscribers (chat_id) ON DELETE CASCADE ON UPDATE CASCADE,
    action          TEXT    NOT NULL DEFAULT 'send' CHECK (action IN ('send', 'edit', 'delete')),
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'gone')),
    due_at          INTEGER NOT NULL,   -- unix ms
    claimed_until   INTEGER,            -- unix ms; a claim past this was abandoned (crash) and is retaken
    attempts        INTEGER NOT NULL DEFAULT 0,
    message_id      INTEGER,            -- Telegram's id of the delivered copy, for edits and deletes
    last_error      TEXT,
    created_at      INTEGER NOT NULL,   -- unix ms
    done_at         INTEGER             -- unix ms
) STRICT;

-- "Each statement once to every subscriber" is a constraint, not a hope.
CREATE UNIQUE INDEX deliveries_once ON deliveries (announcement_id, chat_id) WHERE action = 'send';
CREATE INDEX deliveries_due ON deliveries (due_at, id) WHERE status = 'pending';
CREATE INDEX deliveries_by_chat ON deliveries (chat_id);

-- The guided /post dialogue, kept here so that it survives a restart.
CREATE TABLE admin_drafts (
    user_id    INTEGER PRIMARY KEY,
    chat_id    INTEGER NOT NULL,
    step       TEXT    NOT NULL CHECK (step IN ('title', 'body', 'link', 'preview')),
    title      TEXT    NOT NULL DEFAULT '',
    body       TEXT    NOT NULL DEFAULT '',
    link       TEXT,
    updated_at INTEGER NOT NULL
) STRICT;
