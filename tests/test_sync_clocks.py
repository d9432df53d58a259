"""Issue 23, item 7: a point's clock put back 400 days is caught against what the county already
holds from it (not only within one bundle); time anomalies are stored and listed, in Chinese."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from support.clock import Clock
from support.sync import OFFICE, POINT, collected, exchange_keys, export, installation

from clerk.domain.clock import TZ
from clerk.sync import clocks
from clerk.sync.exchange import report_text

MONDAY = datetime(2026, 11, 2, 9, 30, tzinfo=TZ)


@pytest.fixture
def apart(tmp_path):
    """(county, point, the point's own clock): two installations whose clocks can differ."""
    county_clock, point_clock = Clock(MONDAY), Clock(MONDAY)
    county = installation(tmp_path / "county", OFFICE, county_clock)
    point = installation(tmp_path / "point", POINT, point_clock)
    exchange_keys(county, point)
    yield county, point, point_clock
    county.store.close()
    point.store.close()


def test_a_clock_put_back_400_days_is_flagged_against_the_events_already_held(apart, tmp_path):
    county, point, point_clock = apart
    collected(point, 35, 0)
    assert county.import_bundle(export(point, tmp_path / "one").path).flagged == []
    point_clock.at = MONDAY - timedelta(days=400)  # the next day, the clock is 400 days back
    collected(point, 34, 1)
    report = county.import_bundle(export(point, tmp_path / "two").path)
    assert report.status == "imported" and report.imported["cases"] == 1
    assert {(f["origin"], f["kind"], f["reference"]) for f in report.flagged} == {
        (POINT, "backwards", MONDAY.isoformat())
    }
    first = min(report.flagged, key=lambda f: f["seq"])
    assert (
        f"时间异常：{POINT} 第 {first['seq']} 条（{first['at']}）："
        "事件时间早于同一来源此前的事件（2026-11-02 09:30），对方电脑时钟可能被调过。"
    ) in report_text(report)


def test_time_anomalies_are_stored_and_listed_newest_first(apart, tmp_path):
    county, point, point_clock = apart
    collected(point, 35, 0)
    county.import_bundle(export(point, tmp_path / "one").path)
    point_clock.at = MONDAY - timedelta(days=400)
    collected(point, 34, 1)
    report = county.import_bundle(export(point, tmp_path / "two").path)
    stored = county.store.sync_store().time_anomalies()
    assert [(a.origin, a.seq, a.kind, a.peer, a.bundle_seq) for a in stored] == [
        (POINT, f["seq"], "backwards", POINT, 2)
        for f in sorted(report.flagged, key=lambda f: -f["seq"])
    ]
    assert county.time_anomalies()[-1] == (
        f"{POINT} 第 {stored[-1].seq} 条（2025-09-28 09:30）："
        "事件时间早于同一来源此前的事件（2026-11-02 09:30），对方电脑时钟可能被调过。"
        f"（{POINT} 第 2 号包）"
    )


def test_the_same_bundle_again_stores_nothing_twice(apart, tmp_path):
    county, point, point_clock = apart
    collected(point, 35, 0)
    county.import_bundle(export(point, tmp_path / "one").path)
    point_clock.at = MONDAY - timedelta(days=400)
    collected(point, 34, 1)
    path = export(point, tmp_path / "two").path
    county.import_bundle(path)
    before = county.store.sync_store().time_anomalies()
    assert county.import_bundle(path).status == "duplicate"
    assert county.store.sync_store().time_anomalies() == before


def test_an_event_dated_after_the_receivers_clock_is_stored(apart, tmp_path):
    county, point, point_clock = apart
    point_clock.at = MONDAY + timedelta(days=1)
    collected(point, 35, 0)
    county.import_bundle(export(point, tmp_path / "one").path)
    stored = county.store.sync_store().time_anomalies()
    assert stored and {(a.kind, a.reference) for a in stored} == {("future", MONDAY.isoformat())}
    assert clocks.why("future", MONDAY.isoformat()) == (
        "事件时间晚于本机当前时间（2026-11-02 09:30），对方电脑时钟可能不准。"
    )


def test_a_clock_that_is_right_flags_nothing(apart, tmp_path):
    county, point, point_clock = apart
    collected(point, 35, 0)
    county.import_bundle(export(point, tmp_path / "one").path)
    point_clock.at = county.clock.at = MONDAY + timedelta(hours=2)  # both clocks right, later
    collected(point, 34, 1)
    assert county.import_bundle(export(point, tmp_path / "two").path).flagged == []
    assert county.store.sync_store().time_anomalies() == []
