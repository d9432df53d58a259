"""Contract: transactions are atomic, nested blocks are savepoints (clerk.ports.store, point 1)."""

from __future__ import annotations

import pytest

from storage_contract.contract_helpers import ORIGIN, ZERO, case_row, received


class Boom(Exception):
    pass


def test_a_committed_block_is_seen_by_another_store(store, adapter, clock):
    with store.transaction():
        uuid = store.insert_case(case_row(1))
        store.append_event(received(uuid), ORIGIN)
    other = adapter.reopen(store, clock)
    try:
        found = other.get_case(uuid)
        assert (found.case_no if found else None, other.chain_head(ORIGIN)[0]) == (
            "YZ01-20260302-0001",
            1,
        )
    finally:
        other.close()


def test_an_exception_rolls_back_the_case_and_its_event_together(store):
    with pytest.raises(Boom):
        with store.transaction():
            uuid = store.insert_case(case_row(1))
            store.append_event(received(uuid), ORIGIN)
            raise Boom
    assert (store.get_case(case_row(1).uuid), store.chain_head(ORIGIN)) == (None, (0, ZERO))


def test_a_failed_inner_block_undoes_only_itself(store):
    with store.transaction():
        store.insert_case(case_row(1))
        try:
            with store.transaction():
                store.insert_case(case_row(2))
                raise Boom
        except Boom:
            pass
    assert (
        store.get_case(case_row(1).uuid) is not None,
        store.get_case(case_row(2).uuid),
    ) == (
        True,
        None,
    )


def test_a_failed_outer_block_undoes_its_finished_inner_block(store):
    with pytest.raises(Boom):
        with store.transaction():
            with store.transaction():
                store.insert_case(case_row(1))
            raise Boom
    assert store.get_case(case_row(1).uuid) is None


def test_nothing_is_visible_to_another_store_before_the_outer_commit(store, adapter, clock):
    other = adapter.reopen(store, clock)
    try:
        with store.transaction():
            with store.transaction():
                store.insert_case(case_row(1))
            seen_inside = other.get_case(case_row(1).uuid)
        seen_after = other.get_case(case_row(1).uuid)
        assert (seen_inside, seen_after is not None) == (None, True)
    finally:
        other.close()


def test_in_transaction_is_true_only_inside_a_block(store):
    with store.transaction():
        inside = store.in_transaction
    assert (inside, store.in_transaction) == (True, False)


def test_a_write_outside_a_block_commits_on_its_own(store, adapter, clock):
    store.set_setting("greeting", "你好")
    other = adapter.reopen(store, clock)
    try:
        assert other.get_setting("greeting") == "你好"
    finally:
        other.close()
