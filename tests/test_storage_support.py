"""Helpers shared by the storage tests (no tests here), and the writer the crash tests spawn.

Run as a script: `python tests/test_storage_support.py DB WORKER COUNT [--ready F] [--go F]
[--pause S]` writes COUNT cases (COUNT 0 = forever), each in one transaction: the case, two events
(received, withdrawn), three material checks and a version bump. It touches `--ready` once the store is open, waits for
`--go` to exist before writing, pauses S seconds between transactions, and prints the wall-clock
start and end of its writing. With `--peer N` it waits, after its first case, until worker N has
written one too, so two writers' spans overlap however the machine schedules them.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from support.clock import Clock
from support.db import fresh_db

from clerk.db import Store
from clerk.domain.clock import TZ
from clerk.domain.model import Action, CaseState, Event
from clerk.ports.records import CaseChanges, MaterialCheckInput, NewCase

# Cheap argon2id parameters so the tests do not spend seconds hashing.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
DAY = T0.date()
MATERIALS = ("M01", "M02", "M03")


def open_store(path: Path, clock: Clock | None = None, *, template: bool = True) -> Store:
    """The store at `path`; a new file starts as a copy of the migrated template (support.db),
    or, with `template=False`, is created and migrated by `Store.open` itself."""
    if template:
        fresh_db(path)
    return Store.open(path, clock=clock or Clock(T0), hasher=FAST_HASHER)


def case_row(n: int = 1, **overrides: Any) -> NewCase:
    """A new case (`uuid=None` leaves the uuid for the record to make); other columns in
    stored or typed form, as `CaseChanges` takes them."""
    columns: dict[str, Any] = {
        "uuid": f"00000000-0000-4000-8000-{n:012d}",
        "case_no": f"YZ01-20260302-{n:04d}",
        "point_code": "YZ01",
        "office_code": "YZ01",
        "item_no": 1,
        "channel": "on_site",
        "state": "draft",
        "applicant_kind": "person",
        "applicant_name": "张三丰",
        "id_type": "resident_id",
        "id_number": "11010519491231002X",
        "received_at": "2026-03-02T09:00:00+08:00",
        "created_by": "clerk1",
    }
    columns.update(overrides)
    identity = {k: columns.pop(k) for k in ("uuid", "case_no") if columns.get(k) is not None}
    columns.pop("uuid", None)
    return NewCase(**identity, **CaseChanges(columns).decoded())


def event(case_uuid: str, action: Action = Action.RECEIVE, **overrides: Any) -> Event:
    fields: dict[str, Any] = {
        "case_uuid": case_uuid,
        "action": action,
        "actor": "clerk1",
        "at": T0,
        "from_state": None,
        "to_state": CaseState.DRAFT,
    }
    fields.update(overrides)
    return Event(**fields)


def write_one(store: Store, worker: int, n: int) -> None:
    """One whole case in one transaction, the shape the crash test checks for."""
    uuid = f"{worker:08d}-0000-4000-8000-{n:012d}"
    with store.transaction():
        seq = store.next_sequence(f"P{worker}", "2026-03-02")
        store.insert_case(
            case_row(uuid=uuid, case_no=f"P{worker}-20260302-{seq:06d}", point_code=f"P{worker}")
        )
        store.append_event(event(uuid), f"P{worker}")
        store.set_material_checks(
            uuid, [MaterialCheckInput(material_id=m, status="ok") for m in MATERIALS]
        )
        store.append_event(
            event(uuid, Action.WITHDRAW, from_state=CaseState.DRAFT, to_state=CaseState.WITHDRAWN),
            f"P{worker}",
        )
        store.update_case(uuid, CaseChanges(state="withdrawn", closed_at=T0), expected_version=1)


PEER_GUARD = 180  # seconds: a guard against a peer that never writes, not a threshold


def _wait_for_peer(store: Store, point: str) -> None:
    deadline = time.monotonic() + PEER_GUARD
    while not store.received_on(DAY, point):
        if time.monotonic() > deadline:
            raise SystemExit(f"peer {point} never wrote a case")
        time.sleep(0.001)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("worker", type=int)
    parser.add_argument("count", type=int)
    parser.add_argument("--ready", type=Path)
    parser.add_argument("--go", type=Path)
    parser.add_argument("--pause", type=float, default=0.0)
    parser.add_argument("--peer", type=int)
    args = parser.parse_args(argv)
    store = open_store(args.db)
    point = f"P{args.worker}"
    done = len(store.received_on(DAY, point))  # every case it writes is received on DAY
    if args.ready:
        args.ready.touch()
    while args.go and not args.go.exists():
        time.sleep(0.001)
    started = time.time()
    n = done
    while args.count == 0 or n < done + args.count:
        n += 1
        write_one(store, args.worker, n)
        if args.peer is not None and n == done + 1:
            _wait_for_peer(store, f"P{args.peer}")
        if args.pause:
            time.sleep(args.pause)
    print(started, time.time())
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
