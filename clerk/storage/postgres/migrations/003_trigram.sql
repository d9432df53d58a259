-- clerk on PostgreSQL, migration 3: trigram indexes for the name search when pg_trgm can be
-- had (a trusted extension since PostgreSQL 13: the database owner may create it). Without it
-- the search is the same LIKE '%...%', read by a scan of case_search.
DO $$
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'pg_trgm not available: the name search scans case_search';
        RETURN;
    END;
    CREATE INDEX idx_case_search_applicant ON case_search USING gin (applicant_key gin_trgm_ops);
    CREATE INDEX idx_case_search_unit ON case_search USING gin (unit_key gin_trgm_ops);
END;
$$;
