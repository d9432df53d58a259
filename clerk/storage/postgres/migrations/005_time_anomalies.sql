-- Time anomalies found at import, kept (issue 23, item 7; SQLite's migration 15): an event dated
-- after the receiver's clock, or before an event its origin wrote earlier. This installation's
-- own record of what it was sent; never synced.
CREATE TABLE sync_time_anomalies (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    origin TEXT NOT NULL,
    seq INTEGER NOT NULL,
    case_uuid TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('future', 'backwards')),
    reference TEXT NOT NULL,
    peer TEXT NOT NULL,
    bundle_seq INTEGER NOT NULL,
    found_at TEXT NOT NULL,
    UNIQUE (origin, seq)
);
CREATE INDEX idx_sync_time_anomalies_origin ON sync_time_anomalies (origin, id);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'clerk_app') THEN
        GRANT SELECT, INSERT ON sync_time_anomalies TO clerk_app;
        GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO clerk_app;
    END IF;
END;
$$;
