"""Contract: a declared point, what the file holds of it, and its removal (recorded)."""

from __future__ import annotations

from clerk.db import PointRecord


def test_a_declared_point_with_nothing_recorded_counts_nothing_and_is_removed(store):
    before = store.points()
    store.add_point("DA01", "水岭乡政务服务中心", "township_hall", "YZ05", actor="admin")
    assert store.point_records("DA01") == {
        "cases": 0,
        "events": 0,
        "bundles": 0,
        "accounts": 0,
        "keys": 0,
    }
    store.remove_point("DA01", actor="admin")
    assert store.points() == before
    assert store.verify(full=True, remember=False).ok  # the chain replays to the points as stored


def test_an_account_at_a_point_is_counted(store):
    store.add_point("DA01", "水岭乡政务服务中心", "township_hall", "YZ05", actor="admin")
    store.create_user("cun1", "刘经办", "clerk", "counterpass1", "DA01")
    assert store.point_records("DA01")["accounts"] == 1
    assert PointRecord("DA01", "水岭乡政务服务中心", "township_hall", "YZ05") in store.points()


def test_a_holiday_install_is_recorded_and_read_back(store):
    store.record_holidays(2027, "a" * 64, "通知", "2026-12-01T09:00:00+08:00", "YZ03", actor="x")
    [(year, sha, source, issued_at, origin, _at)] = store.holiday_records()
    assert (year, sha, source, issued_at, origin) == (
        2027,
        "a" * 64,
        "通知",
        "2026-12-01T09:00:00+08:00",
        "YZ03",
    )
    assert store.verify(full=True, remember=False).ok
