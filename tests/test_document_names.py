"""Whose name a document bears (issue 24, item 9): the office's medical-insurance agency for its
decisions, the point for its own 收件回执 (collecting for the agency) and a college's roster receipt.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from roster_support import COLLEGE_NAME, college_window, roster
from support.sync import collected, export, opened, user

from clerk.domain.catalog import DataFileError
from clerk.domain.offices import default_offices, load_offices


def text_of(window, case_uuid: str, kind: str) -> str:
    (doc,) = [d for d in window.store.documents_for(case_uuid) if d.kind == kind]
    return Path(doc.path_txt).read_text(encoding="utf-8")


def test_without_a_named_agency_each_office_issues_as_its_areas_agency():
    names = {o.code: o.agency_name for o in default_offices().offices}
    assert names["YZ05"] == "东安县医疗保障经办机构"
    assert names["YZ03"] == "冷水滩区医疗保障经办机构"
    assert names["YZ01"] == "永州市医疗保障经办机构"
    assert names["YZ12"] == "江华瑶族自治县医疗保障经办机构"
    assert names["YZ13"] == "回龙圩管理区医疗保障经办机构"
    assert all("政务" not in n for n in names.values())


def test_offices_json_names_an_agency_per_office(tmp_path):
    raw = json.loads((Path(__file__).parents[1] / "offices.json").read_text(encoding="utf-8"))
    raw["offices"][4]["agency"] = "东安县医疗保障事务中心"
    path = tmp_path / "offices.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    offices = load_offices(path)
    assert offices.office("YZ05").agency_name == "东安县医疗保障事务中心"
    assert offices.office("YZ04").agency_name == "祁阳市医疗保障经办机构"
    raw["offices"][4]["agency"] = " "
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DataFileError):
        load_offices(path)


def test_the_points_receipt_is_in_its_name_and_the_decision_in_the_agencys(pair, tmp_path):
    county, point = pair
    uuid = collected(point, 35)
    receipt = text_of(point, uuid, "collection")
    assert "梧桐镇政务服务中心（盖章）\n" in receipt
    assert receipt.count("代冷水滩区医疗保障经办机构收件\n") == 2  # both parts, under the seal
    assert "将转报冷水滩区医疗保障经办机构受理" in receipt
    assert "冷水滩区政务服务中心" not in receipt
    county.import_bundle(export(point, tmp_path / "usb").path)
    county.accept(user(county, "clerk1"), uuid)
    acceptance = text_of(county, uuid, "acceptance")
    assert "冷水滩区医疗保障经办机构（盖章）" in acceptance
    assert "政务服务中心（盖章）" not in acceptance


def test_a_decision_taken_at_a_point_is_still_the_agencys(pair):
    county, point = pair

    uuid = opened(point, 9)
    point.accept(user(point, "clerk1"), uuid)
    assert "冷水滩区医疗保障经办机构（盖章）" in text_of(point, uuid, "acceptance")


def test_a_colleges_roster_receipt_is_in_the_colleges_name(tmp_path):
    window, clerk = college_window(tmp_path)
    check = window.check_roster(roster(tmp_path, 2))
    window.enrol_roster(clerk, check, seal_checked=True)
    (batch,) = window.store.batches()
    text = Path(batch["receipt_path_txt"]).read_text(encoding="utf-8")
    assert f"{COLLEGE_NAME}（盖章）" in text
    assert "政务服务中心" not in text
