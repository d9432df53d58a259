"""Accounts and service points: only an administrator manages them, and never into a dead end."""

from __future__ import annotations

from pathlib import Path

import pytest

from clerk.db import AuthError, PasswordPolicyError, Store, UserError
from clerk.domain.catalog import default_catalog
from clerk.domain.model import Role
from clerk.domain.offices import ServicePoint, default_offices
from clerk.service.administration import deactivation_problem
from clerk.service.window import ServiceError, Window

PASSWORD = "counterpass1"
POINT = "YZ05"  # 东安县


def new_window(tmp_path: Path) -> Window:
    return Window(Store.open(tmp_path / "clerk.db"), default_catalog(), default_offices())


@pytest.fixture
def window(tmp_path: Path) -> Window:
    w = new_window(tmp_path)
    w.setup(POINT, "admin", "王管理", PASSWORD)
    return w


@pytest.fixture
def admin(window: Window):
    return window.login("admin", PASSWORD)


@pytest.fixture
def clerk(window: Window, admin):
    window.add_user(admin, "li", "李经办", Role.CLERK, PASSWORD)
    return window.login("li", PASSWORD)


def test_admin_adds_a_user_at_this_point(window, admin):
    user = window.add_user(admin, "shen", "周审核", Role.REVIEWER, PASSWORD)
    assert (user.login, user.name, user.role, user.point_code, user.active) == (
        "shen",
        "周审核",
        Role.REVIEWER,
        POINT,
        True,
    )
    assert window.login("shen", PASSWORD).login == "shen"


def test_clerk_may_not_add_a_user(window, clerk):
    with pytest.raises(ServiceError, match="只有系统管理员"):
        window.add_user(clerk, "x1", "某人", Role.ADMIN, PASSWORD)
    assert window.store.user("x1") is None


def test_clerk_may_not_list_users(window, clerk):
    with pytest.raises(ServiceError, match="只有系统管理员"):
        window.users(clerk)


def test_weak_password_is_refused_and_nothing_is_stored(window, admin):
    with pytest.raises(PasswordPolicyError):
        window.add_user(admin, "shen", "周审核", Role.REVIEWER, "short")
    assert window.store.user("shen") is None


def test_duplicate_login_is_refused(window, admin, clerk):
    with pytest.raises(UserError):
        window.add_user(admin, "li", "另一个李", Role.CLERK, PASSWORD)
    assert window.store.user("li").name == "李经办"


def test_deactivated_user_cannot_log_in(window, admin, clerk):
    changed = window.set_user_active(admin, "li", False)
    assert changed.active is False
    with pytest.raises(AuthError):
        window.login("li", PASSWORD)


def test_reactivated_user_logs_in_again(window, admin, clerk):
    window.set_user_active(admin, "li", False)
    window.set_user_active(admin, "li", True)
    assert window.login("li", PASSWORD).login == "li"


def test_admin_cannot_deactivate_own_account(window, admin):
    window.add_user(admin, "boss", "赵管理", Role.ADMIN, PASSWORD)
    with pytest.raises(ServiceError, match="不能停用自己"):
        window.set_user_active(admin, "admin", False)
    assert window.store.user("admin").active is True


def test_deactivated_admin_loses_its_rights_at_once(window, admin):
    window.add_user(admin, "boss", "赵管理", Role.ADMIN, PASSWORD)
    boss = window.login("boss", PASSWORD)
    window.set_user_active(boss, "admin", False)
    with pytest.raises(ServiceError, match="只有系统管理员"):
        window.add_user(admin, "x1", "某人", Role.CLERK, PASSWORD)


def test_last_active_admin_cannot_be_deactivated(window, admin):
    window.add_user(admin, "boss", "赵管理", Role.ADMIN, PASSWORD)
    window.set_user_active(admin, "boss", False)
    accounts = window.store.users()
    only = window.store.user("admin")
    assert deactivation_problem(accounts, "someone_else", only) == (
        "这是最后一个在用的管理员账号，停用后将无人能管理用户；请先新增另一位管理员。"
    )


def test_one_of_two_admins_may_be_deactivated(window, admin):
    window.add_user(admin, "boss", "赵管理", Role.ADMIN, PASSWORD)
    assert deactivation_problem(window.store.users(), "admin", window.store.user("boss")) == ""


def test_unknown_login_is_named(window, admin):
    with pytest.raises(ServiceError, match="没有登录名为 nobody 的用户"):
        window.set_user_active(admin, "nobody", False)


def test_reset_password_replaces_the_old_one(window, admin, clerk):
    window.reset_password(admin, "li", "newcounter22")
    assert window.login("li", "newcounter22").login == "li"
    with pytest.raises(AuthError):
        window.login("li", PASSWORD)


def test_clerk_may_not_reset_a_password(window, clerk):
    with pytest.raises(ServiceError, match="只有系统管理员"):
        window.reset_password(clerk, "admin", "takeover123")
    assert window.login("admin", PASSWORD).login == "admin"


def test_declare_point_stores_it_and_it_becomes_choosable(window, admin):
    point = window.declare_point(admin, " da01 ", " 水岭乡政务服务中心 ", "township_hall", "yz05")
    assert point == ServicePoint("DA01", "水岭乡政务服务中心", "township_hall", "YZ05")
    assert window.declared_points() == [point]
    assert "DA01" in [c.code for c in window.setup_choices()]
    assert window.offices.office_of("DA01").code == "YZ05"


def test_clerk_may_not_declare_a_point(window, clerk):
    with pytest.raises(ServiceError, match="只有系统管理员"):
        window.declare_point(clerk, "DA01", "水岭乡政务服务中心", "township_hall", "YZ05")
    assert window.declared_points() == []


def test_anyone_may_declare_a_point_before_setup(tmp_path):
    window = new_window(tmp_path)
    point = window.declare_point(None, "DA01", "水岭乡政务服务中心", "township_hall", "YZ05")
    window.setup(point.code, "admin", "王管理", PASSWORD)
    assert window.point().code == "DA01"


def test_point_code_already_declared_is_refused(window, admin):
    window.declare_point(admin, "DA01", "水岭乡政务服务中心", "township_hall", "YZ05")
    with pytest.raises(ServiceError, match="编码 DA01 已被“水岭乡政务服务中心”使用"):
        window.declare_point(admin, "DA01", "另一个点", "village_centre", "YZ05")
    assert [p.name for p in window.declared_points()] == ["水岭乡政务服务中心"]


def test_point_without_name_is_refused(window, admin):
    with pytest.raises(ServiceError, match="请填写服务点名称"):
        window.declare_point(admin, "DA01", "  ", "township_hall", "YZ05")


def test_point_may_not_be_a_county_hall(window, admin):
    with pytest.raises(ServiceError, match="服务点类型应为"):
        window.declare_point(admin, "DA01", "某大厅", "county_hall", "YZ05")
    assert window.declared_points() == []
