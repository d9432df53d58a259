"""Two installations on one machine for the sync tests: county office YZ03 and its township point LS01."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from clerk.administration import declare_point
from clerk.catalog import default_catalog
from clerk.clock import TZ
from clerk.db import Store
from clerk.model import Role
from clerk.offices import default_offices
from clerk.service import Window

PASSWORD = "counterpass1"
OFFICE = "YZ03"  # 冷水滩区政务服务中心
POINT = "LS01"
OTHER_POINT = "LS02"


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def set(self, *args: int) -> None:
        self.at = datetime(*args, tzinfo=TZ)  # type: ignore[misc]


def declare_points(store: Store) -> None:
    declare_point(store, default_offices(), POINT, "梧桐镇政务服务中心", "township_hall", OFFICE)
    declare_point(
        store, default_offices(), OTHER_POINT, "岚角山镇政务服务中心", "township_hall", OFFICE
    )


def installation(root: Path, code: str, clock: Clock) -> Window:
    """A set-up installation at `root` (database, documents) for point or office `code`."""
    root.mkdir(parents=True, exist_ok=True)
    store = Store.open(root / "clerk.db", clock=clock)
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
