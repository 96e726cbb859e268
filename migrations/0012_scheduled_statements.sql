-- Statements an admin prepared to go out later ("Send later" under the /post preview).
-- A row holds what the statement says and the key it will be published under (the chat
-- and the message of the preview's question, as for Send). Until the admin has typed the
-- time, due_at is NULL and user_id / chat_id say whose next message there is the time;
-- then due_at is when it goes out, in Unix milliseconds. The row is deleted once the
-- statement is published or the schedule cancelled; the key makes the publish itself
-- happen once, whatever crashes or restarts come between.
CREATE TABLE scheduled_statements (
    id          INTEGER PRIMARY KEY,
    source_key  TEXT    NOT NULL UNIQUE,
    user_id     INTEGER NOT NULL,
    chat_id     INTEGER NOT NULL,
    title       TEXT    NOT NULL,
    body_html   TEXT    NOT NULL,
    body_text   TEXT    NOT NULL,
    link        TEXT,
    due_at      INTEGER,
    created_at  INTEGER NOT NULL
);

CREATE INDEX scheduled_statements_by_due ON scheduled_statements (due_at);
CREATE INDEX scheduled_statements_waiting ON scheduled_statements (user_id) WHERE due_at IS NULL;
