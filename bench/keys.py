"""Keys at the window: how many keys a clerk presses beyond the data typed, counted by Pilot.

Two complete visits, driven only by key presses through the real app (headless) on a fresh
database, each checked by what is stored at the end:

- *complete instant case*: F2, the item number, Enter, then the applicant: the name, Tab (the ID
  type is preset by the item and Tab passes it), the ID number (a complete valid one moves on to
  the phone by itself), the phone; F10 (receive), Ctrl+A (every required material received,
  confirmed by the clerk in one key), F9 (accept); the case must end 已办结 (item 9,
  城乡居民参保登记, 即时办结);
- *one-time notice*: the same start for item 31 (住院费用报销), Space on each required material but
  the last (Space marks and moves to the next row), F8 (notice preview), F10 (issue); the case
  must end 待补正.

Typed data (the item number, the name, ID number and phone) is not counted; every other key is
(Tab, Enter, Space, arrows, function keys). The floor is zero keys, so these are not timed rows:
they go to the results' `facts`.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bench.core import Context

NAME = "演示键数"
PHONE = "19900000000"


def _id_number() -> str:
    import random

    from clerk.service.demo import synthetic_resident_id

    return synthetic_resident_id(random.Random(1), date(1980, 1, 1))


@dataclass
class Counter:
    pilot: Any
    keys: list[str] = field(default_factory=list)
    typed: int = 0

    async def key(self, *names: str) -> None:
        for name in names:
            self.keys.append(name)
            await self.pilot.press(name)
            await self.pilot.pause()

    async def data(self, text: str) -> None:
        self.typed += len(text)
        await self.pilot.press(*text)
        await self.pilot.pause()


def _window(folder: Path) -> tuple[Any, Any]:
    from bench.fixture import NOW, cheap_hasher
    from clerk.db import Store
    from clerk.domain.clock import fixed_clock
    from clerk.domain.workdays import WorkCalendar
    from clerk.service.compose import build_window

    store = Store.open(folder / "keys.db", clock=fixed_clock(NOW), hasher=cheap_hasher())
    window = build_window(
        store,
        clock=fixed_clock(NOW),
        calendar=WorkCalendar(None),
        documents_root=folder / "documents",
    )
    admin = window.setup("YZ01", "admin", "演示管理员", "demo-password-1")
    return window, admin


async def _visit(folder: Path, item_no: int, *, notice: bool) -> dict[str, Any]:
    from clerk.screens.app import make_app

    window, admin = _window(folder)
    app = make_app(window, user=admin)
    async with app.run_test(headless=True, size=(120, 36)) as pilot:
        k = Counter(pilot)
        await k.key("f2")
        await k.data(str(item_no))
        await k.key("enter")
        await k.data(NAME)
        await k.key("tab")  # name -> ID number (Tab passes the ID type, preset by the item)
        await k.data(_id_number())  # complete and valid: focus moves on to the phone
        await k.data(PHONE)
        await k.key("f10")
        screen: Any = app.screen
        uuid = screen.view.uuid
        required = [row for row in screen.view.materials if row.required]
        if notice:
            # The required rows come first; Space marks one and moves on. The last one is missing.
            rows = list(screen.view.materials)
            assert rows[: len(required)] == required, "required materials are not the first rows"
            for _row in required[:-1]:
                await k.key("space")
            await k.key("f8", "f10")
        else:
            await k.key("ctrl+a", "f9")
        stored = window.case(uuid)
        state = str(stored.state)
    window.store.close()
    return {
        "keys": len(k.keys),
        "typed": k.typed,
        "sequence": k.keys,
        "state": state,
        "materials": len(required),
    }


def count(item_no: int, *, notice: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="clerk-keys-") as tmp:
        return asyncio.run(_visit(Path(tmp), item_no, notice=notice))


def run(ctx: Context) -> list:
    """Adds two facts (keys beyond the data); no timed rows."""
    for name, item_no, notice, wanted in (
        ("keys beyond the data, complete instant case (item 9)", 9, False, "closed"),
        ("keys beyond the data, one-time notice (item 31)", 31, True, "awaiting_supplement"),
    ):
        try:
            got = count(item_no, notice=notice)
            note = f"{' '.join(got['sequence'])}; {got['materials']} required materials; ends {got['state']}"
            if got["state"] != wanted:
                note = f"did not end {wanted}: {note}"
            ctx.facts.append(
                {"name": name, "size": 0, "value": got["keys"], "unit": "keys", "note": note}
            )
        except Exception as exc:  # noqa: BLE001 - the screens move; say why instead of failing
            ctx.facts.append(
                {
                    "name": name,
                    "size": 0,
                    "value": 0,
                    "unit": "keys",
                    "note": f"skipped: {exc}"[:200],
                }
            )
    return []
