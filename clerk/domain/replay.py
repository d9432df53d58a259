"""A case row is a projection of its events: this module says which column each event sets.

The window stores a decision's events and the case's new columns together; `clerk verify` folds
a case's events again and compares the result with the stored row, so a row changed without an
event (a state set in SQL, a due date or amount edited) is named by case and column. One
definition serves both: the service takes the columns it stores from `changes(events)`, so what is
written is what the replay expects.

Columns the events do not determine (names, ID numbers, phones: personal data never goes into an
event) are not covered here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from clerk.domain.model import Action, CaseState, DocKind

# States in which the service stamps `closed_at`: the case is over for the applicant.
CLOSING_STATES = frozenset({CaseState.CLOSED, CaseState.WITHDRAWN, CaseState.ABANDONED})
DEADLINE_KEYS = ("due", "due_start", "provisional")

# The columns the replay can determine, with the Chinese name `clerk verify` reports.
COLUMN_LABELS: dict[str, str] = {
    "state": "状态",
    "item_no": "事项",
    "channel": "办理渠道",
    "received_at": "收件时间",
    "created_by": "收件人",
    "accepted_at": "受理时间",
    "accepted_by": "受理人",
    "due_date": "办结期限",
    "due_start": "期限起算日",
    "due_provisional": "期限是否暂定",
    "decided_at": "决定时间",
    "reviewed_by": "审核人",
    "closed_at": "办结时间",
    "paid_at": "拨付时间",
    "amount_fen": "拨付金额",
}
INSTANT_COLUMNS = frozenset({"received_at", "accepted_at", "decided_at", "closed_at", "paid_at"})
# Columns added by migration 3: a case decided before it has them empty.
LEGACY_NULLABLE = frozenset({"created_by", "due_start", "reviewed_by", "paid_at"})


# The document the window issues with each move.
DOCUMENT_OF = {
    Action.NOTICE: DocKind.NOTICE,
    Action.ACCEPT: DocKind.ACCEPTANCE,
    Action.REFUSE: DocKind.REFUSAL,
    Action.REJECT: DocKind.REJECTION,
    Action.CLOSE: DocKind.COMPLETION,
}


class ReplayError(ValueError):
    """The events cannot be folded: one starts from a state the case was not in. Chinese message."""


@dataclass(frozen=True)
class ReplayedEvent:
    """What the projection reads of an event (a stored row or a new `clerk.domain.model.Event`)."""

    action: str
    actor: str
    at: str | datetime
    to_state: str
    data: Mapping[str, Any]
    legacy: bool = (
        False  # written before migration 6: its row's instants came from another clock read
    )
    from_state: str | None = None
    origin: str = ""  # the chain it came from (`YZ03:LS01` is written by installation YZ03)
    reason: str = ""


@dataclass
class Projection:
    """The columns a case's events determine, and those whose instants may differ slightly."""

    values: dict[str, Any] = field(default_factory=dict)
    loose: set[str] = field(
        default_factory=set
    )  # instants set by legacy events (compare to the second)
    documents: dict[DocKind, int] = field(
        default_factory=dict
    )  # how many of each kind the moves issued
    events: int = 0
    # The case's owner (its point until a hand-on; see `clerk.sync.ownership`). When set, a move
    # written by another installation is not applied: it waits in the sync conflict queue.
    owner: str | None = None
    skipped: int = 0
    # The material checks the events recorded ({material id: [status, alternative, the
    # SHA-256 of the defect text or None]}), and whether the case's receipt already carried
    # them: a case received before the checks entered the events ("before the proof") has only
    # the ids later events named proven, a later case has its whole set of checks proven.
    materials: dict[str, list[Any]] = field(default_factory=dict)
    materials_whole: bool = False
    # Ratings in order: [at, level, SHA-256 of the comment or None, follow-up text, its time].
    ratings: list[list[Any]] = field(default_factory=list)
    # The documents the moves recorded issuing: {"kind", "no", "pdf", "txt"} (SHA-256s).
    issued: list[dict[str, Any]] = field(default_factory=list)


# Events that record something about a case without moving it.
RECORD_ACTIONS = frozenset(
    {Action.RATE, Action.REVEAL, Action.PRINT, Action.FOLLOW_UP, Action.CHECK}
)


def text_digest(text: str | None) -> str | None:
    """What an event keeps of a free text it proves (a rating's comment, a defect): its
    SHA-256, None for no text. The text itself stays out of the permanent, synced log."""
    if not text:
        return None
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def material_outcome(checks: Iterable[Any]) -> list[list[Any]]:
    """The event data of material checks (objects with material_id, status, alternative,
    defect): [[material id, status, alternative, SHA-256 of the defect text or None], ...].
    A list, not a mapping: a material id (`bank_account`) may be a name the personal-data
    screen refuses as a key."""
    return [
        [c.material_id, str(c.status), c.alternative or None, text_digest(c.defect)] for c in checks
    ]


