"""offices.json holds the guide's 14 offices; the loader refuses a bad file, naming file, entry, problem."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clerk.domain.catalog import DataFileError
from clerk.domain.offices import Office, ServicePoint, _parse, load_offices

REPO_FILE = Path(__file__).resolve().parent.parent / "offices.json"

# (code, area, name, address, phone), transcribed from the Yongzhou guide (001_...txt).
EXPECTED = [
    (
        "YZ01",
        "市本级",
        "永州市政务服务中心",
        "冷水滩区永州大道与迎宾路交叉口东北角",
        "0746-8328322",
    ),
    ("YZ02", "零陵区", "零陵区政务服务中心", "零陵区频洲中路100号", "0746-6222470"),
    ("YZ03", "冷水滩区", "冷水滩区政务服务中心", "冷水滩区永州大道与湖塘路交叉口", "0746-8326331"),
    (
        "YZ04",
        "祁阳市",
        "祁阳市政务服务中心",
        "祁阳经济开发区灯塔路1号，祁阳市浯溪南路与灯塔路交汇处",
        "0746-3387095",
    ),
    ("YZ05", "东安县", "东安县政务服务分中心", "东安县白牙市镇八角街99号", "0746-4218388"),
    (
        "YZ06",
        "双牌县",
        "双牌县政务中心",
        "双牌县双电西路62号，双牌县政务中心二楼B区",
        "0746-7725116",
    ),
    ("YZ07", "道县", "道县政务服务中心", "道县工业园工业大道东", "0746-5267699"),
    ("YZ08", "江永县", "江永县政务服务中心", "江永县千家峒路27号", "0746-5724964"),
    (
        "YZ09",
        "宁远县",
        "宁远县政务中心",
        "湘妃大道与舜帝南路交叉路口处宁远县委党校大院内政务中心一楼医保经办大厅",
        "0746-7239812",
    ),
    ("YZ10", "蓝山县", "蓝山县政务服务中心", "蓝山县科技路2号", "0746-2226151"),
    ("YZ11", "新田县", "新田县政务服务中心", "新田县龙泉大道108号政务服务大楼", "0746-4752777"),
    (
        "YZ12",
        "江华县",
        "江华瑶族自治县政务服务中心",
        "江华瑶族自治县瑶都大道政务服务中心1楼",
        "0746-2331617",
    ),
    (
        "YZ13",
        "回龙圩管理区",
        "回龙圩管理区政务中心",
        "江永县知青路与078县道交叉口西120米中共永州市回龙圩管理区委员会一楼",
        "0746-5912268",
    ),
    ("YZ14", "金洞管理区", "金洞管理区政务中心", "金洞管理区金洞镇人岭路5号", "0746-3859618"),
]


# --- the shipped file ---------------------------------------------------------------------------


def test_repo_file_has_the_fourteen_offices_in_guide_order():
    offices = load_offices(REPO_FILE)
    assert [(o.code, o.area, o.name, o.address, o.phone) for o in offices.offices] == EXPECTED


def test_repo_file_offices_are_county_halls():
    assert {o.kind for o in load_offices(REPO_FILE).offices} == {"county_hall"}


def test_repo_file_declares_no_points_yet():
    assert load_offices(REPO_FILE).points == ()


def test_default_path_is_the_repo_file():
    assert load_offices() == load_offices(REPO_FILE)


def test_office_lookup_by_code():
    office = load_offices(REPO_FILE).office("YZ13")
    assert (office.area, office.phone) == ("回龙圩管理区", "0746-5912268")


def test_office_is_its_own_point():
    offices = load_offices(REPO_FILE)
    assert offices.point("YZ07") is offices.office("YZ07")
    assert offices.office_of("YZ07").area == "道县"


def test_unknown_office_code_raises_key_error():
    with pytest.raises(KeyError):
        load_offices(REPO_FILE).office("YZ15")


# --- temporary files -----------------------------------------------------------------------------


def minimal() -> dict[str, Any]:
    return {
        "offices": [
            {
                "code": "YZ01",
                "area": "市本级",
                "name": "永州市政务服务中心",
                "address": "某路1号",
                "phone": "0746-8328322",
            },
            {
                "code": "YZ02",
                "area": "零陵区",
                "name": "零陵区政务服务中心",
                "address": "某路2号",
                "phone": "0746-6222470",
            },
        ],
        "points": [],
    }


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "offices.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def error_with(tmp_path: Path, change) -> DataFileError:
    data = copy.deepcopy(minimal())
    change(data)
    path = write(tmp_path, data)
    with pytest.raises(DataFileError) as info:
        load_offices(path)
    assert info.value.file == str(path)
    assert str(info.value).startswith(f"{path}：{info.value.entry}：")
    return info.value


def test_minimal_file_loads(tmp_path):
    offices = load_offices(write(tmp_path, minimal()))
    assert [o.code for o in offices.offices] == ["YZ01", "YZ02"]


def test_point_of_each_kind_loads_under_its_office(tmp_path):
    data = minimal()
    data["points"] = [
        {"code": "LL01", "name": "某镇政务服务大厅", "kind": "township_hall", "office": "YZ02"},
        {"code": "LL02", "name": "某村便民服务中心", "kind": "village_centre", "office": "YZ02"},
        {"code": "XY01", "name": "某学院", "kind": "college", "office": "YZ01"},
        {"code": "YY01", "name": "某医院", "kind": "hospital", "office": "YZ01"},
    ]
    offices = load_offices(write(tmp_path, data))
    assert [p.code for p in offices.points_of("YZ02")] == ["LL01", "LL02"]
    assert offices.office_of("XY01").code == "YZ01"
    assert offices.point("YY01") == ServicePoint("YY01", "某医院", "hospital", "YZ01")


def test_bad_json_names_file_line_and_column(tmp_path):
    path = tmp_path / "offices.json"
    path.write_text('{\n  "offices": [,]\n}', encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load_offices(path)
    assert info.value.file == str(path)
    assert info.value.entry == "第2行第15列"
    assert "JSON 格式错误" in info.value.problem


def test_missing_file_is_named(tmp_path):
    with pytest.raises(DataFileError) as info:
        load_offices(tmp_path / "absent.json")
    assert info.value.file.endswith("absent.json")
    assert "找不到文件" in info.value.problem


def test_missing_field_names_entry_and_field(tmp_path):
    err = error_with(tmp_path, lambda d: d["offices"][1].pop("phone"))
    assert (err.entry, err.problem) == ("offices[1].phone", "应为非空文本")


def test_blank_field_is_refused(tmp_path):
    def change(d):
        d["offices"][0]["address"] = "  "

    err = error_with(tmp_path, change)
    assert (err.entry, err.problem) == ("offices[0].address", "应为非空文本")


def test_empty_office_list_is_refused(tmp_path):
    err = error_with(tmp_path, lambda d: d.update(offices=[]))
    assert (err.entry, err.problem) == ("offices", "应为非空列表")


def test_bad_office_code_is_refused(tmp_path):
    def change(d):
        d["offices"][1]["code"] = "yz-2"

    err = error_with(tmp_path, change)
    assert err.entry == "offices[1].code"
    assert err.problem == "编码 “yz-2” 应为 2–10 位大写字母或数字"


def test_duplicate_office_code_is_refused(tmp_path):
    def change(d):
        d["offices"][1]["code"] = "YZ01"

    err = error_with(tmp_path, change)
    assert (err.entry, err.problem) == ("offices[1].code", "编码 YZ01 重复")


def test_point_reusing_an_office_code_is_refused(tmp_path):
    def change(d):
        d["points"] = [{"code": "YZ02", "name": "某镇", "kind": "township_hall", "office": "YZ02"}]

    err = error_with(tmp_path, change)
    assert (err.entry, err.problem) == ("points[0].code", "编码 YZ02 重复")


def test_bad_phone_is_refused(tmp_path):
    def change(d):
        d["offices"][0]["phone"] = (
            "0746－8328322"  # full-width dash, as the guide prints one of them
        )

    err = error_with(tmp_path, change)
    assert err.entry == "offices[0].phone"
    assert err.problem == "监督电话 “0746－8328322” 格式不对（应为区号-号码）"


def test_point_of_unknown_kind_is_refused(tmp_path):
    def change(d):
        d["points"] = [{"code": "LL01", "name": "某药店", "kind": "pharmacy", "office": "YZ02"}]

    err = error_with(tmp_path, change)
    assert err.entry == "points[0].kind"
    assert "类型 “pharmacy” 无效" in err.problem
    assert "township_hall / village_centre / college / hospital" in err.problem


def test_point_may_not_claim_to_be_a_county_hall(tmp_path):
    def change(d):
        d["points"] = [{"code": "LL01", "name": "某大厅", "kind": "county_hall", "office": "YZ02"}]

    err = error_with(tmp_path, change)
    assert err.entry == "points[0].kind"
    assert "类型 “county_hall” 无效" in err.problem


def test_point_under_unknown_office_is_refused(tmp_path):
    def change(d):
        d["points"] = [{"code": "LL01", "name": "某镇", "kind": "township_hall", "office": "YZ99"}]

    err = error_with(tmp_path, change)
    assert (err.entry, err.problem) == ("points[0].office", "所属经办机构 YZ99 不存在")


def test_with_points_validates_the_added_points(tmp_path):
    offices = load_offices(write(tmp_path, minimal()))
    with pytest.raises(DataFileError) as info:
        offices.with_points([ServicePoint("LL01", "某镇", "township_hall", "YZ99")])
    assert info.value.entry == "points[0].office"


def test_with_points_returns_a_copy_with_the_points(tmp_path):
    offices = load_offices(write(tmp_path, minimal()))
    more = offices.with_points([ServicePoint("LL01", "某镇", "township_hall", "YZ02")])
    assert offices.points == ()
    assert more.office_of("LL01") == Office(
        "YZ02", "零陵区政务服务中心", "零陵区", "某路2号", "0746-6222470"
    )


@given(st.from_regex(r"0746-?[0-9]{7,8}", fullmatch=True))
def test_any_yongzhou_landline_is_accepted(phone):
    data = minimal()
    data["offices"][0]["phone"] = phone
    assert _parse(data, Path("offices.json")).office("YZ01").phone == phone


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_a_mobile_number_is_not_a_supervision_phone(phone):
    data = minimal()
    data["offices"][1]["phone"] = phone
    with pytest.raises(DataFileError) as info:
        _parse(data, Path("offices.json"))
    assert info.value.entry == "offices[1].phone"


# --- the city level (issue 21) --------------------------------------------------------------------


def test_repo_file_declares_the_city_by_area_and_role():
    city = load_offices(REPO_FILE).city
    assert city is not None
    assert (city.code, city.area, city.name, city.kind) == (
        "YZ",
        "永州市",
        "永州市市级医保监督",
        "city",
    )


def test_the_city_is_found_by_its_code_and_is_no_office():
    offices = load_offices(REPO_FILE)
    assert offices.point("YZ").kind == "city"
    with pytest.raises(KeyError):
        offices.office("YZ")


def test_a_city_code_taken_by_an_office_is_refused(tmp_path):
    def change(data):  # type: ignore[no-untyped-def]
        data["city"] = {"code": "YZ01", "area": "永州市", "name": "某"}

    assert "编码 YZ01 重复" in str(error_with(tmp_path, change))


def test_a_city_without_a_name_is_refused(tmp_path):
    def change(data):  # type: ignore[no-untyped-def]
        data["city"] = {"code": "YZ", "area": "永州市"}

    assert error_with(tmp_path, change).entry == "city.name"
