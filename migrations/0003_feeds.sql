-- Feeds the poller follows: from FEED_URLS (upserted at startup) and from /addfeed.
-- Everything the poller must remember across restarts lives here, so that a restart
-- neither re-broadcasts (seeded) nor forgets its manners towards the site (validators, backoff).
CREATE TABLE feeds (
    id              INTEGER PRIMARY KEY,
    url             TEXT    NOT NULL UNIQUE,   -- as the operator or admin gave it
    feed_url        TEXT,                      -- the feed document found there; NULL until known
    etag            TEXT,                      -- validators of the last 200, for conditional GET
    last_modified   TEXT,
    failures        INTEGER NOT NULL DEFAULT 0,  -- consecutive failed polls
    last_error      TEXT,
    failing_since   INTEGER,                   -- unix ms of the first failure in this run of failures
    alerted         INTEGER NOT NULL DEFAULT 0 CHECK (alerted IN (0, 1)),  -- admins told it is down
    seeded          INTEGER NOT NULL DEFAULT 0 CHECK (seeded IN (0, 1)),   -- first fetch archived
    next_poll_at    INTEGER NOT NULL DEFAULT 0,  -- unix ms
    last_success_at INTEGER,                   -- unix ms
    created_at      INTEGER NOT NULL           -- unix ms
) STRICT;

-- What the feed last said about an item (title, body, link), as a fingerprint: a change
-- means the site revised it and delivered copies are edited. NULL for statements that did
-- not come from a feed, or came before this column: the next poll records a baseline.
ALTER TABLE announcements ADD COLUMN feed_fingerprint TEXT;
