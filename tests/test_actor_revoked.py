"""Every decision re-reads its actor: an account deactivated (or given another role) since it
logged in can no longer act through its open session, and the app logs that session out."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.app import SIZE, app_for, open_case, ready, reviewer
from support.tamper import tamper_sql

from clerk.domain.model import CaseState
from clerk.screens.case_detail import CaseDetailScreen
from clerk.screens.login import LoginScreen
from clerk.service.window import ActorRevokedError, ServiceError

DEACTIVATED = "您的账号已被停用，本次操作没有保存，已退出登录。如有疑问请联系系统管理员。"


def test_a_deactivated_reviewer_cannot_approve_through_an_open_session(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin, complete=True)
    window.accept(admin, view.uuid)
    shen = reviewer(window)
    window.set_user_active(admin, "shen", False)
    with pytest.raises(ActorRevokedError) as refused:
        window.approve(shen, view.uuid)
    assert str(refused.value) == DEACTIVATED
    assert window.case(view.uuid).state == CaseState.ACCEPTED
    assert [e.action for e in window.case(view.uuid).events] == ["receive", "check", "accept"]


def test_a_deactivated_clerk_cannot_open_a_case(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    clerk = window.add_user(admin, "xiao", "小王", "clerk", "counterpass2")
    window.set_user_active(admin, "xiao", False)
    with pytest.raises(ActorRevokedError):
        open_case(window, clerk)
    assert window.store.search("张三丰") == []


def test_an_account_given_another_role_must_sign_in_again(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin, complete=True)
    window.accept(admin, view.uuid)
    shen = reviewer(window)
    tamper_sql(window.store, "UPDATE users SET role = 'clerk' WHERE login = 'shen'")
    with pytest.raises(
        ActorRevokedError, match="^您的账号角色已改为“窗口经办人员”，本次操作没有保存"
    ):
        window.approve(shen, view.uuid)
    assert window.case(view.uuid).state == CaseState.ACCEPTED


def test_actor_revoked_is_a_service_error(tmp_path: Path) -> None:
    assert issubclass(ActorRevokedError, ServiceError)


async def test_the_app_logs_a_deactivated_session_out_with_the_message(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin, complete=True)
    window.accept(admin, view.uuid)
    shen = reviewer(window)
    app = app_for(window, shen)
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(view.uuid)
        await pilot.pause()
        assert isinstance(app.screen, CaseDetailScreen)
        window.set_user_active(admin, "shen", False)  # the administrator, at another desk
        await pilot.press("f9", "enter")  # F9 asks to confirm the approval; Enter confirms
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        assert app.user is None
        assert DEACTIVATED in [n.message for n in app._notifications]
    assert window.case(view.uuid).state == CaseState.ACCEPTED


def test_a_session_from_before_a_deactivation_does_not_come_back_with_the_account(
    tmp_path: Path,
) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin, complete=True)
    window.accept(admin, view.uuid)
    shen = reviewer(window)  # signed in before the deactivation
    window.set_user_active(admin, "shen", False)
    window.set_user_active(admin, "shen", True)
    with pytest.raises(ActorRevokedError, match="原登录已失效"):
        window.approve(shen, view.uuid)
    with pytest.raises(ActorRevokedError, match="原登录已失效"):
        window.case(view.uuid, shen)
    approved = window.approve(window.login("shen", "counterpass1"), view.uuid)  # signed in anew
    assert approved.state == CaseState.AWAITING_PAYMENT


def test_a_password_reset_by_the_administrator_ends_the_open_session(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    shen = reviewer(window)
    window.reset_password(admin, "shen", "brand-new-pass1")
    with pytest.raises(ActorRevokedError, match="原登录已失效"):
        window.queues(shen)


def test_the_users_own_password_change_keeps_the_session(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    window.change_own_password(admin, "counterpass1", "admins-new-pass1", "admins-new-pass1")
    assert window.queues(admin).today == []


def test_a_deactivated_session_cannot_read_a_case_or_its_queues(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin)
    shen = reviewer(window)
    window.set_user_active(admin, "shen", False)
    with pytest.raises(ActorRevokedError):
        window.case(view.uuid, shen)
    with pytest.raises(ActorRevokedError):
        window.queues(shen)


def test_an_account_that_must_change_its_password_cannot_act_first(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    clerk = window.add_user(admin, "xiao", "小王", "clerk", "counterpass2")
    signed_in = window.login("xiao", "counterpass2")
    assert window.must_change_password(signed_in)
    with pytest.raises(ServiceError, match=r"请先修改密码（Ctrl\+N）"):
        open_case(window, signed_in)
    assert window.store.search("张三丰") == []
    window.change_own_password(signed_in, "counterpass2", "xiaos-own-pass1", "xiaos-own-pass1")
    assert open_case(window, window.login("xiao", "xiaos-own-pass1")).state == CaseState.DRAFT
    assert clerk.login == "xiao"
