"""The city as a receiver (issue 21 "Done when"): two counties, each with a township point, and the
city on one machine (the city on SQLite and on PostgreSQL). Bundles flow point -> county -> city;
the city's figures for a day equal the sums of the county ledgers; the city's acknowledgements
become checkpoints at each county; the city decides nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support import postgres
from support.city import CITY, OFFICE2, POINT_OF, World, city_world, flow_up, work_a_day
from support.sync import OFFICE, PASSWORD, export, person, user

from clerk.domain.indicators import Period
from clerk.service.errors import ServiceError

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


def test_bundles_flow_point_county_city_and_the_figures_add_up(world, tmp_path):  # type: ignore[no-untyped-def]
    for i, (code, county) in enumerate(world.counties.items()):
        work_a_day(county, world.points[POINT_OF[code]], 2 * i)
    for path in flow_up(world, tmp_path).values():
        report = world.city.import_bundle(path)
        assert (report.status, report.rejected) == ("imported", []), report.message
    day = world.city.today()
    at_city = world.city.supervision(Period.day(day))
    for code, county in world.counties.items():
        assert county.ledger(day).received == 3
        figures = at_city.office(code).figures
        assert figures.received == 3
        assert county.supervision(Period.day(day)).office(code).figures == figures
    assert (at_city.total.received, at_city.total.accepted, at_city.total.bad) == (6, 4, 2)


def test_every_chain_a_county_holds_arrives_unchanged_and_verifies(world, tmp_path):  # type: ignore[no-untyped-def]
    for i, (code, county) in enumerate(world.counties.items()):
        work_a_day(county, world.points[POINT_OF[code]], 2 * i)
    for path in flow_up(world, tmp_path).values():
        assert world.city.import_bundle(path).status == "imported"
    held = world.city.store.sync_store().heads()
    expected = {}
    for county in world.counties.values():
        expected.update(county.store.sync_store().heads())
    assert held == expected
    assert set(held) == {"YZ03", "LS01", "YZ05", "DA01"}
    assert world.city.store.verify(full=True).ok


def test_the_citys_acknowledgements_become_checkpoints_at_the_county(world, tmp_path):  # type: ignore[no-untyped-def]
    county = world.counties[OFFICE]
    work_a_day(county, world.points[POINT_OF[OFFICE]], 0)
    path = flow_up(world, tmp_path, (OFFICE,))[OFFICE]
    assert world.city.import_bundle(path).status == "imported"
    back = export(world.city, tmp_path / "back", OFFICE).path
    report = county.import_bundle(back)
    assert report.status == "imported", report.message
    heads = county.store.sync_store().heads()
    assert set(report.acknowledged) == set(heads) == {"YZ03", "LS01"}
    assert county.store.sync_store().acks(CITY) == heads
    again = export(county, tmp_path / "again", CITY)
    assert again.counts.get("events", 0) == 0  # nothing confirmed travels again


def test_several_counties_bundles_import_at_once(world, tmp_path):  # type: ignore[no-untyped-def]
    from concurrent.futures import ThreadPoolExecutor

    for i, (code, county) in enumerate(world.counties.items()):
        work_a_day(county, world.points[POINT_OF[code]], 2 * i)
    paths = flow_up(world, tmp_path)
    target = world.city.store.location
    from clerk.service.compose import open_window

    def one(path: Path):  # type: ignore[no-untyped-def]
        window = open_window(target, clock=world.city.clock, documents_root=tmp_path / "docs")
        try:
            return window.import_bundle(path).status
        finally:
            window.store.close()

    with ThreadPoolExecutor(2) as pool:
        assert sorted(pool.map(one, paths.values())) == ["imported", "imported"]
    assert world.city.supervision(Period.day(world.city.today())).total.received == 6


def test_the_city_decides_nothing(world, tmp_path):  # type: ignore[no-untyped-def]
    county = world.counties[OFFICE2]
    uuid = county.open_case(user(county, "clerk1"), 19, person(0)).uuid
    path = export(county, tmp_path / "c", CITY).path
    assert world.city.import_bundle(path).status == "imported"
    admin = world.city.login("admin", PASSWORD)
    with pytest.raises(ServiceError, match="市级医保监督"):
        world.city.refuse(admin, uuid, "材料不实")
    with pytest.raises(ServiceError, match="市级医保监督"):
        world.city.open_case(admin, 3, person(1))


def test_the_city_on_postgresql_loads_with_copy_not_row_by_row(world, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    if type(world.city.store).__name__ != "PostgresStore":
        pytest.skip("the bulk path of the PostgreSQL adapter")
    import psycopg

    work_a_day(world.counties[OFFICE], world.points[POINT_OF[OFFICE]], 0)
    path = flow_up(world, tmp_path, (OFFICE,))[OFFICE]

    def row_by_row(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("executemany during an import")

    monkeypatch.setattr(psycopg.Cursor, "executemany", row_by_row)
    report = world.city.import_bundle(path)
    assert (report.status, report.imported["events"]) == ("imported", 15), report.message
