-- clerk on PostgreSQL, migration 1: every table of storage version 12 (the SQLite adapter's
-- numbering), in the same stored forms: instants as ISO-8601 text with offset, dates as ISO
-- text, JSON as canonical text, flags as 0/1. A row read here is the row SQLite would give,
-- so bundles, hashes and the record proof are the same on both engines.

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE points (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    office_code TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE users (
    login TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('clerk', 'reviewer', 'finance', 'supervisor', 'admin')),
    point_code TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    session_epoch INTEGER NOT NULL DEFAULT 0
);
-- SQLite's COLLATE NOCASE on the login: one account per login whatever its case.
CREATE UNIQUE INDEX idx_users_login_nocase ON users (lower(login));

CREATE TABLE cases (
    uuid TEXT PRIMARY KEY,
    case_no TEXT NOT NULL UNIQUE,
    point_code TEXT NOT NULL,
    office_code TEXT,
    origin_point TEXT NOT NULL,
    item_no INTEGER NOT NULL,
    channel TEXT NOT NULL,
    state TEXT NOT NULL,
    applicant_kind TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    id_type TEXT,
    id_number TEXT,
    phone TEXT,
    unit_name TEXT,
    credit_code TEXT,
    agent_name TEXT,
    agent_id_type TEXT,
    agent_id_number TEXT,
    bank_account TEXT,
    circumstances TEXT NOT NULL DEFAULT '[]' CHECK (circumstances::jsonb IS NOT NULL),
    received_at TEXT NOT NULL,
    accepted_at TEXT,
    accepted_by TEXT,
    due_date TEXT,
    due_provisional INTEGER NOT NULL DEFAULT 0,
    decided_at TEXT,
    closed_at TEXT,
    amount_fen BIGINT,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT,
    due_start TEXT,
    reviewed_by TEXT,
    paid_at TEXT
);
CREATE INDEX idx_cases_id_number ON cases (id_number);
CREATE INDEX idx_cases_applicant_name ON cases (applicant_name text_pattern_ops);
CREATE INDEX idx_cases_unit_name ON cases (unit_name text_pattern_ops);
CREATE INDEX idx_cases_credit_code ON cases (credit_code);
CREATE INDEX idx_cases_received_at ON cases (received_at);
CREATE INDEX idx_cases_state_received ON cases (state, received_at);
CREATE INDEX idx_cases_state_due ON cases (state, due_date);
CREATE INDEX idx_cases_item_received ON cases (item_no, received_at);
CREATE INDEX idx_cases_updated ON cases (updated_at);
-- What a clerk reads off a slip: the day's sequence (the 4 characters before the check
-- character) and the last 6 characters of an ID number.
CREATE INDEX idx_cases_seq_tail ON cases (left(right(case_no, 5), 4), received_at);
CREATE INDEX idx_cases_id_tail ON cases (right(id_number, 6), received_at);

CREATE TABLE case_materials (
    uuid TEXT PRIMARY KEY,
    case_uuid TEXT NOT NULL REFERENCES cases (uuid),
    point_code TEXT NOT NULL,
    material_id TEXT NOT NULL,
    status TEXT NOT NULL,
    alternative TEXT,
    defect TEXT,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (case_uuid, material_id)
);
CREATE TABLE documents (
    uuid TEXT PRIMARY KEY,
    case_uuid TEXT NOT NULL REFERENCES cases (uuid),
    point_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    doc_no TEXT,
    path_txt TEXT,
    path_pdf TEXT,
    sha256 TEXT,
    issued_at TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    reprint_of TEXT REFERENCES documents (uuid),
    -- arrival order (SQLite's rowid): documents of one instant come back as they were issued
    n BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE
);
CREATE INDEX idx_documents_case ON documents (case_uuid);
CREATE INDEX idx_documents_issued ON documents (issued_at);
CREATE INDEX idx_documents_txt ON documents (path_txt);
CREATE INDEX idx_documents_pdf ON documents (path_pdf);
CREATE TABLE evaluations (
    uuid TEXT PRIMARY KEY,
    case_uuid TEXT NOT NULL REFERENCES cases (uuid),
    point_code TEXT NOT NULL,
    level TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    follow_up TEXT,
    followed_up_at TEXT,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    recorded_by TEXT,
    n BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE
);
CREATE INDEX idx_evaluations_case ON evaluations (case_uuid);
CREATE INDEX idx_evaluations_at ON evaluations (at);
CREATE INDEX idx_evaluations_bad_open ON evaluations (at)
    WHERE level IN ('1', '2') AND followed_up_at IS NULL;
CREATE TABLE sequences (
    point_code TEXT NOT NULL,
    day TEXT NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (point_code, day)
);

-- The event log: one hash chain per origin. `n` is this database's arrival number (not hashed).
CREATE TABLE events (
    n BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    origin TEXT NOT NULL,
    seq INTEGER NOT NULL CHECK (seq >= 1),
    uuid TEXT NOT NULL UNIQUE,
    case_uuid TEXT NOT NULL REFERENCES cases (uuid) DEFERRABLE INITIALLY DEFERRED,
    action TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL DEFAULT '{}' CHECK (data::jsonb IS NOT NULL),
    point_code TEXT NOT NULL,
    prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
    hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
    version INTEGER NOT NULL DEFAULT 1 CHECK (version = 1),
    format INTEGER NOT NULL DEFAULT 2 CHECK (format IN (1, 2)),
    UNIQUE (origin, seq)
);
CREATE INDEX idx_events_case ON events (case_uuid, n);
CREATE INDEX idx_events_at ON events (at);
CREATE INDEX idx_events_action_at ON events (action, at);
CREATE INDEX idx_events_owner_moves ON events (n) WHERE action IN ('hand_on', 'resolve');

-- Each origin's chain head: the row an appending transaction locks (SELECT ... FOR UPDATE), so
-- writers of one origin queue up and each reads the head the one before it left.
CREATE TABLE chain_heads (
    origin TEXT PRIMARY KEY,
    seq INTEGER NOT NULL CHECK (seq >= 0),
    hash TEXT NOT NULL CHECK (length(hash) = 64)
);

-- Lock an origin's head for the rest of the transaction and return it (0 and zeros for a new
-- chain). SECURITY DEFINER: the application role may call it but has no write on chain_heads.
CREATE FUNCTION clerk_lock_chain_head(p_origin TEXT, OUT seq INTEGER, OUT hash TEXT)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    INSERT INTO public.chain_heads (origin, seq, hash)
    VALUES (p_origin, 0, repeat('0', 64)) ON CONFLICT (origin) DO NOTHING;
    SELECT h.seq, h.hash INTO seq, hash FROM public.chain_heads h
     WHERE h.origin = p_origin FOR UPDATE;