def document_facts(
    kind: str, doc_no: str | None, pdf: str | None, txt: str | None
) -> dict[str, Any]:
    """What a move's event records of a document it issued (no path: paths differ by machine)."""
    return {"kind": str(kind), "no": doc_no, "pdf": pdf, "txt": txt}


def _fold_records(projection: Projection, action: Action, event: ReplayedEvent) -> None:
    """What an event proves besides the case row: checks, ratings, issued documents."""
    data = event.data
    if "materials" in data and isinstance(data["materials"], list):
        if action is Action.RECEIVE:
            projection.materials_whole = True
        for material_id, *outcome in data["materials"]:
            projection.materials[str(material_id)] = outcome
    if action is Action.RATE:
        at = event.at.isoformat() if isinstance(event.at, datetime) else event.at
        projection.ratings.append([at, data.get("level"), data.get("comment"), None, None])
    elif action is Action.FOLLOW_UP and projection.ratings:
        at = event.at.isoformat() if isinstance(event.at, datetime) else event.at
        latest = max(projection.ratings, key=lambda r: str(r[0]))
        latest[3], latest[4] = event.reason, at
    documents = data.get("documents")
    if isinstance(documents, list):
        projection.issued.extend(dict(d) for d in documents if isinstance(d, Mapping))


def _writer(origin: str) -> str:
    return origin.split(":", 1)[0]


def apply(projection: Projection, event: ReplayedEvent) -> None:
    """Fold one event into the projection; `ReplayError` if it does not follow from the state."""
    values = projection.values
    action = Action(event.action)
    stamped: list[str] = []
    projection.events += 1
    if projection.owner is not None and event.origin and action not in RECORD_ACTIONS:
        writer = _writer(event.origin)
        if action is Action.RESOLVE:
            projection.owner = str(event.data.get("owner") or projection.owner)
        elif writer != projection.owner:
            projection.skipped += 1  # not the owner's move: a conflict, never applied by replay
            return
        elif action is Action.HAND_ON and event.data.get("to"):
            projection.owner = str(event.data["to"])
    _fold_records(projection, action, event)
    before = values.get("state")
    if before is not None and event.from_state is not None and str(event.from_state) != before:
        raise ReplayError(
            f"第 {projection.events} 条事件（{action.label}）从“{_label(event.from_state)}”开始，"
            f"但此前的事件记录表明办件处于“{_label(before)}”：状态被改动而没有相应的事件记录"
        )
    kind = DOCUMENT_OF.get(action)
    if kind is not None:
        projection.documents[kind] = projection.documents.get(kind, 0) + 1

    def stamp(column: str) -> None:
        values[column] = event.at
        stamped.append(column)

    values["state"] = str(event.to_state)
    if action is Action.RECEIVE:
        stamp("received_at")
        values["created_by"] = event.actor
        if "item_no" in event.data:
            values["item_no"] = event.data["item_no"]
        if "channel" in event.data:
            values["channel"] = event.data["channel"]
    elif action is Action.ACCEPT:
        stamp("accepted_at")
        values["accepted_by"] = event.actor
        if "due" in event.data:
            values["due_date"] = event.data["due"]
            values["due_start"] = event.data.get("due_start")
            values["due_provisional"] = int(bool(event.data.get("provisional")))
    elif action is Action.APPROVE and not event.data.get("auto"):
        stamp("decided_at")
        values["reviewed_by"] = event.actor
    elif action in (Action.REFUSE, Action.REJECT):
        stamp("decided_at")
    elif action is Action.PAY:
        stamp("paid_at")
        values["amount_fen"] = event.data.get("amount_fen")
    elif action is Action.RECOMPUTE and "due" in event.data:
        values["due_date"] = event.data["due"]
        values["due_provisional"] = int(bool(event.data.get("provisional")))
    if CaseState(event.to_state) in CLOSING_STATES and "closed_at" not in values:
        stamp("closed_at")
    for column in (*stamped, *(c for c in LEGACY_NULLABLE if c in values)):
        if event.legacy:
            projection.loose.add(column)
        elif column in stamped:
            projection.loose.discard(column)


def _label(state: str) -> str:
    try:
        return CaseState(state).label
    except ValueError:
        return str(state)


def project(events: Iterable[ReplayedEvent]) -> Projection:
    projection = Projection()
    for event in events:
        apply(projection, event)
    return projection


def changes(events: Iterable[Any]) -> dict[str, Any]:
    """The case columns a decision's new events set (`clerk.domain.model.Event`s, in order).

    The service stores exactly these, so the stored row is the replay of its events.
    """
    projection = Projection()
    for e in events:
        at = e.at.isoformat() if isinstance(e.at, datetime) else e.at
        apply(projection, ReplayedEvent(str(e.action), e.actor, at, str(e.to_state), e.data))
    return projection.values
