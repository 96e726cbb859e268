-- Statements an admin prepared to go out later ("Send later" under the /post preview).
-- A row holds what the statement says, the key it will be published under (the admin's
-- chat and message, as for Send), and when it is due, in Unix milliseconds. The row is
-- deleted once the statement is published or the schedule cancelled; the key makes the
-- publish itself happen once, whatever crashes or restarts come between.
CREATE TABLE scheduled_statements (
    id          INTEGER PRIMARY KEY,
    source_key  TEXT    NOT NULL UNIQUE,
    title       TEXT    NOT NULL,
    body_html   TEXT    NOT NULL,
    body_text   TEXT    NOT NULL,
    link        TEXT,
    due_at      INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE INDEX scheduled_statements_by_due ON scheduled_statements (due_at);
