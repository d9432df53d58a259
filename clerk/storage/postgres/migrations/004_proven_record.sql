-- Accounts, points and kept chain heads join the proven record (issue 23, item 3; SQLite's
-- migration 14): the administrative chain (`clerk.domain.admin_log`), append-only like the event
-- log, and the SHA-256 of a document's text beside its PDF's. On a database that already holds
-- accounts, the store starts the chain with them as found when it opens (`admin_log.begin`).
CREATE TABLE admin_events (
    seq INTEGER PRIMARY KEY CHECK (seq >= 1),
    uuid TEXT NOT NULL UNIQUE,
    action TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL DEFAULT '{}' CHECK (data::jsonb IS NOT NULL),
    prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
    hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
);
ALTER TABLE documents ADD COLUMN sha256_txt TEXT;

-- The head is locked here (one writer at a time), as the owner: the application role may only
-- insert and read.
CREATE FUNCTION clerk_admin_events_append_at_head() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    head_seq INTEGER;
    head_hash TEXT;
BEGIN
    LOCK TABLE public.admin_events IN SHARE ROW EXCLUSIVE MODE;
    SELECT a.seq, a.hash INTO head_seq, head_hash FROM public.admin_events a
     ORDER BY a.seq DESC LIMIT 1;
    IF NEW.seq <> COALESCE(head_seq, 0) + 1 OR NEW.prev_hash <> COALESCE(head_hash, repeat('0', 64)) THEN
        RAISE EXCEPTION 'the administrative record is append-only: append at the head'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER admin_events_append_at_head BEFORE INSERT ON admin_events
    FOR EACH ROW EXECUTE FUNCTION clerk_admin_events_append_at_head();
CREATE TRIGGER admin_events_no_update BEFORE UPDATE ON admin_events
    FOR EACH ROW EXECUTE FUNCTION clerk_events_append_only();
CREATE TRIGGER admin_events_no_delete BEFORE DELETE ON admin_events
    FOR EACH ROW EXECUTE FUNCTION clerk_events_append_only();
CREATE TRIGGER admin_events_no_truncate BEFORE TRUNCATE ON admin_events
    FOR EACH STATEMENT EXECUTE FUNCTION clerk_events_append_only();

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'clerk_app') THEN
        GRANT SELECT, INSERT ON admin_events TO clerk_app;
        REVOKE UPDATE, DELETE, TRUNCATE ON admin_events FROM clerk_app;
    END IF;
END;
$$;
