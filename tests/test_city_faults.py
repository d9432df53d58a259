"""Every fault of the sync matrix, met at the city (issue 21 "Done when"): a flipped byte, a
truncated file, a bundle for someone else, an unknown or revoked sender, a replay, a gap and a
fork are refused at the city, and nothing there changes."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import postgres
from support.city import (
    CITY,
    OFFICE2,
    POINT_OF,
    World,
    city_world,
    county_installation,
    flow_up,
    own_keys,
    register,
    work_a_day,
)
from support.sync import OFFICE, POINT, collected, export, opened, snapshot

from clerk.db import Store
from clerk.domain.catalog import default_catalog
from clerk.domain.offices import default_offices
from clerk.service.window import Window
from clerk.sync import keys, peers

ENGINES = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=pytest.mark.skipif(
            postgres.skip_reason() is not None, reason=postgres.skip_reason() or ""
        ),
    ),
]


@pytest.fixture(params=ENGINES)
def world(request, tmp_path: Path, clock) -> Iterator[World]:  # type: ignore[no-untyped-def]
    url = postgres.fresh_database() if request.param == "postgres" else None
    built = city_world(tmp_path, clock, url)
    yield built
    built.close()
    if url is not None:
        postgres.drop_database(url)


def on_postgres(window: Window) -> bool:
    return type(window.store).__name__ == "PostgresStore"


def city_snapshot(city: Window) -> object:
    """Every table's rows (SQLite), or every table's row count and the chain heads (PostgreSQL)."""
    if not on_postgres(city):
        return snapshot(city)
    from clerk.storage.postgres import bulk

    return bulk.row_counts(city.store), city.store.sync_store().heads()


def refused_unchanged(city: Window, path: Path, code: str):  # type: ignore[no-untyped-def]
    before = city_snapshot(city)
    report = city.import_bundle(path)
    assert (report.status, report.refusal) == ("refused", code), report.message
    assert city_snapshot(city) == before
    return report


def county_bundle(world: World, tmp_path: Path) -> Path:
    work_a_day(world.counties[OFFICE], world.points[POINT], 0)
    return flow_up(world, tmp_path, (OFFICE,))[OFFICE]


@pytest.mark.parametrize("where", [0.1, 0.5, 0.99])
def test_a_flipped_byte_is_refused(world, tmp_path, where):  # type: ignore[no-untyped-def]
    path = county_bundle(world, tmp_path)
    data = bytearray(path.read_bytes())
    start = data.index(b"\n") + 1
    data[start + int((len(data) - start - 1) * where)] ^= 0x20
    path.write_bytes(bytes(data))
    refused_unchanged(world.city, path, "damaged")


def test_a_truncated_bundle_is_refused(world, tmp_path):  # type: ignore[no-untyped-def]
    path = county_bundle(world, tmp_path)
    path.write_bytes(path.read_bytes()[:-200])
    refused_unchanged(world.city, path, "damaged")


def test_a_bundle_for_a_point_is_refused_at_the_city(world, tmp_path):  # type: ignore[no-untyped-def]
    county_bundle(world, tmp_path)
    path = export(world.counties[OFFICE], tmp_path / "ret", POINT).path
    report = refused_unchanged(world.city, path, "wrong_receiver")
    assert "不是给本机（YZ）的" in report.message


def test_a_point_cannot_report_to_the_city(world, tmp_path):  # type: ignore[no-untyped-def]
    point = world.points[POINT]
    with pytest.raises(Exception, match="只能写给所属经办机构"):
        export(point, tmp_path / "x", CITY)


def test_an_unknown_county_is_refused(world, tmp_path, clock):  # type: ignore[no-untyped-def]
    stranger = county_installation(tmp_path / "YZ07", "YZ07", clock)
    own_keys(stranger)
    register(stranger, world.publics[CITY])
    opened(stranger, 3)
    path = export(stranger, tmp_path / "s", CITY).path
    report = refused_unchanged(world.city, path, "unknown_sender")
    assert "没有登记 YZ07 的公钥" in report.message
    stranger.store.close()


def test_a_revoked_county_is_refused(world, tmp_path):  # type: ignore[no-untyped-def]
    path = county_bundle(world, tmp_path)
    peers.revoke_peer(world.city.store.sync_store(), OFFICE, world.city.store.now())
    refused_unchanged(world.city, path, "revoked_sender")


def test_a_replayed_bundle_changes_nothing(world, tmp_path):  # type: ignore[no-untyped-def]
    path = county_bundle(world, tmp_path)
    assert world.city.import_bundle(path).status == "imported"
    before = city_snapshot(world.city)
    assert world.city.import_bundle(path).status == "duplicate"
    assert city_snapshot(world.city) == before


def test_a_county_cannot_speak_for_another_county(world, tmp_path):  # type: ignore[no-untyped-def]
    """A county's bundle naming another county's chain is refused before anything is applied."""
    from clerk.sync.bundle import BundleError
    from clerk.sync.checking import check_relayed

    with pytest.raises(BundleError, match="不是该县区及其服务点的记录"):
        check_relayed({"from": OFFICE, "kind": "city", "points": [POINT, OFFICE2]}, world.city.me())
    check_relayed({"from": OFFICE, "kind": "city", "points": [POINT]}, world.city.me())


def _copy(window: Window, at: Path) -> Window:
    """The installation's file as a backup taken now, opened as its own window (keys too)."""
    window.store.backup(at)
    shutil.copytree(keys.key_dir(window.store.path), keys.key_dir(at))
    return Window(
        Store.open(at, clock=window.clock),
        default_catalog(),
        default_offices(),
        clock=window.clock,
        documents_root=at.parent / (at.stem + "-docs"),
    )


