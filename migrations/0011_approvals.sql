-- A second pair of eyes (PUBLISH_APPROVALS=2): a publish, edit or delete by one admin waits
-- here until a different admin approves it, or its author withdraws it. A row keeps what is
-- needed to carry the action out after a restart; once decided, the content is cleared (the
-- statement itself is in `announcements` if it went out) and the row stays as a tombstone,
-- so that a late Approve is told "already decided", not "unknown".
--
-- Every id here is an admin's (staff), never a subscriber's.
CREATE TABLE approval_requests (
    id INTEGER PRIMARY KEY,
    action TEXT NOT NULL CHECK (action IN ('publish', 'edit', 'delete')),
    author_id INTEGER NOT NULL,
    -- Where the author is told how it ended.
    author_chat_id INTEGER NOT NULL,
    -- edit and delete: the statement; publish: the statement once published.
    statement_id INTEGER,
    -- publish only: what decides "new" in announcements (the admin's chat and message).
    source_key TEXT,
    title TEXT,
    body_html TEXT,
    body_text TEXT,
    link TEXT,
    image_url TEXT,
    published_at INTEGER,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'approved', 'withdrawn')),
    decided_by INTEGER,
    decided_at INTEGER,
    created_at INTEGER NOT NULL
);

-- Who did what to which statement, and when (Unix milliseconds): publish, edit, delete,
-- approve, withdraw, release (a feed hold). Admins' user ids only; no subscriber data.
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    admin_id INTEGER NOT NULL,
    action TEXT NOT NULL
        CHECK (action IN ('publish', 'edit', 'delete', 'approve', 'withdraw', 'release')),
    statement_id INTEGER,
    at INTEGER NOT NULL
);
