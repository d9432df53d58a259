"""`SyncStore`: everything the end-of-day sync reads and writes, as a protocol.

`clerk.sync` (what to send, what to apply) and `clerk.service.sync_desk` talk to storage only
through this port; `clerk.storage.sqlite.sync.SQLiteSyncStore` is the SQLite implementation, and
the main store hands it out (`HasSyncStore.sync_store()`). Rows cross as plain dicts keyed by the
record's field names (a bundle's format maps them to its own shapes), keys and conflicts as the
typed records below. Every failure is one of the neutral errors of `clerk.ports.errors`, never an
engine's own; a method given a table outside `RECORD_TABLES`/`BATCH_TABLES` raises `ValueError`.

Order: whatever a method returns "in order" is ordered by explicit fields any engine has (an
event's arrival number `n` or its `seq`, a record's time and uuid), never by an engine's row id.

Size: `events_after` and `records_of_cases` (a day's export: tens of thousands of rows) yield their
rows as they read them, `PAGE_ROWS` at a time, never the whole answer at once (issue 25).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from clerk.domain.chain import HASHED_FIELDS

# Tables whose rows travel in a bundle, and the fields that are this file's own business (where a
# document's file lies here, when this file stored the row).
RECORD_TABLES = ("cases", "case_materials", "documents", "evaluations")
# `sha256_txt` is local too: the wire names a document's text by its SHA-256 (`file_txt`), and
# each side records it from there.
LOCAL_COLUMNS = frozenset({"created_at", "updated_at", "path_txt", "path_pdf", "sha256_txt"})
# A roster batch (表6) travels with its cases: written once, never changed. Each table with the
# field that identifies a row; where its files lie is local (the receipt travels as the cases'
# documents; the correction notice stays with the school's point).
BATCH_TABLES = {"batches": "uuid", "batch_materials": "uuid", "batch_cases": "case_uuid"}
BATCH_LOCAL_COLUMNS = frozenset(
    {
        "created_at",
        "updated_at",
        "receipt_path_txt",
        "receipt_path_pdf",
        "notice_path_txt",
        "notice_path_pdf",
    }
)
# The fields of an event as its origin wrote it (what `events_after`, `event_at` return and
# `insert_event(s)` store).
EVENT_COLUMNS = ("origin", *HASHED_FIELDS, "prev_hash", "hash", "version", "format")
# The fields `case_histories` returns: what the ownership fold and the conflict queue read (`n`:
# this file's arrival number).
HISTORY_COLUMNS = (
    "n",
    "origin",
    "seq",
    "case_uuid",
    "action",
    "actor",
    "at",
    "from_state",
    "to_state",
    "data",
    "point_code",
)

Row = dict[str, Any]
PAGE_ROWS = 1000  # rows an iterating read holds at a time


@dataclass(frozen=True)
class PeerKey:
    """A peer's (or the escrow's) registered public keys."""

    id: int
    point_code: str
    role: str  # "peer" | "escrow"
    name: str
    sign_key: str | None
    age_recipient: str
    fingerprint: str
    added_at: str
    revoked_at: str | None
    replaced_by: int | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class Conflict:
    """An entry of the conflict queue (kind: `not_owner`, `content` or `clock`)."""

    id: int
    case_uuid: str
    case_no: str
    kind: str
    peer: str
    origin: str
    seq: int | None
    detail: dict[str, Any]
    bundle_seq: int
    found_at: str
    resolved_at: str | None
    resolved_by: str | None
    resolution: str | None


@dataclass(frozen=True)
class TimeAnomaly:
    """An imported event whose time does not fit (kept, never reordered; `clerk.sync.clocks`
    says it in Chinese): `future`, dated after the receiver's clock (`reference`: the
    receiver's time then), or `backwards`, dated before an event its origin wrote earlier
    (`reference`: that event's time, from this bundle or already held here)."""

    id: int
    origin: str
    seq: int
    case_uuid: str
    at: str  # the event's own time
    kind: str  # "future" | "backwards"
    reference: str
    peer: str  # the bundle's sender
    bundle_seq: int
    found_at: str


class SyncStore(Protocol):
    """The sync's side of one database. Writes join the main store's transaction."""

    # ---------------------------------------------------------------- the installation
    def transaction(self) -> AbstractContextManager[Any]: ...
    # Inside a transaction: wait until no other transaction writes these installations' chains,
    # and keep them until this one ends (two counties relaying one point's first bundle at once).
    def lock_chains(self, installations: Iterable[str]) -> None: ...
    def now(self) -> str: ...  # the store clock's instant, ISO 8601 with offset
    def schema_version(self) -> int: ...  # the database's storage version
    def database_path(self) -> Path | None: ...  # None: in memory (no key folder then)

    # ---------------------------------------------------------------- peers' keys
    def peer_keys(self, *, include_revoked: bool = True) -> list[PeerKey]: ...
    def active_key(self, point_code: str) -> PeerKey | None: ...
    def key_by_fingerprint(self, fingerprint: str) -> PeerKey | None: ...
    def key_by_id(self, key_id: int) -> PeerKey | None: ...
    def escrow_keys(self) -> list[PeerKey]: ...
    def add_key(
        self,
        *,
        point_code: str,
        role: str,
        name: str,
        sign_key: str | None,
        age_recipient: str,
        fingerprint: str,
        at: str,
        replaces: int | None = None,
    ) -> int: ...
    def revoke_key(self, point_code: str, at: str) -> PeerKey | None: ...

    # ---------------------------------------------------------------- bundles written and read
    # A bundle row: direction, peer, seq, hash, prev_hash, manifest (JSON text), file_name, at.
    def last_bundle(self, direction: str, peer: str) -> Row | None: ...
    def bundle(self, direction: str, peer: str, seq: int) -> Row | None: ...
    def bundles(self, direction: str, peer: str | None = None, limit: int = 50) -> list[Row]: ...
    def record_bundle(
        self,
        direction: str,
        peer: str,
        seq: int,
        digest: str,
        prev_hash: str,
        manifest: Mapping[str, Any],
        file_name: str,
        at: str,
    ) -> None: ...

    # ---------------------------------------------------------------- acknowledgements
    def acks(self, peer: str) -> dict[str, tuple[int, str]]: ...
    def set_ack(self, peer: str, origin: str, seq: int, digest: str, at: str) -> None: ...
    def acked_bundle(self, peer: str) -> int: ...
    def set_acked_bundle(self, peer: str, seq: int) -> None: ...
    def add_checkpoint(self, origin: str, seq: int, digest: str, note: str) -> None: ...

    # ---------------------------------------------------------------- the conflict queue
    def add_conflict(
        self,
        *,
        case_uuid: str,
        case_no: str,
        kind: str,
        peer: str,
        origin: str,
        seq: int | None,
        detail: Mapping[str, Any],
        bundle_seq: int,
        at: str,
    ) -> int: ...
    def conflicts(self, *, open_only: bool = True) -> list[Conflict]: ...
    def conflict(self, conflict_id: int) -> Conflict | None: ...
    def resolve_conflict(self, conflict_id: int, resolution: str, by: str, at: str) -> bool: ...

    # ---------------------------------------------------------------- time anomalies found at import
    def add_time_anomaly(
        self,
        *,
        origin: str,
        seq: int,
        case_uuid: str,
        at: str,
        kind: str,
        reference: str,
        peer: str,
        bundle_seq: int,
        found_at: str,
    ) -> None: ...  # once per event: a second report of (origin, seq) is ignored
    def time_anomalies(
        self, *, origin: str | None = None, limit: int = 1000
    ) -> list[TimeAnomaly]: ...  # newest first

    # ---------------------------------------------------------------- records (RECORD_TABLES)
    def record(self, table: str, uuid: str) -> Row | None: ...
    def records_by_uuid(self, table: str, uuids: Iterable[str]) -> dict[str, Row]: ...
    # the rows of the given cases, in `table`'s order, read a page at a time
    def records_of_cases(self, table: str, case_uuids: Iterable[str]) -> Iterator[Row]: ...
    def cases_changed_since(self, point_code: str | None, since: str | None) -> list[str]: ...
    def insert_record(self, table: str, row: Mapping[str, Any], now: str) -> None: ...
    def insert_records(self, table: str, rows: Iterable[Mapping[str, Any]], now: str) -> int: ...
    def replace_record(self, table: str, row: Mapping[str, Any], now: str) -> None: ...

    # ---------------------------------------------------------------- events, one chain per origin
    def heads(self) -> dict[str, tuple[int, str]]: ...
    def head(self, origin: str) -> tuple[int, str] | None: ...
    # one chain's events after `after_seq`, in seq order, read a page at a time
    def events_after(self, origin: str, after_seq: int) -> Iterator[Row]: ...
    def event_at(self, origin: str, seq: int) -> Row | None: ...
    def event_hashes(self, origin: str, first: int, last: int) -> dict[int, str]: ...
    def case_events(self, case_uuid: str) -> list[Row]: ...
    def case_histories(self, case_uuids: Iterable[str]) -> dict[str, list[Row]]: ...
    def owners(self) -> dict[str, str]: ...
    def owners_of(self, case_uuids: Iterable[str]) -> dict[str, str]: ...
    def owner(self, case_uuid: str) -> str | None: ...
    def insert_event(self, row: Mapping[str, Any]) -> int: ...
    def insert_events(self, rows: Iterable[Mapping[str, Any]]) -> int: ...

    # ---------------------------------------------------------------- roster batches (BATCH_TABLES)
    def batch_records_of_cases(self, case_uuids: Iterable[str]) -> dict[str, list[Row]]: ...
    def batch_record(self, table: str, key: str) -> Row | None: ...
    def batch_records_by_key(self, table: str, keys: Iterable[str]) -> dict[str, Row]: ...
    def insert_batch_record(self, table: str, row: Mapping[str, Any], now: str) -> None: ...
    def insert_batch_records(
        self, table: str, rows: Iterable[Mapping[str, Any]], now: str
    ) -> int: ...


class HasSyncStore(Protocol):
    """A main store that hands out its sync store (the SQLite `Store` does)."""

    def sync_store(self) -> SyncStore: ...
