-- Documents every window can reach (issue 20, item 3): the bytes of each issued document's text
-- and PDF are kept in the database, under the name its row records (`documents.path_txt` /
-- `path_pdf`: `YYYY/MM/<number>.pdf` as issued, `received/<sender>/<sha256>.pdf` as a bundle
-- brought it), inserted in the same transaction as the decision's record: stored together or
-- not at all, reachable by every window, and in every `pg_dump`. A document once kept is never
-- changed or removed: the triggers refuse UPDATE, DELETE and TRUNCATE even for the owner, and
-- the application role is granted only SELECT and INSERT. `clerk verify` proves each row's
-- bytes against the SHA-256 the document row (and the event that issued it) records.
-- Large values are TOASTed by the engine (out of line, in chunks; a PDF's streams are
-- compressed already, so the default EXTENDED storage mostly keeps them as they are).
CREATE TABLE document_contents (
    name TEXT PRIMARY KEY CHECK (name <> ''),
    content BYTEA NOT NULL,
    kept_at TEXT NOT NULL
);

CREATE FUNCTION clerk_document_contents_kept() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'document contents are kept as issued: % is not allowed', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER document_contents_no_update BEFORE UPDATE ON document_contents
    FOR EACH ROW EXECUTE FUNCTION clerk_document_contents_kept();
CREATE TRIGGER document_contents_no_delete BEFORE DELETE ON document_contents
    FOR EACH ROW EXECUTE FUNCTION clerk_document_contents_kept();
CREATE TRIGGER document_contents_no_truncate BEFORE TRUNCATE ON document_contents
    FOR EACH STATEMENT EXECUTE FUNCTION clerk_document_contents_kept();

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'clerk_app') THEN
        GRANT SELECT, INSERT ON document_contents TO clerk_app;
        REVOKE UPDATE, DELETE, TRUNCATE ON document_contents FROM clerk_app;
    END IF;
END;
$$;
