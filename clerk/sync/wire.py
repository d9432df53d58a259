"""The records a bundle carries, as the bundle format defines them (not as a database stores them).

Format 1 bundles carried raw table rows: the column names of one installation's database were
the protocol. From format 2 each part of a bundle holds records of a fixed shape, listed here
field by field and versioned with the bundle (`clerk.sync.bundle.FORMAT`); this module is the one
place they are mapped from and to the rows of `clerk.ports.sync.SyncStore`. A storage column
added later does not travel until a new format names it; a record of another shape is refused.

Field values are JSON: text, integers, null; instants are ISO 8601 text with offset, as written
by their origin. An event travels exactly as its origin stored it, `data` being the canonical
JSON text its hash covers (see `clerk.domain.chain` and docs/BUNDLE.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from clerk.sync.bundle import FORMAT as BUNDLE_FORMAT
from clerk.sync.bundle import BundleError

FORMAT = BUNDLE_FORMAT  # the record shapes below are those of bundle format 2
READABLE = (1, 2)

CASE = (
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
    "phone",
    "unit_name",
    "credit_code",
    "agent_name",
    "agent_id_type",
    "agent_id_number",
    "bank_account",
    "circumstances",  # JSON text: a list of circumstance codes
    "received_at",
    "accepted_at",
    "accepted_by",
    "due_date",
    "due_provisional",
    "due_start",
    "decided_at",
    "closed_at",
    "amount_fen",
    "reviewed_by",
    "paid_at",
    "created_by",
    "version",
)
MATERIAL_CHECK = (
    "uuid",
    "case_uuid",
    "point_code",
    "material_id",
    "status",
    "alternative",
    "defect",
    "version",
)
DOCUMENT = (
    "uuid",
    "case_uuid",
    "point_code",
    "kind",
    "doc_no",
    "sha256",
    "issued_at",
    "issued_by",
    "reprint_of",
    "version",
    "file_txt",  # SHA-256 of the text file carried as files/<sha256>, or null
    "file_pdf",  # SHA-256 of the PDF carried as files/<sha256>, or null
)
EVALUATION = (
    "uuid",
    "case_uuid",
    "point_code",
    "level",
    "comment",
    "at",
    "follow_up",
    "followed_up_at",
    "recorded_by",
    "version",
)
# An event: every stored field, so the hash chain can be checked and the event stored unchanged.
EVENT = (
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
    "data",  # the canonical JSON text of the event's data object
    "point_code",
    "prev_hash",
    "hash",
    "version",
    "format",  # the event's hash recipe (1 or 2, see clerk.domain.chain)
)
BATCH = (
    "uuid",
    "batch_no",
    "point_code",
    "office_code",
    "item_no",
    "school_name",
    "source_name",
    "source_kind",
    "source_sha256",
    "rows_total",
    "enrolled",
    "to_correct",
    "skipped",
    "first_case_no",
    "last_case_no",
    "receipt_doc_no",
    "receipt_sha256",
    "notice_doc_no",
    "notice_sha256",
    "received_at",
    "created_by",
    "version",
)
BATCH_MATERIAL = (
    "uuid",
    "batch_uuid",
    "point_code",
    "material_id",
    "status",
    "alternative",
    "defect",
    "checked_by",
    "version",
)
BATCH_CASE = (
    "case_uuid",
    "batch_uuid",
    "point_code",
    "row_no",
    "student_no",
    "class_name",
    "sex",
    "birth_date",
    "domicile",
    "identity",
    "subsidy",
    "note",
    "version",
)
# The manifest's acknowledgement of a chain (`acks`: origin -> this) and a chain range (`origins`).
ACK = ("seq", "hash")
ORIGIN_RANGE = ("from_seq", "to_seq", "from_prev", "head")

# Each part of a bundle (`<part>.jsonl`) and the shape of its records in format 2.
SHAPES: dict[str, tuple[str, ...]] = {
    "cases": CASE,
    "case_materials": MATERIAL_CHECK,
    "documents": DOCUMENT,
    "evaluations": EVALUATION,
    "events": EVENT,
    "batches": BATCH,
    "batch_materials": BATCH_MATERIAL,
    "batch_cases": BATCH_CASE,
}
# A record field whose storage field has another name: (part, wire name) -> storage name. None
# today: format 2 took the names the rows had; a storage rename is mapped here, not on the wire.
_STORAGE_NAMES: dict[tuple[str, str], str] = {}


def to_wire(part: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """A storage row (with a document's `file_txt`/`file_pdf` filled in) as a format-2 record."""
    if not _STORAGE_NAMES:  # every wire name is its storage name
        return {name: row[name] for name in SHAPES[part]}
    return {name: row[_STORAGE_NAMES.get((part, name), name)] for name in SHAPES[part]}


def records_to_wire(records: Mapping[str, Iterable[Mapping[str, Any]]]) -> dict[str, list[Any]]:
    return {part: [to_wire(part, row) for row in rows] for part, rows in records.items()}


def rows_from(
    format: int, records: Mapping[str, list[dict[str, Any]]]
) -> dict[str, list[dict[str, Any]]]:
    """A checked bundle's records as storage rows; a format-2 record of another shape is refused.

    Format 1 records are the sender's rows already (its columns, less the local ones).
    """
    if format == 1:
        return dict(records)
    if format != FORMAT:
        raise BundleError("newer_format", "这个上报包是新版本 clerk 写的，请先升级本机的 clerk。")
    rows: dict[str, list[dict[str, Any]]] = {}
    for part, found in records.items():
        shape = SHAPES.get(part)
        if shape is None:
            raise BundleError("bad_part", f"上报包中有不认识的记录 {part}，请让对方重新导出。")
        expected = frozenset(shape)
        for record in found:
            if record.keys() != expected:
                raise BundleError(
                    "bad_part",
                    f"上报包中的 {part} 记录字段与格式 {format} 不符，请让对方重新导出。",
                )
        if _STORAGE_NAMES:
            found = [
                {_STORAGE_NAMES.get((part, k), k): v for k, v in record.items()} for record in found
            ]
        rows[part] = found
    return rows


_FROZEN_SHAPES = {part: frozenset(shape) for part, shape in SHAPES.items()}


def storage_row(format: int, part: str, record: Any) -> dict[str, Any]:
    """One record of a checked bundle's part as a storage row (`rows_from`, one at a time)."""
    if format == 1:
        if not isinstance(record, dict):
            raise BundleError("bad_part", f"上报包中的 {part} 记录无法读取，请让对方重新导出。")
        return record
    if format != FORMAT:
        raise BundleError("newer_format", "这个上报包是新版本 clerk 写的，请先升级本机的 clerk。")
    shape = _FROZEN_SHAPES.get(part)
    if shape is None:
        raise BundleError("bad_part", f"上报包中有不认识的记录 {part}，请让对方重新导出。")
    if not isinstance(record, dict) or record.keys() != shape:
        raise BundleError(
            "bad_part", f"上报包中的 {part} 记录字段与格式 {format} 不符，请让对方重新导出。"
        )
    if _STORAGE_NAMES:
        return {_STORAGE_NAMES.get((part, str(k)), str(k)): v for k, v in record.items()}
    return record
