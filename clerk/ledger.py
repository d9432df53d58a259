"""The daily ledger (日结单): what a point did on one day, for the supervisor and the county office.

Pure: `build_ledger` reads the store (read-only SQL) and the catalogue and returns frozen data;
`clerk.ledger_export` turns it into text, CSV and XLSX.

The ledger of a day describes the day *as it stood at its close* (midnight, Asia/Shanghai), so the
ledger of a past day printed later says the same thing as the one printed that evening:

- a case's outcome is the state its last event before the close left it in;
- the overdue and due-soon lists hold the cases open at the close, with the due date they had then
  (a later `recompute` event's `previous_due` undoes the recomputation);
- the chain head is, for each origin whose chain the file holds, the last event stamped before the
  close; this installation's own is printed first.

Two things are read as they are now: the follow-up status of bad ratings (the point of listing them
is to see whether they were followed up) and the (incremental) `verify()` of the file.

Making a ledger keeps its chain heads as checkpoints (source `ledger`): from then on `clerk verify`
reports a chain that no longer contains what the ledger printed.

Personal data: case numbers, item names and masked applicant names only (a unit's name is not
personal data and is shown as is). Free-text rating comments have any long digit run masked.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from clerk.catalog import Catalog
from clerk.clock import TZ
from clerk.db import Store
from clerk.masking import mask_id, mask_name
from clerk.model import ACTION_LABELS, Action, CaseState, Rating
from clerk.storage.schema import ZERO_HASH
from clerk.workdays import WorkCalendar, weekday_label

# Actions counted per clerk (the decisions at the window), in the ledger's column order.
CLERK_DECISIONS: tuple[Action, ...] = (Action.ACCEPT, Action.NOTICE, Action.REFUSE)
OPEN_WITH_DEADLINE = (CaseState.ACCEPTED, CaseState.AWAITING_PAYMENT)
UNKNOWN_CLERK = "（未记录）"

_DIGIT_RUN = re.compile(r"[0-9]{6,}[0-9Xx]?")


class LedgerError(ValueError):
    """A ledger that cannot be made (e.g. a day in the future); the message is Chinese."""


# ---------------------------------------------------------------------- the ledger's rows


@dataclass(frozen=True)
class ItemCount:
    item_no: int
    item_name: str
    count: int


@dataclass(frozen=True)
class OutcomeCount:
    state: CaseState
    label: str
    count: int


@dataclass(frozen=True)
class ClerkRow:
    """One member of staff: cases they opened that day and the window decisions they made."""

    login: str
    name: str
    received: int
    accepted: int
    noticed: int
    refused: int


@dataclass(frozen=True)
class ActionCount:
    action: Action
    label: str
    count: int
    auto: int  # of which made automatically (e.g. 即时办结 approve/close after acceptance)


@dataclass(frozen=True)
class DueCase:
    """An open case with its deadline. `working_days` is days overdue (overdue list) or days left
    (due-soon list: 0 = due that day)."""

    case_no: str
    item_no: int
    item_name: str
    applicant: str  # masked
    state_label: str
    due: date
    provisional: bool
    working_days: int


@dataclass(frozen=True)
class RatingCount:
    level: Rating
    label: str
    count: int


@dataclass(frozen=True)
class BadRating:
    case_no: str
    item_no: int
    item_name: str
    applicant: str  # masked
    level: Rating
    label: str
    comment: str  # long digit runs masked
    at: datetime
    recorded_by: str  # login
    recorded_by_name: str
    followed_up_on: date | None  # None: not followed up yet

    @property
    def followed_up(self) -> bool:
        return self.followed_up_on is not None


@dataclass(frozen=True)
class OriginHead:
    """Another origin's chain (a service point's, imported by sync) at the close of the day."""

    origin: str
    seq: int
    hash: str


@dataclass(frozen=True)
class ChainHead:
    """The event log at the close of the day (the whole file, whatever the point filter)."""

    seq: int  # this installation's chain; 0 when no event existed yet
    hash: str  # 64 zeros when no event existed yet
    events_on_day: int
    verified: bool  # store.verify()["ok"] (incremental) when the ledger was made
    problem: str | None
    origin: str = ""
    others: tuple[OriginHead, ...] = ()  # the chains imported from other origins


@dataclass(frozen=True)
class Ledger:
    day: date
    weekday: str
    working_day: bool
    point_code: str | None  # None: every case in the file
    point_name: str
    generated_on: date
    received: int
    by_item: tuple[ItemCount, ...]
    by_outcome: tuple[OutcomeCount, ...]
    by_clerk: tuple[ClerkRow, ...]
    actions: tuple[ActionCount, ...]
    overdue: tuple[DueCase, ...]
    due_soon: tuple[DueCase, ...]
    due_soon_until: date  # the due-soon list runs from `day` to this working day
    ratings: tuple[RatingCount, ...]  # all five levels, best first
    bad_ratings: tuple[BadRating, ...]
    chain: ChainHead

    @property
    def ratings_total(self) -> int:
        return sum(r.count for r in self.ratings)

    @property
    def actions_total(self) -> int:
        return sum(a.count for a in self.actions)

    @property
    def bad_not_followed_up(self) -> int:
        return sum(1 for b in self.bad_ratings if not b.followed_up)

    @property
    def adds_up(self) -> bool:
        """Whether the by-item and by-outcome totals both equal the cases received."""
        items = sum(i.count for i in self.by_item)
        outcomes = sum(o.count for o in self.by_outcome)
        return items == outcomes == self.received


# ---------------------------------------------------------------------- SQL (read-only)

# Cases received in [start, end) with the state their last event before `end` left them in.
RECEIVED_WITH_CLOSING_STATE = """
SELECT c.uuid, c.case_no, c.item_no, c.created_by, c.state,
       (SELECT e.to_state FROM events e
         WHERE e.case_uuid = c.uuid AND e.at < :end ORDER BY e.n DESC LIMIT 1) AS closing_state
  FROM cases c
 WHERE c.received_at >= :start AND c.received_at < :end{point}
 ORDER BY c.received_at, c.case_no
