-- Search at 100,000 statements (issue 14): the full-text index merged into one segment.
--
-- Statements are indexed one transaction at a time, so the index grows as many segments
-- that FTS5 merges only now and then; every search opens each term once per segment, and
-- newest first (backwards) costs most where a common word's postings are long. Merged,
-- a one-word search over 100,000 statements runs 1.9 million instructions instead of 3.5,
-- a two-word one 4.3 instead of 9.2 (callgrind). `jarchi import` merges again at its end
-- (Storage::merge_search_index); the few statements a day after that stay small segments.
INSERT INTO statement_search (statement_search) VALUES ('optimize');
