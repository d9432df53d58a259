"""The composition root: the one place a `Window` is built for the app, the CLI, the demo and the
bench, and the one module of `clerk.service` that opens storage (`clerk.db.open_store`).

- `open_window(target, ...)`: the window on the database a path or URL names (created and
  migrated if needed);
- `build_window(store, ...)`: the window on a store already open (the demo, the bench, tests).

The catalogue and the offices default to the packaged ones; the desks themselves are wired by
`clerk.service.desks.wire`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from clerk.db import open_store
from clerk.domain.clock import Clock, system_clock
from clerk.domain.offices import Offices, default_offices
from clerk.service.window import Window

if TYPE_CHECKING:
    from clerk.domain.catalog import Catalog
    from clerk.domain.workdays import WorkCalendar
    from clerk.domain.workflow import OfficeSettings
    from clerk.ports.store import Store

__all__ = ["build_window", "open_window"]


def build_window(
    store: Store,
    *,
    clock: Clock = system_clock,
    catalog: Catalog | None = None,
    offices: Offices | None = None,
    calendar: WorkCalendar | None = None,
    documents_root: Path | None = None,
    settings: OfficeSettings | None = None,
) -> Window:
    """The window service on `store` (already open)."""
    return Window(
        store,
        catalog,  # None: the packaged one, read when first needed
        offices if offices is not None else default_offices(),
        clock=clock,
        calendar=calendar,
        documents_root=documents_root,
        settings=settings,
    )


def open_window(
    target: str | Path,
    *,
    clock: Clock = system_clock,
    catalog: Catalog | None = None,
    offices: Offices | None = None,
    calendar: WorkCalendar | None = None,
    documents_root: Path | None = None,
    create: bool = True,
) -> Window:
    """The window service on the database `target` names: a file path or a URL (created and
    migrated if needed; `clerk.db.UnsupportedTargetError` for an engine this build lacks).
    `create=False`: a missing database is refused (`MissingDatabaseError`), not created."""
    return build_window(
        open_store(target, clock=clock, create=create),
        clock=clock,
        catalog=catalog,
        offices=offices,
        calendar=calendar,
        documents_root=documents_root,
    )
