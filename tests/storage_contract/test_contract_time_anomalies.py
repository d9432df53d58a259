"""Contract: the time anomalies an import found, kept and listed (issue 23, item 7)."""

from __future__ import annotations

from clerk.ports.sync import TimeAnomaly


def add(
    sync, origin: str, seq: int, kind: str = "backwards", at: str = "2025-09-28T09:30:00+08:00"
):
    sync.add_time_anomaly(
        origin=origin,
        seq=seq,
        case_uuid=f"case-{seq}",
        at=at,
        kind=kind,
        reference="2026-11-02T09:30:00+08:00",
        peer="LS01",
        bundle_seq=2,
        found_at="2026-11-02T10:00:00+08:00",
    )


def test_a_fresh_store_holds_no_time_anomalies(store):
    assert store.sync_store().time_anomalies() == []


def test_an_anomaly_is_kept_with_every_field(store):
    sync = store.sync_store()
    add(sync, "LS01", 7)
    [kept] = sync.time_anomalies()
    assert isinstance(kept, TimeAnomaly) and kept.id >= 1
    assert (
        kept.origin,
        kept.seq,
        kept.case_uuid,
        kept.at,
        kept.kind,
        kept.reference,
        kept.peer,
        kept.bundle_seq,
        kept.found_at,
    ) == (
        "LS01",
        7,
        "case-7",
        "2025-09-28T09:30:00+08:00",
        "backwards",
        "2026-11-02T09:30:00+08:00",
        "LS01",
        2,
        "2026-11-02T10:00:00+08:00",
    )


def test_the_same_event_is_kept_once(store):
    sync = store.sync_store()
    add(sync, "LS01", 7)
    add(sync, "LS01", 7, kind="future")
    assert [(a.seq, a.kind) for a in sync.time_anomalies()] == [(7, "backwards")]


def test_they_are_listed_newest_first_by_origin_and_limited(store):
    sync = store.sync_store()
    for origin, seq in (("LS01", 7), ("LS02", 3), ("LS01", 8)):
        add(sync, origin, seq)
    assert [(a.origin, a.seq) for a in sync.time_anomalies()] == [
        ("LS01", 8),
        ("LS02", 3),
        ("LS01", 7),
    ]
    assert [a.seq for a in sync.time_anomalies(origin="LS01")] == [8, 7]
    assert [a.seq for a in sync.time_anomalies(limit=1)] == [8]


def test_a_rolled_back_import_keeps_none(store):
    sync = store.sync_store()
    try:
        with sync.transaction():
            add(sync, "LS01", 7)
            raise RuntimeError("the import failed")
    except RuntimeError:
        pass
    assert sync.time_anomalies() == []
