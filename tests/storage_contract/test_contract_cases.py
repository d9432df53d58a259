"""Contract: case rows, optimistic versions (point 3), neutral errors."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from clerk.domain.model import CaseState
from clerk.ports.errors import ConflictError, ConstraintError, NotFoundError
from clerk.ports.records import CaseChanges
from storage_contract.contract_helpers import case_row

UUID = case_row(1).uuid


def test_a_new_case_comes_back_typed_at_version_1(store):
    store.insert_case(case_row(1))
    case = store.get_case(UUID)
    assert case is not None
    assert (case.version, case.state, case.received_at.isoformat()) == (
        1,
        CaseState.DRAFT,
        "2026-03-02T09:00:00+08:00",
    )


def test_update_case_at_the_expected_version_returns_the_next(store):
    store.insert_case(case_row(1))
    assert store.update_case(UUID, CaseChanges(state="accepted"), 1) == 2
    case = store.get_case(UUID)
    assert (case.version, case.state) == (2, CaseState.ACCEPTED)


def test_update_case_at_a_stale_version_is_a_conflict_and_writes_nothing(store):
    store.insert_case(case_row(1))
    store.update_case(UUID, CaseChanges(state="accepted"), 1)
    with pytest.raises(ConflictError):
        store.update_case(UUID, CaseChanges(state="withdrawn"), 1)
    case = store.get_case(UUID)
    assert (case.version, case.state) == (2, CaseState.ACCEPTED)


def test_two_writers_deciding_from_the_same_read_one_wins(store, adapter, clock):
    store.insert_case(case_row(1))
    writers = [adapter.reopen(store, clock) for _ in range(4)]
    outcomes: list[str] = []
    start = threading.Barrier(len(writers))

    def decide(writer, state: str) -> None:
        start.wait()
        try:
            writer.update_case(UUID, CaseChanges(state=state), 1)
            outcomes.append("won")
        except ConflictError:
            outcomes.append("conflict")

    threads = [
        threading.Thread(target=decide, args=(w, s))
        for w, s in zip(writers, ["accepted", "withdrawn", "accepted", "withdrawn"], strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for w in writers:
        w.close()
    assert (sorted(outcomes), store.get_case(UUID).version) == (
        ["conflict", "conflict", "conflict", "won"],
        2,
    )


def test_update_of_an_unknown_case_is_not_found(store):
    with pytest.raises(NotFoundError):
        store.update_case(UUID, CaseChanges(state="accepted"), 1)


def test_a_second_case_with_the_same_number_breaks_a_constraint(store):
    store.insert_case(case_row(1))
    with pytest.raises(ConstraintError):
        store.insert_case(case_row(2, case_no=case_row(1).case_no))


def test_a_second_case_with_the_same_uuid_breaks_a_constraint(store):
    store.insert_case(case_row(1))
    with pytest.raises(ConstraintError):
        store.insert_case(case_row(1, case_no="YZ01-20260302-0099"))


def test_the_daily_counter_counts_per_point_and_day(store):
    got = [
        store.next_sequence("YZ01", date(2026, 3, 2)),
        store.next_sequence("YZ01", date(2026, 3, 2)),
        store.next_sequence("YZ01", date(2026, 3, 3)),
        store.next_sequence("YZ02", date(2026, 3, 2)),
    ]
    assert got == [1, 2, 1, 1]


def test_a_missing_case_reads_as_none(store):
    assert (store.get_case(UUID), store.get_case_by_no("YZ01-20260302-0001")) == (None, None)
