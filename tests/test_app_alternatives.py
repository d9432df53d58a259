"""The alternatives trap: A picks which alternative the applicant showed without marking the row,
so the Space that follows marks it received (it used to flip it to 缺); 补正交回 with a material
still missing is refused, or recorded only when the clerk says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.app import SIZE, app_for, complete_checks, open_case, ready
from test_app_burst_input import burst

from clerk.domain.materials import MaterialCheck
from clerk.domain.model import CaseState
from clerk.screens.choice import ChoiceScreen
from clerk.screens.materials import MaterialsScreen
from clerk.service.errors import ServiceError


def first_check(window, admin, uuid):  # type: ignore[no-untyped-def]
    row = window.case(uuid, admin).materials[0]
    return row.material, row.check


async def test_a_then_space_marks_the_chosen_alternative_received(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin, 31)
    material, _ = first_check(window, admin, view.uuid)
    assert material.is_choice
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(view.uuid, materials=True)
        await pilot.pause()
        await burst(pilot, "a", "a")
        assert first_check(window, admin, view.uuid)[1] is None  # chosen, not yet marked
        await burst(pilot, "space")
    _, check = first_check(window, admin, view.uuid)
    assert (check.status, check.alternative) == ("ok", material.alternatives[1])


async def test_a_on_a_received_row_changes_only_the_alternative(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin, 31, complete=True)
    material, _ = first_check(window, admin, view.uuid)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(view.uuid, materials=True)
        await pilot.pause()
        await burst(pilot, "a")
    _, check = first_check(window, admin, view.uuid)
    assert (check.status, check.alternative) == ("ok", material.alternatives[1])


def noticed(window, admin, lacking: str):  # type: ignore[no-untyped-def]
    view = open_case(window, admin, 31)
    checks = complete_checks(window, 31)
    checks[lacking] = MaterialCheck(lacking, "missing", None, "")
    window.check_materials(admin, view.uuid, checks)
    window.issue_notice(admin, view.uuid)
    return view, checks


def test_a_supplement_with_a_material_still_missing_is_refused_naming_it(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    lacking = window.required_for(31, frozenset())[-1]
    view, checks = noticed(window, admin, lacking.id)
    with pytest.raises(ServiceError) as info:
        window.supplement(admin, view.uuid, checks)
    assert lacking.name in str(info.value) and "未登记交回" in str(info.value)
    assert window.case(view.uuid).state == CaseState.AWAITING_SUPPLEMENT
    view = window.supplement(admin, view.uuid, checks, incomplete=True)
    assert view.state == CaseState.DRAFT


async def test_f9_with_a_material_missing_asks_before_recording(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    lacking = window.required_for(31, frozenset())[-1]
    view, _ = noticed(window, admin, lacking.id)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(view.uuid, materials=True)
        await pilot.pause()
        await burst(pilot, "f9")
        assert isinstance(app.screen, ChoiceScreen)
        assert lacking.name in app.screen.title_text
        await burst(pilot, "enter")  # keep checking
        assert isinstance(app.screen, MaterialsScreen)
        assert window.case(view.uuid).state == CaseState.AWAITING_SUPPLEMENT
        await burst(pilot, "f9", "2")
        await pilot.pause()
    assert window.case(view.uuid).state == CaseState.DRAFT
