"""The city and two counties, each with a township point, on one machine (issue 21).

`city_world(root, clock, city_url=None)`: the city `YZ` (SQLite under `root`, or the PostgreSQL
database `city_url`), counties YZ03 (point LS01) and YZ05 (point DA01), every key registered as
`clerk keys add` does: each point with its county, each county with the city."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clerk.db import Store
from clerk.domain.catalog import default_catalog
from clerk.domain.model import Rating, Role
from clerk.domain.offices import default_offices
from clerk.service.administration import declare_point
from clerk.service.window import Window
from clerk.sync import keys, peers
from support.db import fresh_db
from support.sync import (
    OFFICE,
    PASSWORD,
    POINT,
    complete,
    declare_points,
    export,
    opened,
    person,
    user,
)

CITY = "YZ"
OFFICE2 = "YZ05"  # 东安县
POINT2 = "DA01"
POINT_OF = {OFFICE: POINT, OFFICE2: POINT2}


def own_keys(window: Window) -> keys.PublicKeys:
    return peers.init_keys(
        window.store, window.offices, window.store.sync_store().database_path(), None
    )


def register(window: Window, public: keys.PublicKeys) -> None:
    peers.add_peer(
        window.store.sync_store(), window.offices, window.me(), public, window.store.now()
    )


def _window(store: Any, root: Path, clock: Any) -> Window:
    return Window(
        store, default_catalog(), default_offices(), clock=clock, documents_root=root / "documents"
    )


def city_installation(root: Path, clock: Any, url: str | None = None) -> Window:
    root.mkdir(parents=True, exist_ok=True)
    if url is None:
        store: Any = Store.open(fresh_db(root / "clerk.db"), clock=clock)
    else:
        from clerk.storage.postgres.store import PostgresStore

        store = PostgresStore.open(url, clock=clock)
    window = _window(store, root, clock)
    window.setup(CITY, "admin", "市管理", PASSWORD)
    return window


def county_installation(root: Path, code: str, clock: Any) -> Window:
    """As `support.sync.installation`, with 东安县's township point DA01 declared too."""
    root.mkdir(parents=True, exist_ok=True)
    store = Store.open(fresh_db(root / "clerk.db"), clock=clock)
    declare_points(store)
    declare_point(
        store, default_offices(), POINT2, "白牙市镇政务服务中心", "township_hall", OFFICE2
    )
    window = _window(store, root, clock)
    window.setup(code, "admin", "王管理", PASSWORD)
    for login, name, role in (("clerk1", "李经办", Role.CLERK), ("rev1", "周审核", Role.REVIEWER)):
        window.store.create_user(login, name, role, PASSWORD, code)
    return window


@dataclass
class World:
    city: Window
    counties: dict[str, Window]
    points: dict[str, Window]
    publics: dict[str, keys.PublicKeys] = field(default_factory=dict)

    def close(self) -> None:
        for w in [self.city, *self.counties.values(), *self.points.values()]:
            w.store.close()


def city_world(root: Path, clock: Any, city_url: str | None = None) -> World:
    city = city_installation(root / "city", clock, city_url)
    counties = {code: county_installation(root / code, code, clock) for code in POINT_OF}
    points = {p: county_installation(root / p, p, clock) for p in POINT_OF.values()}
    world = World(city, counties, points)
    for code, w in [(CITY, city), *counties.items(), *points.items()]:
        world.publics[code] = own_keys(w)
    for code, county in counties.items():
        register(city, world.publics[code])
        register(county, world.publics[CITY])
        point = points[POINT_OF[code]]
        register(county, world.publics[POINT_OF[code]])
        register(point, world.publics[code])
    return world


def work_a_day(county: Window, point: Window, n: int) -> None:
    """At the point: an instant case accepted and rated badly, a refusal; at the county: its own
    instant case accepted and rated well."""
    clerk = user(point, "clerk1")
    instant = opened(point, 3, n)
    point.accept(clerk, instant)
    point.rate(clerk, instant, Rating.VERY_UNSATISFIED, "等候太久")
    refused = opened(point, 19, n + 1)
    point.refuse(clerk, refused, "材料不实")
    own = county.open_case(user(county, "clerk1"), 3, person(n + 2, "王五")).uuid
    complete(county, own, 3)
    county.accept(user(county, "clerk1"), own)
    county.rate(user(county, "clerk1"), own, Rating.SATISFIED)


def flow_up(
    world: World, out: Path, offices: tuple[str, ...] = (OFFICE, OFFICE2)
) -> dict[str, Path]:
    """Each point reports to its county, then each county writes its bundle for the city."""
    written = {}
    for code in offices:
        county, point = world.counties[code], world.points[POINT_OF[code]]
        up = export(point, out / "up" / point.me().code).path
        assert county.import_bundle(up).status == "imported"
        written[code] = export(county, out / "city-in" / code, CITY).path
    return written
