"""Contract: checkpoints, the typed verify report, the engine's own checks."""

from __future__ import annotations

from storage_contract.contract_helpers import ORIGIN, new_case


def test_a_fresh_store_verifies_clean(store):
    report = store.verify(full=True)
    assert (report.ok, report.mode, report.chains, report.problems, report.problem) == (
        True,
        "full",
        (),
        (),
        None,
    )


def test_the_engine_finds_nothing_wrong_with_a_fresh_store(store):
    assert store.engine_checks() == []


def test_kept_checkpoints_are_counted_by_verify(store):
    new_case(store)
    assert store.keep_checkpoints(store.chain_heads(), "ledger", "2026-03-02 日结单") is True
    assert store.verify(full=True, remember=False).checkpoints == 1


def test_a_repeated_checkpoint_is_kept_once(store):
    new_case(store)
    seq, digest = store.chain_head(ORIGIN)
    store.add_checkpoint(ORIGIN, seq, digest, "ack")
    store.add_checkpoint(ORIGIN, seq, digest, "ack")
    assert store.verify(full=True, remember=False).checkpoints == 1


def test_a_checkpoint_the_chain_does_not_contain_fails_verify(store):
    new_case(store)
    store.add_checkpoint(ORIGIN, 1, "f" * 64, "ack", "县局回执")
    report = store.verify(full=True, remember=False)
    assert (report.ok, [(p.kind, p.origin, p.seq) for p in report.problems]) == (
        False,
        [("checkpoint", ORIGIN, 1)],
    )


def test_a_passed_verify_is_remembered_and_the_next_is_incremental(store):
    new_case(store)
    first = store.verify()
    second = store.verify()
    assert (first.mode, first.escalated, second.mode, second.ok) == (
        "full",
        "首次核验，已做完整核验",
        "incremental",
        True,
    )
