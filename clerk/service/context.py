"""`DeskContext`: what every desk of the window service shares, passed explicitly.

The store (the port `clerk.ports.store.Store`), the catalogue, the offices, the clock, the work
calendar, the office settings and the document issuer, plus the reads every desk needs about this
installation (its point, its office, today). `Owners` is the ownership check the read side and the
deciding steps are given (the sync desk's `Ownership` provides it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from clerk.domain.accounts import User
from clerk.domain.clock import TZ, Clock
from clerk.domain.model import Role
from clerk.domain.offices import POINT_KINDS, City, Office, Offices, ServicePoint
from clerk.ports.setting_keys import SETTING_POINT as SETTING_POINT
from clerk.service.errors import ActorRevokedError, ServiceError
from clerk.service.point_choice import PointChoice

if TYPE_CHECKING:
    from clerk.documents.issue import DocumentIssuer
    from clerk.domain.catalog import Catalog
    from clerk.domain.workdays import WorkCalendar
    from clerk.domain.workflow import OfficeSettings
    from clerk.ports.records import CaseRecord
    from clerk.ports.store import Store

# The kind of point that imports a college's roster (表6).
ROSTER_POINT_KIND = "college"


def declared_points(store: Store) -> list[ServicePoint]:
    """The service points declared on this machine (not in offices.json)."""
    return [ServicePoint(p.code, p.name, p.kind, p.office_code) for p in store.points()]


CITY_LABEL = "市级医保监督"
CITY_READ_ONLY = (
    "本机为市级医保监督，只能查看各县区的办件和统计，不能办理或作出决定；"
    "办件由所属县区经办机构办理。"
)


def point_choice(p: Office | ServicePoint | City) -> PointChoice:
    kind = p.kind
    name = p.name if isinstance(p, ServicePoint) else f"{p.area}　{p.name}"
    label = CITY_LABEL if isinstance(p, City) else POINT_KINDS[kind]
    return PointChoice(
        code=p.code, name=name, kind=kind, kind_label=label, office_code=p.office_code
    )


@dataclass(frozen=True)
class SystemActor:
    """The actor recorded for maintenance done from the command line or by the machine itself
    (`clerk user add`, `clerk holidays install`): it holds the file, so it acts as an administrator."""

    login: str
    name: str = "系统维护"
    role: str = Role.ADMIN


class Owners(Protocol):
    """Which cases this installation owns (`clerk.service.ownership.Ownership`)."""

    def check_owner(self, row: CaseRecord) -> None: ...
    def moves_here(self, row: CaseRecord) -> bool: ...
    def mine(self, rows: list[CaseRecord]) -> list[CaseRecord]: ...
    def queue_point(self) -> str | None: ...


@dataclass(eq=False)
class DeskContext:
    """The shared state of one window service; the `Window`'s attributes read and set it."""

    store: Store
    base_offices: Offices
    clock: Clock
    # The catalogue, the work calendar and the office settings given, or (None) the packaged
    # catalogue, the default calendar and settings, made on first use: the login screen needs
    # none of them. The documents folder (None: the data folder's): its issuer is made on first
    # use, so a command that issues nothing (`clerk report`) loads no document code.
    _catalog: Catalog | None = field(default=None, repr=False)
    _calendar: WorkCalendar | None = field(default=None, repr=False)
    _settings: OfficeSettings | None = field(default=None, repr=False)
    documents_root: Path | None = None
    # Called with the Chinese message when a session's account may no longer act (the app
    # logs that session out); the `ActorRevokedError` is raised all the same.
    on_actor_revoked: Callable[[str], None] | None = None
    _documents: DocumentIssuer | None = field(default=None, repr=False)

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            from clerk.domain.catalog import default_catalog

            self._catalog = default_catalog()
        return self._catalog

    @catalog.setter
    def catalog(self, catalog: Catalog) -> None:
        self._catalog = catalog

    @property
    def calendar(self) -> WorkCalendar:
        if self._calendar is None:
            from clerk.domain.workdays import WorkCalendar

            self._calendar = WorkCalendar.default()
        return self._calendar

    @calendar.setter
    def calendar(self, calendar: WorkCalendar) -> None:
        self._calendar = calendar

    @property
    def settings(self) -> OfficeSettings:
        if self._settings is None:
            from clerk.domain.workflow import OfficeSettings

            self._settings = OfficeSettings()
        return self._settings

    @settings.setter
    def settings(self, settings: OfficeSettings) -> None:
        self._settings = settings

    def needs_setup(self) -> bool:
        """Whether this installation still needs its initial setup (no point, or no account)."""
        return not self.store.get_setting(SETTING_POINT) or not self.store.has_users()

    @property
    def documents(self) -> DocumentIssuer:
        """The document issuer (built on first use)."""
        if self._documents is None:
            from clerk.documents.issue import DocumentIssuer

            self._documents = DocumentIssuer(self.documents_root)
        return self._documents

    @documents.setter
    def documents(self, documents: DocumentIssuer) -> None:
        self._documents = documents

    @property
    def offices(self) -> Offices:
        declared = declared_points(self.store)
        return self.base_offices.with_points(declared) if declared else self.base_offices

    def today(self) -> date:
        return self.clock().astimezone(TZ).date()

    def configured_point(self) -> str | None:
        """This installation's point code, or None before the initial setup."""
        return self.store.get_setting(SETTING_POINT)

    def point(self) -> PointChoice:
        code = self.store.get_setting(SETTING_POINT)
        if not code:
            raise ServiceError("本机尚未设置所属经办机构或服务点，请先完成初始设置。")
        return point_choice(self.offices.point(code))

    def roster_point_problem(self) -> str | None:
        """Why this machine cannot import rosters (Chinese), or None at a college point (asked
        by the app for its key on every screen: no enrolment code is loaded for it)."""
        point = self.point()
        if point.kind != ROSTER_POINT_KIND:
            return (
                f"本机是{point.kind_label}，学生名册（表6）由大中专院校服务点导入。"
                "请在学校的服务点导入，或逐人新建“城乡居民参保登记”办件。"
            )
        return None

    def check_not_city(self) -> None:
        """The city reads the counties' record and decides nothing: refuse any act on a case."""
        code = self.store.get_setting(SETTING_POINT)
        if code and code == getattr(self.base_offices.city, "code", None):
            raise ServiceError(CITY_READ_ONLY)

    def office(self) -> Office:
        return self.offices.office_of(self.point().code)

    def check_session(self, user: User) -> User:
        """The account as stored now, if the session `user` signed in with may still act and read:
        not one deactivated, given another role, or deactivated and reactivated (or its password
        reset by an administrator) since it signed in. Otherwise the app is told (it logs the
        session out) and `ActorRevokedError` is raised."""
        current = self.store.user(user.login)
        problem = ""
        if current is None or not current.active:
            problem = "您的账号已被停用，本次操作没有保存，已退出登录。如有疑问请联系系统管理员。"
        elif current.role != user.role:
            problem = (
                f"您的账号角色已改为“{Role(current.role).label}”，本次操作没有保存，已退出登录。"
                "请重新登录后再办理。"
            )
        elif current.session_epoch != user.session_epoch:
            problem = (
                "您的账号在本次登录后被管理员停用、重新启用或重设了密码，原登录已失效，"
                "本次操作没有保存，已退出登录。请重新登录。"
            )
        if problem:
            if self.on_actor_revoked is not None:
                self.on_actor_revoked(problem)
            raise ActorRevokedError(problem)
        assert current is not None
        return current
