-- The name search by character pairs (issue 20, measured at 1,000,000 cases): a Chinese name is
-- usually searched by two characters ("张伟"), and a pattern of two characters gives pg_trgm no
-- trigram to look up (nor does a database whose LC_CTYPE does not count CJK characters as
-- letters, whatever the length), so `LIKE '%张伟%'` read the whole of case_search: 2.0 s at
-- 1,000,000 cases. Each key's distinct pairs of adjacent characters are indexed (GIN over an
-- immutable function, as the pg_bigm extension does, with PostgreSQL's own means); a search of
-- two or more characters asks for the keys holding all of the pattern's pairs and checks the
-- LIKE on those (`clerk.storage.postgres.queries.by_full_text`).
CREATE FUNCTION clerk_bigrams(t TEXT) RETURNS TEXT[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT COALESCE(array_agg(DISTINCT substr(t, i, 2)), '{}')
      FROM generate_series(1, length(t) - 1) AS i
$$;
CREATE INDEX idx_case_search_applicant_pairs ON case_search USING gin (clerk_bigrams(applicant_key));
CREATE INDEX idx_case_search_unit_pairs ON case_search USING gin (clerk_bigrams(unit_key));
