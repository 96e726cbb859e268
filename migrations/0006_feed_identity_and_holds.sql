-- A feed item is the same statement as an archived one when its normalised link matches
-- (domain::link_identity: no scheme, no www., no trailing slash, no utm_*, no fragment),
-- even when the site re-keyed its guids. Computed in Rust, so rows from before this
-- migration are filled in by the poller at start. NULL: no link, or not computed yet;
-- '': a link that cannot name one statement (the site's home page).
ALTER TABLE announcements ADD COLUMN link_identity TEXT;
CREATE INDEX announcements_by_link_identity ON announcements (link_identity)
    WHERE link_identity IS NOT NULL;
-- The other identity, title and publication date, is served by announcements_newest
-- (published_at first): few statements share a second.

-- A poll that brought more new items than FEED_MAX_NEW_PER_POLL archives the excess
-- here instead of broadcasting it; an admin's button releases a hold, once.
CREATE TABLE feed_holds (
    id          INTEGER PRIMARY KEY,
    feed_id     INTEGER NOT NULL,   -- no foreign key: a removed feed's hold stays releasable
    created_at  INTEGER NOT NULL,   -- unix ms
    released_at INTEGER             -- unix ms; NULL while waiting
) STRICT;

ALTER TABLE announcements ADD COLUMN held_in INTEGER REFERENCES feed_holds (id);
CREATE INDEX announcements_held ON announcements (held_in) WHERE held_in IS NOT NULL;
