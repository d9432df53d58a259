"""A point belongs to one county: at the city, a county's bundle carrying the chain of a point
another county relayed (or that offices.json declares under another county) is refused whole,
naming both counties, and nothing changes (issue 21)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from support import postgres
from support.city import (
    CITY,
    OFFICE2,
    POINT2,
    POINT_OF,
    World,
    _window,
    city_world,
    own_keys,
    register,
)
from support.db import fresh_db
from support.sync import OFFICE, PASSWORD, POINT, export, opened
from test_city_faults import ENGINES, city_snapshot

from clerk.db import Store
from clerk.domain.model import Role
from clerk.service.administration import declare_point
from clerk.service.window import Window
from clerk.sync.bundle import BundleError
from clerk.sync.checking import check_claimed_points


@pytest.fixture(params=ENGINES)
def world(request, tmp_path: Path, clock) -> Iterator[World]:  # type: ignore[no-untyped-def]
    url = postgres.fresh_database() if request.param == "postgres" else None
    built = city_world(tmp_path, clock, url)
    yield built
    built.close()
    if url is not None:
        postgres.drop_database(url)


STRAY = "XX01"  # a point both counties declared on their own (the city's list does not know it)


def _stray_point(root: Path, office: str, clock) -> Window:  # type: ignore[no-untyped-def]
    root.mkdir(parents=True, exist_ok=True)
    store = Store.open(fresh_db(root / "clerk.db"), clock=clock)
    declare_point(store, _offices(), STRAY, "某镇政务服务中心", "township_hall", office)
    window = _window(store, root, clock)
    window.setup(STRAY, "admin", "赵管理", PASSWORD)
    window.store.create_user("clerk1", "李经办", Role.CLERK, PASSWORD, STRAY)
    return window


def _offices():  # type: ignore[no-untyped-def]
    from clerk.domain.offices import default_offices

    return default_offices()


def _relay_stray(world, county_code: str, tmp_path: Path, clock, n: int) -> Path:  # type: ignore[no-untyped-def]
    """County `county_code` declares XX01, takes its report and writes its bundle for the city."""
    county = world.counties[county_code]
    declare_point(county.store, _offices(), STRAY, "某镇政务服务中心", "township_hall", county_code)
    county = world.counties[county_code] = _window(county.store, tmp_path / county_code, clock)
    point = _stray_point(tmp_path / f"{STRAY}-{county_code}", county_code, clock)
    register(county, own_keys(point))
    register(point, world.publics[county_code])
    opened(point, 3, n)
    up = export(point, tmp_path / "up" / county_code).path
    assert county.import_bundle(up).status == "imported"
    point.store.close()
    return export(county, tmp_path / "city-in" / county_code, CITY).path


def test_a_point_relayed_by_two_counties_is_refused_at_the_city(world, tmp_path, clock):  # type: ignore[no-untyped-def]
    first = _relay_stray(world, OFFICE, tmp_path, clock, 0)
    assert world.city.import_bundle(first).status == "imported"
    second = _relay_stray(world, OFFICE2, tmp_path, clock, 1)
    before = city_snapshot(world.city)
    report = world.city.import_bundle(second)
    assert (report.status, report.refusal) == ("refused", "claimed_point"), report.message
    assert report.message == (
        f"{OFFICE2} 的包中含有服务点 {STRAY} 的事件链，但 {STRAY} 属于 {OFFICE}"
        f"（{OFFICE} 已上报过它的记录），一个服务点只能属于一个县区，整个包未导入。"
        f"请联系 {OFFICE2} 和 {OFFICE} 的信息管理员核对 {STRAY} 的所属经办机构。"
    )
    assert city_snapshot(world.city) == before


def test_the_first_county_may_go_on_relaying_its_point(world, tmp_path, clock):  # type: ignore[no-untyped-def]
    first = _relay_stray(world, OFFICE, tmp_path, clock, 0)
    assert world.city.import_bundle(first).status == "imported"
    again = export(world.counties[OFFICE], tmp_path / "again", CITY).path
    assert world.city.import_bundle(again).status in {"imported", "duplicate"}


def test_a_point_declared_under_another_county_is_refused(world):  # type: ignore[no-untyped-def]
    """offices.json names the point's county: no earlier bundle is needed to know the owner."""
    who = replace(world.city.me(), point_offices=((POINT2, OFFICE2),))
    manifest = {"from": OFFICE, "kind": "city", "origins": {POINT2: {}, OFFICE: {}}}
    with pytest.raises(BundleError, match=f"但 {POINT2} 属于 {OFFICE2}（按机构清单）"):
        check_claimed_points(manifest, who, world.city.store.sync_store())


