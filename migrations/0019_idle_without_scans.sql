-- An idle bot reads nothing it does not need (issue 14). Two questions asked of the whole
-- archive walked every statement's row, and with it most of the file through SQLite's
-- cache: "which broadcasts finished and are not reported yet" (every second the worker
-- runs; 37–95 ms over 10,000 statements) and "which links still lack their identity"
-- (once at start; 80 ms). Each now reads a partial index holding only the rows it looks
-- for: almost always none.
CREATE INDEX announcements_awaiting_report ON announcements (id)
    WHERE broadcast_at IS NOT NULL AND report_sent_at IS NULL;
CREATE INDEX announcements_awaiting_link_identity ON announcements (id)
    WHERE link IS NOT NULL AND link_identity IS NULL;
