"""The daily ledger (日结单): what a point did on one day, for the supervisor and the county office.

Pure: `build_ledger` reads the store (read-only SQL) and the catalogue and returns frozen data;
`clerk.service.ledger_export` turns it into text, CSV and XLSX.

The ledger of a day describes the day *as it stood at its close* (midnight, Asia/Shanghai), so the
ledger of a past day printed later says the same thing as the one printed that evening:

- a case's outcome is the state its last event before the close left it in;
- the overdue and due-soon lists hold the cases open at the close, with the due date they had then
  (a later `recompute` event's `previous_due` undoes the recomputation);
- the chain head is, for each origin whose chain the file holds, the last event stamped before the
  close; this installation's own is printed first.

Two things are read as they are now: the follow-up status of bad ratings (the point of listing them
is to see whether they were followed up) and the (incremental) `verify()` of the file: its
chains, checkpoints and every case changed since the last verify with its documents (the stat of
the last week's other document files is left to `clerk verify`: `recent_files=False`).

Making a ledger keeps its chain heads as checkpoints (source `ledger`): from then on `clerk verify`
reports a chain that no longer contains what the ledger printed.

Personal data: case numbers, item names and masked applicant names only (a unit's name is not
personal data and is shown as is). Free-text rating comments have any long digit run masked.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from clerk.domain.catalog import Catalog
from clerk.domain.chain import ZERO_HASH
from clerk.domain.clock import TZ
from clerk.domain.masking import mask_id, mask_name
from clerk.domain.model import ACTION_LABELS, Action, CaseState, Rating
from clerk.domain.workdays import WorkCalendar, weekday_label
from clerk.ports.ledger import (
    AcceptedCase,
    DayActions,
    DayEvaluation,
    LedgerDay,
    ReceivedCase,
)

if TYPE_CHECKING:
    from clerk.ports.store import Store
    from clerk.service.context import DeskContext

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


# ---------------------------------------------------------------------- building


def point_ledger(
    ctx: DeskContext,
    day: date,
    point_code: str | None = None,
    *,
    today: date | None = None,
    point_name: str | None = None,
) -> Ledger:
    """The 日结单 of `day` for one office or point (its points included), or with `point_code`
    None for every case in the file, on the window's shared context (what `clerk report` reads:
    no desk is built for it). Raises `ServiceError` for an unknown point and `LedgerError` for
    a day still to come (Chinese messages)."""
    from clerk.service.errors import ServiceError

    name = point_name or ""
    if point_code is not None and point_name is None:
        try:
            name = ctx.offices.point(point_code).name
        except KeyError:
            raise ServiceError(
                f"没有编码为 {point_code} 的经办机构或服务点，请用 clerk point list 查看编码。"
            ) from None
    return build_ledger(
        ctx.store,
        ctx.catalog,
        ctx.calendar,
        day=day,
        point_code=point_code,
        point_name=name,
        today=today or ctx.today(),
    )


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
    read = store.ledger_day(day, point_code)
    due_soon_until, _ = calendar.add_working_days(day, 1)
    overdue, due_soon = _deadline_lists(catalog, calendar, day, due_soon_until, read)

    return Ledger(
        day=day,
        weekday=weekday_label(day),
        working_day=calendar.is_working_day(day),
        point_code=point_code,
        point_name=point_name,
        generated_on=made_on,
        received=len(read.received),
        by_item=_by_item(catalog, read.received),
        by_outcome=_by_outcome(read.received),
        by_clerk=_by_clerk(read.received, read.actions, read.user_names),
        actions=_actions(read.actions),
        overdue=overdue,
        due_soon=due_soon,
        due_soon_until=due_soon_until,
        **_ratings(catalog, read.evaluations, read.user_names),
        chain=_chain(store, read, day),
    )


def _by_item(catalog: Catalog, received: Sequence[ReceivedCase]) -> tuple[ItemCount, ...]:
    counts = Counter(r.item_no for r in received)
    return tuple(ItemCount(no, _item_name(catalog, no), counts[no]) for no in sorted(counts))


def _by_outcome(received: Sequence[ReceivedCase]) -> tuple[OutcomeCount, ...]:
    counts = Counter(r.closing_state for r in received)
    return tuple(OutcomeCount(s, s.label, counts[s]) for s in CaseState if counts[s])


def _by_clerk(
    received: Sequence[ReceivedCase], actions: Sequence[DayActions], names: Mapping[str, str]
) -> tuple[ClerkRow, ...]:
    opened = Counter(r.created_by for r in received)
    decided: Counter[tuple[str, Action]] = Counter()
    for a in actions:
        if a.action in CLERK_DECISIONS:
            decided[(a.actor, a.action)] += a.count
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


def _actions(actions: Sequence[DayActions]) -> tuple[ActionCount, ...]:
    counts: Counter[Action] = Counter()
    auto: Counter[Action] = Counter()
    for a in actions:
        counts[a.action] += a.count
        auto[a.action] += a.auto
    return tuple(ActionCount(a, ACTION_LABELS[a], counts[a], auto[a]) for a in Action if counts[a])


def _deadline_lists(
    catalog: Catalog,
    calendar: WorkCalendar,
    day: date,
    until: date,
    read: LedgerDay,
) -> tuple[tuple[DueCase, ...], tuple[DueCase, ...]]:
    earlier: dict[str, tuple[date, bool]] = {}
    for recomputed in read.recomputed_after:
        if recomputed.case_uuid not in earlier and recomputed.data.get("previous_due"):
            # The provisional flag before the recomputation is not recorded; a recomputation only
            # happens when a holiday file arrives, so the earlier date was provisional.
            earlier[recomputed.case_uuid] = (
                date.fromisoformat(recomputed.data["previous_due"]),
                True,
            )
    overdue: list[DueCase] = []
    soon: list[DueCase] = []
    for r in read.accepted:
        if r.closing_state not in OPEN_WITH_DEADLINE:
            continue
        due, provisional = earlier.get(r.uuid, (r.due_date, r.due_provisional))
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
    catalog: Catalog, r: AcceptedCase, due: date, provisional: bool, days: int
) -> DueCase:
    assert r.closing_state is not None
    return DueCase(
        case_no=r.case_no,
        item_no=r.item_no,
        item_name=_item_name(catalog, r.item_no),
        applicant=masked_applicant(r.applicant_kind, r.applicant_name),
        state_label=r.closing_state.label,
        due=due,
        provisional=provisional,
        working_days=days,
    )


def _ratings(
    catalog: Catalog, rows: Sequence[DayEvaluation], names: Mapping[str, str]
) -> dict[str, Any]:
    counts = Counter(r.level for r in rows)
    bad = tuple(
        BadRating(
            case_no=r.case_no,
            item_no=r.item_no,
            item_name=_item_name(catalog, r.item_no),
            applicant=masked_applicant(r.applicant_kind, r.applicant_name),
            level=r.level,
            label=r.level.label,
            comment=mask_digits(r.comment),
            at=r.at,
            recorded_by=r.recorded_by,
            recorded_by_name=names.get(r.recorded_by.casefold(), ""),
            followed_up_on=r.followed_up_at.astimezone(TZ).date() if r.followed_up_at else None,
        )
        for r in rows
        if r.level.is_bad
    )
    ratings = tuple(RatingCount(level, level.label, counts[level]) for level in Rating)
    return {"ratings": ratings, "bad_ratings": bad}


def _chain(store: Store, read: LedgerDay, day: date) -> ChainHead:
    heads = store.chain_heads_at(read.end)
    own = store.get_setting("point_code") or next(iter(heads), "")
    store.keep_checkpoints(heads, "ledger", f"{day.isoformat()} 日结单")
    verified = store.verify(recent_files=False)  # the chains and changed cases; see Store.verify
    seq, digest = heads.get(own, (0, ZERO_HASH))
    return ChainHead(
        seq=seq,
        hash=digest,
        events_on_day=read.events_on_day,
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


def masked_applicant(kind: str, name: str | None) -> str:
    """A person's name masked; a unit's or institution's name as is (not personal data)."""
    if kind != "person":
        return str(name or "")
    return mask_name(name)


def mask_digits(text: str) -> str:
    """Mask every run of six or more digits (an ID or phone number typed into a comment)."""
    return _DIGIT_RUN.sub(lambda m: mask_id(m.group(0)), text)


def _item_name(catalog: Catalog, no: int) -> str:
    try:
        return catalog.item(no).name
    except KeyError:
        return f"（目录中没有事项{no}）"
