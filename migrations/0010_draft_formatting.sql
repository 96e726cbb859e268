-- The guided /post keeps the body's formatting: the body as the Telegram HTML we built from
-- the admin's message entities. NULL for drafts begun before this version (their body is
-- shown as plain text, escaped).
ALTER TABLE admin_drafts ADD COLUMN body_html TEXT;
