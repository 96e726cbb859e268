-- A statement's media (issue 12 §2): the files that go out with it, in order. A file an admin
-- sent is kept by Telegram's file_id, so a broadcast re-sends it without uploading; a feed's
-- enclosure by its URL, which Telegram fetches. No subscriber data here: staff's files only.
CREATE TABLE statement_media (
    announcement_id INTEGER NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    kind            TEXT    NOT NULL
        CHECK (kind IN ('photo', 'video', 'animation', 'audio', 'voice', 'document')),
    file_id         TEXT,
    file_unique_id  TEXT,
    url             TEXT,
    mime_type       TEXT,
    size            INTEGER,
    CHECK ((file_id IS NULL) <> (url IS NULL)),
    PRIMARY KEY (announcement_id, position)
) STRICT;

-- Every message of one delivery. The ledger keeps one 'send' row per statement and chat
-- (deliveries_once); a statement with media may take several messages there (an album, then
-- the card), so they are listed here, each with what it carries:
--   'media'   a file without the card,
--   'caption' a file with the card as its caption,
--   'card'    the card as a text message after the files.
-- A row is written as soon as its message is sent, even when a later part fails, so that a
-- retry sends only what is missing. deliveries.message_id keeps naming the message that
-- carries the card, as before, for edits.
CREATE TABLE delivery_messages (
    delivery_id INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    role        TEXT    NOT NULL CHECK (role IN ('media', 'caption', 'card')),
    PRIMARY KEY (delivery_id, position)
) STRICT;

-- A held statement ("Send later") and a request awaiting approval carry their media too,
-- as JSON written and read only by storage (src/storage/media.rs).
ALTER TABLE scheduled_statements ADD COLUMN media TEXT;
ALTER TABLE approval_requests ADD COLUMN media TEXT;
