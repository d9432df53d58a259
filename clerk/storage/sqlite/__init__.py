"""The SQLite adapter: `Store` (store.py) and its parts — connection, schema migrations, the
hash-chain walk, users, queries, the ledger's reads, roster batches, the sync tables, verify.
The only package that imports `sqlite3` or `sqlite_utils`."""
