"""The catalogue loader refuses a bad file, naming the file, the entry and the problem."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from clerk.domain.catalog import DataFileError, TimeLimit, load_catalog


def minimal() -> dict[str, Any]:
    return {
        "title": "测试清单",
        "conditions": {"proxy": {"label": "委托办理", "question": "是否委托他人代为办理？"}},
        "main_items": [{"numeral": "一", "code": "00203600100Y", "name": "参保登记"}],
        "sub_items": [
            {"seq": 1, "code": "002036001001", "name": "单位参保登记", "main_item": "00203600100Y"}
        ],
        "items": [
            {
                "no": 1,
                "name": "单位参保登记",
                "sub_item": "002036001001",
                "applicant_kind": "unit",
                "materials": [
                    {"id": "form", "name": "登记表", "alternatives": ["登记表"], "condition": None}
                ],
                "time_limit": {
                    "kind": "working_days",
                    "days": 5,
                    "text": "不超过5个工作日",
                    "online": None,
                },
                "steps": ["申请", "受理", "审核", "办结"],
                "notes": [],
                "basis": [{"law": "《中华人民共和国社会保险法》", "articles": "第五十七条"}],
                "local": None,
            }
        ],
        "general_notes": ["说明一"],
        "general_materials": [],
        "id_documents": ["身份证"],
    }


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def load_with(tmp_path: Path, change) -> DataFileError:
    data = copy.deepcopy(minimal())
    change(data)
    with pytest.raises(DataFileError) as info:
        load_catalog(write(tmp_path, data))
    return info.value


def test_minimal_file_loads(tmp_path):
    catalog = load_catalog(write(tmp_path, minimal()))
    assert [i.name for i in catalog.items] == ["单位参保登记"]
    assert catalog.item(1).time_limit == TimeLimit("working_days", 5, "不超过5个工作日")


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(DataFileError) as info:
        load_catalog(tmp_path / "nope.json")
    assert info.value.file.endswith("nope.json")
    assert "找不到文件" in str(info.value)


def test_malformed_json_names_line_and_column(tmp_path):
    path = tmp_path / "catalog.json"
    path.write_text('{\n  "title": ,\n}', encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load_catalog(path)
    assert info.value.entry == "第2行第12列"
    assert "JSON 格式错误" in info.value.problem


def test_not_utf8(tmp_path):
    path = tmp_path / "catalog.json"
    path.write_bytes('{"title": "清单"}'.encode("gbk"))
    with pytest.raises(DataFileError) as info:
        load_catalog(path)
    assert info.value.problem == "不是 UTF-8 编码的文本"


def test_missing_field(tmp_path):
    err = load_with(tmp_path, lambda d: d["items"][0].pop("steps"))
    assert (err.entry, err.problem) == ("items[0]", "缺少字段 “steps”")


def test_wrong_type(tmp_path):
    err = load_with(tmp_path, lambda d: d["items"][0].update(no="1"))
    assert (err.entry, err.problem) == ("items[0].no", "应为整数")


def test_items_out_of_order(tmp_path):
    err = load_with(tmp_path, lambda d: d["items"][0].update(no=2))
    assert (err.entry, err.problem) == ("items[0].no", "业务办理项序号应为 1，实为 2")


def test_unknown_time_limit_kind(tmp_path):
    err = load_with(tmp_path, lambda d: d["items"][0]["time_limit"].update(kind="weeks"))
    assert err.entry == "items[0].time_limit.kind"
    assert "“weeks” 无效" in err.problem


def test_instant_limit_with_days(tmp_path):
    err = load_with(tmp_path, lambda d: d["items"][0]["time_limit"].update(kind="instant", days=3))
    assert (err.entry, err.problem) == ("items[0].time_limit.days", "即时办结的天数应为 0")


def test_zero_working_days(tmp_path):
    err = load_with(tmp_path, lambda d: d["items"][0]["time_limit"].update(days=0))
    assert (err.entry, err.problem) == ("items[0].time_limit.days", "时限天数应为正整数")


def test_nested_online_limit(tmp_path):
    online = {"kind": "working_days", "days": 2, "online": {"kind": "instant", "days": 0}}
    err = load_with(tmp_path, lambda d: d["items"][0]["time_limit"].update(online=online))
    assert (err.entry, err.problem) == (
        "items[0].time_limit.online.online",
        "线上时限不能再嵌套线上时限",
    )


def test_unknown_step(tmp_path):
    err = load_with(
        tmp_path, lambda d: d["items"][0].update(steps=["申请", "受理", "盖章", "办结"])
    )
    assert err.entry == "items[0].steps[2]"


def test_steps_must_start_and_end_right(tmp_path):
    err = load_with(tmp_path, lambda d: d["items"][0].update(steps=["受理", "申请", "办结"]))
    assert (err.entry, err.problem) == (
        "items[0].steps",
        "办理环节应以“申请—受理”开始、以“办结”结束",
    )


def test_unknown_sub_item(tmp_path):
    err = load_with(tmp_path, lambda d: d["items"][0].update(sub_item="002036009999"))
    assert (err.entry, err.problem) == ("items[0].sub_item", "子项编码 002036009999 不存在")


def test_sub_item_under_unknown_main_item(tmp_path):
    err = load_with(tmp_path, lambda d: d["sub_items"][0].update(main_item="00203699900Y"))
    assert (err.entry, err.problem) == ("sub_items[0].main_item", "主项编码 00203699900Y 不存在")


def test_duplicate_main_code(tmp_path):
    err = load_with(tmp_path, lambda d: d["main_items"].append(dict(d["main_items"][0])))
    assert (err.entry, err.problem) == ("main_items[1]", "主项编码 00203600100Y 重复")


def test_sub_item_without_business_item(tmp_path):
    extra = {"seq": 2, "code": "002036001002", "name": "职工参保登记", "main_item": "00203600100Y"}
    err = load_with(tmp_path, lambda d: d["sub_items"].append(extra))
    assert (err.entry, err.problem) == ("sub_items", "子项 002036001002 没有对应的业务办理项")


def test_undefined_condition(tmp_path):
    err = load_with(tmp_path, lambda d: d["items"][0]["materials"][0].update(condition="martian"))
    assert (err.entry, err.problem) == (
        "items[0].materials[0].condition",
        "条件 “martian” 未在 conditions 中定义",
    )


def test_empty_alternatives(tmp_path):
    err = load_with(tmp_path, lambda d: d["items"][0]["materials"][0].update(alternatives=[]))
    assert err.entry == "items[0].materials[0].alternatives"


def test_duplicate_material_ids(tmp_path):
    def change(d):
        d["items"][0]["materials"].append(dict(d["items"][0]["materials"][0]))

    err = load_with(tmp_path, change)
    assert (err.entry, err.problem) == ("items[0].materials", "材料 id 重复")


def test_bad_copy_kind(tmp_path):
    err = load_with(tmp_path, lambda d: d["items"][0]["materials"][0].update(copy="photo"))
    assert err.entry == "items[0].materials[0].copy"


def test_local_superseded_flag_must_match_the_limits(tmp_path):
    local = {
        "accepting_units": ["县医保中心"],
        "venues": ["county_hall"],
        "applicants": "参保单位",
        "online_channels": [],
        "time_limit": {"kind": "working_days", "days": 7},
        "superseded": False,
    }
    err = load_with(tmp_path, lambda d: d["items"][0].update(local=local))
    assert err.entry == "items[0].local.superseded"


def test_local_unknown_venue(tmp_path):
    local = {
        "accepting_units": ["县医保中心"],
        "venues": ["post_office"],
        "applicants": "参保单位",
        "time_limit": None,
        "superseded": False,
    }
    err = load_with(tmp_path, lambda d: d["items"][0].update(local=local))
    assert err.entry == "items[0].local.venues[0]"


def test_error_message_names_file_entry_and_problem(tmp_path):
    err = load_with(tmp_path, lambda d: d["items"][0].pop("steps"))
    assert str(err) == f"{tmp_path / 'catalog.json'}：items[0]：缺少字段 “steps”"


def test_cli_refuses_to_start_on_a_bad_catalog(tmp_path, monkeypatch, capsys):
    from clerk.cli import main
    from clerk.domain import catalog as catalog_module

    bad = write(tmp_path, {"title": "x"})
    monkeypatch.setattr(catalog_module, "packaged_file", lambda name: bad)
    catalog_module.default_catalog.cache_clear()
    try:
        assert main(["catalog"]) == 2
    finally:
        catalog_module.default_catalog.cache_clear()
    assert "数据文件有误，已停止" in capsys.readouterr().err
