"""Contract: the append-only log and its per-origin chains (points 4 and 5)."""

from __future__ import annotations

import threading

import pytest

from clerk.domain.chain import PersonalDataError
from clerk.domain.model import Action, CaseState
from clerk.ports.errors import ConstraintError
from storage_contract.contract_helpers import ORIGIN, ZERO, case_row, new_case, received


def test_the_first_event_is_seq_1_linked_to_zeros(store):
    uuid = store.insert_case(case_row(1))
    digest = store.append_event(received(uuid), ORIGIN)
    (only,) = store.case_events(uuid)
    assert (only.origin, only.seq, only.prev_hash, only.hash) == (ORIGIN, 1, ZERO, digest)


def test_each_event_links_to_the_one_before(store):
    uuid = store.insert_case(case_row(1))
    first = store.append_event(received(uuid), ORIGIN)
    second = store.append_event(
        received(
            uuid, action=Action.ACCEPT, from_state=CaseState.DRAFT, to_state=CaseState.ACCEPTED
        ),
        ORIGIN,
    )
    assert [(e.seq, e.prev_hash, e.hash) for e in store.case_events(uuid)] == [
        (1, ZERO, first),
        (2, first, second),
    ]
    assert store.chain_head(ORIGIN) == (2, second)


def test_append_events_chains_a_batch_in_order(store):
    uuids = [store.insert_case(case_row(n)) for n in (1, 2, 3)]
    hashes = store.append_events([received(u) for u in uuids], ORIGIN)
    events = [store.case_events(u)[0] for u in uuids]
    assert [(e.seq, e.prev_hash) for e in events] == [
        (1, ZERO),
        (2, hashes[0]),
        (3, hashes[1]),
    ]
    assert store.chain_head(ORIGIN) == (3, hashes[2])


def test_events_come_back_typed_with_their_data(store):
    uuid = store.insert_case(case_row(1))
    store.append_event(received(uuid, data={"missing": ["M02"]}), ORIGIN)
    (only,) = store.case_events(uuid)
    assert (only.action, only.to_state, dict(only.data), only.at.isoformat()) == (
        Action.RECEIVE,
        CaseState.DRAFT,
        {"missing": ["M02"]},
        "2026-03-02T09:00:00+08:00",
    )


def test_the_engine_refuses_to_rewrite_an_event(store, adapter):
    uuid = new_case(store)
    before = store.case_events(uuid)
    with pytest.raises(ConstraintError):
        adapter.tamper_update_event(store, ORIGIN, 1)
    assert store.case_events(uuid) == before


def test_the_engine_refuses_to_delete_an_event(store, adapter):
    uuid = new_case(store)
    with pytest.raises(ConstraintError):
        adapter.tamper_delete_event(store, ORIGIN, 1)
    assert [e.seq for e in store.case_events(uuid)] == [1]


def test_personal_data_in_an_event_is_refused_before_it_is_written(store):
    uuid = store.insert_case(case_row(1))
    with pytest.raises(PersonalDataError):
        store.append_event(received(uuid, reason="身份证 11010519491231002X"), ORIGIN)
    assert store.chain_head(ORIGIN) == (0, ZERO)


def test_a_rolled_back_append_leaves_no_gap(store):
    first = new_case(store, 1)
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.append_event(received(first), ORIGIN)
            raise RuntimeError
    second = new_case(store, 2)
    assert [e.seq for e in store.case_events(first) + store.case_events(second)] == [1, 2]


WRITERS = 4
APPENDS = 12


def test_concurrent_writers_keep_one_gap_free_unforked_chain(store, adapter, clock):
    """Each writer is its own store on the same database and appends one case + event per
    transaction; the chain ends with seqs 1..N*k, each linked to the one before."""
    writers = [adapter.reopen(store, clock) for _ in range(WRITERS)]
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def write(k: int, writer) -> None:
        start.wait()
        try:
            for i in range(APPENDS):
                new_case(writer, 1 + k * APPENDS + i)
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(k, w)) for k, w in enumerate(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for w in writers:
        w.close()
    events = sorted(
        (e for n in range(1, WRITERS * APPENDS + 1) for e in store.case_events(case_row(n).uuid)),
        key=lambda e: e.seq,
    )
    links_ok = all(e.prev_hash == (events[i - 1].hash if i else ZERO) for i, e in enumerate(events))
    assert (failures, [e.seq for e in events], links_ok) == (
        [],
        list(range(1, WRITERS * APPENDS + 1)),
        True,
    )
    assert store.chain_head(ORIGIN) == (WRITERS * APPENDS, events[-1].hash)


def test_chain_heads_and_hash_at_name_each_origin_head(store):
    uuid = store.insert_case(case_row(1))
    first = store.append_event(received(uuid), ORIGIN)
    second = store.append_event(
        received(uuid, action=Action.REVEAL, data={"field": "phone"}), ORIGIN
    )
    assert (
        store.chain_heads(),
        store.event_hash_at(ORIGIN, 1),
        store.event_hash_at(ORIGIN, 3),
    ) == (
        {ORIGIN: (2, second)},
        first,
        None,
    )


def test_chain_heads_at_is_the_last_event_before_the_bound(store):
    uuid = store.insert_case(case_row(1))
    digest = store.append_event(received(uuid), ORIGIN)
    assert (
        store.chain_heads_at("2026-03-02T08:59:59+08:00"),
        store.chain_heads_at("2026-03-02T09:00:01+08:00"),
    ) == ({}, {ORIGIN: (1, digest)})
