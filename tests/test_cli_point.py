"""`clerk point add|list`: service points declared under a county office."""

from __future__ import annotations

from clerk.cli import main
from clerk.db import PointRecord, Store


def test_add_point_then_list_it(tmp_path, capsys):
    db = tmp_path / "clerk.db"
    assert (
        main(
            [
                "point",
                "add",
                "--db",
                str(db),
                "--code",
                "ls01",
                "--name",
                "演示街道政务服务大厅",
                "--kind",
                "township_hall",
                "--office",
                "YZ03",
            ]
        )
        == 0
    )
    assert (
        "已登记服务点 LS01　演示街道政务服务大厅（乡镇（街道）政务服务大厅，所属 YZ03）"
        in capsys.readouterr().out
    )
    store = Store.open(db)
    assert store.points() == [PointRecord("LS01", "演示街道政务服务大厅", "township_hall", "YZ03")]
    store.close()
    assert main(["point", "list", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "YZ03　冷水滩区" in out
    assert "    LS01　演示街道政务服务大厅（乡镇（街道）政务服务大厅）" in out


def test_point_under_unknown_office_is_refused(tmp_path, capsys):
    db = tmp_path / "clerk.db"
    assert (
        main(
            [
                "point",
                "add",
                "--db",
                str(db),
                "--code",
                "LS01",
                "--name",
                "某服务点",
                "--kind",
                "village_centre",
                "--office",
                "YZ99",
            ]
        )
        == 1
    )
    assert capsys.readouterr().err == "未登记：所属经办机构 YZ99 不存在。\n"


def test_point_code_clashing_with_an_office_is_refused(tmp_path, capsys):
    db = tmp_path / "clerk.db"
    assert (
        main(
            [
                "point",
                "add",
                "--db",
                str(db),
                "--code",
                "YZ01",
                "--name",
                "某服务点",
                "--kind",
                "college",
                "--office",
                "YZ01",
            ]
        )
        == 1
    )
    assert (
        capsys.readouterr().err
        == "未登记：编码 YZ01 已被“永州市政务服务中心”使用，请换一个编码。\n"
    )
