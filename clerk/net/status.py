"""What the county's supervisor sees of its points' reporting: the last bundle each point's chain
reached the county in (number, when, by which road, what became of it) and the points that have
not reported for N working days.

Two sources, so a stick and the network count alike:
- the store's record of imported bundles (`SyncStore.bundles("in", point)`), written by the one
  import code whichever road the bundle came by;
- the service's spool (`clerk.net.mailbox`: `<seq>.json` beside each received bundle), for what
  the store cannot know: a bundle received over the network and waiting for an earlier one, or
  refused. `clerk serve` writes where its spool is into a setting; by default `<db>.received`.

N is a setting (`silent_working_days`, default `DEFAULT_SILENT_DAYS`), changed on the screen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from clerk.service.window import Window

SETTING_SILENT_DAYS = "silent_working_days"
SETTING_SPOOL = "serve_spool"  # written by `clerk serve` at start-up
DEFAULT_SILENT_DAYS = 2
MAX_SILENT_DAYS = 60
STATES = {
    "imported": "已导入",
    "duplicate": "已有（未改动）",
    "received": "已收到，待导入",
    "retry": "已收到，待重试导入",
    "refused": "未收",
}


@dataclass(frozen=True)
class PointStatus:
    code: str
    name: str
    seq: int | None  # the last bundle's number (None: nothing received yet)
    at: datetime | None  # when it was imported (or received, when it is not imported)
    road: str  # "网络" / "U盘" / ""
    outcome: str  # Chinese
    working_days: int | None  # working days since `at`, up to today (None: never)
    silent: bool  # nothing for N working days or more, or never

    @property
    def when(self) -> str:
        return self.at.strftime("%m-%d %H:%M") if self.at else "—"


@dataclass(frozen=True)
class Status:
    rows: list[PointStatus]
    silent_days: int
    today: date

    @property
    def silent(self) -> list[PointStatus]:
        return [r for r in self.rows if r.silent]


def silent_days(window: Window) -> int:
    value = window.store.get_setting(SETTING_SILENT_DAYS)
    return int(value) if value and value.isdigit() else DEFAULT_SILENT_DAYS


def silent_days_problem(text: str) -> str | None:
    """A Chinese message when `text` is not a number of working days the screen accepts."""
    value = text.strip()
    if not value.isdigit() or not 1 <= int(value) <= MAX_SILENT_DAYS:
        return f"请输入 1 到 {MAX_SILENT_DAYS} 之间的整数（工作日数），如 2。"
    return None


def set_silent_days(window: Window, text: str) -> int:
    problem = silent_days_problem(text)
    if problem is not None:
        raise ValueError(problem)
    window.store.set_setting(SETTING_SILENT_DAYS, str(int(text.strip())))
    return int(text.strip())


def spool_of(window: Window) -> Path | None:
    remembered = window.store.get_setting(SETTING_SPOOL)
    if remembered:
        return Path(remembered)
    path = window.sync_store().database_path()
    return path.with_name(path.name + ".received") if path is not None else None


def points_of(window: Window, spool: Path | None) -> list[str]:
    """The points that exchange bundles with this office: a registered key, a bundle imported,
    or one in the spool."""
    sync = window.sync_store()
    codes = {k.point_code for k in sync.peer_keys() if k.role == "peer"}
    codes |= {str(r["peer"]) for r in sync.bundles("in", None, limit=10_000) if r.get("peer")}
    if spool is not None and spool.is_dir():
        codes |= {p.name for p in spool.iterdir() if p.is_dir() and not p.name.startswith(".")}
    return sorted(codes - {window.me().code})


def _spool_metas(spool: Path | None, point: str) -> dict[int, dict[str, Any]]:
    if spool is None or not (spool / point).is_dir():
        return {}
    out = {}
    for path in (spool / point).glob("*.json"):
        try:
            meta = json.loads(path.read_text("utf-8"))
            out[int(meta["seq"])] = meta
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return out


def _parse(at: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(at)) if at else None
    except ValueError:
        return None


def status(window: Window) -> Status:
    """Every point's last bundle and whether it has been silent for N working days."""
    n = silent_days(window)
    today = window.clock().date()
    spool = spool_of(window)
    sync = window.sync_store()
    rows = []
    for code in points_of(window, spool):
        try:
            name = window.offices.point(code).name
        except (KeyError, ValueError, LookupError):
            name = ""
        imported = sync.last_bundle("in", code)
        metas = _spool_metas(spool, code)
        seq: int | None = None
        at: datetime | None = None
        road = ""
        outcome = "尚未上报"
        if imported is not None:
            seq = int(imported["seq"])
            at = _parse(imported["at"])
            meta = metas.get(seq)
            road = "网络" if meta is not None and meta.get("state") == "imported" else "U盘"
            outcome = STATES["imported"]
        later = [m for s, m in metas.items() if seq is None or s > seq]
        if later:  # received over the network after the last import, not (yet) imported
            last = max(later, key=lambda m: int(m["seq"]))
            seq, road = int(last["seq"]), "网络"
            at = _parse(last.get("received_at")) or at
            state = str(last.get("state") or "")
            if state == "waiting":
                outcome = f"等待第 {last.get('waiting_for') or '更早的'} 号包"
            else:
                outcome = STATES.get(state, state)
        # when a point last reached the county at all (a refused bundle still shows it tried,
        # but only an import counts against silence)
        counted = _parse(imported["at"]) if imported is not None else None
        days = window.calendar.working_days_between(counted.date(), today) if counted else None
        rows.append(
            PointStatus(
                code=code,
                name=name,
                seq=seq,
                at=at,
                road=road,
                outcome=outcome,
                working_days=days,
                silent=days is None or days >= n,
            )
        )
    return Status(rows=rows, silent_days=n, today=today)


def remember_spool(window: Window, spool: Path) -> None:
    """Called by `clerk serve`: where the status view finds the service's records."""
    value = str(Path(spool).resolve())
    if window.store.get_setting(SETTING_SPOOL) != value:
        window.store.set_setting(SETTING_SPOOL, value)
