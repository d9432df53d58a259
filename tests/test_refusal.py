"""Refusals: lack of competence names where to apply instead; the reconsideration body fits the office."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from support.clock import Clock
from test_service import PASSWORD, document_text, person

from clerk.db import Store
from clerk.domain.catalog import default_catalog
from clerk.domain.clock import TZ
from clerk.domain.offices import default_offices
from clerk.domain.refusal import RefusalError, is_lack_of_competence, refusal_terms
from clerk.service.window import ServiceError, Window

ELSEWHERE = "永州市医疗保障事务中心"


def window_at(tmp_path: Path, point: str) -> tuple[Window, object]:
    w = Window(
        Store.open(tmp_path / "clerk.db"),
        default_catalog(),
        default_offices(),
        clock=Clock(datetime(2026, 11, 2, 9, 30, tzinfo=TZ)),
        documents_root=tmp_path / "documents",
    )
    return w, w.setup(point, "admin", "王管理", PASSWORD)


def test_lack_of_competence_is_recognised() -> None:
    assert is_lack_of_competence("申请事项不属于本机构职权范围") is True
    assert is_lack_of_competence("申请人不是本统筹区参保人员") is False


def test_lack_of_competence_without_where_to_apply_is_refused() -> None:
    with pytest.raises(
        RefusalError, match="^以不属于本机关职权范围为由不予受理的，须告知申请人向哪个机关申请"
    ):
        refusal_terms("不属于本机关职权范围", "  ")


def test_other_reasons_need_no_place() -> None:
    assert refusal_terms(" 申请人不是本统筹区参保人员 ").apply_instead == ""


def test_window_refuses_a_competence_refusal_without_the_place(tmp_path: Path) -> None:
    window, admin = window_at(tmp_path, "YZ03")
    view = window.open_case(admin, 31, person())
    with pytest.raises(ServiceError, match="请填写受理机关"):
        window.refuse(admin, view.uuid, "申请事项不属于本机构职权范围")
    assert window.store.documents_for(view.uuid) == []


def test_refusal_document_names_where_to_apply(tmp_path: Path) -> None:
    window, admin = window_at(tmp_path, "YZ03")
    view = window.open_case(admin, 31, person())
    view = window.refuse(admin, view.uuid, "申请事项不属于本机构职权范围", apply_instead=ELSEWHERE)
    text = document_text(view.documents[0].path_txt)
    assert f"不予受理理由：申请事项不属于本机构职权范围。请向{ELSEWHERE}申请办理。" in text
    data = json.loads(window.store.events_for(view.uuid)[-1]["data"])
    assert data.pop("documents")[0]["kind"] == "refusal"  # the document it issued, proven
    assert data == {"apply_instead": "永州市医疗保障事务中心"}


@pytest.mark.parametrize(
    ("point", "body"),
    [
        ("YZ01", "永州市人民政府"),
        ("YZ03", "永州市冷水滩区人民政府"),
        ("YZ05", "东安县人民政府"),
        ("YZ04", "祁阳市人民政府"),
    ],
)
def test_refusal_names_the_reconsideration_body_of_the_office(
    tmp_path: Path, point: str, body: str
) -> None:
    window, admin = window_at(tmp_path, point)
    view = window.open_case(admin, 31, person())
    view = window.refuse(admin, view.uuid, "申请人不是本统筹区参保人员")
    text = document_text(view.documents[0].path_txt)
    assert f"60日内向{body}申请行政复议" in text


@pytest.mark.parametrize(
    ("code", "body"),
    [
        ("YZ01", "永州市人民政府"),
        ("YZ02", "永州市零陵区人民政府"),
        ("YZ12", "江华瑶族自治县人民政府"),
        ("YZ13", "永州市人民政府"),
        ("YZ14", "永州市人民政府"),
        ("YZ07", "道县人民政府"),
    ],
)
def test_reconsideration_body_of_each_kind_of_office(code: str, body: str) -> None:
    assert default_offices().office(code).reconsideration_body == body
