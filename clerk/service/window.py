"""`Window`: the application service the screens and the CLI call, a thin facade over its desks.

It asks the workflow whether a move is allowed, then stores the move, its events and its document
in one transaction. Screens never touch the store or the workflow directly.

The work is done by desks sharing one `DeskContext` (`clerk.service.desks` wires them; see there);
`Window` keeps the one API the screens, the CLI and the tests call, forwarding each method to the
desk that does it, and its attributes (`store`, `clock`, `calendar`, ...) read and set the shared
context. Build one with `clerk.service.compose.open_window` (a database path or URL) or
`build_window` (a store already open).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from types import EllipsisType
from typing import TYPE_CHECKING, Any

from clerk.domain.accounts import AuthError, PasswordPolicyError, User, UserError
from clerk.domain.clock import Clock, system_clock
from clerk.domain.model import Channel
from clerk.service.context import DeskContext, SystemActor
from clerk.service.desks import Desks, wire
from clerk.service.errors import ActorRevokedError, ServiceError

if TYPE_CHECKING:  # annotations only: each desk's module loads when the desk is first used
    from clerk.documents.issue import DocumentIssuer
    from clerk.documents.store import SavedDocument
    from clerk.domain.catalog import Catalog, Condition, Material
    from clerk.domain.indicators import Period
    from clerk.domain.item_search import ItemFinder
    from clerk.domain.materials import MaterialCheck
    from clerk.domain.model import Applicant, CaseState, Event, Rating, Role
    from clerk.domain.notice import NoticeContent
    from clerk.domain.offices import Office, Offices, ServicePoint
    from clerk.domain.workdays import WorkCalendar
    from clerk.domain.workflow import OfficeSettings
    from clerk.ports.records import CaseRecord
    from clerk.ports.store import Store
    from clerk.ports.supervision import FigureCases
    from clerk.roster import RosterCheck
    from clerk.service.accounts import Accounts
    from clerk.service.administration import Administration
    from clerk.service.case_reader import CaseReader
    from clerk.service.decisions import Decisions
    from clerk.service.enrolment import BatchResult, EarlierBatch, Enrolment, Progress
    from clerk.service.holidays import Holidays, Recomputed
    from clerk.service.intake import Intake
    from clerk.service.ledger import Ledger
    from clerk.service.moves import CHANGED_SINCE_SHOWN
    from clerk.service.point_choice import PointChoice
    from clerk.service.review_stages import ReviewStages, StageRow
    from clerk.service.supervision import SupervisionReport, SupervisionTrend
    from clerk.service.supervision_lists import ActionLists, ListedCase
    from clerk.service.sync_desk import (  # the sync records, as the sync desk names them
        BundleFile,
        ConflictRow,
        ExportResult,
        ImportReport,
        Ownership,
        PeerKey,
        SyncDesk,
        SyncStore,
    )
    from clerk.service.views import (
        CaseSummary,
        CaseView,
        ItemChoice,
        PriorCase,
        Queues,
    )
    from clerk.support.progress import Progress as StageProgress
    from clerk.sync import keys, peers

__all__ = [
    "CHANGED_SINCE_SHOWN",
    "ActorRevokedError",
    "AuthError",
    "PasswordPolicyError",
    "Recomputed",
    "ServiceError",
    "SystemActor",
    "User",
    "UserError",
    "Window",
]

# Named here for the screens and the CLI, loaded with the desk that defines them.
_LATER = {
    "CHANGED_SINCE_SHOWN": "clerk.service.moves",
    "Recomputed": "clerk.service.holidays",
}


def __getattr__(name: str) -> Any:
    module = _LATER.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


class Window:
    """The window service: every method forwards to the desk that does it (`self.desks`)."""

    def __init__(
        self,
        store: Store,
        catalog: Catalog | None,
        offices: Offices,
        *,
        clock: Clock = system_clock,
        calendar: WorkCalendar | None = None,
        documents_root: Path | None = None,
        settings: OfficeSettings | None = None,
    ) -> None:
        context = DeskContext(
            store=store,
            base_offices=offices,
            clock=clock,
            _catalog=catalog,
            _calendar=calendar or None,
            _settings=settings or None,
            documents_root=documents_root,
        )
        self.desks: Desks = wire(context)
        self.context = context

    # ------------------------------------------------------------------ the desks, built on first use

    @property
    def _reader(self) -> CaseReader:
        return self.desks.reader

    @property
    def _ownership(self) -> Ownership:
        return self.desks.ownership

    @property
    def _sync(self) -> SyncDesk:
        return self.desks.sync

    @property
    def _accounts(self) -> Accounts:
        return self.desks.accounts

    @property
    def _administration(self) -> Administration:
        return self.desks.administration

    @property
    def _intake(self) -> Intake:
        return self.desks.intake

    @property
    def _decisions(self) -> Decisions:
        return self.desks.decisions

    @property
    def _review(self) -> ReviewStages:
        return self.desks.review

    @property
    def _enrolment(self) -> Enrolment:
        return self.desks.enrolment

    @property
    def _holidays(self) -> Holidays:
        return self.desks.holidays

    # ------------------------------------------------------------------ the shared context

    @property
    def store(self) -> Store:
        return self.context.store

    @store.setter
    def store(self, store: Store) -> None:
        self.context.store = store

    @property
    def catalog(self) -> Catalog:
        return self.context.catalog

    @catalog.setter
    def catalog(self, catalog: Catalog) -> None:
        self.context.catalog = catalog

    @property
    def base_offices(self) -> Offices:
        return self.context.base_offices

    @base_offices.setter
    def base_offices(self, offices: Offices) -> None:
        self.context.base_offices = offices

    @property
    def clock(self) -> Clock:
        return self.context.clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self.context.clock = clock

    @property
    def calendar(self) -> WorkCalendar:
        return self.context.calendar

    @calendar.setter
    def calendar(self, calendar: WorkCalendar) -> None:
        self.context.calendar = calendar

    def read_rules(self) -> None:
        """Read the catalogue and the work calendar now (each is otherwise read when first used):
        raises `DataFileError` for a wrong catalog.json or holiday file."""
        self.context.catalog  # noqa: B018
        self.context.calendar  # noqa: B018

    @property
    def settings(self) -> OfficeSettings:
        return self.context.settings

    @settings.setter
    def settings(self, settings: OfficeSettings) -> None:
        self.context.settings = settings

    @property
    def documents(self) -> DocumentIssuer:
        return self.context.documents

    @documents.setter
    def documents(self, documents: DocumentIssuer) -> None:
        self.context.documents = documents

    @property
    def on_actor_revoked(self) -> Callable[[str], None] | None:
        """Called with the Chinese message when a session's account may no longer act (the app
        logs that session out); the `ActorRevokedError` is raised all the same."""
        return self.context.on_actor_revoked

    @on_actor_revoked.setter
    def on_actor_revoked(self, hook: Callable[[str], None] | None) -> None:
        self.context.on_actor_revoked = hook

    @property
    def offices(self) -> Offices:
        return self.context.offices

    @property
    def finder(self) -> ItemFinder:
        """Built on first search: spelling every item in pinyin takes a noticeable moment."""
        return self._reader.finder

    def today(self) -> date:
        return self.context.today()

    def configured_point(self) -> str | None:
        """This installation's point code, or None before the initial setup."""
        return self.context.configured_point()

    def point(self) -> PointChoice:
        return self.context.point()

    def office(self) -> Office:
        return self.context.office()

    def close(self) -> None:
        """Close the store (the CLI, when its command is done)."""
        self.context.store.close()

    # ------------------------------------------------------------------ setup and sign-in

    def setup_choices(self) -> list[PointChoice]:
        return self._administration.setup_choices()

    def setup(self, point_code: str, admin_login: str, admin_name: str, password: str) -> User:
        return self._administration.setup(point_code, admin_login, admin_name, password)

    def needs_setup(self) -> bool:
        return self.context.needs_setup()

    def login(self, login: str, password: str) -> User:
        return self._accounts.login(login, password)

    def must_change_password(self, user: Any) -> bool:
        return self._accounts.must_change_password(user)

    def change_own_password(self, user: Any, current: str, new: str, confirm: str) -> None:
        self._accounts.change_own_password(user, current, new, confirm)

    # ------------------------------------------------------------------ items and opening a case

    def item_choices(self) -> list[ItemChoice]:
        return self._intake.item_choices()

    def find_items(self, query: str) -> list[ItemChoice]:
        return self._intake.find_items(query)

    def conditions_for(self, item_no: int) -> list[Condition]:
        return self._reader.conditions_for(item_no)

    def required_for(self, item_no: int, circumstances: frozenset[str]) -> list[Material]:
        return self._reader.required_for(item_no, circumstances)

    def open_case(
        self,
        user: User,
        item_no: int,
        applicant: Applicant,
        *,
        channel: Channel = Channel.ON_SITE,
        circumstances: frozenset[str] = frozenset(),
    ) -> CaseView:
        return self._intake.open_case(
            user, item_no, applicant, channel=channel, circumstances=circumstances
        )

    def check_materials(
        self, user: User, case_uuid: str, checks: Mapping[str, MaterialCheck]
    ) -> CaseView:
        return self._intake.check_materials(user, case_uuid, checks)

    def prior_cases(self, item_no: int, applicant: Applicant) -> list[PriorCase]:
        return self._intake.prior_cases(item_no, applicant)

    def still_missing(self, case_uuid: str, checks: Mapping[str, MaterialCheck]) -> list[str]:
        return self._intake.still_missing(case_uuid, checks)

    def supplement(
        self,
        user: User,
        case_uuid: str,
        checks: Mapping[str, MaterialCheck],
        *,
        incomplete: bool = False,
    ) -> CaseView:
        return self._intake.supplement(user, case_uuid, checks, incomplete=incomplete)

    # ------------------------------------------------------------------ decisions

    def preview_notice(self, case_uuid: str) -> NoticeContent:
        return self._decisions.preview_notice(case_uuid)

    def preview_notice_text(self, user: User, case_uuid: str) -> str:
        return self._decisions.preview_notice_text(user, case_uuid)

    def issue_notice(
        self,
        user: User,
        case_uuid: str,
        *,
        override_reason: str = "",
        expected_version: int | None = None,
    ) -> CaseView:
        return self._decisions.issue_notice(
            user, case_uuid, override_reason=override_reason, expected_version=expected_version
        )

    def accept(
        self,
        user: User,
        case_uuid: str,
        *,
        declaration_deadline: date | None = None,
        expected_version: int | None = None,
    ) -> CaseView:
        return self._decisions.accept(
            user,
            case_uuid,
            declaration_deadline=declaration_deadline,
            expected_version=expected_version,
        )

    def preview_refusal_text(
        self, user: User, case_uuid: str, reason: str, *, apply_instead: str = ""
    ) -> str:
        return self._decisions.preview_refusal_text(
            user, case_uuid, reason, apply_instead=apply_instead
        )

    def refuse(
        self,
        user: User,
        case_uuid: str,
        reason: str,
        *,
        apply_instead: str = "",
        expected_version: int | None = None,
    ) -> CaseView:
        return self._decisions.refuse(
            user, case_uuid, reason, apply_instead=apply_instead, expected_version=expected_version
        )

    def approve(
        self, user: User, case_uuid: str, *, opinion: str = "", expected_version: int | None = None
    ) -> CaseView:
        return self._decisions.approve(
            user, case_uuid, opinion=opinion, expected_version=expected_version
        )

    def reject(
        self, user: User, case_uuid: str, reason: str, *, expected_version: int | None = None
    ) -> CaseView:
        return self._decisions.reject(user, case_uuid, reason, expected_version=expected_version)

    def pay(
        self,
        user: User,
        case_uuid: str,
        amount_fen: int,
        reference: str,
        *,
        expected_version: int | None = None,
    ) -> CaseView:
        return self._decisions.pay(
            user, case_uuid, amount_fen, reference, expected_version=expected_version
        )

    def withdraw(self, user: User, case_uuid: str, reason: str) -> CaseView:
        return self._decisions.withdraw(user, case_uuid, reason)

    def abandon(self, user: User, case_uuid: str, reason: str) -> CaseView:
        return self._decisions.abandon(user, case_uuid, reason)

    def rate(self, user: User, case_uuid: str, level: Rating, comment: str = "") -> CaseView:
        return self._decisions.rate(user, case_uuid, level, comment)

    def follow_up(self, user: User, case_uuid: str, text: str) -> CaseView:
        return self._decisions.follow_up(user, case_uuid, text)

    def reveal(self, user: User, case_uuid: str, field: str) -> str:
        return self._decisions.reveal(user, case_uuid, field)

    def reprint(self, user: User, case_uuid: str, document_uuid: str) -> SavedDocument:
        return self._decisions.reprint(user, case_uuid, document_uuid)

    # ------------------------------------------------------------------ holidays

    def record_holiday_install(self, user: Any, year: int) -> None:
        """Record a holiday file installed outside the window (`clerk holidays install`)."""
        self._holidays.record_install(user, year)

    def holiday_proof(self) -> dict[int, str]:
        return self._holidays.proof()

    def install_holidays(
        self, user: User | SystemActor, path: Path
    ) -> tuple[int, list[Recomputed]]:
        return self._holidays.install_holidays(user, path)

    def recompute_deadlines(self, user: User | SystemActor) -> list[Recomputed]:
        return self._holidays.recompute_deadlines(user)

    # ------------------------------------------------------------------ review stages (items 36-37)

    def check_review_materials(
        self, user: User, case_uuid: str, checks: Mapping[str, MaterialCheck]
    ) -> CaseView:
        return self._review.check_review_materials(user, case_uuid, checks)

    def record_stage(self, user: User, case_uuid: str, stage: str) -> CaseView:
        return self._review.record_stage(user, case_uuid, stage)

    def review_stages(self, case_uuid: str) -> list[StageRow]:
        return self._review.review_stages(case_uuid)

    # ------------------------------------------------------------------ reading

    def case(self, case_uuid: str, user: User | None = None) -> CaseView:
        return self._reader.case(case_uuid, user)

    def summary(self, row: CaseRecord) -> CaseSummary:
        return self._reader.summary(row)

    def summaries(self, rows: Sequence[CaseRecord]) -> list[CaseSummary]:
        return self._reader.summaries(rows)

    def queues(self, user: User) -> Queues:
        return self._reader.queues(user)

    def search(self, text: str) -> list[CaseSummary]:
        return self._reader.search(text)

    def daily_ledger(self, day: date) -> Ledger:
        return self._reader.daily_ledger(day)

    def ledger(
        self,
        day: date,
        point_code: str | None = None,
        *,
        today: date | None = None,
        point_name: str | None = None,
    ) -> Ledger:
        from clerk.service.ledger import point_ledger

        return point_ledger(self.context, day, point_code, today=today, point_name=point_name)

    def supervision(
        self,
        period: Period,
        follow_up_days: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> SupervisionReport:
        """The supervision figures of `period` per office, point and item, and in total."""
        return self.desks.supervision.supervision(period, follow_up_days, progress)

    def supervision_trend(
        self,
        year: int,
        month: int,
        months: int | None = None,
        follow_up_days: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> SupervisionTrend:
        """Every supervision figure per office and in total, month by month, up to `year`-`month`
        (`months` None: the supervision desk's `TREND_MONTHS`)."""
        desk = self.desks.supervision
        if months is None:
            from clerk.service.supervision import TREND_MONTHS

            months = TREND_MONTHS
        return desk.supervision_trend(year, month, months, follow_up_days, progress)

    def supervised_figure_cases(
        self,
        figure: str,
        period: Period,
        place: tuple[int, str, str | None],
        after: tuple[str, str] | None = None,
    ) -> FigureCases:
        """One page of the cases behind a figure of `period` at (item, office, point or None)."""
        return self.desks.supervision.figure_cases(figure, period, place, after)

    def action_lists(
        self,
        day: date | None = None,
        follow_up_days: int | None = None,
        *,
        limit: int | None | EllipsisType = ...,
        offset: int = 0,
        overdue_period: Period | None = None,
    ) -> ActionLists:
        """The cases and import findings that need action, as of `day` (default today): each
        list's count per office and one page of its entries (`clerk.service.supervision_lists`;
        `limit` left out: the desk's page, `LIST_ROWS_SHOWN`; None: all)."""
        desk = self.desks.lists
        if isinstance(limit, EllipsisType):
            return desk.action_lists(
                day, follow_up_days, offset=offset, overdue_period=overdue_period
            )
        return desk.action_lists(
            day, follow_up_days, limit=limit, offset=offset, overdue_period=overdue_period
        )

    def listed_cases(
        self,
        found: ActionLists,
        key: str,
        *,
        offset: int = 0,
        limit: int | None = None,
        after: tuple[str, str] | None = None,
    ) -> Iterator[ListedCase]:
        """The entries of one case list of `found`, streamed (all of them when `limit` is None)."""
        return self.desks.lists.listed(found, key, offset=offset, limit=limit, after=after)

    def deemed_from(self, row: CaseRecord) -> date | None:
        return self._reader.deemed_from(row)

    def accepted_from_receipt(self, row: CaseRecord) -> date | None:
        return self._reader.accepted_from_receipt(row)

    # ------------------------------------------------------------------ administration

    def declared_points(self) -> list[ServicePoint]:
        return self._administration.declared_points()

    def users(self, actor: Any) -> list[User]:
        return self._administration.users(actor)

    def add_user(
        self,
        actor: Any,
        login: str,
        name: str,
        role: Role | str,
        password: str,
        *,
        point_code: str | None = None,
    ) -> User:
        return self._administration.add_user(
            actor, login, name, role, password, point_code=point_code
        )

    def set_user_active(self, actor: Any, login: str, active: bool) -> User:
        return self._administration.set_user_active(actor, login, active)

    def reset_password(self, actor: Any, login: str, password: str) -> None:
        self._administration.reset_password(actor, login, password)

    def point_correction_problem(self) -> str:
        return self._administration.point_correction_problem()

    def correct_point(self, actor: Any, code: str) -> None:
        self._administration.correct_point(actor, code)

    def declare_point(
        self, actor: Any, code: str, name: str, kind: str, office: str
    ) -> ServicePoint:
        return self._administration.declare_point(actor, code, name, kind, office)

    def point_removal_problem(self, code: str) -> str:
        return self._administration.point_removal_problem(code)

    def remove_point(self, actor: Any, code: str) -> ServicePoint:
        return self._administration.remove_point(actor, code)

    # ------------------------------------------------------------------ roster enrolment

    def roster_point_problem(self) -> str | None:
        return self.context.roster_point_problem()

    def write_roster_template(self, path: str | Path) -> Path:
        return self._enrolment.write_roster_template(path)

    def check_roster(self, path: str | Path) -> RosterCheck:
        return self._enrolment.check_roster(path)

    def earlier_batches(self, check: RosterCheck) -> list[EarlierBatch]:
        return self._enrolment.earlier_batches(check)

    def enrol_roster(
        self,
        user: User | Any,
        check: RosterCheck,
        *,
        seal_checked: bool,
        accept_valid: bool = False,
        progress: Progress | None = None,
    ) -> BatchResult:
        return self._enrolment.enrol_roster(
            user, check, seal_checked=seal_checked, accept_valid=accept_valid, progress=progress
        )

    # ------------------------------------------------------------------ ownership

    def owner_of(self, row: CaseRecord) -> str:
        return self._ownership.owner_of(row)

    def owns(self, row: CaseRecord) -> bool:
        return self._ownership.owns(row)

    def check_owner(self, row: CaseRecord) -> None:
        self._ownership.check_owner(row)

    def handed_to_me(self) -> list[CaseRecord]:
        return self._ownership.handed_to_me()

    # ------------------------------------------------------------------ sync

    def sync_store(self) -> SyncStore:
        return self._sync.sync_store()

    def me(self) -> peers.Me:
        return self._sync.me()

    def key_dir(self) -> Path:
        return self._sync.key_dir()

    def init_keys(self, passphrase: str | None = None) -> keys.PublicKeys:
        return self._sync.init_keys(passphrase)

    def own_public_keys(self) -> keys.PublicKeys:
        return self._sync.own_public_keys()

    def add_peer_key(self, data: bytes, *, escrow: bool = False, replace: bool = False) -> PeerKey:
        return self._sync.add_peer_key(data, escrow=escrow, replace=replace)

    def peer_keys(self) -> list[PeerKey]:
        return self._sync.peer_keys()

    def revoke_peer_key(self, point_code: str) -> PeerKey:
        return self._sync.revoke_peer_key(point_code)

    def must_collect(self, case_uuid: str) -> bool:
        return self._sync.must_collect(case_uuid)

    def check_may_accept(self, row: CaseRecord) -> None:
        self._sync.check_may_accept(row)

    def collect(self, user: Any, case_uuid: str) -> Any:
        return self._sync.collect(user, case_uuid)

    def hand_on_event(
        self,
        user: Any,
        row: CaseRecord,
        *,
        note: str,
        state: CaseState | None = None,
        to: str | None = None,
    ) -> Event:
        return self._sync.hand_on_event(user, row, note=note, state=state, to=to)

    def notice_hand_back(self, user: Any, row: CaseRecord, events: list[Event]) -> list[Event]:
        return self._sync.notice_hand_back(user, row, events)

    def hand_in_place(self, row: CaseRecord) -> str:
        return self._sync.hand_in_place(row)

    def review_hand_on(self, user: Any, row: CaseRecord, events: list[Event]) -> list[Event]:
        return self._sync.review_hand_on(user, row, events)

    def export_bundle(
        self,
        out_dir: Path,
        *,
        for_point: str | None = None,
        passphrase: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> ExportResult:
        return self._sync.export_bundle(
            out_dir, for_point=for_point, passphrase=passphrase, progress=progress
        )

    def import_bundle(
        self, path: Path, *, passphrase: str | None = None, progress: StageProgress | None = None
    ) -> ImportReport:
        return self._sync.import_bundle(path, passphrase=passphrase, progress=progress)

    def bundles_in(self, folder: Path) -> list[BundleFile]:
        return self._sync.bundles_in(folder)

    def bundle_history(self, limit: int = 20) -> list[dict[str, Any]]:
        return self._sync.bundle_history(limit)

    def peers_to_return(self) -> list[str]:
        return self._sync.peers_to_return()

    def conflicts(self) -> list[ConflictRow]:
        return self._sync.conflicts()

    def time_anomalies(self, limit: int = 200) -> list[str]:
        return self._sync.time_anomalies(limit)

    def resolve_conflict(self, user: Any, conflict_id: int, choice: str) -> None:
        self._sync.resolve_conflict(user, conflict_id, choice)

    def chain_name(self, row: CaseRecord) -> str:
        return self._sync.chain_name(row)
