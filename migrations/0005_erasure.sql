-- Erased means erased (issue 9): a chat that is gone (blocked the bot, deactivated, deleted)
-- is forgotten like one that sent /stop. Only counts remain.

-- Per broadcast: how many recipients turned out to be gone. Their delivery rows go with
-- the chat, so the broadcast report keeps the figure here.
ALTER TABLE announcements ADD COLUMN recipients_gone INTEGER NOT NULL DEFAULT 0;

UPDATE announcements SET recipients_gone = (
    SELECT COUNT(*) FROM deliveries d
    WHERE d.announcement_id = announcements.id AND d.action = 'send' AND d.status = 'gone');

INSERT INTO counters (name, value)
    SELECT 'subscribers_gone', COUNT(*) FROM subscribers WHERE status = 'gone'
    ON CONFLICT (name) DO UPDATE SET value = value + excluded.value;

-- The rows that named gone chats: their deliveries first (also those of chats that came
-- back, whose old 'gone' rows are counted above), then the chats themselves.
DELETE FROM deliveries WHERE status = 'gone'
    OR chat_id IN (SELECT chat_id FROM subscribers WHERE status = 'gone');
DELETE FROM admin_drafts WHERE chat_id IN (SELECT chat_id FROM subscribers WHERE status = 'gone');
DELETE FROM subscribers WHERE status = 'gone';

-- Short-lived rows are swept by age; the sweeps look them up by time.
CREATE INDEX search_pages_by_age ON search_pages (created_at);
CREATE INDEX admin_drafts_by_age ON admin_drafts (updated_at);
