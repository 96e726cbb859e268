-- A start rewrites the database (VACUUM) only when an erasure is still waiting for it,
-- not every time (issue 14: the rewrite at every start cost 1.6 s over a 10,000-statement
-- archive and left its pages in memory). The mark is written in the erasure's own
-- transaction, so a crash between /stop and the rewrite leaves it for the next start.
-- `generation` grows with every erasure: a rewrite clears the mark only if no erasure came
-- while it ran.
CREATE TABLE erasure_pending (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
) STRICT;

-- Earlier versions rewrote at every start, so only the last run's erasures can be waiting;
-- a database that never erased anybody has nothing to rewrite.
INSERT INTO erasure_pending (id, generation)
SELECT 1, 1 WHERE EXISTS (
    SELECT 1 FROM counters
     WHERE name IN ('subscribers_stopped', 'subscribers_gone') AND value > 0);
