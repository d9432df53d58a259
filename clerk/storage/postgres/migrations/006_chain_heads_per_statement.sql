-- The chain-head check once per statement instead of once per row (issue 21: a county's day of
-- 30,000 events imported at the city). Moving one chain_heads row once per event made every
-- later lookup in the same transaction walk all its earlier versions (the row cannot be pruned
-- while the transaction is open): an import of n events cost O(n^2). Now the rows a statement
-- added (an INSERT of one event, or a COPY of a batch) are checked together against the head,
-- locked FOR UPDATE as before: per origin they must be head+1 .. head+k, each linking to the one
-- before it (the first to the head's hash); the head then moves once. UNIQUE(origin, seq) stays
-- the backstop between concurrent writers.
DROP TRIGGER events_append_at_head ON events;

CREATE FUNCTION clerk_events_extend_heads() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    o TEXT;
    head_seq INTEGER;
    head_hash TEXT;
    k BIGINT;
    lo INTEGER;
    hi INTEGER;
    top_hash TEXT;
BEGIN
    FOR o IN SELECT DISTINCT a.origin FROM added a ORDER BY 1 LOOP
        SELECT l.seq, l.hash INTO head_seq, head_hash FROM public.clerk_lock_chain_head(o) l;
        SELECT count(*), min(a.seq), max(a.seq) INTO k, lo, hi FROM added a WHERE a.origin = o;
        -- The links in one ordered pass (lag), not a self-join: a transition table has no
        -- statistics, so the planner chooses the join blind. (Equal at 20,000-80,000 events; a
        -- 1,000,000-case file's one COPY of 5.6 million events stalled here over 20 minutes,
        -- not yet explained.)
        IF lo <> head_seq + 1 OR hi - lo + 1 <> k OR EXISTS (
            SELECT 1 FROM (
                SELECT a.seq, a.prev_hash, lag(a.hash) OVER (ORDER BY a.seq) AS before
                  FROM added a
                 WHERE a.origin = o
            ) x
             WHERE x.prev_hash IS DISTINCT FROM
                   CASE WHEN x.seq = lo THEN head_hash ELSE x.before END
        ) THEN
            RAISE EXCEPTION 'events are append-only: a new event must extend its origin''s chain head'
                USING ERRCODE = 'check_violation';
        END IF;
        SELECT a.hash INTO top_hash FROM added a WHERE a.origin = o AND a.seq = hi;
        UPDATE public.chain_heads SET seq = hi, hash = top_hash WHERE origin = o;
    END LOOP;
    RETURN NULL;
END;
$$;
CREATE TRIGGER events_extend_heads AFTER INSERT ON events
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION clerk_events_extend_heads();
