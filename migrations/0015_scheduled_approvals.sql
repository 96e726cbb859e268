-- "Send later" under PUBLISH_APPROVALS=2: a publish request may carry the time it should go
-- out (Unix milliseconds). Approving such a request holds the statement in
-- scheduled_statements for that time instead of publishing it at once. NULL: at once.
ALTER TABLE approval_requests ADD COLUMN due_at INTEGER;
