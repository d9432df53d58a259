"""Two installations on one machine for the sync tests: county office YZ03 and its township point LS01.

`pair` (a fixture, registered for every module by tests/conftest.py) is both installations with
each other's keys, on the `clock` fixture (Monday 2 November 2026, 9:30; a module overrides
`clock` for another instant).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clerk.db import Store
from clerk.domain.catalog import default_catalog
from clerk.domain.model import Role
from clerk.domain.offices import default_offices
from clerk.service.administration import declare_point
from clerk.service.window import Window
from support.clock import MONDAY, Clock
from support.db import fresh_db
from support.tamper import file_connection

PASSWORD = "counterpass1"
OFFICE = "YZ03"  # 冷水滩区政务服务中心
POINT = "LS01"
OTHER_POINT = "LS02"


def declare_points(store: Store) -> None:
    declare_point(store, default_offices(), POINT, "梧桐镇政务服务中心", "township_hall", OFFICE)
    declare_point(
        store, default_offices(), OTHER_POINT, "岚角山镇政务服务中心", "township_hall", OFFICE
    )


def installation(root: Path, code: str, clock: Clock) -> Window:
    """A set-up installation at `root` (database, documents) for point or office `code`."""
    root.mkdir(parents=True, exist_ok=True)
    store = Store.open(fresh_db(root / "clerk.db"), clock=clock)
    declare_points(store)
    window = Window(
        store, default_catalog(), default_offices(), clock=clock, documents_root=root / "documents"
    )
    window.setup(code, "admin", "王管理", PASSWORD)
    for login, name, role in (
        ("clerk1", "李经办", Role.CLERK),
        ("rev1", "周审核", Role.REVIEWER),
        ("fin1", "赵财务", Role.FINANCE),
        ("boss", "陈主管", Role.SUPERVISOR),
    ):
        window.store.create_user(login, name, role, PASSWORD, code)
    return window


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY)


@pytest.fixture
def pair(tmp_path: Path, clock: Clock) -> Iterator[tuple[Window, Window]]:
    """(county, point): both installations set up, with each other's keys."""
    county = installation(tmp_path / "county", OFFICE, clock)
    point = installation(tmp_path / "point", POINT, clock)
    exchange_keys(county, point)
    yield county, point
    county.store.close()
    point.store.close()


# ---------------------------------------------------------------------- keys and cases

ID_BODIES = ("43999919800203123", "43999919750101456", "43999919900512789", "43999919620830111")


def person(n: int = 0, name: str = "张三丰"):
    from clerk.domain.identifiers import resident_id_check_char
    from clerk.domain.model import Applicant

    body = ID_BODIES[n % len(ID_BODIES)]
    return Applicant(
        "person", name, "resident_id", body + resident_id_check_char(body), phone="13812345678"
    )


def exchange_keys(county: Window, point: Window) -> None:
    """Both installations make keys and register each other, as `clerk keys` does."""
    from clerk.sync import keys, peers

    publics = {}
    for w in (county, point):
        publics[w] = peers.init_keys(w.store, w.offices, w.store.sync_store().database_path(), None)
    peers.add_peer(
        county.store.sync_store(), county.offices, county.me(), publics[point], county.store.now()
    )
    peers.add_peer(
        point.store.sync_store(), point.offices, point.me(), publics[county], point.store.now()
    )
    assert keys.has_keys(keys.key_dir(county.store.sync_store().database_path()))


def user(window: Window, login: str):
    return window.login(login, PASSWORD)


def complete(window: Window, case_uuid: str, item_no: int) -> None:
    from clerk.domain.materials import MaterialCheck

    checks = {
        m.id: MaterialCheck(m.id, "ok", m.alternatives[0])
        for m in window.required_for(item_no, frozenset())
    }
    window.check_materials(user(window, "clerk1"), case_uuid, checks)


def opened(window: Window, item_no: int, n: int = 0, name: str = "张三丰") -> str:
    view = window.open_case(user(window, "clerk1"), item_no, person(n, name))
    complete(window, view.uuid, item_no)
    return view.uuid


def collected(point: Window, item_no: int = 35, n: int = 0) -> str:
    uuid = opened(point, item_no, n)
    point.collect(user(point, "clerk1"), uuid)
    return uuid


def export(window: Window, out: Path, for_point: str | None = None):
    out.mkdir(parents=True, exist_ok=True)
    return window.export_bundle(out, for_point=for_point)


def snapshot(window: Window) -> dict:
    """Every table's rows (what 'nothing changed' is checked against)."""
    with file_connection(window.store) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'cases_fts%'"
            )
        ]
        return {
            n: conn.execute(f"SELECT * FROM {n} ORDER BY rowid").fetchall() for n in sorted(names)
        }
