"""A decision taken on what a screen showed (`expected_version`) is refused when the case changed
since: its materials re-checked or a decision made at another desk. Nothing is stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.app import PASSWORD, SIZE, app_for, complete_checks, open_case, ready, reviewer

from clerk.domain.materials import MaterialCheck
from clerk.domain.model import CaseState
from clerk.screens.case_detail import CaseDetailScreen
from clerk.service.window import CHANGED_SINCE_SHOWN, ServiceError

pytestmark = pytest.mark.usefixtures("engine")  # on SQLite and on PostgreSQL (support.engines)


def test_rechecking_materials_moves_the_case_version_on(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin)
    checked = window.check_materials(admin, view.uuid, complete_checks(window, 31))
    assert checked.version == view.version + 1


def test_accepting_on_materials_checked_differently_since_is_refused(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    shown = open_case(window, admin, complete=True)
    first = next(iter(complete_checks(window, 31)))
    window.check_materials(
        admin, shown.uuid, {first: MaterialCheck(first, "missing", None, "")}
    )  # another desk
    with pytest.raises(ServiceError) as refused:
        window.accept(admin, shown.uuid, expected_version=shown.version)
    assert str(refused.value) == CHANGED_SINCE_SHOWN
    assert window.case(shown.uuid).state == CaseState.DRAFT
    assert window.store.documents_for(shown.uuid) == []


def test_accepting_on_the_version_shown_goes_through(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    shown = open_case(window, admin, complete=True)
    assert (
        window.accept(admin, shown.uuid, expected_version=shown.version).state == CaseState.ACCEPTED
    )


def test_rejecting_a_case_approved_at_another_desk_is_refused(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    accepted = window.accept(admin, open_case(window, admin, complete=True).uuid)
    shen = reviewer(window)
    window.approve(shen, accepted.uuid)  # the other desk was quicker
    with pytest.raises(ServiceError, match="^该办件在您查看之后已被修改"):
        window.reject(shen, accepted.uuid, "材料不符", expected_version=accepted.version)
    assert window.case(accepted.uuid).state == CaseState.AWAITING_PAYMENT


async def test_the_detail_screen_refuses_a_stale_approval_and_keeps_the_screen(
    tmp_path: Path,
) -> None:
    window, admin = ready(tmp_path)
    accepted = window.accept(admin, open_case(window, admin, complete=True).uuid)
    shen = reviewer(window)
    window.add_user(admin, "zhou", "周审核", "reviewer", PASSWORD)
    window.store.require_password_change("zhou", False)  # zhou chose a password at first sign-in
    zhou = window.login("zhou", PASSWORD)
    app = app_for(window, shen)
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(accepted.uuid)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CaseDetailScreen)
        window.reject(zhou, accepted.uuid, "材料不符")  # another reviewer at another desk
        await pilot.press("f9", "enter")  # F9 asks to confirm the approval; Enter confirms
        await pilot.pause()
        assert app.screen is screen
        assert [n.message for n in app._notifications][-1] == CHANGED_SINCE_SHOWN
    assert window.case(accepted.uuid).state == CaseState.REJECTED
