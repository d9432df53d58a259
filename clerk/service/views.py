"""Read-only views of cases, as the service hands them to the screens and the CLI.

Personal data arrives here already masked; revealing a full value is a separate, recorded call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (the point choices are read before any catalogue)
    from datetime import date, datetime

    from clerk.domain.catalog import Item, Material
    from clerk.domain.materials import MaterialCheck
    from clerk.domain.model import Action, CaseState, Channel, Deadline, Rating


@dataclass(frozen=True)
class ItemChoice:
    item: Item
    allowed: bool
    why_not: str = ""


@dataclass(frozen=True)
class MaterialRow:
    material: Material
    check: MaterialCheck | None
    required: bool

    @property
    def ok(self) -> bool:
        return self.check is not None and self.check.status == "ok"


@dataclass(frozen=True)
class EventRow:
    at: datetime
    action: Action
    action_label: str
    actor: str
    reason: str


@dataclass(frozen=True)
class DocumentRow:
    uuid: str
    kind: str
    kind_label: str
    doc_no: str
    path_pdf: str
    path_txt: str
    issued_at: datetime


@dataclass(frozen=True)
class CaseSummary:
    uuid: str
    case_no: str
    item_no: int
    item_name: str
    state: CaseState
    state_label: str
    applicant_name_masked: str
    received_at: datetime
    due: date | None
    due_provisional: bool
    overdue: bool
    deemed_accepted: bool
    hand_in_by: date | None = None  # 待补正: the last day to hand in what the notice names


@dataclass(frozen=True)
class PriorCase:
    """A case with the same ID number the clerk sees before opening a new one, and why (Chinese)."""

    summary: CaseSummary
    why: str


@dataclass(frozen=True)
class CaseView:
    uuid: str
    case_no: str
    item: Item
    state: CaseState
    channel: Channel
    applicant_kind: str
    applicant_name_masked: str
    applicant_id_type: str
    applicant_id_masked: str
    phone_masked: str
    agent: str
    circumstances: frozenset[str]
    received_at: datetime
    accepted_at: datetime | None
    deadline: Deadline | None
    remaining_working_days: int | None
    overdue: bool
    deemed_accepted: bool
    materials: list[MaterialRow]
    missing: list[tuple[Material, str]]
    events: list[EventRow]
    documents: list[DocumentRow]
    rating: Rating | None
    allowed: list[Action]
    amount_fen: int | None = None
    version: int = 0
    rating_comment: str = ""  # the complaint with a 差评 (long digit runs masked)
    follow_up: str = ""  # 回访 recorded for it
    bank_account_masked: str = ""

    @property
    def state_label(self) -> str:
        return self.state.label


@dataclass(frozen=True)
class Queues:
    today: list[CaseSummary] = field(default_factory=list)
    my_review: list[CaseSummary] = field(default_factory=list)
    due_soon: list[CaseSummary] = field(default_factory=list)
    overdue: list[CaseSummary] = field(default_factory=list)
    awaiting_supplement: list[CaseSummary] = field(default_factory=list)
    awaiting_payment: list[CaseSummary] = field(default_factory=list)
    unfinished: list[CaseSummary] = field(
        default_factory=list
    )  # left in 收件 (Esc on the checklist)
    bad_ratings: list[CaseSummary] = field(default_factory=list)  # 差评 awaiting 回访

    @property
    def counts(self) -> dict[str, int]:
        return {
            "today": len(self.today),
            "my_review": len(self.my_review),
            "due_soon": len(self.due_soon),
            "overdue": len(self.overdue),
            "awaiting_supplement": len(self.awaiting_supplement),
            "awaiting_payment": len(self.awaiting_payment),
            "unfinished": len(self.unfinished),
            "bad_ratings": len(self.bad_ratings),
        }
