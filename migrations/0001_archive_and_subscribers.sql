-- Subscribers: only what sending needs. No names, no usernames, no message texts.
-- /stop deletes the row; "stopped" is kept only as a number in counters.
CREATE TABLE subscribers (
    chat_id       INTEGER PRIMARY KEY,
    chat_kind     TEXT    NOT NULL CHECK (chat_kind IN ('private', 'group', 'supergroup', 'channel')),
    lang          TEXT    NOT NULL CHECK (lang IN ('fa', 'en')),
    status        TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'gone')),
    subscribed_at INTEGER NOT NULL,   -- unix seconds
    updated_at    INTEGER NOT NULL
) STRICT;

CREATE INDEX subscribers_active ON subscribers (status, chat_id);

CREATE TABLE counters (
    name  TEXT    PRIMARY KEY,
    value INTEGER NOT NULL DEFAULT 0
) STRICT;

-- The archive. source_key decides "is this statement new?" for feeds (guid/link)
-- and for admins (chat id + message id).
CREATE TABLE announcements (
    id           INTEGER PRIMARY KEY,
    source_key   TEXT    NOT NULL UNIQUE,
    title        TEXT    NOT NULL,
    body_html    TEXT    NOT NULL,
    body_text    TEXT    NOT NULL,
    link         TEXT,
    image_url    TEXT,
    published_at INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX announcements_newest ON announcements (published_at DESC, id DESC);

-- Full-text index over the *folded* title and body (see text::fold). rowid = announcements.id.
-- Written in the same transaction as the announcement, by the storage layer only.
CREATE VIRTUAL TABLE announcements_fts USING fts5 (
    title,
    body,
    tokenize = 'unicode61 remove_diacritics 0'
);
