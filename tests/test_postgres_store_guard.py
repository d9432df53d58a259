"""The PostgreSQL store's guard: every public method holds the store's lock (one connection,
threads serialised) and translates psycopg's errors, the ones it inherits from
`clerk.storage.administration` too. No server needed: this looks at the class."""

from __future__ import annotations

import inspect


def _public_methods(cls: type) -> list[str]:
    return [n for n, m in vars(cls).items() if not n.startswith("_") and inspect.isfunction(m)]


def test_the_inherited_administration_methods_are_guarded():
    from clerk.storage.administration import Administration
    from clerk.storage.postgres.store import PostgresStore

    inherited = _public_methods(Administration)
    assert {"create_user", "authenticate", "set_password", "add_point"} <= set(inherited)
    unguarded = [n for n in inherited if not hasattr(getattr(PostgresStore, n), "__wrapped__")]
    assert unguarded == []


def test_the_store_s_own_methods_are_guarded():
    from clerk.storage.postgres.store import PostgresStore

    own = [n for n in _public_methods(PostgresStore) if n != "record_reads"]  # a constructor
    assert len(own) > 50
    assert all(hasattr(getattr(PostgresStore, n), "__wrapped__") for n in own)
