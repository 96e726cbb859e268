-- One unit of time in the whole schema: Unix milliseconds, the unit the delivery queue,
-- feeds and holds already use (due times need less than a second). The columns that held
-- seconds are converted here; afterwards no statement writes seconds and milliseconds side
-- by side.
--
-- announcements.search_key (migration 0008) stays as it is: it is built from the
-- publication time in whole seconds (storage::search::key_seconds divides), so the keys
-- already written and those written from now on agree, and the index need not be rebuilt.
UPDATE subscribers SET subscribed_at = subscribed_at * 1000, updated_at = updated_at * 1000;

UPDATE announcements
   SET published_at = published_at * 1000,
       created_at = created_at * 1000,
       updated_at = updated_at * 1000;

UPDATE admin_drafts SET updated_at = updated_at * 1000;

UPDATE search_pages SET created_at = created_at * 1000;
