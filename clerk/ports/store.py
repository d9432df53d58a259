"""`Store`: what the service needs from storage, as a protocol.

`clerk.db.Store` (SQLite) is the one implementation today; sync and, later, a server database
plug in behind the same methods. Everything that crosses this boundary is a typed frozen record
(`clerk.ports.records`, `clerk.domain.accounts.User`) or a plain value.

Errors
------
Every method raises only the neutral errors of `clerk.ports.errors` for what the engine refused
or failed (`BusyError`, `DiskFullError`, `ReadOnlyError`, `DamagedError`, `ConstraintError`,
`ConflictError`, `NotFoundError`, else `StorageError`), plus `ValueError` for a call the port
itself rejects before touching the engine (an instant without offset, a managed column, an
unknown column) and `clerk.domain.chain.PersonalDataError` for personal data in an event. No
engine exception (`sqlite3.Error`, `psycopg.Error`, ...) ever leaves an adapter.

Concurrency contract (every adapter honours it; tests/storage_contract/ checks it)
--------------------------------------------------------------------------------------
1. **Transactions.** `with store.transaction():` is atomic: everything written inside commits
   together when the outermost block exits normally, or nothing does (an exception, or a lost
   connection, rolls the whole of it back). Write methods called outside a block run in a
   transaction of their own. A block nested inside another (same store object) is a
   savepoint: an exception leaving the inner block undoes only the inner block's writes, and
   the outer block may catch it and carry on; nothing is durable, and nothing is visible to
   other stores, until the outermost block commits. A store object is one connection: threads
   sharing it are serialised by it; concurrent writers each open their own store.
2. **Writers of one case are serialised.** Two transactions that write the same case never
   interleave their writes to it: the second waits for the first (a row or table lock), or
   fails with `BusyError` after the engine's lock timeout, leaving nothing written.
3. **Decisions race on the case version.** Every case row carries `version`;
   `update_case(uuid, changes, expected_version)` applies only if the row is still at
   `expected_version` (a compare-and-set in one statement: `UPDATE ... WHERE uuid = ? AND
   version = ?`) and returns the new version; otherwise it raises `ConflictError` (or
   `NotFoundError` when there is no such case) and writes nothing. So of two clerks deciding
   the same case from the same read, exactly one wins and the other is told to refresh.
4. **Per-origin event chains are gap-free and never fork.** `append_event` / `append_events`
   give the new events of an origin the seqs head+1, head+2, ... and link each to the hash
   before it, inside the caller's transaction, in three steps every engine can do:
     a. *lock the origin's chain head* for the rest of the transaction: a server engine takes
        a row lock on the origin's chain-head row (`SELECT seq, hash FROM chain_heads WHERE
        origin = %s FOR UPDATE`, the row inserted on the origin's first event), or
        `LOCK TABLE events IN EXCLUSIVE MODE`; SQLite's `BEGIN IMMEDIATE` already holds the
        database-wide write lock, a superset of that row lock;
     b. read the head (seq, hash) under that lock and chain the new events from it;
     c. insert them (and a server engine moves its chain-head row to the new head).
   A second writer of the same origin blocks at (a) until the first commits or rolls back,
   then reads the head the first left: no two events share a seq and none is skipped.
   The backstop is the storage rule `UNIQUE (origin, seq)` (with `UNIQUE (hash)`, and in
   SQLite the `events_append_at_head` trigger): an adapter that failed to lock would raise
   `ConstraintError` and roll the transaction back instead of forking the chain. A
   transaction rolled back after (c) leaves no trace, so the head goes back with it: seqs
   are taken inside the transaction, never from a sequence object that skips on rollback.
   Writers of *different* origins need not wait for each other (SQLite's lock makes them).
5. **The log is append-only.** No method changes or removes an event; the engine itself
   refuses an UPDATE or DELETE of an event row (trigger, rule or revoked privilege), which an
   adapter reports as `ConstraintError`.
6. **Reads see committed data** (or the caller's own uncommitted writes inside its
   transaction): READ COMMITTED or stronger. A read that must be consistent across several
   statements (verify) runs in one snapshot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from clerk.ports.supervision import FIGURE_PAGE

if TYPE_CHECKING:  # annotations only: the port's records load with the adapter that makes them
    from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
    from contextlib import AbstractContextManager
    from datetime import date, datetime
    from pathlib import Path

    from clerk.domain.accounts import User
    from clerk.domain.clock import Clock
    from clerk.domain.indicators import SupervisedCase
    from clerk.domain.model import Event, Role
    from clerk.ports.action_cases import ActionCase, ActionQuery
    from clerk.ports.ledger import LedgerDay
    from clerk.ports.records import (
        BatchCaseLink,
        BatchMaterial,
        BatchRecord,
        CaseChanges,
        CaseRecord,
        DocumentRecord,
        EvaluationRecord,
        EventRecord,
        MaterialCheckInput,
        MaterialCheckRecord,
        NewBatch,
        NewCase,
        NewDocument,
        NewEvaluation,
        NewMaterialCheck,
        PointRecord,
    )
    from clerk.ports.supervision import FigureCases
    from clerk.ports.sync import SyncStore
    from clerk.ports.verify_report import (
        CaseHistory,
        CheckpointInLog,
        DocumentFiles,
        EngineFindings,
        FilesLook,
        KeptDocument,
        RecentDocument,
        RecentFiles,
        RecordExtent,
        StoredEvent,
        VerifyReport,
        VerifyState,
    )


class RecordReads(Protocol):
    """What the proof of the record (`clerk.audit.proof`) reads, and the one write it makes.

    Every iterator streams (a county file holds a million cases and millions of events: an
    adapter reads them in batches, never all at once) and is read inside `read_snapshot()`.
    """

    def read_snapshot(self) -> AbstractContextManager[None]:
        """One consistent snapshot for the reads inside the block (read only, nothing written)."""
        ...

    def verify_state(self) -> VerifyState: ...
    def record_extent(self) -> RecordExtent: ...
    def missing_protections(self) -> list[str]:
        """The engine's guards of the record (append-only log, change marks) that are missing,
        by name; [] when all are in place."""
        ...

    def origins(self) -> list[str]:
        """The origins whose chains the log holds, in order."""
        ...

    def event_hash_at(self, origin: str, seq: int) -> str | None: ...
    def iter_chain(self, origin: str, after_seq: int = 0) -> Iterator[StoredEvent]:
        """`origin`'s events with seq > `after_seq`, by seq, each in `STORED_COLUMNS` order."""
        ...

    def iter_admin_chain(self) -> Iterator[tuple[Any, ...]]:
        """The administrative chain (`clerk.domain.admin_log`): its events by seq, each in
        `ADMIN_COLUMNS` order (`data` its stored JSON text)."""
        ...

    def accounts(self) -> list[tuple[str, str, str, bool, str]]:
        """Every account as stored: (login, role, point_code, active, password_hash)."""
        ...

    def declared_points(self) -> list[tuple[str, str, str, str]]:
        """Every declared point as stored: (code, name, kind, office_code)."""
        ...

    def checkpoints_in_log(self) -> list[CheckpointInLog]:
        """Every kept chain head, in the order kept, with the log's hash at its seq now."""
        ...

    def change_marks(self) -> list[tuple[str, int]]:
        """(case uuid, mark) of each case marked changed since it was last verified."""
        ...

    def cases_with_events_after(self, last_event: int) -> set[str]:
        """The cases of the events after local event number `last_event`."""
        ...

    def iter_case_histories(self, case_uuids: Iterable[str] | None = None) -> Iterator[CaseHistory]:
        """The histories of these cases (None: of every case, and of every uuid that only events
        name), in uuid order."""
        ...

    def documents_to_check(
        self, case_uuids: Iterable[str] | None = None
    ) -> Iterator[DocumentFiles]:
        """The document rows of these cases (None: every row, in the order recorded)."""
        ...

    def recent_files(self, days: int) -> Iterator[RecentFiles]:
        """The file paths of the documents issued in the `days` before the newest one."""
        ...

    def documents_with_files(self, paths: Collection[str]) -> Iterator[RecentDocument]:
        """The documents one of whose files is among `paths` (the few found missing), in the
        order issued."""
        ...

    def keeps_documents(self) -> bool:
        """Whether the store keeps the documents' bytes itself (`Store.keeps_document_bytes`):
        the proof then checks them in the store (`kept_documents`), not as files on this machine."""
        ...

    def kept_documents(self, case_uuids: Iterable[str] | None = None) -> Iterator[KeptDocument]:
        """The document rows of these cases (None: every row, in the order recorded), each with
        the SHA-256 of the bytes the store keeps under its names (computed by the engine); nothing
        when the store keeps no bytes."""
        ...

    def unrecorded_contents(self) -> Iterator[str]:
        """The names of the document bytes the store keeps that no document row (nor roster
        batch) names, in order; nothing when the store keeps no bytes."""
        ...

    def batch_notice_paths(self) -> Iterator[str]:
        """The files the roster batches' correction notices were written to."""
        ...

    def begin_engine_checks(self, *, quick: bool = False) -> Callable[[], EngineFindings]:
        """Start the engine's own checks (alongside the proof when it can); the callable waits
        for them. `quick`: the quick structural check only."""
        ...

    def remember_verify(
        self,
        heads: Mapping[str, tuple[int, str]],
        marks: Sequence[tuple[str, int]],
        last_event: int,
        at: str,
        files_look: FilesLook | None = None,
    ) -> None:
        """Remember a passed verify: `heads` as verified checkpoints, the change `marks` it saw
        cleared, the event number it reached, the schema it ran on, and `files_look` (what its
        look at the week's document files saw; None: it made none, the one remembered stays)."""
        ...


