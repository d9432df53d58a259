"""Point -> county -> point with two databases: cases travel, decisions come back, both files verify."""

from __future__ import annotations

from datetime import datetime

import pytest
from sync_setup import (
    OFFICE,
    POINT,
    Clock,
    collected,
    exchange_keys,
    export,
    installation,
    opened,
    user,
)

from clerk.clock import TZ
from clerk.model import CaseState
from clerk.storage.files import verify_file
from clerk.storage.sync import SyncStore


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 2, 9, 30, tzinfo=TZ))  # Monday


@pytest.fixture
def pair(tmp_path, clock):
    county = installation(tmp_path / "county", OFFICE, clock)
    point = installation(tmp_path / "point", POINT, clock)
    exchange_keys(county, point)
    yield county, point
    county.store.close()
    point.store.close()


def test_a_collected_case_travels_is_accepted_at_the_county_and_the_outcome_comes_back(
    pair, tmp_path, clock
):
    county, point = pair
    uuid = collected(point, 35)
    report_file = export(point, tmp_path / "usb").path
    report = county.import_bundle(report_file)
    assert report.status == "imported", report.message
    assert report.imported["cases"] == 1
    assert county.store.get_case(uuid)["state"] == CaseState.DRAFT
    assert [r["uuid"] for r in county.handed_to_me()] == [uuid]
    clock.set(2026, 11, 2, 14, 0)
    county.accept(user(county, "clerk1"), uuid)
    back = export(county, tmp_path / "usb", for_point=POINT).path
    returned = point.import_bundle(back)
    assert returned.status == "imported", returned.message
    assert point.store.get_case(uuid)["state"] == CaseState.ACCEPTED
    assert [d["to"] for d in returned.decisions] == ["已受理"]
    assert returned.decisions[0]["applicant"] == "张*丰"


def test_both_files_verify_and_hold_each_others_chain_heads(pair, tmp_path, clock):
    county, point = pair
    uuid = collected(point, 35)
    county.import_bundle(export(point, tmp_path / "usb").path)
    county.accept(user(county, "clerk1"), uuid)
    point.import_bundle(export(county, tmp_path / "usb", for_point=POINT).path)
    county.import_bundle(
        export(point, tmp_path / "usb").path
    )  # carries the point's acknowledgement
    county_heads = SyncStore(county.store).heads()
    point_heads = SyncStore(point.store).heads()
    assert point_heads[f"{OFFICE}:{POINT}"] == county_heads[f"{OFFICE}:{POINT}"]
    assert county_heads[POINT] == point_heads[POINT]
    assert (
        SyncStore(county.store).acks(POINT)[f"{OFFICE}:{POINT}"]
        == county_heads[f"{OFFICE}:{POINT}"]
    )
    assert SyncStore(point.store).acks(OFFICE)[POINT] == point_heads[POINT]
    for w in (county, point):
        assert verify_file(w.store.path)["ok"], verify_file(w.store.path)["problem"]
    checkpoints = {
        r[0]: r[1] for r in county.store.conn.execute("SELECT origin, hash FROM checkpoints")
    }
    assert checkpoints[f"{OFFICE}:{POINT}"] == county_heads[f"{OFFICE}:{POINT}"][1]
    point_checkpoints = {
        r[0]: r[1] for r in point.store.conn.execute("SELECT origin, hash FROM checkpoints")
    }
    assert point_checkpoints[POINT] == point_heads[POINT][1]


def test_a_case_accepted_at_the_point_that_needs_review_lands_in_the_county_review_queue(
    pair, tmp_path
):
    county, point = pair
    uuid = opened(point, 19)
    point.accept(user(point, "clerk1"), uuid)
    assert point.queues(user(point, "rev1")).my_review == []
    county.import_bundle(export(point, tmp_path / "usb").path)
    review = county.queues(user(county, "rev1")).my_review
    assert [s.uuid for s in review] == [uuid]


def test_the_point_may_not_decide_a_case_it_handed_on(pair):
    county, point = pair
    uuid = collected(point, 35)
    with pytest.raises(ValueError, match="已转报 YZ03"):
        point.refuse(user(point, "clerk1"), uuid, "材料不实")


def test_the_county_may_not_decide_a_point_case_that_was_not_handed_on(pair, tmp_path):
    county, point = pair
    uuid = opened(point, 9)
    county.import_bundle(export(point, tmp_path / "usb").path)
    with pytest.raises(ValueError, match="已转报 LS01|由其办理"):
        county.accept(user(county, "clerk1"), uuid)


def test_a_township_collects_34_and_35_instead_of_accepting(pair):
    county, point = pair
    uuid = opened(point, 34)
    with pytest.raises(ValueError, match="收件转报"):
        point.accept(user(point, "clerk1"), uuid)
    view = point.collect(user(point, "clerk1"), uuid)
    assert [d.kind for d in view.documents] == ["collection"]
    assert view.state == CaseState.DRAFT


def test_export_carries_everything_not_yet_acknowledged(pair, tmp_path):
    county, point = pair
    first = collected(point, 35, 0)
    export(point, tmp_path / "lost")  # this stick is lost
    second = collected(point, 34, 1)
    result = export(point, tmp_path / "usb")
    assert result.seq == 2
    county.import_bundle(result.path)
    assert county.store.get_case(first) is not None and county.store.get_case(second) is not None
