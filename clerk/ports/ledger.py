"""The daily ledger's reads as typed records: what `Store.ledger_day` returns."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from clerk.domain.model import Action, CaseState, Rating


@dataclass(frozen=True)
class ReceivedCase:
    uuid: str
    case_no: str
    item_no: int
    created_by: str
    closing_state: CaseState  # the state at the close (the current state if no event before it)


@dataclass(frozen=True)
class DayEvent:
    action: Action
    actor: str
    auto: bool  # made automatically (its data has "auto": true), e.g. 即时办结's approve and close


def made_automatically(data: Any) -> bool:
    """Whether an event's stored data (JSON text, or already decoded) marks it automatic. Only
    text that names "auto" is decoded: a county's day has ten thousand events, few of them
    automatic, and the ledger reads nothing else of their data."""
    if isinstance(data, str):
        if '"auto"' not in data:
            return False
        try:
            data = json.loads(data)
        except ValueError:
            return False
    return isinstance(data, dict) and bool(data.get("auto"))


@dataclass(frozen=True)
class AcceptedCase:
    uuid: str
    case_no: str
    item_no: int
    applicant_kind: str
    applicant_name: str
    due_date: date
    due_provisional: bool
    closing_state: CaseState | None


@dataclass(frozen=True)
class Recomputation:
    case_uuid: str
    data: Mapping[str, Any]


@dataclass(frozen=True)
class DayEvaluation:
    level: Rating
    comment: str
    at: datetime
    recorded_by: str
    followed_up_at: datetime | None
    case_no: str
    item_no: int
    applicant_kind: str
    applicant_name: str


@dataclass(frozen=True)
class LedgerDay:
    received: tuple[ReceivedCase, ...]
    events: tuple[DayEvent, ...]
    accepted: tuple[AcceptedCase, ...]
    recomputed_after: tuple[Recomputation, ...]
    evaluations: tuple[DayEvaluation, ...]
    user_names: Mapping[str, str]  # casefolded login -> name
    events_on_day: int
    end: str  # the close: the first instant after the day (ISO date of the next day)