"""

EVENTS_ON_DAY = """
SELECT e.action, e.actor, e.data
  FROM events e JOIN cases c ON c.uuid = e.case_uuid
 WHERE e.at >= :start AND e.at < :end{point}
 ORDER BY e.n
"""

# Cases accepted before the close, with their state at the close, among those whose time limit
# can have been running then: a case open at the close is either still open (no event since) or
# has an event after the close. Both sets come from an index, so the query reads the open cases
# and the events after the close, never every case ever accepted (a county has a million).
ACCEPTED_WITH_CLOSING_STATE = """
SELECT c.uuid, c.case_no, c.item_no, c.applicant_kind, c.applicant_name, c.due_date,
       c.due_provisional,
       (SELECT e.to_state FROM events e
         WHERE e.case_uuid = c.uuid AND e.at < :end ORDER BY e.n DESC LIMIT 1) AS closing_state
  FROM cases c
 WHERE c.uuid IN (SELECT uuid FROM cases WHERE state IN (:open_accepted, :open_paying)
                  UNION SELECT case_uuid FROM events WHERE at >= :end)
   AND c.accepted_at IS NOT NULL AND c.accepted_at < :end AND c.due_date IS NOT NULL{point}
"""

# Recomputations after the close: the first one's previous_due is the due date at the close.
RECOMPUTED_AFTER = """
SELECT case_uuid, data FROM events WHERE action = :action AND at >= :end ORDER BY n
"""

EVALUATIONS_ON_DAY = """
SELECT v.level, v.comment, v.at, v.recorded_by, v.followed_up_at,
       c.case_no, c.item_no, c.applicant_kind, c.applicant_name
  FROM evaluations v JOIN cases c ON c.uuid = v.case_uuid
 WHERE v.at >= :start AND v.at < :end{point}
 ORDER BY v.at, c.case_no
