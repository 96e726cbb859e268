-- Search that stays instant at 100,000 statements (issue 14).
--
-- The full-text index is keyed by a sort key instead of the statement's id: the newest
-- statement has the largest key, so "the newest matches first" is FTS5 walking its own
-- doclists backwards and stopping after a page, however many statements match. The key is
-- published_at * 2^22 + (id mod 2^22), the seconds clamped to ±2^40; storage::search_key
-- computes it for new statements (and moves one up in the rare case two ever collide).
ALTER TABLE announcements ADD COLUMN search_key INTEGER;
UPDATE announcements
   SET search_key = max(min(published_at, 1099511627775), -1099511627776) * 4194304 + (id % 4194304)
 WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX announcements_search_key ON announcements (search_key);

-- Contentless: the folded text was stored a second time only to be read by nobody.
-- Snippets are made from the text as published (text::snippet).
CREATE VIRTUAL TABLE statement_search USING fts5 (
    title,
    body,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);
INSERT INTO statement_search (rowid, title, body)
    SELECT a.search_key, f.title, f.body
      FROM announcements_fts f JOIN announcements a ON a.id = f.rowid
     WHERE a.search_key IS NOT NULL;

-- Every word ever indexed, so that a prefix query ("ایران"*) becomes an OR of the words
-- that start with it: FTS5 reads those lazily, newest first, while a prefix query would
-- merge the whole archive's postings for it before returning the first row.
CREATE TABLE search_terms (term TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE VIRTUAL TABLE temp.old_search_terms USING fts5vocab (main, announcements_fts, row);
INSERT OR IGNORE INTO search_terms (term) SELECT term FROM temp.old_search_terms;
DROP TABLE temp.old_search_terms;

DROP TABLE announcements_fts;

-- /archive counts statements per Jalali month and year from this index alone.
CREATE INDEX announcements_by_date ON announcements (published_at) WHERE deleted_at IS NULL;

-- A remembered search may be limited to a Jalali month: year * 100 + month (139603).
ALTER TABLE search_pages ADD COLUMN month INTEGER;
