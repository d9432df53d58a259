"""`Moves`: the steps every move at the window shares, one collaborator the desks are given.

A move takes the write lock first (`deciding`: `BEGIN IMMEDIATE`, then the actor's account and the
case as they are now), asks the workflow (`decide` for a change of state, after the owner check;
`record` for an action that leaves the state as it is), writes its documents (`issue`, set aside
if the move fails), and stores the events with the columns they set (`commit`) and the document
records (`add_document`), all in one transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clerk.documents import journal
from clerk.documents.issue import IssueContext
from clerk.documents.store import DocumentExistsError, SavedDocument, set_aside
from clerk.domain import field_limits, replay
from clerk.domain.accounts import User
from clerk.domain.case_numbers import new_uuid
from clerk.domain.catalog import Material
from clerk.domain.materials import MaterialCheck
from clerk.domain.model import Action, Event, Role
from clerk.domain.workflow import WorkflowError, decide, record
from clerk.ports.document_names import document_name
from clerk.ports.records import CaseChanges, CaseRecord, MaterialCheckInput, NewDocument
from clerk.service.case_reader import CaseReader
from clerk.service.context import DeskContext, Owners, SystemActor
from clerk.service.errors import ServiceError, limited
from clerk.service.write_errors import file_problem, storage_problem

if TYPE_CHECKING:
    from clerk.ports.store import Store

CHANGED_SINCE_SHOWN = (
    "该办件在您查看之后已被修改（材料核验结果或办理决定有变），本次操作没有保存。"
    "请按 F5 刷新，核对后重新操作。"
)


class Attempt:
    """The document files one attempt at a move has written (set aside if it fails)."""

    def __init__(self) -> None:
        self.written: list[SavedDocument] = []


def set_aside_all(written: Iterable[SavedDocument | Any]) -> bool:
    """Set aside the files of a failed attempt; whether every one could be (if not, its journal
    stays for the next start-up's tidy)."""
    done = True
    for saved in written:
        try:
            set_aside(saved.path_pdf)
        except OSError:
            done = False
    return done


class Moves:
    """The shared steps of a move, on the context, the read side and the owner check."""

    def __init__(self, context: DeskContext, reader: CaseReader, owners: Owners) -> None:
        self.ctx = context
        self.reader = reader
        self.owners = owners

    @contextmanager
    def tx(self, attempt: Attempt | None = None) -> Iterator[None]:
        """One write transaction; storage refusals come back as Chinese `ServiceError`s.

        `attempt` collects the document files this move wrote inside the transaction: when it
        fails they (and only they) are set aside, so the next attempt can issue the same number.
        """
        with journal.attempt() as pending:  # the files it writes, noted before they are
            try:
                with self.ctx.store.transaction():
                    yield
            except BaseException as exc:
                pending.close(remove=set_aside_all(attempt.written if attempt else ()))
                problem = storage_problem(exc)
                if problem is None:
                    raise
                raise ServiceError(problem) from None
            pending.close()  # committed: every file it names is recorded

    @contextmanager
    def deciding(
        self, user: User | SystemActor, case_uuid: str, expected_version: int | None = None
    ) -> Iterator[tuple[User | SystemActor, CaseRecord, Attempt]]:
        """The write lock first, then the actor and the case as they are now.

        Everything a decision reads (the case and its version, its material checks, its events,
        the actor's account) is read after `BEGIN IMMEDIATE`, so two processes deciding the same
        case one after the other each see what the other stored; documents are written inside
        the transaction and recorded in it.
        """
        self.ctx.check_not_city()
        attempt = Attempt()
        with self.tx(attempt):
            actor = self.current_actor(user)
            row = self.reader.row(case_uuid)
            if expected_version is not None and row.version != expected_version:
                raise ServiceError(CHANGED_SINCE_SHOWN)
            yield actor, row, attempt

    def current_actor(self, user: User | SystemActor) -> User | SystemActor:
        """The account as stored now: one deactivated, given another role, reactivated or reset
        since it signed in can no longer act through its open session (`check_session`), and
        one that must still change a password someone else chose may not act yet."""
        if isinstance(user, SystemActor):
            return user
        current = self.ctx.check_session(user)
        if self.ctx.store.must_change_password(current.login):
            raise ServiceError(
                "您的密码是管理员设置的初始密码或重设的密码，请先修改密码（Ctrl+N），再办理业务。"
            )
        return current

    def issue_context(self, row: CaseRecord, actor: User | SystemActor) -> IssueContext:
        """The plain values a document of `row` needs."""
        point = self.ctx.point()
        return IssueContext(
            office=self.ctx.office(),
            point_code=point.code,
            point_name=point.name,
            item=self.ctx.catalog.item(row.item_no),
            case=row,
            issued_on=self.ctx.today(),
            clerk_name=actor.name,
            issued_kinds=tuple(d.kind for d in self.ctx.store.documents_for(row.uuid)),
            issued_at=self.ctx.clock(),
            deemed_from=self.reader.accepted_from_receipt(row),
        )

    def issue(
        self, attempt: Attempt, make: Callable[..., SavedDocument], *args: Any
    ) -> SavedDocument:
        """Save a document for this move (inside its transaction); a full disk or a folder it may
        not write becomes a Chinese `ServiceError`.

        Files under the same number that no record names were left by an attempt that never
        committed (a killed process): we hold the write lock, so no other attempt can be about
        to record them; they are set aside and the document written again. A recorded document
        is never replaced.
        """
        try:
            try:
                saved = make(*args)
            except DocumentExistsError as exc:
                if self.ctx.store.document_at(exc.path):
                    raise ServiceError(f"{exc}请按 F5 刷新后重试。") from None
                set_aside(exc.path)
                saved = make(*args)
        except OSError as err:
            raise ServiceError(file_problem(err)) from None
        attempt.written.append(saved)
        return saved

    def decide(
        self,
        user: User | SystemActor,
        row: CaseRecord,
        action: Action,
        *,
        reason: str = "",
        data: dict[str, Any] | None = None,
    ) -> list[Event]:
        """The events a state-changing action produces, or a Chinese `ServiceError`."""
        self.owners.check_owner(row)
        item = self.ctx.catalog.item(row.item_no)
        events: list[Event] = self._ask(
            decide, user, row, action, reason, data, self.reader.missing(row, item)
        )
        return events

    def record(
        self,
        user: User | SystemActor,
        row: CaseRecord,
        action: Action,
        *,
        reason: str = "",
        data: dict[str, Any] | None = None,
    ) -> Event:
        """The event of an action that leaves the state as it is (rating, reveal, print, ...)."""
        event: Event = self._ask(record, user, row, action, reason, data, [])
        return event

    def _ask(
        self,
        rule: Any,
        user: User | SystemActor,
        row: CaseRecord,
        action: Action,
        reason: str,
        data: dict[str, Any] | None,
        missing: list[tuple[Material, str]],
    ) -> Any:
        facts = self.reader.facts(row, self.ctx.catalog.item(row.item_no), missing)
        reason = limited(field_limits.checked_reason, reason) if reason else reason
        try:
            return rule(
                facts,
                action,
                actor=user.login,
                role=Role(user.role),
                at=self.ctx.clock(),
                reason=reason.strip(),
                data=data,
                settings=self.ctx.settings,
            )
        except WorkflowError as exc:
            raise ServiceError(str(exc)) from None

    def commit(
        self, row: CaseRecord, events: list[Event], documents: Sequence[SavedDocument] = ()
    ) -> None:
        """Store the events and the columns they set (`clerk.domain.replay.changes`) together, so
        the case row is the replay of its events (the caller holds the transaction).

        Each document this move issued is named (kind, number, the SHA-256 of the PDF and of
        the text) in the event that issues its kind (`replay.DOCUMENT_OF`; the first event when
        none does): the chain proves the document records and both files."""
        events = list(events)
        for document in documents:
            at = next(
                (
                    i
                    for i, e in enumerate(events)
                    if replay.DOCUMENT_OF.get(e.action) == document.kind
                ),
                0,
            )
            if events:
                named = [*events[at].data.get("documents", []), *issued([document])]
                events[at] = with_data(events[at], documents=named)
        for event in events:
            self.ctx.store.append_event(event, row.point_code)
        self.ctx.store.update_case(
            row.uuid, CaseChanges(replay.changes(events)), expected_version=row.version
        )

    def add_document(
        self, row: CaseRecord, saved: SavedDocument, actor: User | SystemActor
    ) -> None:
        """Record a document this move issued. Where the store keeps the bytes (a server), the
        row records the files' names and the bytes go to the store in the same transaction: the
        record and its document are stored together or not at all, and every window reaches them
        (the files written here stay as this window's copy for printing)."""
        path_txt, path_pdf = keep_document(self.ctx.store, saved)
        self.ctx.store.add_document(
            NewDocument(
                uuid=new_uuid(),
                case_uuid=row.uuid,
                point_code=row.point_code,
                kind=str(saved.kind),
                doc_no=saved.doc_no,
                path_txt=path_txt,
                path_pdf=path_pdf,
                sha256=saved.sha256,
                sha256_txt=text_sha256(saved),
                issued_at=self.ctx.clock(),
                issued_by=actor.login,
            )
        )


def keep_document(store: Store, saved: SavedDocument | Any) -> tuple[str, str]:
    """What a document row records of its files: their paths here, or, where the store keeps
    the bytes, their names (`clerk.ports.document_names`), the bytes kept under them now (inside
    the caller's transaction)."""
    if not store.keeps_document_bytes:
        return str(saved.path_txt), str(saved.path_pdf)
    names = []
    for path in (saved.path_txt, saved.path_pdf):
        name = document_name(path)
        try:
            content = Path(path).read_bytes()
        except OSError as err:
            raise ServiceError(file_problem(err)) from None
        store.add_document_content(name, content)
        names.append(name)
    return names[0], names[1]


def with_data(event: Event, **extra: Any) -> Event:
    """`event` with more data (what the workflow decided, plus what the record proves)."""
    return replace(event, data={**event.data, **extra})


def text_sha256(saved: SavedDocument) -> str | None:
    """The SHA-256 of a saved document's text file (None when it has none)."""
    try:
        return hashlib.sha256(Path(saved.path_txt).read_bytes()).hexdigest()
    except (OSError, TypeError):
        return None


def issued(documents: Sequence[SavedDocument]) -> list[dict[str, Any]]:
    """What a move's event records of the documents it issued."""
    return [
        replay.document_facts(str(d.kind), d.doc_no, d.sha256, text_sha256(d)) for d in documents
    ]


def material_inputs(checks: list[MaterialCheck]) -> list[MaterialCheckInput]:
    """Validated checks (`clerk.domain.materials.check_rows`) as the store takes them."""
    return [
        MaterialCheckInput(
            material_id=c.material_id, status=c.status, alternative=c.alternative, defect=c.defect
        )
        for c in checks
    ]