def test_a_county_carrying_only_its_own_chains_passes(world):  # type: ignore[no-untyped-def]
    manifest = {"from": OFFICE, "kind": "city", "origins": {OFFICE: {}, f"{OFFICE}:{POINT}": {}}}
    check_claimed_points(manifest, world.city.me(), world.city.store.sync_store())
    assert POINT_OF[OFFICE] == POINT


@pytest.mark.skipif(postgres.skip_reason() is not None, reason=str(postgres.skip_reason()))
def test_two_counties_relaying_one_point_at_the_same_instant(tmp_path, clock, monkeypatch):  # type: ignore[no-untyped-def]
    """Both bundles pass the check before either is applied (a barrier holds them there); the
    advisory lock on the point's chains makes the second wait inside its transaction, meet the
    first's bundle and refuse itself: one import wins, the other changes nothing."""
    import threading

    from clerk.storage.postgres.store import PostgresStore
    from clerk.sync import exchange

    url = postgres.fresh_database()
    world = city_world(tmp_path, clock, url)
    try:
        paths = {
            OFFICE: _relay_stray(world, OFFICE, tmp_path, clock, 0),
            OFFICE2: _relay_stray(world, OFFICE2, tmp_path, clock, 1),
        }
        other = _window(PostgresStore.open(url, clock=clock), tmp_path / "city", clock)
        cities = {OFFICE: world.city, OFFICE2: other}
        both_checked = threading.Barrier(2, timeout=60)
        real_check = exchange.check_bundle_file

        def check_then_wait(*args, **kwargs):  # type: ignore[no-untyped-def]
            checked = real_check(*args, **kwargs)
            both_checked.wait()
            return checked

        with monkeypatch.context() as patched:
            patched.setattr(exchange, "check_bundle_file", check_then_wait)
            reports = {}

            def run(code: str) -> None:
                reports[code] = cities[code].import_bundle(paths[code])

            threads = [threading.Thread(target=run, args=(code,)) for code in paths]
            for t in threads:
                t.start()
            for t in threads:
                t.join(120)
        assert sorted(r.status for r in reports.values()) == ["imported", "refused"]
        winner = next(code for code, r in reports.items() if r.status == "imported")
        loser = OFFICE2 if winner == OFFICE else OFFICE
        lost = reports[loser]
        assert lost.refusal == "claimed_point", lost.message
        assert lost.message == (
            f"{loser} 的包中含有服务点 {STRAY} 的事件链，但 {STRAY} 属于 {winner}"
            f"（{winner} 已上报过它的记录），一个服务点只能属于一个县区，整个包未导入。"
            f"请联系 {loser} 和 {winner} 的信息管理员核对 {STRAY} 的所属经办机构。"
        )
        sync = world.city.store.sync_store()
        assert sync.last_bundle("in", winner) is not None
        assert sync.last_bundle("in", loser) is None  # nothing of the loser's bundle is kept
        assert {o.split(":")[0] for o in sync.heads()} == {STRAY}  # the winner's relay only
        before = city_snapshot(world.city)  # and sent again, alone, it is refused the same way
        again = world.city.import_bundle(paths[loser])
        assert (again.status, again.refusal) == ("refused", "claimed_point"), again.message
        assert city_snapshot(world.city) == before
        other.store.close()
    finally:
        world.close()
        postgres.drop_database(url)