END;
$$;

-- A new event must extend its origin's head (the next seq, the head's hash as prev_hash); the
-- head moves with it. The head row is locked here too, so even a writer that skipped the lock
-- queues up instead of forking the chain.
CREATE FUNCTION clerk_events_append_at_head() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    head_seq INTEGER;
    head_hash TEXT;
BEGIN
    SELECT l.seq, l.hash INTO head_seq, head_hash FROM public.clerk_lock_chain_head(NEW.origin) l;
    IF NEW.seq <> head_seq + 1 OR NEW.prev_hash <> head_hash THEN
        RAISE EXCEPTION 'events are append-only: a new event must extend its origin''s chain head'
            USING ERRCODE = 'check_violation';
    END IF;
    UPDATE public.chain_heads SET seq = NEW.seq, hash = NEW.hash WHERE origin = NEW.origin;
    RETURN NEW;
END;
$$;
CREATE TRIGGER events_append_at_head BEFORE INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION clerk_events_append_at_head();

CREATE FUNCTION clerk_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    FOR EACH ROW EXECUTE FUNCTION clerk_events_append_only();
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION clerk_events_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION clerk_events_append_only();
-- The chain heads follow the events: nobody moves them back.
CREATE TRIGGER chain_heads_no_delete BEFORE DELETE ON chain_heads
    FOR EACH ROW EXECUTE FUNCTION clerk_events_append_only();
CREATE TRIGGER chain_heads_no_truncate BEFORE TRUNCATE ON chain_heads
    FOR EACH STATEMENT EXECUTE FUNCTION clerk_events_append_only();

-- Chain heads known to be good (printed on a ledger, acknowledged by a peer, reached by verify).
CREATE TABLE checkpoints (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    origin TEXT NOT NULL,
    seq INTEGER NOT NULL CHECK (seq >= 1),
    hash TEXT NOT NULL CHECK (length(hash) = 64),
    source TEXT NOT NULL CHECK (source IN ('ledger', 'ack', 'verified')),
    note TEXT NOT NULL DEFAULT '',
    recorded_at TEXT NOT NULL,
    UNIQUE (origin, seq, hash, source)
);
CREATE INDEX idx_checkpoints_source ON checkpoints (source, origin, seq);

-- What an incremental verify must look at again: cases whose row or dependent rows changed.
CREATE TABLE verify_dirty (
    case_uuid TEXT PRIMARY KEY,
    mark INTEGER NOT NULL DEFAULT 1
);
CREATE FUNCTION clerk_mark_dirty() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    key TEXT;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        key := to_jsonb(OLD) ->> TG_ARGV[0];
        INSERT INTO verify_dirty (case_uuid) VALUES (key)
        ON CONFLICT (case_uuid) DO UPDATE SET mark = verify_dirty.mark + 1;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        key := to_jsonb(NEW) ->> TG_ARGV[0];
        INSERT INTO verify_dirty (case_uuid) VALUES (key)
        ON CONFLICT (case_uuid) DO UPDATE SET mark = verify_dirty.mark + 1;
    END IF;
    RETURN NULL;
END;
$$;
-- The case of every new event too: an arrival number is taken at insert, not at commit, so a
-- verify may see a later number committed before an earlier one; the mark is exact.
CREATE TRIGGER verify_dirty_events AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION clerk_mark_dirty('case_uuid');
CREATE TRIGGER verify_dirty_cases AFTER INSERT OR UPDATE OR DELETE ON cases
    FOR EACH ROW EXECUTE FUNCTION clerk_mark_dirty('uuid');
