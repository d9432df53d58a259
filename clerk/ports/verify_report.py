"""What `Store.verify()` answers: a typed, frozen report of the proof of the record; and the
typed rows the proof reads through the port (`clerk.ports.store.RecordReads`).

The attributes carry the names the callers have always read (`ok`, `mode`, `chains`, ...).
Until every caller reads attributes, the report also reads as the mapping it used to be
(`report["ok"]`, `report.get("problem")`, `{**report}`): `as_dict()` is that mapping, key for
key, and what `clerk verify --json` prints.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# ---------------------------------------------------------------------- what the proof reads

# An event as stored, in `clerk.domain.chain.STORED_COLUMNS` order (`data` its stored canonical
# JSON text): what `RecordReads.iter_chain` yields and `clerk.domain.chain.spliced_hash` hashes.
StoredEvent = tuple[Any, ...]

# What the replay reads of a case's event, in this order (`data` the stored text, or a mapping
# from an engine that stores JSON natively; `case_uuid` first, so an adapter can hand on the rows
# of a query grouped by case as they come).
HISTORY_EVENT_COLUMNS = (
    "case_uuid",
    "action",
    "actor",
    "at",
    "to_state",
    "data",
    "format",
    "from_state",
    "origin",
    "reason",
)
HistoryEvent = tuple[Any, ...]

# A case's material check: (material_id, status, alternative, defect).
MaterialRow = tuple[str, str, str | None, str | None]
# A case's rating: (level, comment, at, follow_up, followed_up_at), in the order rated.
EvaluationRow = tuple[str, str, str, str | None, str | None]
# A case's document record: (kind, doc_no, sha256, sha256_txt).
DocumentRow = tuple[str, str | None, str | None, str | None]
# A document row to check against its files: (doc_no, path_txt, path_pdf, sha256, case_no,
# sha256_txt).
DocumentFiles = tuple[str, str | None, str | None, str | None, str | None, str | None]
# A recent document's files: (path_txt, path_pdf), nothing else (a county's week is tens of
# thousands of rows); the documents of the files found missing are looked up after.
RecentFiles = tuple[str | None, str | None]
# A document named by one of its files: (case_uuid, doc_no, path_txt, path_pdf).
RecentDocument = tuple[str, str, str | None, str | None]
# A document row with the SHA-256 of the bytes a store keeps under its names (None: none kept):
# (doc_no, name_txt, name_pdf, sha256, case_no, sha256_txt, kept_txt_sha256, kept_pdf_sha256).
KeptDocument = tuple[
    str, str | None, str | None, str | None, str | None, str | None, str | None, str | None
]


# An incremental verify looks at the files of the documents issued in these last days.
RECENT_DAYS = 8

# A folder holding document files as a verify's look at them found it, stamped before it was
# listed: (path, st_mtime_ns, st_ctime_ns, st_ino). Adding, removing or renaming a file in it
# moves its stamp.
FolderStamp = tuple[str, int, int, int]


@dataclass(frozen=True)
class FilesLook:
    """What the last passed look at the week's document files saw (`clerk.audit.document_check`):
    the record's document extent then (`RecordExtent.documents`) and the stamps of every folder
    holding the week's files. While neither moved, the same look would find the same files.
    `documents` -1: no look to trust (the next one looks again)."""

    documents: int
    folders: tuple[FolderStamp, ...] = ()

    def to_text(self) -> str:
        import json

        return json.dumps({"documents": self.documents, "folders": self.folders})

    @classmethod
    def from_text(cls, text: str | None) -> FilesLook | None:
        """The look `to_text` wrote; None for no text, or text it did not write."""
        if not text:
            return None
        import json

        try:
            raw = json.loads(text)
            folders = tuple((str(p), int(m), int(c), int(i)) for p, m, c, i in raw["folders"])
            return cls(int(raw["documents"]), folders)
        except (ValueError, TypeError, KeyError):
            return None  # not what a verify wrote: the next look looks again


@dataclass(frozen=True)
class VerifyState:
    """Where the last passed verify got to: the local event number it reached (None when the
    store was never verified), whether the storage's schema changed since then, and what the
    last look at the week's document files saw (None: none remembered)."""

    last_event: int | None
    schema_changed: bool
    files_look: FilesLook | None = None


@dataclass(frozen=True)
class RecordExtent:
    """Upper bounds of the record, for progress: the local event number (also where a verify
    that passes reaches), and the case and document rows' highest row numbers."""

    last_event: int
    cases: int
    documents: int


@dataclass(frozen=True)
class CheckpointInLog:
    """A kept chain head with the hash the log holds now under its (origin, seq), None if none."""

    origin: str
    seq: int
    hash: str
    source: str  # ledger | ack | verified
    note: str
    stored_hash: str | None


@dataclass(frozen=True)
class CaseHistory:
    """A case row (the replayed columns, `case_no`, `point_code`, by name; None when the row is
    gone but events name it), its events in log order, and the kinds of its recorded documents."""

    uuid: str
    row: Mapping[str, Any] | None
    events: Sequence[HistoryEvent]
    document_kinds: Sequence[str]
    # What the events prove besides the row (each in the order named, by case):
    materials: Sequence[MaterialRow] = ()
    evaluations: Sequence[EvaluationRow] = ()
    documents: Sequence[DocumentRow] = ()


@dataclass(frozen=True)
class EngineFindings:
    """The engine's own checks of its storage: `integrity` "ok" or the engine's messages,
    `foreign_keys` the rows referring to missing rows, `check` the check's name as shown."""

    integrity: str | list[str]
    foreign_keys: int = 0
    check: str = ""

    @property
    def sound(self) -> bool:
        return self.integrity == "ok"


