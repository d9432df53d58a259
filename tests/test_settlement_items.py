"""Items 38-39 (定点费用结算): online only, counted from the declaration deadline, no bank account."""

from __future__ import annotations

import json
from datetime import date

import pytest
from test_service import checks_for, user, window  # noqa: F401

from clerk.domain.catalog import default_catalog
from clerk.domain.materials import applicable_conditions, required_materials
from clerk.domain.model import Applicant, Channel
from clerk.service.window import ServiceError

CATALOG = default_catalog()
HOSPITAL = Applicant(
    "institution", "永州市某某医院", "credit_code", "12431100MB1234567E", phone="0746-8326331"
)


@pytest.mark.parametrize("no", [38, 39])
def test_items_38_and_39_are_online_only(no: int) -> None:
    assert CATALOG.item(no).online_only is True


def test_other_items_are_not_online_only() -> None:
    assert [i.no for i in CATALOG.items if i.online_only] == [38, 39]


def test_a_hall_does_not_take_item_38_as_an_on_site_intake(window) -> None:  # noqa: F811
    with pytest.raises(
        ServiceError, match="^本事项只能通过两定机构医疗保障信息平台线上申报，无需线下办理"
    ):
        window.open_case(user(window, "clerk1"), 38, HOSPITAL)


def test_a_hall_records_item_38_as_an_online_application(window) -> None:  # noqa: F811
    view = window.open_case(user(window, "clerk1"), 38, HOSPITAL, channel=Channel.ONLINE)
    assert view.channel == Channel.ONLINE


def accepted_38(window, clock, deadline):  # noqa: F811
    clock.set(2026, 11, 25, 10, 0)
    clerk = user(window, "clerk1")
    view = window.open_case(clerk, 38, HOSPITAL, channel=Channel.ONLINE)
    window.check_materials(clerk, view.uuid, checks_for(window, 38))
    return window.accept(clerk, view.uuid, declaration_deadline=deadline)


def test_item_38_counts_from_the_day_after_the_declaration_deadline(window, clock) -> None:  # noqa: F811
    # Accepted 2026-11-25; declared by 2026-11-20: 20 working days after 11-20, not after 11-25
    # (which gave 2026-12-23).
    view = accepted_38(window, clock, date(2026, 11, 20))
    assert (view.deadline.start, view.deadline.due) == (date(2026, 11, 20), date(2026, 12, 18))
    event = window.store.events_for(view.uuid)[-1]
    data = json.loads(event["data"])
    data.pop("documents")  # the acceptance it issued (see test_verify_tamperings)
    assert data == {
        "due": "2026-12-18",
        "due_start": "2026-11-20",
        "provisional": False,
        "declaration_deadline": "2026-11-20",
    }


def test_item_38_is_not_accepted_without_the_declaration_deadline(window, clock) -> None:  # noqa: F811
    clerk = user(window, "clerk1")
    view = window.open_case(clerk, 38, HOSPITAL, channel=Channel.ONLINE)
    window.check_materials(clerk, view.uuid, checks_for(window, 38))
    with pytest.raises(ServiceError, match="请填写申报截止日期"):
        window.accept(clerk, view.uuid)


@pytest.mark.parametrize("no", [38, 39])
def test_a_designated_institution_is_not_asked_for_a_bank_account(no: int) -> None:
    item = CATALOG.item(no)
    assert "first_payment" not in [c.code for c in applicable_conditions(CATALOG, item)]
    ids = [m.id for m in required_materials(CATALOG, item, frozenset({"first_payment"}))]
    assert "bank_account" not in ids


def test_an_insured_person_is_still_asked_for_the_bank_account() -> None:
    ids = [
        m.id for m in required_materials(CATALOG, CATALOG.item(31), frozenset({"first_payment"}))
    ]
    assert "bank_account" in ids


async def test_the_app_records_item_38_online_and_asks_for_the_declaration_deadline(
    tmp_path,
) -> None:
    from datetime import datetime

    from support.app import SIZE, app_for, ready
    from test_app_new_case import mark_all
    from textual.widgets import Input, Select

    from clerk.domain.clock import TZ
    from clerk.screens.materials import MaterialsScreen
    from clerk.screens.new_case import NewCaseScreen

    win, admin = ready(tmp_path, at=datetime(2026, 11, 25, 10, 0, tzinfo=TZ))
    app = app_for(win, admin)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(
            NewCaseScreen(win, admin, item_no=38),
            lambda uuid: app.open_case(uuid, materials=True) if uuid else None,
        )
        await pilot.pause()
        screen = app.screen
        channel = screen.query_one("#channel", Select)
        assert (channel.value, channel.disabled) == (str(Channel.ONLINE), True)
        screen.query_one("#name", Input).value = HOSPITAL.name
        screen.query_one("#id-number", Input).value = HOSPITAL.id_number
        screen.query_one("#phone", Input).value = HOSPITAL.phone
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, MaterialsScreen)
        uuid = app.screen.view.uuid
        await mark_all(pilot)
        await pilot.press("f9")
        await pilot.pause()
        await pilot.press(*"2026-11-20", "enter")
        await pilot.pause()
        view = win.case(uuid)
        assert (view.channel, view.deadline.start, view.deadline.due) == (
            Channel.ONLINE,
            date(2026, 11, 20),
            date(2026, 12, 18),
        )
