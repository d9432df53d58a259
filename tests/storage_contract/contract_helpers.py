"""Rows and events the contract tests write (plain values: no engine in sight)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from clerk.domain.clock import TZ
from clerk.domain.model import Action, CaseState, Event
from clerk.ports.records import CaseChanges, NewCase
from clerk.ports.store import Store

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
ORIGIN = "YZ01"
ZERO = "0" * 64


@dataclass
class FixedClock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


def case_row(n: int = 1, **overrides: Any) -> NewCase:
    """A new case (`uuid=None` leaves the uuid for the record to make); other columns in
    stored or typed form, as `CaseChanges` takes them."""
    columns: dict[str, Any] = {
        "uuid": f"00000000-0000-4000-8000-{n:012d}",
        "case_no": f"YZ01-20260302-{n:04d}",
        "point_code": ORIGIN,
        "office_code": ORIGIN,
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


def received(case_uuid: str, **overrides: Any) -> Event:
    fields: dict[str, Any] = {
        "case_uuid": case_uuid,
        "action": Action.RECEIVE,
        "actor": "clerk1",
        "at": T0,
        "from_state": None,
        "to_state": CaseState.DRAFT,
    }
    fields.update(overrides)
    return Event(**fields)


def new_case(store: Store, n: int = 1, **overrides: Any) -> str:
    """A case with its receive event, in one transaction; returns its uuid."""
    with store.transaction():
        uuid = store.insert_case(case_row(n, **overrides))
        store.append_event(received(uuid), ORIGIN)
    return uuid
