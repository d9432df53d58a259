"""PostgreSQL migration 6: the chain-head check runs once per statement (a COPY of a bundle's
events), and still refuses any batch that does not extend the head: a gap, a broken link, a
start past the head. Skipped without PostgreSQL binaries."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support import postgres

from clerk.domain import chain
from clerk.ports.errors import StorageError

pytestmark = pytest.mark.skipif(
    postgres.skip_reason() is not None, reason=postgres.skip_reason() or ""
)
CASE = "00000000-0000-4000-8000-000000000001"


@pytest.fixture
def store() -> Iterator:  # type: ignore[type-arg]
    from storage_contract.contract_helpers import FixedClock, case_row

    from clerk.storage.postgres.store import PostgresStore

    url = postgres.fresh_database()
    found = PostgresStore.open(url, clock=FixedClock())
    with found.transaction():
        found.insert_case(case_row(1))
    yield found
    found.close()
    postgres.drop_database(url)


def events(n: int, start: int = 1, prev: str = chain.ZERO_HASH) -> list[dict]:  # type: ignore[type-arg]
    out = []
    for seq in range(start, start + n):
        fields = {
            "origin": "YZ03",
            "seq": seq,
            "uuid": f"00000000-0000-4000-9000-{seq:012d}",
            "case_uuid": CASE,
            "action": "receive" if seq == 1 else "print",
            "actor": "clerk1",
            "at": "2026-03-02T09:00:00+08:00",
            "from_state": None,
            "to_state": "draft",
            "reason": "",
            "data": {},
            "point_code": "YZ03",
        }
        digest = chain.event_hash(fields, prev)
        out.append(
            {**fields, "data": "{}", "prev_hash": prev, "hash": digest, "version": 1, "format": 2}
        )
        prev = digest
    return out


def test_a_batch_extending_the_head_goes_in_and_moves_it_once(store):  # type: ignore[no-untyped-def]
    batch = events(50)
    assert store.sync_store().insert_events(batch) == 50
    assert store.sync_store().heads() == {"YZ03": (50, batch[-1]["hash"])}


@pytest.mark.parametrize(
    "spoil",
    [
        lambda b: b.pop(3),  # a gap
        lambda b: b[5].update(prev_hash="f" * 64),  # a broken link
        lambda b: b[0].update(prev_hash="f" * 64),  # not linked to the head
        lambda b: [e.update(seq=e["seq"] + 1) for e in b],  # past the head
    ],
    ids=["gap", "broken link", "first link", "past the head"],
)
def test_a_batch_that_does_not_extend_the_head_is_refused_whole(store, spoil):  # type: ignore[no-untyped-def]
    batch = events(10)
    spoil(batch)
    with pytest.raises(StorageError):
        store.sync_store().insert_events(batch)
    assert store.sync_store().heads() == {}


def test_a_second_batch_continues_from_the_head(store):  # type: ignore[no-untyped-def]
    first = events(5)
    store.sync_store().insert_events(first)
    second = events(5, start=6, prev=first[-1]["hash"])
    store.sync_store().insert_events(second)
    assert store.sync_store().head("YZ03") == (10, second[-1]["hash"])
