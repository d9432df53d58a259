"""`clerk demo`: refuses a database holding real work, shows progress, fails cleanly on an unknown point."""

from __future__ import annotations

from pathlib import Path

from support.app import PASSWORD, ready
from support.tamper import raw_rows

from clerk.cli import main
from clerk.db import Store
from clerk.service.demo import DEMO_PASSWORD


def test_demo_refuses_a_database_holding_real_work(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    window, admin = ready(tmp_path)
    window.store.close()
    assert (
        main(["demo", "--db", str(tmp_path / "clerk.db"), "--cases", "3", "--point", "YZ05"]) == 1
    )
    assert "这个数据库已经在使用" in capsys.readouterr().err
    with Store.open(tmp_path / "clerk.db") as store:
        assert [u.login for u in store.users()] == ["admin"]
        assert store.authenticate("admin", PASSWORD).name == "王管理"


def test_demo_never_adds_known_password_accounts_to_a_real_database(tmp_path: Path) -> None:
    window, _ = ready(tmp_path)
    window.store.close()
    main(["demo", "--db", str(tmp_path / "clerk.db"), "--cases", "3", "--point", "YZ05"])
    with Store.open(tmp_path / "clerk.db") as store:
        assert store.user("clerk1") is None


def test_demo_may_add_to_its_own_database(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "demo.db")
    assert main(["demo", "--db", db, "--cases", "2", "--point", "YZ05"]) == 0
    assert main(["demo", "--db", db, "--cases", "2", "--point", "YZ05"]) == 0
    with Store.open(db) as store:
        assert store.authenticate("clerk1", DEMO_PASSWORD).login == "clerk1"


def test_demo_shows_progress(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert (
        main(["demo", "--db", str(tmp_path / "demo.db"), "--cases", "10", "--point", "YZ05"]) == 0
    )
    assert "正在生成演示办件：10/10" in capsys.readouterr().err


def test_demo_on_an_unknown_point_fails_cleanly(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["demo", "--db", str(tmp_path / "demo.db"), "--cases", "2", "--point", "ZZ99"]) == 1
    err = capsys.readouterr().err
    assert "没有编码为 ZZ99 的经办机构或服务点" in err
    assert "Traceback" not in err


def test_demo_at_a_township_point_hands_on_what_the_county_decides(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "point.db")
    assert (
        main(
            [
                "point",
                "add",
                "--db",
                db,
                "--code",
                "LS01",
                "--name",
                "岚角山镇政务服务大厅",
                "--kind",
                "township_hall",
                "--office",
                "YZ03",
            ]
        )
        == 0
    )
    assert main(["demo", "--db", db, "--cases", "40", "--point", "LS01"]) == 0
    assert "已在" in capsys.readouterr().out
    with Store.open(db) as store:
        items = {r[0] for r in raw_rows(store, "SELECT item_no FROM cases")}
        assert {19, 34} <= items  # 19 accepted and handed on for review; 34 collected (收件转报)
        assert store.verify(full=True)["ok"] is True


def test_demo_makes_its_database_in_a_folder_not_there_yet(tmp_path: Path) -> None:
    db = tmp_path / "training" / "demo.db"
    assert main(["demo", "--db", str(db), "--cases", "2", "--point", "YZ05"]) == 0
    with Store.open(db) as store:
        assert store.authenticate("clerk1", DEMO_PASSWORD).login == "clerk1"


def test_a_demo_database_that_cannot_be_opened_is_named_in_the_message(
    tmp_path: Path, capsys, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CLERK_DATA_DIR", str(tmp_path / "data"))
    db = tmp_path / "demo.db"
    db.mkdir()  # a folder where the file should be
    assert main(["demo", "--db", str(db), "--cases", "2"]) == 2
    err = capsys.readouterr().err
    assert str(db) in err
    assert "clerk.db" not in err  # not the default database, which the demo never opened
