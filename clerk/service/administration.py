"""The administrator's rules for accounts and service points, shared by the window and the CLI.

Free of Textual. `Administration` is a desk of `clerk.service.window.Window`: the initial setup,
accounts and points. The screens call it with the signed-in administrator, the CLI with a
`SystemActor` (whoever can run the command already holds the database file). Both go through the
same checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from clerk.domain.catalog import DataFileError
from clerk.domain.field_limits import POINT_NAME_MAX, USER_NAME_MAX, checked
from clerk.domain.model import Role
from clerk.domain.offices import POINT_KINDS, Office, Offices, ServicePoint
from clerk.domain.text_input import TextInputError
from clerk.service.context import (
    SETTING_POINT,
    DeskContext,
    declared_points,
    point_choice,
)
from clerk.service.context import SystemActor as SystemActor
from clerk.service.errors import ServiceError, limited
from clerk.service.moves import Moves
from clerk.service.point_choice import PointChoice

if TYPE_CHECKING:
    from clerk.domain.accounts import User
    from clerk.ports.store import Store

DECLARABLE_KINDS: tuple[str, ...] = tuple(k for k in POINT_KINDS if k != "county_hall")


def declare_point(
    store: Store, base: Offices, code: str, name: str, kind: str, office: str, actor: str = ""
) -> ServicePoint:
    """Check a new point against every office and point already known, then store it.

    Raises `ServiceError` with a Chinese message that says what to change.
    """
    name = _limited(name, "服务点名称", POINT_NAME_MAX)
    point = ServicePoint(code.strip().upper(), name, kind, office.strip().upper())
    if not point.name:
        raise ServiceError("请填写服务点名称，如“水口山镇政务服务中心”。")
    if kind not in DECLARABLE_KINDS:
        kinds = "、".join(f"{k}（{POINT_KINDS[k]}）" for k in DECLARABLE_KINDS)
        raise ServiceError(f"服务点类型应为 {kinds} 之一。")
    declared = declared_points(store)
    known = base.with_points(declared) if declared else base
    try:
        existing = known.point(point.code)
    except KeyError:
        pass
    else:
        raise ServiceError(f"编码 {point.code} 已被“{existing.name}”使用，请换一个编码。")
    try:
        base.with_points([*declared, point])
    except DataFileError as exc:
        raise ServiceError(f"{exc.problem}。") from None
    store.add_point(point.code, point.name, point.kind, point.office, actor=actor)
    return point


def os_actor() -> str:
    """Who set up a new file, or ran an administrative command without signing in: the
    operating-system account (nobody can sign in to a file that has no administrator yet)."""
    import getpass

    try:
        return f"system:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in this environment
        return "system:unknown"


def _actor_login(actor: Any) -> str:
    """The login recorded as having done an administrative action."""
    return str(getattr(actor, "login", "") or "system:unknown")


def _limited(text: str, label: str, limit: int) -> str:
    try:
        return checked(text, label, limit)
    except TextInputError as exc:
        raise ServiceError(str(exc)) from None


def deactivation_problem(accounts: Sequence[User], actor_login: str, target: User) -> str:
    """Why `target` may not be deactivated by `actor_login` (Chinese), or "" when it may."""
    if target.login.casefold() == actor_login.casefold():
        return "不能停用自己正在使用的账号；请由另一位管理员操作。"
    if target.role == Role.ADMIN and target.active:
        admins = [u for u in accounts if u.role == Role.ADMIN and u.active]
        if len(admins) <= 1:
            return "这是最后一个在用的管理员账号，停用后将无人能管理用户；请先新增另一位管理员。"
    return ""


class Administration:
    """The initial setup, accounts and points for the logged-in administrator (a `Window` desk)."""

    def __init__(self, context: DeskContext, moves: Moves) -> None:
        self.ctx = context
        self.moves = moves

    def setup_choices(self) -> list[PointChoice]:
        offices = self.ctx.offices
        places: list[Office | ServicePoint] = [*offices.offices, *offices.points]
        return [point_choice(p) for p in places]

    def setup(self, point_code: str, admin_login: str, admin_name: str, password: str) -> User:
        store = self.ctx.store
        if store.has_users():
            raise ServiceError("本机已完成初始设置；如需新增用户，请由管理员登录后添加。")
        admin_name = limited(checked, admin_name, "管理员姓名", USER_NAME_MAX)
        try:
            self.ctx.offices.point(point_code)
        except KeyError:
            raise ServiceError(
                f"没有编码为 {point_code} 的经办机构或服务点，请从列表中选择。"
            ) from None
        with self.moves.tx():
            store.set_setting(SETTING_POINT, point_code)
            return store.create_user(
                admin_login, admin_name, Role.ADMIN, password, point_code, actor=os_actor()
            )

    def needs_setup(self) -> bool:
        return self.ctx.needs_setup()

    def _require_admin(self, actor: Any) -> None:
        """The actor as stored now: an account deactivated since it logged in is refused too."""
        if isinstance(actor, SystemActor):
            return
        current = self.ctx.store.user(str(getattr(actor, "login", "")))
        if current is None or current.role != Role.ADMIN or not current.active:
            raise ServiceError("只有系统管理员可以管理用户和服务点，请联系本机管理员。")

    def declared_points(self) -> list[ServicePoint]:
        """The points declared on this machine (not in offices.json)."""
        return declared_points(self.ctx.store)

    def users(self, actor: Any) -> list[User]:
        self._require_admin(actor)
        return self.ctx.store.users()

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
        """A new account, at this installation's point unless `point_code` names another known one;
        raises `UserError` (Chinese) on a bad login or password.

        On a machine whose point is not set yet (the first administrator, made from the CLI),
        `point_code` also becomes this installation's point, in the same transaction.
        """
        self._require_admin(actor)
        name = _limited(name, "用户姓名", USER_NAME_MAX)
        configured = self.ctx.store.get_setting(SETTING_POINT)
        point = point_code or configured
        if not point:
            raise ServiceError("本机尚未设置所属经办机构或服务点，请先完成初始设置。")
        if point != configured and point not in self._known_codes():
            raise ServiceError(
                f"没有编码为 {point} 的经办机构或服务点，请检查编码（clerk point list 可查看）。"
            )
        with self.ctx.store.transaction():
            user = self.ctx.store.create_user(
                login, name, role, password, point, actor=_actor_login(actor)
            )
            self.ctx.store.require_password_change(user.login, True)  # chosen by someone else
            if not configured:
                self.ctx.store.set_setting(SETTING_POINT, point)
        return user

    def _known_codes(self) -> set[str]:
        declared = declared_points(self.ctx.store)
        known = self.ctx.base_offices.with_points(declared) if declared else self.ctx.base_offices
        city = {known.city.code} if known.city is not None else set()
        return {o.code for o in known.offices} | {p.code for p in known.points} | city

    def set_user_active(self, actor: Any, login: str, active: bool) -> User:
        self._require_admin(actor)
        target = self.ctx.store.user(login)
        if target is None:
            raise ServiceError(f"没有登录名为 {login} 的用户。")
        if not active:
            problem = deactivation_problem(self.ctx.store.users(), str(actor.login), target)
            if problem:
                raise ServiceError(problem)
        self.ctx.store.set_active(login, active, actor=_actor_login(actor))
        changed = self.ctx.store.user(login)
        assert changed is not None
        return changed

    def reset_password(self, actor: Any, login: str, password: str) -> None:
        """Set a new password and clear any lockout; raises `PasswordPolicyError` on a weak one."""
        self._require_admin(actor)
        with self.ctx.store.transaction():
            self.ctx.store.set_password(login, password, actor=_actor_login(actor), why="reset")
            self.ctx.store.require_password_change(login, True)  # changed at the next sign-in

    def point_correction_problem(self) -> str:
        """Why this machine's office can no longer be corrected (Chinese), or "" while it can."""
        if not self.ctx.store.chain_heads():
            return ""
        here = self.ctx.store.get_setting(SETTING_POINT)
        return (
            f"本机已登记过办件，不能再更正所属：办件号、文书编号和事件记录都带有 {here}，"
            "改了以后这些记录就对不上了。如果确实装错了服务点，请由信息管理员备份本机数据库后，"
            "在正确的电脑上或用新的数据库文件重新做首次设置；已登记的办件继续在本库中办结。"
        )

    def correct_point(self, actor: Any, code: str) -> None:
        """Make this machine belong to `code` (chosen wrongly at setup); only before any record."""
        self._require_admin(actor)
        problem = self.point_correction_problem()
        if problem:
            raise ServiceError(problem)
        choices = {c.code for c in self.setup_choices()}
        if code not in choices:
            raise ServiceError(f"没有编码为 {code} 的经办机构或服务点，请从列表中选择。")
        old = self.ctx.store.get_setting(SETTING_POINT)
        with self.ctx.store.transaction():
            self.ctx.store.set_setting(SETTING_POINT, code)
            if old:
                self.ctx.store.move_users_to_point(old, code, actor=_actor_login(actor))

    def point_removal_problem(self, code: str) -> str:
        """Why the point `code` cannot be removed (Chinese), or "" when it can: only a point this
        file declared, not this machine's own, and with nothing recorded for it yet."""
        code = code.strip().upper()
        declared = {p.code: p for p in self.declared_points()}
        if code not in declared:
            if code in {p.code for p in self.ctx.base_offices.points} or any(
                o.code == code for o in self.ctx.base_offices.offices
            ):
                return f"{code} 是随程序发布的经办机构或服务点，不能撤销。"
            return f"没有自行登记的服务点 {code}，请用 clerk point list 查看编码。"
        if code == self.ctx.store.get_setting(SETTING_POINT):
            fix = (
                ""
                if self.point_correction_problem()
                else "如装错了服务点，请在服务点界面（Ctrl+O）按 F8 更正本机所属。"
            )
            return f"{code} 是本机所属的服务点，不能撤销。{fix}"
        counts = self.ctx.store.point_records(code)
        labels = {
            "cases": "件办件",
            "events": "条办理记录",
            "bundles": "个同步包",
            "accounts": "个账号",
            "keys": "把登记的同步密钥",
        }
        held = [f"{n} {labels[what]}" for what, n in counts.items() if n]
        if held:
            return (
                f"服务点 {code}“{declared[code].name}”已有记录（{'、'.join(held)}），不能撤销："
                "办件号、文书编号和同步记录都带有这个编码，撤销后就对不上了。"
                "该服务点继续保留；不再使用的，停用其账号即可。"
            )
        return ""

    def remove_point(self, actor: Any, code: str) -> ServicePoint:
        """Remove a point declared by mistake (no record yet); recorded in the administrative
        chain with who did it. Raises `ServiceError` (Chinese) when it cannot be removed."""
        self._require_admin(actor)
        code = code.strip().upper()
        problem = self.point_removal_problem(code)
        if problem:
            raise ServiceError(problem)
        point = next(p for p in self.declared_points() if p.code == code)
        self.ctx.store.remove_point(code, actor=_actor_login(actor))
        return point

    def declare_point(
        self, actor: Any, code: str, name: str, kind: str, office: str
    ) -> ServicePoint:
        """Register a township hall, village centre, college or hospital point.

        Open to an administrator, and to whoever is setting up a new machine (nobody can log in
        before the point exists).
        """
        if not self.needs_setup():
            self._require_admin(actor)
        return declare_point(
            self.ctx.store,
            self.ctx.base_offices,
            code,
            name,
            kind,
            office,
            _actor_login(actor) if actor is not None else os_actor(),
        )
