-- A daily digest (issue 13 §3). A subscriber may take one message a day at digest_hour
-- o'clock Tehran time instead of each statement as it comes; NULL is "as it comes".
ALTER TABLE subscribers ADD COLUMN digest_hour INTEGER CHECK (digest_hour BETWEEN 0 AND 23);

-- Why a 'send' delivery was held back by the worker: 'quiet' (the chat's quiet hours) or
-- 'digest' (waiting for the chat's next digest). One mechanism for both: the worker puts
-- due_at off and says why here. A pending row held for a digest goes out in the chat's
-- digest once due; the mark stays on a sent row so that /stats can tell what share of a
-- broadcast was held.
ALTER TABLE deliveries ADD COLUMN held TEXT CHECK (held IN ('quiet', 'digest'));

-- The worker gathers a chat's due digest rows in one claim.
CREATE INDEX deliveries_held_for_digest ON deliveries (chat_id, due_at)
    WHERE status = 'pending' AND held = 'digest';
