"""The Pilot tests' helpers: a real `Window` on a fresh temp database with a fixed clock, the app
over it, and what a test reads off the screen."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from clerk.db import Store
from clerk.domain.catalog import default_catalog
from clerk.domain.clock import TZ, fixed_clock
from clerk.domain.identifiers import resident_id_check_char
from clerk.domain.materials import MaterialCheck
from clerk.domain.model import Applicant, Role
from clerk.domain.offices import default_offices
from clerk.screens.app import ClerkApp, make_app
from clerk.service.window import Window
from support.db import fresh_db

NOW = datetime(2025, 3, 12, 9, 30, tzinfo=TZ)  # a Wednesday, a working day
SIZE = (120, 36)
PASSWORD = "counterpass1"
POINT = "YZ05"  # 东安县


def resident_id(body: str = "43999919900101123") -> str:
    return body + resident_id_check_char(body)


PERSON_ID = resident_id()


def make_window(tmp_path: Path, *, at: datetime = NOW) -> Window:
    return Window(
        Store.open(fresh_db(tmp_path / "clerk.db")),
        default_catalog(),
        default_offices(),
        clock=fixed_clock(at),
        documents_root=tmp_path / "documents",
    )


def ready(tmp_path: Path, *, at: datetime = NOW) -> tuple[Window, Any]:
    """A window already set up at POINT, with its administrator."""
    window = make_window(tmp_path, at=at)
    admin = window.setup(POINT, "admin", "王管理", PASSWORD)
    return window, admin


def reviewer(window: Window) -> Any:
    window.store.create_user("shen", "李审核", Role.REVIEWER, PASSWORD, POINT)
    return window.login("shen", PASSWORD)


def person(name: str = "张三丰") -> Applicant:
    return Applicant(
        kind="person", name=name, id_type="resident_id", id_number=PERSON_ID, phone="13800138000"
    )


def complete_checks(window: Window, item_no: int) -> dict[str, MaterialCheck]:
    return {
        m.id: MaterialCheck(m.id, "ok", m.alternatives[0], "")
        for m in window.required_for(item_no, frozenset())
    }


def open_case(window: Window, user: Any, item_no: int = 31, *, complete: bool = False) -> Any:
    view = window.open_case(user, item_no, person())
    if complete:
        view = window.check_materials(user, view.uuid, complete_checks(window, item_no))
    return view


def app_for(window: Window, user: Any = None) -> ClerkApp:
    return make_app(window, user=user)


def footer_ids(app: ClerkApp) -> set[str]:
    """Ids of the bindings the footer shows now (what applies)."""
    return {
        active.binding.id
        for active in app.screen.active_bindings.values()
        if active.binding.id and active.binding.show and active.enabled
    }


GUARD_SECONDS = 60.0  # a guard against waiting forever, never a performance threshold


async def wait_until(pilot: Any, condition: Callable[[], bool], what: str) -> None:
    """Let the app run until `condition()` holds: for what the app does after a delay of its own
    (the command palette's search, its "no match" countdown), whatever the machine's load."""
    deadline = time.monotonic() + GUARD_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        await pilot.pause(0.05)


def option_texts(options: Any) -> list[str]:
    """The plain text of an OptionList's options (the command palette's list, say)."""
    texts = []
    for i in range(options.option_count):
        prompt = options.get_option_at_index(i).prompt
        texts.append(str(getattr(prompt, "renderable", prompt)))
    return texts


class Held:
    """`window.<name>` made to wait for `release` before doing the real call (a decision held in
    flight, with no timing); counts the calls and the threads they ran on."""

    holding = 0  # Held decisions entered and not yet released: `pause_after_decisions` skips them

    def __init__(self, monkeypatch: Any, window: Any, name: str) -> None:
        self.release = threading.Event()
        self.entered = threading.Event()
        self.calls = 0
        self.threads: list[int] = []
        real: Callable[..., Any] = getattr(window, name)

        def held(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            self.threads.append(threading.get_ident())
            Held.holding += 1
            try:
                self.entered.set()
                assert self.release.wait(GUARD_SECONDS), "the test never released the decision"
            finally:
                Held.holding -= 1
            return real(*args, **kwargs)

        monkeypatch.setattr(window, name, held)


def decisions_in_flight(app: Any) -> bool:
    from textual.worker import WorkerState

    from clerk.screens.deciding import DECISION_GROUP

    return any(
        w.group == DECISION_GROUP and w.state in (WorkerState.PENDING, WorkerState.RUNNING)
        for w in app.workers
    )


async def settle_decisions(app: Any) -> None:
    """Wait until no decision is in flight (`clerk.screens.deciding`), except one a test holds.

    A decision runs in a thread worker; `Pilot.pause()` alone waits only until the process looks
    idle, which a worker waiting on fsync can look like. The conftest makes every `pause()` call
    this, so a test that presses F9 and then pauses sees the decision's result, as when it ran
    on the UI thread."""
    deadline = time.monotonic() + GUARD_SECONDS
    while decisions_in_flight(app) and not Held.holding:
        if time.monotonic() > deadline:
            raise AssertionError("a decision never finished")
        await asyncio.sleep(0.005)
