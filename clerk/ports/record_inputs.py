"""The store's write inputs (what goes in): frozen records holding typed values (`datetime` with
offset, `date`, `bool`, the domain's enums), turned into stored form by the adapter. The store
manages `version`, `created_at` and `updated_at`, so no input record has them; a `uuid` left out
is a new random one (version 4, as the store has always made them).

Named by `clerk.ports.records` too (loaded from there on first use), where the port's callers have
always imported them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from clerk.domain.model import CaseState, Channel, Rating
from clerk.support.random_ids import random_uuid as random_uuid


@dataclass(frozen=True, kw_only=True)
class NewCase:
    """A new `cases` row (`Store.insert_case`, `Store.insert_cases`). `origin_point` None means
    the case's own point."""

    case_no: str
    point_code: str
    item_no: int
    channel: Channel
    state: CaseState
    applicant_kind: str
    applicant_name: str
    received_at: datetime
    uuid: str = field(default_factory=random_uuid)
    office_code: str | None = None
    origin_point: str | None = None
    id_type: str | None = None
    id_number: str | None = None
    phone: str | None = None
    unit_name: str | None = None
    credit_code: str | None = None
    agent_name: str | None = None
    agent_id_type: str | None = None
    agent_id_number: str | None = None
    bank_account: str | None = None
    circumstances: frozenset[str] = frozenset()
    accepted_at: datetime | None = None
    accepted_by: str | None = None
    due_date: date | None = None
    due_start: date | None = None
    due_provisional: bool = False
    decided_at: datetime | None = None
    closed_at: datetime | None = None
    paid_at: datetime | None = None
    amount_fen: int | None = None
    created_by: str | None = None
    reviewed_by: str | None = None


@dataclass(frozen=True, kw_only=True)
class MaterialCheckInput:
    """How one material of a case was checked (`Store.set_material_checks`)."""

    material_id: str
    status: str
    alternative: str | None = None
    defect: str | None = None


@dataclass(frozen=True, kw_only=True)
class NewMaterialCheck:
    """The first check of one material of a new case (`Store.add_material_checks`)."""

    case_uuid: str
    point_code: str
    material_id: str
    status: str
    alternative: str | None = None
    defect: str | None = None


@dataclass(frozen=True, kw_only=True)
class NewDocument:
    """An issued document to record (`Store.add_document`, `Store.add_documents`)."""

    case_uuid: str
    point_code: str
    kind: str
    issued_at: datetime
    issued_by: str
    uuid: str = field(default_factory=random_uuid)
    doc_no: str | None = None
    path_txt: str | None = None
    path_pdf: str | None = None
    sha256: str | None = None
    sha256_txt: str | None = None  # the text file's (documents issued since SQLite migration 14)
    reprint_of: str | None = None


@dataclass(frozen=True, kw_only=True)
class NewEvaluation:
    """A rating (好差评) to record (`Store.add_evaluation`)."""

    case_uuid: str
    point_code: str
    level: Rating
    at: datetime
    uuid: str = field(default_factory=random_uuid)
    comment: str = ""
    recorded_by: str | None = None


@dataclass(frozen=True, kw_only=True)
class NewBatch:
    """A new `batches` row (`Store.insert_batch`)."""

    batch_no: str
    point_code: str
    item_no: int
    school_name: str
    source_name: str
    source_kind: str
    source_sha256: str
    rows_total: int
    enrolled: int
    first_case_no: str
    last_case_no: str
    received_at: datetime
    created_by: str
    uuid: str = field(default_factory=random_uuid)
    office_code: str | None = None
    to_correct: int = 0
    skipped: int = 0
    receipt_doc_no: str | None = None
    receipt_path_txt: str | None = None
    receipt_path_pdf: str | None = None
    receipt_sha256: str | None = None
    notice_doc_no: str | None = None
    notice_path_txt: str | None = None
    notice_path_pdf: str | None = None
    notice_sha256: str | None = None


@dataclass(frozen=True, kw_only=True)
class BatchMaterial:
    """A material checked for a batch as a whole (`Store.insert_batch`)."""

    material_id: str
    status: str
    checked_by: str
    alternative: str | None = None
    defect: str | None = None


@dataclass(frozen=True, kw_only=True)
class BatchCaseLink:
    """A case's place in its batch and what the roster says beyond the case row
    (`Store.link_batch_cases`)."""

    case_uuid: str
    batch_uuid: str
    point_code: str
    row_no: int
    student_no: str
    class_name: str | None = None
    sex: str | None = None
    birth_date: date | None = None
    domicile: str | None = None
    identity: str | None = None
    subsidy: str | None = None
    note: str | None = None
