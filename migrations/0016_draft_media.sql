-- The guided /post dialogue takes files (issue 12): a photo, video, animation, audio, voice
-- message, document or album, at the text step or at the new 'attachment' step. The step's
-- CHECK lists the steps, so the table is rebuilt with 'attachment' added (SQLite cannot
-- alter a CHECK), keeping every draft as it was. `media` holds the draft's files as the
-- JSON that storage/media.rs writes for statements waiting outside the archive (Telegram
-- file ids of the admin's own files; NULL: none).
CREATE TABLE admin_drafts_new (
    user_id    INTEGER PRIMARY KEY,
    chat_id    INTEGER NOT NULL,
    step       TEXT    NOT NULL
        CHECK (step IN ('title', 'body', 'attachment', 'link', 'preview')),
    title      TEXT    NOT NULL DEFAULT '',
    body       TEXT    NOT NULL DEFAULT '',
    link       TEXT,
    updated_at INTEGER NOT NULL,
    body_html  TEXT,
    media      TEXT
) STRICT;

INSERT INTO admin_drafts_new (user_id, chat_id, step, title, body, link, updated_at, body_html)
    SELECT user_id, chat_id, step, title, body, link, updated_at, body_html FROM admin_drafts;

DROP TABLE admin_drafts;
ALTER TABLE admin_drafts_new RENAME TO admin_drafts;
CREATE INDEX admin_drafts_by_age ON admin_drafts (updated_at);