CREATE TRIGGER verify_dirty_documents AFTER INSERT OR UPDATE OR DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION clerk_mark_dirty('case_uuid');
CREATE TRIGGER verify_dirty_case_materials AFTER INSERT OR UPDATE OR DELETE ON case_materials
    FOR EACH ROW EXECUTE FUNCTION clerk_mark_dirty('case_uuid');
CREATE TRIGGER verify_dirty_evaluations AFTER INSERT OR UPDATE OR DELETE ON evaluations
    FOR EACH ROW EXECUTE FUNCTION clerk_mark_dirty('case_uuid');

-- The name search: each case's names reduced to their letters and digits (lower case), found
-- with LIKE '%...%' (served by a pg_trgm index when the extension is there: migration 2).
CREATE TABLE case_search (
    case_uuid TEXT PRIMARY KEY REFERENCES cases (uuid),
    applicant_key TEXT NOT NULL DEFAULT '',
    unit_key TEXT NOT NULL DEFAULT ''
);

-- Roster batches (表6).
CREATE TABLE batches (
    uuid TEXT PRIMARY KEY,
    batch_no TEXT NOT NULL UNIQUE,
    point_code TEXT NOT NULL,
    office_code TEXT,
    item_no INTEGER NOT NULL,
    school_name TEXT NOT NULL,
    source_name TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    source_sha256 TEXT NOT NULL CHECK (length(source_sha256) = 64),
    rows_total INTEGER NOT NULL CHECK (rows_total >= 0),
    enrolled INTEGER NOT NULL CHECK (enrolled >= 1),
    to_correct INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    first_case_no TEXT NOT NULL,
    last_case_no TEXT NOT NULL,
    receipt_doc_no TEXT,
    receipt_path_txt TEXT,
    receipt_path_pdf TEXT,
    receipt_sha256 TEXT,
    notice_doc_no TEXT,
    notice_path_txt TEXT,
    notice_path_pdf TEXT,
    notice_sha256 TEXT,
    received_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX idx_batches_sha ON batches (source_sha256);
CREATE INDEX idx_batches_point_received ON batches (point_code, received_at);
CREATE TABLE batch_materials (
    uuid TEXT PRIMARY KEY,
    batch_uuid TEXT NOT NULL REFERENCES batches (uuid),
    point_code TEXT NOT NULL,
    material_id TEXT NOT NULL,
    status TEXT NOT NULL,
    alternative TEXT,
    defect TEXT,
    checked_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (batch_uuid, material_id)
);
CREATE TABLE batch_cases (
    case_uuid TEXT PRIMARY KEY REFERENCES cases (uuid),
    batch_uuid TEXT NOT NULL REFERENCES batches (uuid),
    point_code TEXT NOT NULL,
    row_no INTEGER NOT NULL,
    student_no TEXT NOT NULL,
    class_name TEXT,
    sex TEXT,
    birth_date TEXT,
    domicile TEXT,
    identity TEXT,
    subsidy TEXT,
    note TEXT,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX idx_batch_cases_batch ON batch_cases (batch_uuid, row_no);

-- End-of-day sync: peers' keys, bundles written and read, the conflict queue, peers' acks.
CREATE TABLE sync_keys (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    point_code TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('peer', 'escrow')),
    name TEXT NOT NULL DEFAULT '',
    sign_key TEXT,
    age_recipient TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    added_at TEXT NOT NULL,
    revoked_at TEXT,
    replaced_by BIGINT REFERENCES sync_keys (id)
);
CREATE UNIQUE INDEX idx_sync_keys_active ON sync_keys (point_code) WHERE revoked_at IS NULL;
CREATE TABLE sync_bundles (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    direction TEXT NOT NULL CHECK (direction IN ('out', 'in')),
    peer TEXT NOT NULL,
    seq INTEGER NOT NULL CHECK (seq >= 1),
    hash TEXT NOT NULL CHECK (length(hash) = 64),
    prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
    manifest TEXT NOT NULL CHECK (manifest::jsonb IS NOT NULL),
    file_name TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    UNIQUE (direction, peer, seq)
);
CREATE TABLE sync_conflicts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_uuid TEXT NOT NULL,
    case_no TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL CHECK (kind IN ('not_owner', 'content', 'clock')),
    peer TEXT NOT NULL,
    origin TEXT NOT NULL DEFAULT '',
    seq INTEGER,
    detail TEXT NOT NULL DEFAULT '{}' CHECK (detail::jsonb IS NOT NULL),
    bundle_seq INTEGER NOT NULL,
    found_at TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by TEXT,
    resolution TEXT
);
CREATE INDEX idx_sync_conflicts_open ON sync_conflicts (resolved_at, id);
CREATE TABLE sync_acks (
    peer TEXT NOT NULL,
    origin TEXT NOT NULL,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL CHECK (length(hash) = 64),
    at TEXT NOT NULL,
    PRIMARY KEY (peer, origin)
);
CREATE TABLE sync_peer_state (
    peer TEXT PRIMARY KEY,
    acked_bundle INTEGER NOT NULL DEFAULT 0
);
