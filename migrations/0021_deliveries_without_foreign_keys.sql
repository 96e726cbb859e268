-- The delivery queue rebuilt for the enqueue's sake (issue 13: one statement queued for
-- 1,000,000 subscribers in ≤ 5 s; it took 5.2–5.4 s of CPU, 1.8–2.2 s after this). Two
-- things cost it per row. Its foreign keys: each row written was looked up in
-- announcements and in subscribers, though the INSERT … SELECT takes its rows from those
-- very tables in the same transaction, so the checks could never fail there (0.6–0.9 s).
-- And two CHECKs written as `IN (…)` lists (2.3–2.6 s; see below).
--
-- What the foreign keys also did, storage now does itself, in the same transaction as the
-- change that needs it:
--   ON DELETE CASCADE from subscribers   erasure deletes the chat's rows (subscribers.rs),
--                                        a migrated group whose supergroup is already
--                                        subscribed drops its rows (chat_migration.rs);
--   ON UPDATE CASCADE from subscribers   a group that became a supergroup takes its rows
--                                        along (chat_migration.rs);
--   ON DELETE CASCADE from announcements statements are never deleted, only tombstoned
--                                        (deleted_at).
-- delivery_messages keeps its foreign key to deliveries (its rows are few, one per message
-- sent), so erasing a chat's deliveries still takes their messages along.
--
-- SQLite cannot drop a column constraint, so the table is rebuilt (the "12 steps" of
-- https://www.sqlite.org/lang_altertable.html). sqlx 0.8 runs a SQLite migration inside
-- its own transaction, together with the row that records it (`-- no-transaction` is
-- honoured only on Postgres), so this file cannot switch foreign keys off (PRAGMA
-- foreign_keys does nothing inside a transaction), and it need not: the rebuild below is
-- correct with them on or off, and all of it, with sqlx's record, commits or none of it
-- does. With foreign keys on, dropping a parent table first deletes its rows, and that
-- delete would cascade into delivery_messages; so delivery_messages is set aside in a
-- table without constraints, dropped, and rebuilt after the new deliveries is in place,
-- its rows checked against it one by one as they go back in.
--
-- The same columns and the same CHECKs, two of them spelt differently: SQLite evaluates
-- `x IN ('a', 'b', 'c')` in a CHECK by building a temporary b-tree of the list for every
-- row written (three values or more; EXPLAIN shows OpenEphemeral inside the row loop). A
-- chain of `=` joined by OR accepts and refuses exactly the same values (the columns are
-- NOT NULL TEXT with the BINARY collation either way) and costs a few comparisons. The
-- held column's list has two values, which SQLite already compares one by one.
--
-- Columns are named in every copy: the new table keeps the old order (held, added by
-- 0013, last), and a copy never depends on how the old table happened to be laid out.

CREATE TABLE deliveries_rebuilt (
    id              INTEGER PRIMARY KEY,
    announcement_id INTEGER NOT NULL,   -- announcements (id); statements are never deleted
    chat_id         INTEGER NOT NULL,   -- subscribers (chat_id); storage moves and deletes
    action          TEXT    NOT NULL DEFAULT 'send'
                    CHECK (action = 'send' OR action = 'edit' OR action = 'delete'),
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status = 'pending' OR status = 'sent' OR status = 'failed' OR status = 'gone'),
    due_at          INTEGER NOT NULL,   -- unix ms
    claimed_until   INTEGER,            -- unix ms; a claim past this was abandoned (crash) and is retaken
    attempts        INTEGER NOT NULL DEFAULT 0,
    message_id      INTEGER,            -- Telegram's id of the delivered copy, for edits and deletes
    last_error      TEXT,
    created_at      INTEGER NOT NULL,   -- unix ms
    done_at         INTEGER,            -- unix ms
    held            TEXT CHECK (held IN ('quiet', 'digest'))
) STRICT;

INSERT INTO deliveries_rebuilt (id, announcement_id, chat_id, action, status, due_at,
                                claimed_until, attempts, message_id, last_error, created_at,
                                done_at, held)
SELECT id, announcement_id, chat_id, action, status, due_at,
       claimed_until, attempts, message_id, last_error, created_at,
       done_at, held
  FROM deliveries;

CREATE TABLE delivery_messages_set_aside (
    delivery_id INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    role        TEXT    NOT NULL
) STRICT;

INSERT INTO delivery_messages_set_aside (delivery_id, position, message_id, role)
SELECT delivery_id, position, message_id, role FROM delivery_messages;

DROP TABLE delivery_messages;
DROP TABLE deliveries;
ALTER TABLE deliveries_rebuilt RENAME TO deliveries;

-- As 0014 made it.
CREATE TABLE delivery_messages (
    delivery_id INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    role        TEXT    NOT NULL CHECK (role IN ('media', 'caption', 'card')),
    PRIMARY KEY (delivery_id, position)
) STRICT;

INSERT INTO delivery_messages (delivery_id, position, message_id, role)
SELECT delivery_id, position, message_id, role FROM delivery_messages_set_aside;

DROP TABLE delivery_messages_set_aside;

-- The indexes of 0002 and 0013, by the same names and definitions.
CREATE UNIQUE INDEX deliveries_once ON deliveries (announcement_id, chat_id) WHERE action = 'send';
CREATE INDEX deliveries_due ON deliveries (due_at, id) WHERE status = 'pending';
CREATE INDEX deliveries_by_chat ON deliveries (chat_id);
CREATE INDEX deliveries_held_for_digest ON deliveries (chat_id, due_at)
    WHERE status = 'pending' AND held = 'digest';
