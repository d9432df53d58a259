"""Item 36: the materials allowed later are checked at review; the guide's stages are recorded."""

from __future__ import annotations

from datetime import date

import pytest
from test_service import checks_for, person, user, window  # noqa: F401

from clerk.domain.materials import MaterialCheck
from clerk.domain.model import Applicant, CaseState
from clerk.service.window import ServiceError

pytestmark = pytest.mark.usefixtures("engine")  # on SQLite and on PostgreSQL (support.engines)

HOSPITAL = Applicant(
    "institution", "永州市某某医院", "credit_code", "12431100MB1234567E", phone="0746-8326331"
)
STAGES = ["考察评估", "结果公示", "协商谈判", "签署协议", "开通联网结算"]
LATER = ("management_rules", "it_system", "fund_forecast")


def accepted_36(window, clock):  # noqa: F811
    clock.set(2026, 3, 2, 9, 0)
    clerk = user(window, "clerk1")
    view = window.open_case(clerk, 36, HOSPITAL)
    # 申请环节可只需提供第1项和第2项: only the form and the licence at the window.
    assert [m.id for m in window.required_for(36, frozenset())] == ["form", "licence_copy"]
    window.check_materials(clerk, view.uuid, checks_for(window, 36))
    return window.accept(clerk, view.uuid)


def test_the_review_cannot_pass_before_the_later_materials_are_checked(window, clock) -> None:  # noqa: F811
    view = accepted_36(window, clock)
    with pytest.raises(
        ServiceError,
        match="^审核评估环节须核验申请时可暂缓提交的材料：与医保政策对应的内部管理制度和财务制度文本、",
    ):
        window.approve(user(window, "rev1"), view.uuid)


def test_the_review_cannot_pass_before_every_stage_is_recorded(window, clock) -> None:  # noqa: F811
    view = accepted_36(window, clock)
    rev = user(window, "rev1")
    window.check_review_materials(rev, view.uuid, {m: MaterialCheck(m, "ok", None) for m in LATER})
    with pytest.raises(
        ServiceError, match="尚未登记审核环节：考察评估、结果公示、协商谈判、签署协议、开通联网结算"
    ):
        window.approve(rev, view.uuid)


def test_the_stages_are_recorded_against_the_80_natural_days(window, clock) -> None:  # noqa: F811
    view = accepted_36(window, clock)
    rev = user(window, "rev1")
    window.check_review_materials(rev, view.uuid, {m: MaterialCheck(m, "ok", None) for m in LATER})
    for day, stage in zip((10, 20, 30, 40, 50), STAGES, strict=True):
        clock.set(*_day(day), 10, 0)
        window.record_stage(rev, view.uuid, stage)
    rows = window.review_stages(view.uuid)
    assert [(r.stage, r.day_no) for r in rows] == list(
        zip(STAGES, (10, 20, 30, 40, 50), strict=True)
    )
    view = window.approve(rev, view.uuid)
    assert view.state == CaseState.CLOSED


def _day(n: int) -> tuple[int, int, int]:
    d = date.fromordinal(date(2026, 3, 2).toordinal() + n)
    return d.year, d.month, d.day


def test_a_stage_is_recorded_once(window, clock) -> None:  # noqa: F811
    view = accepted_36(window, clock)
    rev = user(window, "rev1")
    window.record_stage(rev, view.uuid, "考察评估")
    with pytest.raises(ServiceError, match="“考察评估”已登记过"):
        window.record_stage(rev, view.uuid, "考察评估")


def test_an_item_without_stages_records_none(window, clock) -> None:  # noqa: F811
    clerk = user(window, "clerk1")
    view = window.open_case(clerk, 31, person())
    window.check_materials(clerk, view.uuid, checks_for(window, 31))
    view = window.accept(clerk, view.uuid)
    with pytest.raises(ServiceError, match="没有需要登记的审核环节"):
        window.record_stage(user(window, "rev1"), view.uuid, "考察评估")


async def test_g_and_k_record_the_review_in_the_app(tmp_path) -> None:
    from support.app import SIZE, app_for, ready, reviewer

    win, admin = ready(tmp_path)
    view = win.open_case(admin, 36, HOSPITAL)
    win.check_materials(
        admin,
        view.uuid,
        {
            m.id: MaterialCheck(m.id, "ok", m.alternatives[0])
            for m in win.required_for(36, frozenset())
        },
    )
    view = win.accept(admin, view.uuid)
    rev = reviewer(win)
    app = app_for(win, rev)
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(view.uuid)
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        await pilot.press("1")  # 考察评估
        await pilot.pause()
        await pilot.press("k")
        await pilot.pause()
        await pilot.press("2")  # 与医保有关的医疗机构信息系统相关材料
        await pilot.pause()
    assert [r.done_on is not None for r in win.review_stages(view.uuid)] == [
        True,
        False,
        False,
        False,
        False,
    ]
    checks = {c.material_id: c.status for c in win.store.material_checks(view.uuid)}
    assert checks["it_system"] == "ok"