class Store(Protocol):
    clock: Clock

    def close(self) -> None: ...

    # the store itself
    @property
    def location(self) -> str:
        """Where the store lives, to show a person: a file path, or a URL without password."""
        ...

    def now(self) -> str:
        """The injected clock's instant in stored form (ISO-8601, +08:00)."""
        ...

    def sync_store(self) -> SyncStore:
        """The sync's side of this database (peers' keys, bundles, acknowledgements, conflicts,
        raw records and events), writing inside this store's transactions."""
        ...

    def schema_version(self) -> int:
        """The schema version this store is at (what a sync bundle says it was written by)."""
        ...

    # transactions (see the contract above): atomic; nested blocks are savepoints
    def transaction(self) -> AbstractContextManager[Any]: ...

    @property
    def in_transaction(self) -> bool: ...

    # settings and points
    def get_setting(self, key: str, default: str | None = None) -> str | None: ...
    def set_setting(self, key: str, value: str) -> None: ...
    def points(self) -> list[PointRecord]: ...
    def add_point(
        self, code: str, name: str, kind: str, office_code: str, *, actor: str = ""
    ) -> None:
        """Declare a point; recorded, with `actor`, in the administrative chain."""
        ...

    def record_holidays(
        self, year: int, sha256: str, source: str, issued_at: str, origin: str, *, actor: str = ""
    ) -> None:
        """Record a holiday file installed here in the administrative chain: its year, the
        SHA-256 of its bytes, its `source`, when it was first installed (`issued_at`, at
        `origin`: this installation, or the county office whose return bundle carried it)."""
        ...

    def holiday_records(self) -> list[tuple[int, str, str, str, str, str]]:
        """Every recorded holiday install, oldest first: (year, sha256, source, issued_at,
        origin, recorded_at)."""
        ...

    def point_records(self, code: str) -> dict[str, int]:
        """What this file holds of point `code`: counts of "cases" (its own or collected by it),
        "events", "bundles" (sent to or received from it), "accounts" and "keys" (registered)."""
        ...

    def remove_point(self, code: str, *, actor: str = "") -> None:
        """Remove a declared point; recorded, with `actor`, in the administrative chain. The
        caller checks `point_records` first."""
        ...

    # users
    def create_user(
        self,
        login: str,
        name: str,
        role: Role | str,
        password: str,
        point_code: str,
        *,
        actor: str = "",
    ) -> User:
        """Create an account. Every account change (created, active, password set or reset,
        point moved) is recorded with `actor` in the administrative chain
        (`clerk.domain.admin_log`) in the same transaction; `clerk verify` replays the users
        against it."""
        ...

    def authenticate(self, login: str, password: str) -> User: ...
    def has_users(self) -> bool: ...
    def users(self) -> list[User]: ...
    def user(self, login: str) -> User | None: ...
    def set_password(
        self, login: str, password: str, *, actor: str = "", why: str = "reset"
    ) -> None: ...
    def set_active(self, login: str, active: bool, *, actor: str = "") -> None: ...
    def move_users_to_point(self, old: str, new: str, *, actor: str = "") -> None: ...
    def must_change_password(self, login: str) -> bool: ...
    def require_password_change(self, login: str, required: bool) -> None: ...

    # cases
    def insert_case(self, case: NewCase) -> str: ...
    def update_case(self, uuid: str, changes: CaseChanges, expected_version: int) -> int: ...
    def get_case(self, uuid: str) -> CaseRecord | None: ...
    def get_case_by_no(self, case_no: str) -> CaseRecord | None: ...
    def next_sequence(self, point_code: str, day: date | str) -> int: ...

    # materials, documents, evaluations
    def set_material_checks(
        self, case_uuid: str, checks: Sequence[MaterialCheckInput], point_code: str | None = None
    ) -> None: ...
    def material_checks(self, case_uuid: str) -> list[MaterialCheckRecord]: ...
    def add_document(self, document: NewDocument) -> str: ...
    def documents_for(self, case_uuid: str) -> list[DocumentRecord]: ...
    def document_at(self, path: Path) -> bool: ...

    # where the documents' bytes live (see "Documents" below)
    @property
    def keeps_document_bytes(self) -> bool:
        """Whether this store keeps the documents' bytes itself. False (SQLite): the text and
        PDF are files in this machine's documents folder and the rows record their paths. True (a
        server engine): the rows record names (`YYYY/MM/<number>.pdf`,
        `received/<sender>/<sha256>.pdf`) under which the store keeps the bytes, written with
        `add_document_content` in the transaction that records the document, read back by any
        window with `document_content`; files on a window are only a copy made for printing."""
        ...

    def add_document_content(self, name: str, content: bytes) -> None:
        """Keep `content` under `name`, inside the caller's transaction (stored with the row
        that names it, or not at all). Keeping the same bytes under the same name again does
        nothing; other bytes under a kept name raise `ConstraintError` (a kept document is never
        replaced). A store that keeps no bytes raises `ValueError`."""
        ...

    def document_content(self, name: str) -> bytes | None:
        """The bytes kept under `name` (None: none; always None where the store keeps none)."""
        ...

    def add_evaluation(self, evaluation: NewEvaluation) -> str: ...
    def evaluation_for(self, case_uuid: str) -> EvaluationRecord | None: ...
    def follow_up_evaluation(self, case_uuid: str, text: str, at: datetime | str) -> None: ...

    # the event log
    def append_event(self, event: Event, point_code: str) -> str: ...
    def case_events(self, case_uuid: str) -> list[EventRecord]: ...
    def chain_head(self, origin: str | None = None) -> tuple[int, str]:
        """(seq, hash) of `origin`'s last event (this installation's chain by default); (0, 64
        zeros) for an empty chain. Inside a transaction that appended, the new head."""
        ...

    def chain_heads(self) -> dict[str, tuple[int, str]]: ...
    def chain_heads_at(self, before: datetime | str) -> dict[str, tuple[int, str]]: ...
    def event_hash_at(self, origin: str, seq: int) -> str | None: ...
    def add_checkpoint(
        self, origin: str, seq: int, digest: str, source: str, note: str = ""
    ) -> None:
        """Keep a chain head known to be good (`source`: ledger, ack or verified); a repeat of
        the same (origin, seq, hash, source) is ignored."""
        ...

    def keep_checkpoints(
        self, heads: Mapping[str, tuple[int, str]], source: str, note: str = ""
    ) -> bool: ...
    def record_reads(self) -> RecordReads:
        """What the proof of the record reads (`clerk.audit.proof`), on this store."""
        ...

    def verify(
        self, *, full: bool = False, remember: bool = True, recent_files: bool = True
    ) -> VerifyReport:
        """Prove the record: chains, checkpoints, every (changed) case against its events, the
        documents against their hashes; incremental from the last passed verify unless `full`.
        Every adapter answers with `clerk.audit.proof.verify(self.record_reads(), ...)`."""
        ...

    def engine_checks(self, *, quick: bool = False) -> list[str]:
        """The engine's own consistency checks of its storage (SQLite: integrity_check and
        foreign_key_check; a server engine: what it offers, or [] when it has none to run).
        [] when sound, else the engine's messages."""
        ...

    # queries
    def find_by_credit_code(self, code: str) -> list[CaseRecord]: ...
    def find_by_id_number(self, id_number: str) -> list[CaseRecord]:
        """Cases whose applicant (or unit) ID number is exactly this, newest first."""
        ...

    def search_tails(self, text: str) -> list[CaseRecord]:
        """Cases by the last characters of their number, or the last 6 of the applicant's ID."""
        ...

    def cases_of_items(self, item_nos: list[int]) -> list[CaseRecord]:
        """The newest cases of these items."""
        ...

    def notice_times(self, case_uuids: Sequence[str]) -> dict[str, list[datetime]]: ...
    def search(self, text: str) -> list[CaseRecord]: ...
    def received_on(self, day: date, point_code: str | None = None) -> list[CaseRecord]: ...
    def awaiting_review(self, point_code: str | None = None) -> list[CaseRecord]: ...
    def awaiting_supplement(self, point_code: str | None = None) -> list[CaseRecord]: ...
    def awaiting_payment(self, point_code: str | None = None) -> list[CaseRecord]: ...
    def due_on_or_before(self, day: date, point_code: str | None = None) -> list[CaseRecord]: ...
    def overdue(self, today: date, point_code: str | None = None) -> list[CaseRecord]: ...
    def unfinished(self, point_code: str | None = None) -> list[CaseRecord]: ...
    def bad_ratings_awaiting_follow_up(self, point_code: str | None = None) -> list[CaseRecord]: ...
    def ledger_day(self, day: date, point_code: str | None = None) -> LedgerDay: ...
    def supervised_cases(
        self, first: date, last: date, instant_items: Collection[int] = ()
    ) -> Iterator[SupervisedCase]:
        """The supervision facts (`clerk.domain.indicators`) of every case relevant to the days
        `first`..`last`: received, accepted, finished, refused or rated in them, or open at their
        end; streamed from one snapshot, the state as of the end. `instant_items`: the items the
        catalogue says are instant (the store does not know the catalogue)."""
        ...

    def figure_cases(
        self,
        figure: str,
        period: tuple[date, date],
        place: tuple[int, str, str | None],
        after: tuple[str, str] | None = None,
        limit: int = FIGURE_PAGE,
    ) -> FigureCases:
        """One page of the cases behind a supervision figure (`clerk.ports.supervision`:
        `FIGURE_LABELS` names the figures and what orders them) of `period` = (first, last day)
        at `place` = (item, office, point or None for the whole office), after the key `after`
        a previous page returned; keyset-paged, each page served by an index over its instant."""
        ...

    def action_cases(
        self,
        query: ActionQuery,
        after: tuple[str, str] | None = None,
        limit: int | None = None,
    ) -> Iterator[ActionCase]:
        """The cases on one list that needs action (`clerk.ports.action_cases`: `ActionQuery`
        says which list and its days), oldest received first: `limit` of them after the key
        `after` (`ActionCase.key` of the last one of the page before), or all of them (`limit`
        None) streamed from one snapshot — never held at once."""
        ...

    def action_counts(self, query: ActionQuery) -> dict[str, int]:
        """How many cases the list holds, per office (as the supervision read counts it)."""
        ...

    # roster batches (表6): bulk writes inside one transaction, and the batch records
    def insert_cases(self, cases: Sequence[NewCase]) -> list[str]: ...
    def append_events(self, events: Sequence[Event], point_code: str) -> list[str]: ...
    def add_material_checks(self, checks: Sequence[NewMaterialCheck]) -> None: ...
    def add_documents(self, documents: Sequence[NewDocument]) -> None: ...
    def insert_batch(self, batch: NewBatch, materials: Sequence[BatchMaterial]) -> str: ...
    def link_batch_cases(self, links: Sequence[BatchCaseLink]) -> None: ...
    def next_batch_number(self, point_code: str, day: date) -> int: ...
    def enrolled_ids(self, item_no: int, id_numbers: list[str]) -> dict[str, str]: ...
    def batches_with_sha(self, sha256: str) -> list[BatchRecord]: ...
