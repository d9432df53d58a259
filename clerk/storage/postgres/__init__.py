"""The PostgreSQL adapter of the `clerk.ports.store.Store` port (psycopg 3 + psycopg_pool, no ORM).

For a county office whose windows share one server database (`--db postgresql://...`). The
SQL is plain and portable where it can be; what it relies on from PostgreSQL (12 or newer;
tested on 15):

- `GENERATED ... AS IDENTITY` columns for arrival numbers and ids, `INSERT ... ON CONFLICT`,
  `RETURNING`, `= ANY(%s)` with array parameters, `CROSS JOIN LATERAL`, `DROP ... WITH (FORCE)`
  in the tests;
- PL/pgSQL trigger functions: the event log refuses UPDATE, DELETE and TRUNCATE; a new event must
  extend its origin's chain head; changed cases are marked for the incremental verify;
- row locks (`SELECT ... FOR UPDATE` on the `chain_heads` row of an origin, inside the
  SECURITY DEFINER function `clerk_lock_chain_head`) to keep each origin's chain gap-free and
  unforked under concurrent writers, with `UNIQUE (origin, seq)` as the backstop;
- `pg_advisory_xact_lock` so two windows opening a new database do not both migrate it;
- roles and GRANTs: the migration role owns the schema, the application role `clerk_app` has
  no UPDATE/DELETE/TRUNCATE on `events` (migration 2);
- `jsonb` only to check that JSON text is valid and to read two keys of an event's data;
- the name search is `LIKE '%...%'` over normalised names, with pg_trgm GIN indexes when the
  extension can be created (migration 3), a scan of a narrow table otherwise;
- expression indexes for case-number and ID tails (`left(right(case_no, 5), 4)`,
  `right(id_number, 6)`); REPEATABLE READ snapshots for verify and the daily ledger;
- `amcheck`'s `bt_index_check` in `engine_checks()` when the administrator installed it;
- `bytea` for the documents' bytes (`document_contents`, migration 7; TOAST keeps them out of
  line) and the built-in `sha256(bytea)` (PostgreSQL 11+) so verify hashes them on the server.

Modules: `store.py` (`PostgresStore`), `schema.py` + `migrations/*.sql`, `queries.py` (queues,
search, the ledger), `users.py`, `sync.py` (`PostgresSyncStore`), `verify.py`, `errors.py`
(the one place a psycopg error is classified). Nothing outside this package imports psycopg.
"""