def test_a_gap_is_refused_with_the_bundle_to_bring(world, tmp_path):  # type: ignore[no-untyped-def]
    if on_postgres(world.city):
        pytest.skip("the city restored from an old backup: a file copy (SQLite)")
    county = world.counties[OFFICE]
    old_city = _copy(world.city, tmp_path / "oldcity.db")  # restored from before bundle 1
    first = county_bundle(world, tmp_path)
    assert world.city.import_bundle(first).status == "imported"
    county.import_bundle(export(world.city, tmp_path / "back", OFFICE).path)  # acknowledged
    collected(world.points[POINT], 35, 3)
    second = flow_up(world, tmp_path / "2", (OFFICE,))[OFFICE]
    before = snapshot(old_city)
    report = old_city.import_bundle(second)
    assert report.status == "gap" and report.gaps[0]["bring"] == 1, report.message
    assert snapshot(old_city) == before
    old_city.store.close()


def test_a_forked_chain_refuses_the_whole_bundle(world, tmp_path):  # type: ignore[no-untyped-def]
    county = world.counties[OFFICE]
    old_county = _copy(county, tmp_path / "oldcounty.db")  # restored from an old backup
    first = county_bundle(world, tmp_path)
    assert world.city.import_bundle(first).status == "imported"
    work_a_day(old_county, world.points[POINT_OF[OFFICE]], 1)  # other events, same numbers
    export(old_county, tmp_path / "f1", CITY)  # its bundle 1, lost
    forked = export(old_county, tmp_path / "f2", CITY).path  # bundle 2: the chain from seq 1
    report = refused_unchanged(world.city, forked, "forked_chain")
    assert "整个包未导入" in report.message
    old_county.store.close()


def test_a_county_that_lost_what_the_city_confirmed_is_listed(world, tmp_path):  # type: ignore[no-untyped-def]
    county = world.counties[OFFICE]
    old_county = _copy(county, tmp_path / "oldcounty.db")
    first = county_bundle(world, tmp_path)
    assert world.city.import_bundle(first).status == "imported"
    back = export(world.city, tmp_path / "back", OFFICE).path
    assert old_county.import_bundle(back).status == "imported"  # the old file learns the acks
    bundle = export(old_county, tmp_path / "lost", CITY).path
    assert world.city.import_bundle(bundle).status == "imported"
    lists = world.city.action_lists()
    assert {(i.office, i.origin) for i in lists.lost_checkpoints} == {
        (OFFICE, "YZ03"),
        (OFFICE, "LS01"),
    }
    old_county.store.close()
