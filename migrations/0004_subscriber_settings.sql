-- Subscriber settings: only what delivery needs. Quiet hours are whole hours in Tehran time;
-- both NULL means none. A window may wrap midnight (22 → 7).
ALTER TABLE subscribers ADD COLUMN link_previews INTEGER NOT NULL DEFAULT 1 CHECK (link_previews IN (0, 1));
ALTER TABLE subscribers ADD COLUMN quiet_start INTEGER CHECK (quiet_start BETWEEN 0 AND 23);
ALTER TABLE subscribers ADD COLUMN quiet_end INTEGER CHECK (quiet_end BETWEEN 0 AND 23);

-- Paged search results: a button carries this row's id and an offset, never the query
-- (callback data is at most 64 bytes, and the query is nobody else's business). Only the
-- safe FTS expression is kept, and rows older than a day are swept on insert.
CREATE TABLE search_pages (
    id         INTEGER PRIMARY KEY,
    expression TEXT    NOT NULL,
    created_at INTEGER NOT NULL   -- unix seconds
) STRICT;