# ---------------------------------------------------------------------- the report


@dataclass(frozen=True)
class ChainSummary:
    """One origin's chain as a verify walked it."""

    origin: str
    from_seq: int  # the seq walked from (0 = from the beginning)
    walked: int  # events checked by this verify
    seq: int  # the head reached (0 when the chain is empty)
    hash: str | None  # the head's hash
    ok: bool
    broken_at: int | None  # the seq of the first bad link

    def as_dict(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "from_seq": self.from_seq,
            "walked": self.walked,
            "seq": self.seq,
            "hash": self.hash,
            "ok": self.ok,
            "broken_at": self.broken_at,
        }


@dataclass(frozen=True)
class VerifyProblem:
    """One thing a verify found wrong; `message` is Chinese, for the person reading the report."""

    kind: str  # file | integrity | foreign_key | trigger | chain | checkpoint | case | document | orphan
    message: str
    case_no: str | None = None
    column: str | None = None
    origin: str | None = None
    seq: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "message": self.message}
        for name in ("case_no", "column", "origin", "seq"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out


@dataclass(frozen=True)
class VerifyReport(Mapping[str, Any]):
    """The proof of the record, or why a file could not be verified at all (`unverifiable`).

    `integrity` is the engine's own check: "ok", "not checked" (an incremental verify), or its
    messages (a list), or for an unverifiable file the reason (text).
    """

    ok: bool
    mode: str | None  # "full" | "incremental"; None for a file that could not be verified
    integrity: str | list[str]
    chain_ok: bool
    events: int  # events walked
    first_broken: int | None
    head: str | None  # the one chain's head hash, when the file holds one whole chain
    problem: str | None  # the first problems as one Chinese text, None when ok
    escalated: str | None = None  # why an incremental verify became a full one
    foreign_keys: str | None = "ok"  # "ok" | "problems"; None when not verified
    first_broken_origin: str | None = None
    chains: tuple[ChainSummary, ...] = ()
    checkpoints: int = 0
    cases: int = 0
    documents: int = 0
    set_aside_files: int = 0
    problems: tuple[VerifyProblem, ...] = field(default=())
    unverifiable: bool = False  # the file could not be opened or is not a current clerk file
    # the incremental verify's look at the week's document files: the files it looked for (None:
    # no look made), or that none was needed (nothing changed since the last passed look)
    recent_files: int | None = None
    recent_files_unchanged: bool = False

    @classmethod
    def refused(cls, problem: str) -> VerifyReport:
        """The report on a file that could not be verified (missing, unreadable, wrong version)."""
        return cls(
            ok=False,
            mode=None,
            integrity=problem,
            foreign_keys=None,
            chain_ok=False,
            events=0,
            first_broken=None,
            head=None,
            problem=problem,
            problems=(VerifyProblem("file", problem),),
            unverifiable=True,
        )

    def as_dict(self) -> dict[str, Any]:
        """The report as the mapping `Store.verify()` used to return (and `--json` prints)."""
        problems = [p.as_dict() for p in self.problems]
        if self.unverifiable:
            return {
                "ok": self.ok,
                "integrity": self.integrity,
                "foreign_keys": self.foreign_keys,
                "chain_ok": self.chain_ok,
                "events": self.events,
                "first_broken": self.first_broken,
                "head": self.head,
                "problem": self.problem,
                "problems": problems,
            }
        return {
            "ok": self.ok,
            "mode": self.mode,
            "escalated": self.escalated,
            "integrity": self.integrity,
            "foreign_keys": self.foreign_keys,
            "chain_ok": self.chain_ok,
            "events": self.events,
            "first_broken": self.first_broken,
            "first_broken_origin": self.first_broken_origin,
            "head": self.head,
            "chains": [c.as_dict() for c in self.chains],
            "checkpoints": self.checkpoints,
            "cases": self.cases,
            "documents": self.documents,
            "set_aside_files": self.set_aside_files,
            "recent_files": self.recent_files,
            "recent_files_unchanged": self.recent_files_unchanged,
            "problems": problems,
            "problem": self.problem,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VerifyReport:
        """The report a mapping of `as_dict()`'s shape describes (extra keys are ignored)."""
        if isinstance(data, VerifyReport):
            return data
        problems = tuple(
            VerifyProblem(
                p["kind"],
                p["message"],
                p.get("case_no"),
                p.get("column"),
                p.get("origin"),
                p.get("seq"),
            )
            for p in data.get("problems") or ()
        )
        return cls(
            ok=bool(data["ok"]),
            mode=data.get("mode"),
            integrity=data.get("integrity", "ok"),
            chain_ok=bool(data.get("chain_ok")),
            events=int(data.get("events") or 0),
            first_broken=data.get("first_broken"),
            head=data.get("head"),
            problem=data.get("problem"),
            escalated=data.get("escalated"),
            foreign_keys=data.get("foreign_keys"),
            first_broken_origin=data.get("first_broken_origin"),
            chains=tuple(ChainSummary(**c) for c in data.get("chains") or ()),
            checkpoints=int(data.get("checkpoints") or 0),
            cases=int(data.get("cases") or 0),
            documents=int(data.get("documents") or 0)
            if isinstance(data.get("documents", 0), int)
            else 0,
            set_aside_files=int(data.get("set_aside_files") or 0),
            recent_files=data.get("recent_files"),
            recent_files_unchanged=bool(data.get("recent_files_unchanged")),
            problems=problems,
            unverifiable="mode" not in data,
        )

    # ---------------------------------------------------------------- the mapping it used to be

    def __getitem__(self, key: str) -> Any:
        return self.as_dict()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.as_dict())

    def __len__(self) -> int:
        return len(self.as_dict())
