-- Entries of a feed's last document that could not become statements (neither a title nor
-- a text): the feed itself was read, so this is not a failure, but /feeds shows the count.
ALTER TABLE feeds ADD COLUMN skipped_entries INTEGER NOT NULL DEFAULT 0;
