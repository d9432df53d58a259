"""The city from the command line (issue 21 items 1, 6): `clerk city init` sets up the city's
administrator and keys; each county registers the city with `clerk keys add`, writes its bundle
with `clerk export --for YZ`; `clerk import A B --db CITY` takes several counties' bundles at once;
`clerk export --db CITY --for YZ03` writes the acknowledgements back."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from support import postgres
from support.city import (
    CITY,
    OFFICE2,
    POINT_OF,
    county_installation,
    own_keys,
    register,
    work_a_day,
)
from support.sync import OFFICE

from clerk.cli import main


def city_init(db: Path, monkeypatch, capsys) -> str:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("sys.stdin", io.StringIO("citypass-2026\n"))
    code = main(
        [
            "city",
            "init",
            "--db",
            str(db),
            "--login",
            "cityadmin",
            "--name",
            "市管理员",
            "--password-stdin",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    return out


def test_city_init_sets_up_the_administrator_and_keys(tmp_path, monkeypatch, capsys):  # type: ignore[no-untyped-def]
    db = tmp_path / "city.db"
    out = city_init(db, monkeypatch, capsys)
    assert "已设置市级监督安装 YZ（永州市市级医保监督），管理员 cityadmin（市管理员）" in out
    assert main(["user", "list", "--db", str(db), "--json"]) == 0
    users = json.loads(capsys.readouterr().out)
    assert [(u["login"], u["role"], u["point_code"]) for u in users] == [
        ("cityadmin", "admin", CITY)
    ]
    assert main(["keys", "export", "--db", str(db), "--out", str(tmp_path / "yz.pub")]) == 0
    assert json.loads((tmp_path / "yz.pub").read_text())["point"] == CITY


def test_city_init_refuses_a_county_database(pair, tmp_path, monkeypatch, capsys):  # type: ignore[no-untyped-def]
    county, _point = pair
    monkeypatch.setattr("sys.stdin", io.StringIO("citypass-2026\n"))
    args = [
        "city",
        "init",
        "--db",
        str(county.store.path),
        "--login",
        "x",
        "--name",
        "某",
        "--password-stdin",
    ]
    assert main(args) == 1
    assert "这个数据库已设置为 YZ03，不是市级（YZ）" in capsys.readouterr().err


def test_counties_to_the_city_and_back_by_the_command_line(tmp_path, monkeypatch, capsys, clock):  # type: ignore[no-untyped-def]
    city_db = tmp_path / "city.db"
    city_init(city_db, monkeypatch, capsys)
    assert main(["keys", "export", "--db", str(city_db), "--out", str(tmp_path / "yz.pub")]) == 0
    bundles = []
    counties = {}
    (tmp_path / "up").mkdir()
    for code in (OFFICE, OFFICE2):
        county = county_installation(tmp_path / code, code, clock)
        point = county_installation(tmp_path / POINT_OF[code], POINT_OF[code], clock)
        register(county, own_keys(point))
        register(point, own_keys(county))
        counties[code] = county
        county_db = str(county.store.path)
        assert main(["keys", "add", str(tmp_path / "yz.pub"), "--db", county_db]) == 0
        assert (
            main(["keys", "export", "--db", county_db, "--out", str(tmp_path / f"{code}.pub")]) == 0
        )
        assert main(["keys", "add", str(tmp_path / f"{code}.pub"), "--db", str(city_db)]) == 0
        work_a_day(county, point, 0 if code == OFFICE else 2)
        capsys.readouterr()
        assert (
            main(["export", "--db", str(point.store.path), "--out", str(tmp_path / "up"), "--json"])
            == 0
        )
        up = json.loads(capsys.readouterr().out)["file"]
        assert main(["import", up, "--db", county_db]) == 0
        (tmp_path / code).mkdir(exist_ok=True)
        capsys.readouterr()
        assert (
            main(
                [
                    "export",
                    "--db",
                    county_db,
                    "--for",
                    CITY,
                    "--out",
                    str(tmp_path / code),
                    "--json",
                ]
            )
            == 0
        )
        bundles.append(json.loads(capsys.readouterr().out)["file"])
        point.store.close()
    assert main(["import", *bundles, "--db", str(city_db), "--json"]) == 0
    reports = json.loads(capsys.readouterr().out)
    assert [(r["status"], r["bundle"]["from"]) for r in reports] == [
        ("imported", OFFICE),
        ("imported", OFFICE2),
    ]
    assert main(["city", "report", "--db", str(city_db), "--month", "2026-11", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {code: report["offices"][code]["received"] for code in (OFFICE, OFFICE2)} == {
        OFFICE: 3,
        OFFICE2: 3,
    }
    back = tmp_path / "back"
    back.mkdir()
    assert (
        main(["export", "--db", str(city_db), "--for", OFFICE, "--out", str(back), "--json"]) == 0
    )
    returned = json.loads(capsys.readouterr().out)["file"]
    assert main(["import", returned, "--db", str(counties[OFFICE].store.path), "--json"]) == 0
    assert set(json.loads(capsys.readouterr().out)["acknowledged"]) == {"YZ03", "LS01"}
    for county in counties.values():
        county.store.close()


def test_the_city_writes_returns_only_to_counties(tmp_path, monkeypatch, capsys):  # type: ignore[no-untyped-def]
    city_db = tmp_path / "city.db"
    city_init(city_db, monkeypatch, capsys)
    assert main(["export", "--db", str(city_db), "--out", str(tmp_path)]) == 1
    assert "市级导出时请用 --for 指定县区经办机构编码" in capsys.readouterr().err
    assert main(["export", "--db", str(city_db), "--for", "LS01", "--out", str(tmp_path)]) == 1
    assert "LS01 不是县区经办机构" in capsys.readouterr().err


def test_the_city_registers_only_county_offices(tmp_path, monkeypatch, capsys, clock):  # type: ignore[no-untyped-def]
    city_db = tmp_path / "city.db"
    city_init(city_db, monkeypatch, capsys)
    other = county_installation(tmp_path / "LS01", "LS01", clock)
    own_keys(other)
    assert (
        main(["keys", "export", "--db", str(other.store.path), "--out", str(tmp_path / "p.pub")])
        == 0
    )
    other.store.close()
    assert main(["keys", "add", str(tmp_path / "p.pub"), "--db", str(city_db)]) == 1
    assert "不是县区经办机构" in capsys.readouterr().err


@pytest.mark.skipif(postgres.skip_reason() is not None, reason=postgres.skip_reason() or "")
def test_city_init_on_postgresql(tmp_path, monkeypatch, capsys):  # type: ignore[no-untyped-def]
    url = postgres.fresh_database()
    try:
        out = city_init(url, monkeypatch, capsys)  # type: ignore[arg-type]
        assert "已设置市级监督安装 YZ" in out
        assert main(["keys", "export", "--db", url, "--out", str(tmp_path / "yz.pub")]) == 0
        assert json.loads((tmp_path / "yz.pub").read_text())["point"] == CITY
        capsys.readouterr()
        assert main(["city", "lists", "--db", url, "--day", "2026-11-30", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["counts"]["overdue"] == 0
    finally:
        postgres.drop_database(url)
