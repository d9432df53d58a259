"""What the case detail says about a finished case."""

from __future__ import annotations

from support.app import NOW, open_case, ready

from clerk.screens.case_detail import countdown_text, summary_text


def test_a_closed_case_names_its_state_once(tmp_path):
    window, admin = ready(tmp_path)
    view = open_case(window, admin, 9, complete=True)
    view = window.accept(admin, view.uuid)
    assert countdown_text(view, NOW.date()) == "即时办结。"
    reviewer_free = open_case(window, admin, 31, complete=True)
    accepted = window.accept(admin, reviewer_free.uuid)
    withdrawn = window.withdraw(admin, accepted.uuid, "申请人主动撤回")
    assert countdown_text(withdrawn, NOW.date()) == "办结期限 2025年04月17日；本件状态：已撤回。"


def test_a_refused_case_does_not_list_missing_materials(tmp_path):
    window, admin = ready(tmp_path)
    view = open_case(window, admin, 31)
    assert "缺少/有误材料" in summary_text(window.case(view.uuid, admin)).plain
    refused = window.refuse(
        admin, view.uuid, "不属于本机构职权范围", apply_instead="永州市医疗保障事务中心"
    )
    assert "缺少/有误材料" not in summary_text(refused).plain
