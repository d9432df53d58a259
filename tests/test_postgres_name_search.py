"""The name search on PostgreSQL (migration 8): a search of two or more characters is served by
the index of each key's pairs of adjacent characters, whatever pg_trgm can do with CJK text.
Skipped without PostgreSQL binaries."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support import postgres

pytestmark = pytest.mark.skipif(
    postgres.skip_reason() is not None, reason=postgres.skip_reason() or ""
)


@pytest.fixture
def conn() -> Iterator[object]:
    from clerk.storage.postgres.store import PostgresStore

    url = postgres.fresh_database()
    store = PostgresStore.open(url)
    try:
        with store.transaction():
            yield store.conn
    finally:
        store.close()
        postgres.drop_database(url)


def _plan(conn, key: str) -> str:
    from clerk.storage.postgres.queries import full_text_query

    sql, params = full_text_query(key, 200)
    conn.execute("SET LOCAL enable_seqscan = off")
    return "\n".join(r[0] for r in conn.execute("EXPLAIN " + sql, params))


def test_a_search_of_two_characters_reads_the_pairs_index(conn):
    """Two characters give pg_trgm no trigram: without the pairs this read all of case_search."""
    plan = _plan(conn, "小明")
    assert "idx_case_search_applicant_pairs" in plan
    assert "idx_case_search_unit_pairs" in plan
    assert "Seq Scan on case_search" not in plan


def test_a_longer_search_reads_an_index_too(conn):
    assert "Seq Scan on case_search" not in _plan(conn, "阳光食品")


def test_the_pairs_are_the_databases_pairs(conn):
    from clerk.storage.postgres.queries import pairs

    for key in ("欧阳小明", "ab", "aaaa", "王小明小王", "x"):
        (stored,) = conn.execute("SELECT clerk_bigrams(%s)", (key,)).fetchone()
        assert sorted(stored) == pairs(key)
