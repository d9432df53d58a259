"""Rows of a generated city record: 14 counties' cases, their events as valid hash chains, and
their ratings, in the stored form both engines keep (`bench.city` loads them with COPY and packs
a county's day into a signed bundle from them).

Every case gets a receive event; most are accepted and closed, some stay open (some past their
due date), some are refused at the window or still in 收件; about a third of the closed ones are
rated, the bad ratings mostly followed up. Each origin's events form one chain (`seq` from the
given start, each hash over the previous one, `clerk.domain.chain.event_hash`), so the store
verifies. Repeatable: a seeded generator per (origin, first day). No personal data: names and ID
numbers are synthetic placeholders.
"""

from __future__ import annotations

import json
import random
import uuid as uuidlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from clerk.domain import chain
from clerk.domain.case_numbers import make_case_number
from clerk.domain.clock import TZ

CASE_COLUMNS = (
    "uuid",
    "case_no",
    "point_code",
    "office_code",
    "origin_point",
    "item_no",
    "channel",
    "state",
    "applicant_kind",
    "applicant_name",
    "id_type",
    "id_number",
    "circumstances",
    "received_at",
    "accepted_at",
    "accepted_by",
    "due_date",
    "due_provisional",
    "decided_at",
    "closed_at",
    "version",
    "created_at",
    "updated_at",
    "created_by",
)
EVENT_COLUMNS = (
    "origin",
    "seq",
    "uuid",
    "case_uuid",
    "action",
    "actor",
    "at",
    "from_state",
    "to_state",
    "reason",
    "data",
    "point_code",
    "prev_hash",
    "hash",
    "version",
    "format",
)
EVALUATION_COLUMNS = (
    "uuid",
    "case_uuid",
    "point_code",
    "level",
    "comment",
    "at",
    "follow_up",
    "followed_up_at",
    "version",
    "created_at",
    "updated_at",
    "recorded_by",
)
ITEMS = (3, 9, 19, 31, 35, 1, 2, 13)  # a mix of instant and reviewed items of the catalogue
INSTANT = frozenset({1, 2, 3})


@dataclass
class Chain:
    """Where an origin's chain stands: the next seq and the last hash."""

    origin: str
    seq: int = 0
    head: str = chain.ZERO_HASH


@dataclass
class DayRows:
    cases: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    evaluations: list[dict[str, Any]] = field(default_factory=list)


def _iso(day: date, minute: int) -> str:
    return (
        datetime(day.year, day.month, day.day, 8, 30, tzinfo=TZ)
        .__add__(timedelta(minutes=minute))
        .isoformat()
    )


def day_rows(office: str, point: str, day: date, count: int, line: Chain, salt: int = 0) -> DayRows:
    """`count` cases received at `point` (of `office`) on `day`, their events appended to `line`."""
    rng = random.Random(f"{point}-{day.isoformat()}-{salt}")
    out = DayRows()

    def new_uuid() -> str:
        return str(uuidlib.UUID(int=rng.getrandbits(128), version=4))

    def event(
        case: dict[str, Any],
        action: str,
        at: str,
        before: str | None,
        after: str,
        data: dict[str, Any] | None = None,
    ) -> None:
        line.seq += 1
        fields = {
            "origin": line.origin,
            "seq": line.seq,
            "uuid": new_uuid(),
            "case_uuid": case["uuid"],
            "action": action,
            "actor": "clerk1",
            "at": at,
            "from_state": before,
            "to_state": after,
            "reason": "",
            "data": data or {},
            "point_code": point,
        }
        digest = chain.event_hash(fields, line.head)
        out.events.append(
            {
                **fields,
                "data": chain.canonical_json(fields["data"]),
                "prev_hash": line.head,
                "hash": digest,
                "version": 1,
                "format": chain.CURRENT_FORMAT,
            }
        )
        line.head = digest

    for n in range(1, count + 1):
        item = ITEMS[rng.randrange(len(ITEMS))]
        received = _iso(day, n * 480 // max(count, 1))
        case: dict[str, Any] = {
            "uuid": new_uuid(),
            "case_no": make_case_number(point, day, n),
            "point_code": point,
            "office_code": office,
            "origin_point": point,
            "item_no": item,
            "channel": "on_site",
            "state": "draft",
            "applicant_kind": "person",
            "applicant_name": "测试申请人",
            "id_type": "resident_id",
            "id_number": None,
            "circumstances": "[]",
            "received_at": received,
            "accepted_at": None,
            "accepted_by": None,
            "due_date": None,
            "due_provisional": 0,
            "decided_at": None,
            "closed_at": None,
            "version": 1,
            "created_at": received,
            "updated_at": received,
            "created_by": "clerk1",
        }
        event(case, "receive", received, None, "draft")
        fate = rng.random()
        if fate < 0.03:  # still in 收件
            pass
        elif fate < 0.07:  # refused at the window
            event(case, "refuse", received, "draft", "refused")
            case.update(state="refused", decided_at=received, version=2)
        else:
            limit = 0 if item in INSTANT else 20
            due = day + timedelta(days=limit * 7 // 5)
            event(case, "accept", received, "draft", "accepted")
            case.update(
                state="accepted",
                accepted_at=received,
                accepted_by="clerk1",
                due_date=due.isoformat(),
                version=2,
            )
            if fate < 0.95 or item in INSTANT:
                finish = day + timedelta(days=rng.randint(0, limit * 7 // 5 + 3) if limit else 0)
                closed = _iso(finish, 300)
                event(case, "close", closed, "accepted", "closed")
                case.update(state="closed", closed_at=closed, decided_at=closed, version=3)
                if rng.random() < 0.35:
                    level = str(rng.choice((5, 5, 5, 4, 4, 3, 2, 1)))
                    rated = _iso(finish, 320)
                    event(case, "rate", rated, "closed", "closed", {"level": level})
                    followed = None
                    if level in ("1", "2") and rng.random() < 0.8:
                        followed = _iso(finish + timedelta(days=rng.randint(1, 9)), 60)
                    out.evaluations.append(
                        {
                            "uuid": new_uuid(),
                            "case_uuid": case["uuid"],
                            "point_code": point,
                            "level": level,
                            "comment": "",
                            "at": rated,
                            "follow_up": "已回访" if followed else None,
                            "followed_up_at": followed,
                            "version": 2 if followed else 1,
                            "created_at": rated,
                            "updated_at": followed or rated,
                            "recorded_by": "clerk1",
                        }
                    )
        out.cases.append(case)
    return out


def days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=1)


def as_tuples(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> Iterator[tuple[Any, ...]]:
    for row in rows:
        yield tuple(row[c] for c in columns)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