"""

EVENT_COUNT_ON_DAY = "SELECT COUNT(*) FROM events WHERE at >= :start AND at < :end"
USER_NAMES = "SELECT login, name FROM users"


def _sql(template: str, point_code: str | None, params: dict[str, Any]) -> str:
    if point_code is None:
        return template.format(point="")
    params["point"] = point_code
    return template.format(point=" AND (c.point_code = :point OR c.office_code = :point)")


def _rows(store: Store, sql: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    cursor = store.conn.execute(sql, dict(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# ---------------------------------------------------------------------- building


def build_ledger(
    store: Store,
    catalog: Catalog,
    calendar: WorkCalendar,
    *,
    day: date,
    point_code: str | None = None,
    today: date | None = None,
    point_name: str = "",
) -> Ledger:
    """The ledger of `day`, for one point (its own cases and those of points under it when it is a
    county office) or, with `point_code=None`, for every case in the file.

    `today` is the date the ledger is made (default: the store's clock); a later `day` is refused.
    """
    made_on = today or store.clock().astimezone(TZ).date()
    if day > made_on:
        raise LedgerError(f"{day.isoformat()} 还没有到，不能生成日结单；请选择今天或以前的日期。")
    bounds = {"start": day.isoformat(), "end": (day + timedelta(days=1)).isoformat()}

    params = dict(bounds)
    received = _rows(store, _sql(RECEIVED_WITH_CLOSING_STATE, point_code, params), params)
    params = dict(bounds)
    events = _rows(store, _sql(EVENTS_ON_DAY, point_code, params), params)
    names = {r["login"].casefold(): r["name"] for r in _rows(store, USER_NAMES, {})}

    due_soon_until, _ = calendar.add_working_days(day, 1)
    overdue, due_soon = _deadline_lists(
        store, catalog, calendar, day, due_soon_until, point_code, bounds
    )

    return Ledger(
        day=day,
        weekday=weekday_label(day),
        working_day=calendar.is_working_day(day),
        point_code=point_code,
        point_name=point_name,
        generated_on=made_on,
        received=len(received),
        by_item=_by_item(catalog, received),
        by_outcome=_by_outcome(received),
        by_clerk=_by_clerk(received, events, names),
        actions=_actions(events),
        overdue=overdue,
        due_soon=due_soon,
        due_soon_until=due_soon_until,
        **_ratings(store, catalog, point_code, bounds, names),
        chain=_chain(store, bounds, day),
    )


def _by_item(catalog: Catalog, received: list[dict[str, Any]]) -> tuple[ItemCount, ...]:
    counts = Counter(int(r["item_no"]) for r in received)
    return tuple(ItemCount(no, _item_name(catalog, no), counts[no]) for no in sorted(counts))


def _by_outcome(received: list[dict[str, Any]]) -> tuple[OutcomeCount, ...]:
    counts = Counter(CaseState(r["closing_state"] or r["state"]) for r in received)
    return tuple(OutcomeCount(s, s.label, counts[s]) for s in CaseState if counts[s])


def _by_clerk(
    received: list[dict[str, Any]], events: list[dict[str, Any]], names: Mapping[str, str]
) -> tuple[ClerkRow, ...]:
    opened = Counter(r["created_by"] or "" for r in received)
    decided: Counter[tuple[str, Action]] = Counter()
    for e in events:
        if e["action"] in CLERK_DECISIONS:
            decided[(e["actor"], Action(e["action"]))] += 1
    logins = sorted(
        set(opened) | {login for login, _ in decided}, key=lambda s: (s == "", s.casefold())
    )
    return tuple(
        ClerkRow(
            login=login,
            name=names.get(login.casefold(), "") if login else UNKNOWN_CLERK,
            received=opened[login],
            accepted=decided[(login, Action.ACCEPT)],
            noticed=decided[(login, Action.NOTICE)],
            refused=decided[(login, Action.REFUSE)],
        )
        for login in logins
    )


def _actions(events: list[dict[str, Any]]) -> tuple[ActionCount, ...]:
    counts: Counter[Action] = Counter()
    auto: Counter[Action] = Counter()
    for e in events:
        action = Action(e["action"])
        counts[action] += 1
        if _data(e["data"]).get("auto"):
            auto[action] += 1
    return tuple(ActionCount(a, ACTION_LABELS[a], counts[a], auto[a]) for a in Action if counts[a])


def _deadline_lists(
    store: Store,
    catalog: Catalog,
    calendar: WorkCalendar,
    day: date,
    until: date,
    point_code: str | None,
    bounds: Mapping[str, str],
) -> tuple[tuple[DueCase, ...], tuple[DueCase, ...]]:
    accepted, paying = (str(s) for s in OPEN_WITH_DEADLINE)
    params = {**bounds, "open_accepted": accepted, "open_paying": paying}
    rows = _rows(store, _sql(ACCEPTED_WITH_CLOSING_STATE, point_code, params), params)
    earlier: dict[str, tuple[date, bool]] = {}
    for r in _rows(
        store, RECOMPUTED_AFTER, {"action": str(Action.RECOMPUTE), "end": bounds["end"]}
    ):
        data = _data(r["data"])
        if r["case_uuid"] not in earlier and data.get("previous_due"):
            # The provisional flag before the recomputation is not recorded; a recomputation only
            # happens when a holiday file arrives, so the earlier date was provisional.
            earlier[r["case_uuid"]] = (date.fromisoformat(data["previous_due"]), True)
    overdue: list[DueCase] = []
    soon: list[DueCase] = []
    for r in rows:
        if r["closing_state"] not in OPEN_WITH_DEADLINE:
            continue
        due, provisional = earlier.get(
            r["uuid"], (date.fromisoformat(r["due_date"]), bool(r["due_provisional"]))
        )
        if due < day:
            overdue.append(
                _due_case(
                    catalog, r, due, provisional, max(1, calendar.working_days_between(due, day))
                )
            )
        elif due <= until:
            soon.append(
                _due_case(catalog, r, due, provisional, calendar.working_days_between(day, due))
            )
    order = lambda c: (c.due, c.case_no)  # noqa: E731
    return tuple(sorted(overdue, key=order)), tuple(sorted(soon, key=order))


def _due_case(
    catalog: Catalog, r: Mapping[str, Any], due: date, provisional: bool, days: int
) -> DueCase:
    return DueCase(
        case_no=r["case_no"],
        item_no=int(r["item_no"]),
        item_name=_item_name(catalog, int(r["item_no"])),
        applicant=masked_applicant(r),
        state_label=CaseState(r["closing_state"]).label,
        due=due,
        provisional=provisional,
        working_days=days,
    )


def _ratings(
    store: Store,
    catalog: Catalog,
    point_code: str | None,
    bounds: Mapping[str, str],
    names: Mapping[str, str],
) -> dict[str, Any]:
    params = dict(bounds)
    rows = _rows(store, _sql(EVALUATIONS_ON_DAY, point_code, params), params)
    counts = Counter(Rating(r["level"]) for r in rows)
    bad = tuple(
        BadRating(
            case_no=r["case_no"],
            item_no=int(r["item_no"]),
            item_name=_item_name(catalog, int(r["item_no"])),
            applicant=masked_applicant(r),
            level=Rating(r["level"]),
            label=Rating(r["level"]).label,
            comment=mask_digits(r["comment"] or ""),
            at=datetime.fromisoformat(r["at"]),
            recorded_by=r["recorded_by"] or "",
            recorded_by_name=names.get((r["recorded_by"] or "").casefold(), ""),
            followed_up_on=date.fromisoformat(r["followed_up_at"][:10])
            if r["followed_up_at"]
            else None,
        )
        for r in rows
        if Rating(r["level"]).is_bad
    )
    ratings = tuple(RatingCount(level, level.label, counts[level]) for level in Rating)
    return {"ratings": ratings, "bad_ratings": bad}


def _chain(store: Store, bounds: Mapping[str, str], day: date) -> ChainHead:
    heads = store.chain_heads_at(bounds["end"])
    own = store.get_setting("point_code") or next(iter(heads), "")
    count = store.conn.execute(EVENT_COUNT_ON_DAY, dict(bounds)).fetchone()[0]
    store.keep_checkpoints(heads, "ledger", f"{day.isoformat()} 日结单")
    verified = store.verify()
    seq, digest = heads.get(own, (0, ZERO_HASH))
    return ChainHead(
        seq=seq,
        hash=digest,
        events_on_day=int(count),
        verified=bool(verified["ok"]),
        problem=verified.get("problem"),
        origin=own,
        others=tuple(OriginHead(o, s, h) for o, (s, h) in heads.items() if o != own),
    )


def hash_at(store: Store, seq: int, origin: str | None = None) -> str | None:
    """The stored hash of event `seq` of `origin`'s chain (this installation's by default; None if
    there is none): what `clerk verify` compares with a printed ledger's chain head."""
    origin = origin or store.get_setting("point_code") or ""
    return store.event_hash_at(origin, seq)


# ---------------------------------------------------------------------- helpers


def masked_applicant(row: Mapping[str, Any]) -> str:
    """A person's name masked; a unit's or institution's name as is (not personal data)."""
    if row.get("applicant_kind") != "person":
        return str(row.get("applicant_name") or "")
    return mask_name(row.get("applicant_name"))


def mask_digits(text: str) -> str:
    """Mask every run of six or more digits (an ID or phone number typed into a comment)."""
    return _DIGIT_RUN.sub(lambda m: mask_id(m.group(0)), text)


def _item_name(catalog: Catalog, no: int) -> str:
    try:
        return catalog.item(no).name
    except KeyError:
        return f"（目录中没有事项{no}）"


def _data(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
