"""How values are stored: instants in Beijing time with offset, dates as ISO text, JSON as text."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from enum import Enum
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from clerk.domain import chain
from clerk.domain.model import Action, CaseState, Channel, Rating
from clerk.ports.instants import instant as instant

if TYPE_CHECKING:  # loaded from here when first named (`__getattr__` below)
    pass

# Columns holding instants (normalized to Beijing time with offset) and calendar dates.
_INSTANTS = frozenset(
    {
        "received_at",
        "accepted_at",
        "decided_at",
        "closed_at",
        "paid_at",
        "issued_at",
        "at",
        "followed_up_at",
    }
)
_DATES = frozenset({"due_date", "due_start", "birth_date"})
MANAGED = frozenset({"version", "created_at", "updated_at"})


def normalize(row: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if value is not None and key in _INSTANTS:
            value = instant(value)
        elif isinstance(value, date) and key in _DATES:
            value = value.isoformat()
        elif key == "circumstances" and not isinstance(value, str) and value is not None:
            value = chain.canonical_json(
                sorted(value) if isinstance(value, set | frozenset) else value
            )
        elif isinstance(value, bool):
            value = int(value)
        elif isinstance(value, Enum):
            value = value.value
        out[key] = value
    return out


# ---------------------------------------------------------------------- typed records
#
# What crosses the storage boundary: frozen dataclasses, decoded here and nowhere else (JSON
# columns become lists/dicts, instants `datetime`, calendar dates `date`, 0/1 columns `bool`).


def _instant_or_none(value: Any) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None


def _date_or_none(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def _json(value: Any, default: Any) -> Any:
    if value is None or value == "":
        return default
    return json.loads(value) if isinstance(value, str | bytes) else value


def _decode_case_columns(columns: Mapping[str, Any]) -> dict[str, Any]:
    """Case column values in stored form (ISO text, 0/1, JSON text) as a record holds them."""
    decoded: dict[str, Any] = {}
    for column, value in columns.items():
        if column in _INSTANTS:
            value = value if isinstance(value, datetime) else _instant_or_none(value)
        elif column in _DATES:
            value = value if isinstance(value, date) else _date_or_none(value)
        elif column == "due_provisional":
            value = bool(value)
        elif column == "state":
            value = CaseState(value)
        elif column == "channel":
            value = Channel(value)
        elif column == "circumstances":
            value = frozenset(_json(value, []))
        decoded[column] = value
    return decoded


@dataclass(frozen=True)
class CaseRecord:
    """A `cases` row. Personal fields are the stored values: mask them before showing."""

    uuid: str
    case_no: str
    point_code: str
    office_code: str | None
    origin_point: str
    item_no: int
    channel: Channel
    state: CaseState
    applicant_kind: str
    applicant_name: str
    id_type: str | None
    id_number: str | None
    phone: str | None
    unit_name: str | None
    credit_code: str | None
    agent_name: str | None
    agent_id_type: str | None
    agent_id_number: str | None
    bank_account: str | None
    circumstances: frozenset[str]
    received_at: datetime
    accepted_at: datetime | None
    accepted_by: str | None
    due_date: date | None
    due_start: date | None
    due_provisional: bool
    decided_at: datetime | None
    closed_at: datetime | None
    paid_at: datetime | None
    amount_fen: int | None
    created_by: str | None
    reviewed_by: str | None
    version: int
    created_at: datetime
    updated_at: datetime

    def with_changes(self, changes: Mapping[str, Any]) -> CaseRecord:
        """This case with `changes` (stored-form column values, e.g. `clerk.domain.replay.changes`)."""
        return replace(self, **_decode_case_columns(changes))

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> CaseRecord:
        return cls(
            uuid=row["uuid"],
            case_no=row["case_no"],
            point_code=row["point_code"],
            office_code=row.get("office_code"),
            origin_point=row.get("origin_point") or row["point_code"],
            item_no=int(row["item_no"]),
            channel=Channel(row["channel"]),
            state=CaseState(row["state"]),
            applicant_kind=row["applicant_kind"],
            applicant_name=row["applicant_name"],
            id_type=row.get("id_type"),
            id_number=row.get("id_number"),
            phone=row.get("phone"),
            unit_name=row.get("unit_name"),
            credit_code=row.get("credit_code"),
            agent_name=row.get("agent_name"),
            agent_id_type=row.get("agent_id_type"),
            agent_id_number=row.get("agent_id_number"),
            bank_account=row.get("bank_account"),
            circumstances=frozenset(_json(row.get("circumstances"), [])),
            received_at=datetime.fromisoformat(row["received_at"]),
            accepted_at=_instant_or_none(row.get("accepted_at")),
            accepted_by=row.get("accepted_by"),
            due_date=_date_or_none(row.get("due_date")),
            due_start=_date_or_none(row.get("due_start")),
            due_provisional=bool(row.get("due_provisional")),
            decided_at=_instant_or_none(row.get("decided_at")),
            closed_at=_instant_or_none(row.get("closed_at")),
            paid_at=_instant_or_none(row.get("paid_at")),
            amount_fen=int(row["amount_fen"]) if row.get("amount_fen") is not None else None,
            created_by=row.get("created_by"),
            reviewed_by=row.get("reviewed_by"),
            version=int(row["version"]),
            created_at=datetime.fromisoformat(row["created_at"]),
            updated_at=datetime.fromisoformat(row["updated_at"]),
        )


_CASE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(CaseRecord))
_CASE_REQUIRED = frozenset(
    {
        "uuid",
        "case_no",
        "point_code",
        "item_no",
        "channel",
        "state",
        "applicant_kind",
        "applicant_name",
        "received_at",
        "version",
        "created_at",
        "updated_at",
    }
)
_OPTIONAL_INSTANTS = ("accepted_at", "decided_at", "closed_at", "paid_at")
_STATES = CaseState._value2member_map_
_CHANNELS = Channel._value2member_map_


@lru_cache(maxsize=512)
def _circumstances(value: Any) -> frozenset[str]:
    return frozenset(_json(value, []))


def _instant_or_none_text(value: Any) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None


# How `CaseRecord.from_row` decodes each column, as an expression over the fetched value `v`.
_CASE_DECODE = {
    "origin_point": "{v} or {point_code}",
    "item_no": "int({v})",
    "channel": "_CHANNELS.get({v}) or Channel({v})",
    "state": "_STATES.get({v}) or CaseState({v})",
    "circumstances": "_circumstances({v}) if {v}.__class__ is str or {v} is None else frozenset(_json({v}, []))",
    "received_at": "_fromiso({v})",
    "created_at": "_fromiso({v})",
    "updated_at": "_fromiso({v})",
    "due_provisional": "bool({v})",
    "amount_fen": "int({v}) if {v} is not None else None",
    "version": "int({v})",
    **{name: "_instant_or_none_text({v})" for name in _OPTIONAL_INSTANTS},
    **{name: "_date_or_none({v})" for name in ("due_date", "due_start")},
}


def case_decoder(columns: Sequence[str]) -> Callable[[Sequence[Any]], CaseRecord]:
    """A function turning one fetched tuple (columns in this order) into the `CaseRecord` that
    `CaseRecord.from_row` builds from the same row as a dict, about four times faster: the queues
    and the search box decode hundreds of rows a call. The function is generated once per column
    list (one dict display, no per-field dataclass init)."""
    index = {name: i for i, name in enumerate(columns)}
    missing = _CASE_REQUIRED - set(index)
    if missing:
        raise KeyError(", ".join(sorted(missing)))

    def value(name: str) -> str:
        return f"r[{index[name]}]" if name in index else "None"

    parts = []
    for name in _CASE_FIELDS:
        template = _CASE_DECODE.get(name, "{v}")
        parts.append(f"{name!r}: " + template.format(v=value(name), point_code=value("point_code")))
    source = (
        "def decode(r):\n"
        "    record = _new(CaseRecord)\n"
        "    record.__dict__.update({" + ", ".join(parts) + "})\n"
        "    return record\n"
    )
    namespace: dict[str, Any] = {
        "_new": object.__new__,
        "CaseRecord": CaseRecord,
        "CaseState": CaseState,
        "Channel": Channel,
        "_STATES": _STATES,
        "_CHANNELS": _CHANNELS,
        "_circumstances": _circumstances,
        "_json": _json,
        "_fromiso": datetime.fromisoformat,
        "_instant_or_none_text": _instant_or_none_text,
        "_date_or_none": _date_or_none,
    }
    exec(compile(source, f"<case_decoder {len(columns)} columns>", "exec"), namespace)
    return namespace["decode"]  # type: ignore[no-any-return]


@dataclass(frozen=True)
class EventRecord:
    """An `events` row; `data` decoded from its canonical JSON."""

    uuid: str
    case_uuid: str
    action: Action
    actor: str
    at: datetime
    from_state: CaseState | None
    to_state: CaseState
    reason: str
    data: Mapping[str, Any]
    point_code: str
    seq: int
    prev_hash: str
    hash: str
    origin: str = ""
    n: int = 0

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> EventRecord:
        return cls(
            uuid=row["uuid"],
            case_uuid=row["case_uuid"],
            action=Action(row["action"]),
            actor=row["actor"],
            at=datetime.fromisoformat(row["at"]),
            from_state=CaseState(row["from_state"]) if row.get("from_state") else None,
            to_state=CaseState(row["to_state"]),
            reason=row.get("reason") or "",
            data=_json(row.get("data"), {}),
            point_code=row["point_code"],
            seq=int(row["seq"]),
            prev_hash=row["prev_hash"],
            hash=row["hash"],
            origin=row.get("origin") or "",
            n=int(row.get("n") or row["seq"]),
        )


@dataclass(frozen=True)
class DocumentRecord:
    """A `documents` row: an issued document and where its files are."""

    uuid: str
    case_uuid: str
    point_code: str
    kind: str
    doc_no: str
    path_txt: str
    path_pdf: str
    sha256: str
    issued_at: datetime
    issued_by: str
    reprint_of: str | None
    version: int

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> DocumentRecord:
        return cls(
            uuid=row["uuid"],
            case_uuid=row["case_uuid"],
            point_code=row["point_code"],
            kind=row["kind"],
            doc_no=row.get("doc_no") or "",
            path_txt=row.get("path_txt") or "",
            path_pdf=row.get("path_pdf") or "",
            sha256=row.get("sha256") or "",
            issued_at=datetime.fromisoformat(row["issued_at"]),
            issued_by=row["issued_by"],
            reprint_of=row.get("reprint_of"),
            version=int(row["version"]),
        )


@dataclass(frozen=True)
class MaterialCheckRecord:
    """A `case_materials` row: how one material of a case was checked."""

    uuid: str
    case_uuid: str
    point_code: str
    material_id: str
    status: str
    alternative: str | None
    defect: str
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> MaterialCheckRecord:
        return cls(
            uuid=row["uuid"],
            case_uuid=row["case_uuid"],
            point_code=row["point_code"],
            material_id=row["material_id"],
            status=row["status"],
            alternative=row.get("alternative"),
            defect=row.get("defect") or "",
            version=int(row["version"]),
            created_at=datetime.fromisoformat(row["created_at"]),
            updated_at=datetime.fromisoformat(row["updated_at"]),
        )


@dataclass(frozen=True)
class EvaluationRecord:
    """An `evaluations` row: a rating (好差评) and its follow-up (回访)."""

    uuid: str
    case_uuid: str
    point_code: str
    level: Rating
    comment: str
    at: datetime
    recorded_by: str | None
    follow_up: str | None
    followed_up_at: datetime | None
    version: int

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> EvaluationRecord:
        return cls(
            uuid=row["uuid"],
            case_uuid=row["case_uuid"],
            point_code=row["point_code"],
            level=Rating(row["level"]),
            comment=row.get("comment") or "",
            at=datetime.fromisoformat(row["at"]),
            recorded_by=row.get("recorded_by"),
            follow_up=row.get("follow_up"),
            followed_up_at=_instant_or_none(row.get("followed_up_at")),
            version=int(row["version"]),
        )


@dataclass(frozen=True)
class PointRecord:
    """A service point declared on this machine."""

    code: str
    name: str
    kind: str
    office_code: str

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> PointRecord:
        return cls(
            code=row["code"], name=row["name"], kind=row["kind"], office_code=row["office_code"]
        )


@dataclass(frozen=True)
class CheckpointRecord:
    """A `checkpoints` row: a chain head known to be good (`source`: ledger, ack or verified)."""

    origin: str
    seq: int
    hash: str
    source: str
    note: str
    recorded_at: datetime

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> CheckpointRecord:
        return cls(
            origin=row["origin"],
            seq=int(row["seq"]),
            hash=row["hash"],
            source=row["source"],
            note=row.get("note") or "",
            recorded_at=datetime.fromisoformat(row["recorded_at"]),
        )


@dataclass(frozen=True)
class BatchRecord:
    """A `batches` row: a roster (表6) enrolled in one go, its counts and its two documents."""

    uuid: str
    batch_no: str
    point_code: str
    office_code: str | None
    item_no: int
    school_name: str
    source_name: str
    source_kind: str
    source_sha256: str
    rows_total: int
    enrolled: int
    to_correct: int
    skipped: int
    first_case_no: str
    last_case_no: str
    receipt_doc_no: str | None
    receipt_path_txt: str | None
    receipt_path_pdf: str | None
    receipt_sha256: str | None
    notice_doc_no: str | None
    notice_path_txt: str | None
    notice_path_pdf: str | None
    notice_sha256: str | None
    received_at: datetime
    created_by: str
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> BatchRecord:
        return cls(
            uuid=row["uuid"],
            batch_no=row["batch_no"],
            point_code=row["point_code"],
            office_code=row.get("office_code"),
            item_no=int(row["item_no"]),
            school_name=row["school_name"],
            source_name=row["source_name"],
            source_kind=row["source_kind"],
            source_sha256=row["source_sha256"],
            rows_total=int(row["rows_total"]),
            enrolled=int(row["enrolled"]),
            to_correct=int(row.get("to_correct") or 0),
            skipped=int(row.get("skipped") or 0),
            first_case_no=row["first_case_no"],
            last_case_no=row["last_case_no"],
            receipt_doc_no=row.get("receipt_doc_no"),
            receipt_path_txt=row.get("receipt_path_txt"),
            receipt_path_pdf=row.get("receipt_path_pdf"),
            receipt_sha256=row.get("receipt_sha256"),
            notice_doc_no=row.get("notice_doc_no"),
            notice_path_txt=row.get("notice_path_txt"),
            notice_path_pdf=row.get("notice_path_pdf"),
            notice_sha256=row.get("notice_sha256"),
            received_at=datetime.fromisoformat(row["received_at"]),
            created_by=row["created_by"],
            version=int(row["version"]),
            created_at=datetime.fromisoformat(row["created_at"]),
            updated_at=datetime.fromisoformat(row["updated_at"]),
        )


# ---------------------------------------------------------------------- what goes in
#
# The write methods' inputs: frozen records holding typed values (`datetime` with offset, `date`,
# `bool`, the domain's enums), turned into stored form by the adapter. The store manages
# `version`, `created_at` and `updated_at`, so no input record has them; a `uuid` left out is a
# new random one (version 4, as the store has always made them).
#
# The input records themselves (`NewCase`, `NewDocument`, ...) are in `clerk.ports.record_inputs`
# and named here too, loaded when first asked for: a command or screen that writes nothing
# (`clerk report`, the login screen, the dashboard) does not build their classes.


# The case columns `update_case` may set: all but the case's identity and the managed ones.
CASE_CHANGEABLE = frozenset(_CASE_FIELDS) - {"uuid", "case_no"} - MANAGED


class CaseChanges(Mapping[str, Any]):
    """What `Store.update_case` sets: {case column: value}, validated against `CASE_CHANGEABLE`
    when made, and frozen.

    A mapping rather than a dataclass on purpose. An update is sparse and `None` is a value
    (a recompute clears `due_start`), so a dataclass would need an "unset" sentinel as the
    default of each of its 30 fields and every reader would filter it out; and the one
    producer of the moving columns, `clerk.domain.replay.changes(events)`, folds events into
    exactly this {column: stored value} shape, which `clerk verify` compares with the row
    column by column. So `CaseChanges(replay.changes(events))` is the whole conversion, and
    the names are checked here, above the port, whatever the engine. Values may be stored-form
    (ISO text, 0/1) or typed (`datetime`, `date`, `bool`, enums); the adapter stores both alike.
    """

    __slots__ = ("_columns",)
    _columns: dict[str, Any]

    def __init__(self, columns: Mapping[str, Any] | None = None, /, **more: Any) -> None:
        merged = {**(columns or {}), **more}
        fixed = sorted(({"uuid", "case_no"} | MANAGED) & set(merged))
        if fixed:
            raise ValueError(f"cannot change {', '.join(fixed)} with update_case")
        unknown = sorted(set(merged) - CASE_CHANGEABLE)
        if unknown:
            raise ValueError(f"unknown column(s) for cases: {', '.join(unknown)}")
        object.__setattr__(self, "_columns", merged)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("CaseChanges is frozen")

    def __getitem__(self, column: str) -> Any:
        return self._columns[column]

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)

    def __repr__(self) -> str:
        return f"CaseChanges({self._columns!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, CaseChanges):
            return self._columns == other._columns
        return NotImplemented

    def __hash__(self) -> int:
        return hash(frozenset(self._columns))

    def decoded(self) -> dict[str, Any]:
        """The values as a `CaseRecord` or `NewCase` holds them (`datetime`, `date`, `bool`,
        enums), e.g. to start a `NewCase` from the columns its events determine."""
        return _decode_case_columns(self._columns)


def columns_of(record: Any) -> dict[str, Any]:
    """An input record's fields as {column: value}, typed values unchanged (`normalize` then
    gives their stored form)."""
    return {f.name: getattr(record, f.name) for f in fields(record)}


# The write inputs, in `clerk.ports.record_inputs`: loaded when first named.
INPUT_NAMES = frozenset(
    {
        "BatchCaseLink",
        "BatchMaterial",
        "MaterialCheckInput",
        "NewBatch",
        "NewCase",
        "NewDocument",
        "NewEvaluation",
        "NewMaterialCheck",
        "random_uuid",
    }
)


def __getattr__(name: str) -> Any:
    if name not in INPUT_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from clerk.ports import record_inputs

    return getattr(record_inputs, name)
