-- clerk on PostgreSQL, migration 2: what the application role may do.
--
-- The migration role (the database owner, e.g. `clerk_owner`) owns every table and function;
-- the windows log in as members of the NOLOGIN role `clerk_app`, which may read everything and
-- write the records, but has no UPDATE, DELETE or TRUNCATE on the event log and no write on the
-- chain heads (it moves them only through the event trigger, a SECURITY DEFINER function).
-- The role is made here when the owner may create roles; otherwise the administrator makes it
-- (README) and runs this again with `clerk db grant` -- the grants below are skipped, with a
-- notice, when there is no such role.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'clerk_app') THEN
        BEGIN
            CREATE ROLE clerk_app NOLOGIN;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'clerk_app does not exist and cannot be created here: grants skipped';
            RETURN;
        END;
    END IF;
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO clerk_app', current_database());
    GRANT USAGE ON SCHEMA public TO clerk_app;
    REVOKE CREATE ON SCHEMA public FROM clerk_app;
    GRANT SELECT, INSERT, UPDATE, DELETE ON
        settings, points, users, cases, case_materials, documents, evaluations, sequences,
        checkpoints, verify_dirty, case_search, batches, batch_materials, batch_cases,
        sync_keys, sync_bundles, sync_conflicts, sync_acks, sync_peer_state
        TO clerk_app;
    GRANT SELECT, INSERT ON events TO clerk_app;
    REVOKE UPDATE, DELETE, TRUNCATE ON events FROM clerk_app;
    GRANT SELECT ON chain_heads, clerk_migrations TO clerk_app;
    GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO clerk_app;
    REVOKE ALL ON FUNCTION clerk_lock_chain_head(TEXT) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION clerk_lock_chain_head(TEXT) TO clerk_app;
END;
$$;
