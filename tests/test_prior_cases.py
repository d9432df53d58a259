"""A new case shows the same ID's recent cases of the item (any state) and its cases under another
name before the clerk goes on: a service read, then a question at the form."""

from __future__ import annotations

from pathlib import Path

from support.app import PERSON_ID, app_for, complete_checks, person, ready
from test_app_burst_input import burst
from textual.widgets import Static

from clerk.screens.choice import ChoiceScreen
from clerk.screens.materials import MaterialsScreen
from clerk.screens.new_case import NewCaseScreen


def enrolled(window, admin, name: str = "张三丰"):  # type: ignore[no-untyped-def]
    view = window.open_case(admin, 9, person(name))
    view = window.check_materials(admin, view.uuid, complete_checks(window, 9))
    return window.accept(admin, view.uuid)


def test_the_same_item_any_state_and_another_name_are_found(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    first = enrolled(window, admin)
    assert first.state_label  # closed at once (即时办结)
    (prior,) = window.prior_cases(9, person())
    assert prior.summary.case_no == first.case_no
    assert "近90天内办过本事项" in prior.why
    (other,) = window.prior_cases(31, person("李四"))
    assert other.why == "证件号相同但姓名（名称）不同"
    assert window.prior_cases(31, person()) == []  # another item, the same name: nothing to say
    assert "张三丰" not in other.summary.applicant_name_masked  # masked, as everywhere


async def test_the_form_shows_them_and_goes_on_only_when_told(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    first = enrolled(window, admin)
    app = app_for(window, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await burst(pilot, "f2", *"9", "enter", *"张三丰", "tab", *PERSON_ID, *"13800138000", "f10")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        shown = str(app.screen.query_one(".dialog-title", Static).content)
        assert first.case_no in shown and "近90天内办过本事项" in shown
        await burst(pilot, "enter")  # back to check: nothing stored
        assert isinstance(app.screen, NewCaseScreen)
        assert len(window.prior_cases(9, person())) == 1
        await burst(pilot, "f10", "2")
        await pilot.pause()
        assert isinstance(app.screen, MaterialsScreen)
    assert len(window.prior_cases(9, person())) == 2
