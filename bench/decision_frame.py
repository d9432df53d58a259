"""A decision seen from the window (issue 25): how long the UI thread is held while item 9 is
accepted, the decision running in its worker (`clerk.screens.deciding`).

    python -m bench.decision_frame [--repeats N] [--workdir DIR]

Each repeat opens an item-9 case with its materials recorded (through `Window`, not timed), shows
its checklist in the app (headless, `App.run_test()`), and presses F9. A ticker on the app's own
event loop wakes every millisecond and keeps the longest gap between two wakes: the longest the
UI thread could not draw a frame or take a key (the key's own handling, the worker's share of the
GIL, the result applied on the UI thread). Measured from the key press until the result is shown
(the checklist closed); the longest gap up to the moment the service call returns in the worker
is the held time "while it is saved". Floor: the same ticker's longest gap over as long a time in the same app
with nothing to do. The decision's total time (key to result) is printed beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench.core import Config, Context
from bench.fixture import CLERK
from clerk.domain.materials import MaterialCheck
from clerk.domain.model import Applicant
from clerk.service.demo import synthetic_resident_id

ITEM = 9
TICK = 0.001
SIZE = (120, 36)


class Ticker:
    """The longest gap between two wakes of a task that sleeps `TICK` on the app's loop."""

    def __init__(self) -> None:
        self.longest = 0.0
        self.running = True

    async def run(self) -> None:
        last = time.perf_counter()
        while self.running:
            await asyncio.sleep(TICK)
            now = time.perf_counter()
            self.longest = max(self.longest, now - last - TICK)
            last = now


async def _once(window: Any, user: Any, case_uuid: str) -> tuple[float, float, float, float]:
    """(UI thread held while the decision is saved, held until its result is shown, key to
    result, idle floor) in seconds for one F9."""
    from clerk.screens.app import make_app

    app = make_app(window, user=user)
    saved: list[float] = []
    accept = window.accept

    def accepting(*args: Any, **kwargs: Any) -> Any:  # in the worker: note the UI's longest gap
        try:
            return accept(*args, **kwargs)
        finally:
            saved.append(ticker.longest)

    setattr(window, "accept", accepting)  # noqa: B010 - a method of this one window
    async with app.run_test(headless=True, size=SIZE) as pilot:
        app.open_case(case_uuid, materials=True)
        await pilot.pause()
        screen = app.screen
        ticker = Ticker()
        task = asyncio.create_task(ticker.run())
        await asyncio.sleep(0.05)  # the ticker settled
        ticker.longest = 0.0
        start = time.perf_counter()
        await pilot.press("f9")
        while app.screen is screen or getattr(screen, "busy", False):
            await asyncio.sleep(TICK)
        total = time.perf_counter() - start
        held = ticker.longest
        setattr(window, "accept", accept)  # noqa: B010
        await pilot.pause()
        ticker.longest = 0.0
        await asyncio.sleep(max(total, 0.05))  # the same app, nothing to do
        idle = ticker.longest
        ticker.running = False
        await task
        app.exit()
    return saved[0], held, total, idle


def measure(ctx: Context) -> dict[str, float]:
    demo = ctx.demo()
    folder = ctx.scratch("decision-frame")
    store = demo.open_store(demo.copy(folder / "decision.db"))
    try:
        window = demo.window(store, documents_root=folder / "documents")
        user = demo.user(store, CLERK)
        rng = random.Random(ITEM)
        checks = {
            m.id: MaterialCheck(m.id, "ok", m.alternatives[0])
            for m in window.required_for(ITEM, frozenset())
        }
        saving, held, total, idle = [], [], [], []
        for n in range(ctx.repeats + 1):
            applicant = Applicant(
                kind="person",
                name="演示基准",
                id_type="resident_id",
                id_number=synthetic_resident_id(rng, date(1980, 1, 1)),
                phone="19900000000",
            )
            case = window.open_case(user, ITEM, applicant)
            window.check_materials(user, case.uuid, checks)
            s, h, t, i = asyncio.run(_once(window, user, case.uuid))
            if n == 0:
                continue  # warm-up: imports, the font's tables
            if str(window.case(case.uuid).state) == "draft":
                raise RuntimeError("F9 did not decide the case")
            saving.append(s)
            held.append(h)
            total.append(t)
            idle.append(i)
    finally:
        store.close()
    return {
        "saving_s": statistics.median(saving),
        "held_s": statistics.median(held),
        "held_max_s": max(held),
        "total_s": statistics.median(total),
        "idle_s": statistics.median(idle),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="clerk-decision-frame-"))
    ctx = Context(Config(quick=False, repeats=args.repeats, workdir=workdir, cases=200))
    got = measure(ctx)
    ms = {k: v * 1000 for k, v in got.items()}
    print(
        f"decision, item {ITEM}, F9 in the app: UI thread held {ms['saving_s']:.1f} ms while it"
        f" is saved, {ms['held_s']:.1f} ms until its result is shown (longest of {args.repeats}:"
        f" {ms['held_max_s']:.1f} ms), idle floor {ms['idle_s']:.1f} ms,"
        f" key to result {ms['total_s']:.1f} ms (medians of {args.repeats})"
    )


if __name__ == "__main__":
    main()
