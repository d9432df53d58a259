"""`clerk holidays install` recomputes the open cases' provisional deadlines in the database."""

from __future__ import annotations

import json
from datetime import date, datetime

from clerk.cli import main
from clerk.db import Store
from clerk.domain.catalog import default_catalog
from clerk.domain.clock import TZ, fixed_clock
from clerk.domain.identifiers import resident_id_check_char
from clerk.domain.materials import MaterialCheck
from clerk.domain.model import Applicant
from clerk.domain.offices import default_offices
from clerk.service.window import Window


def test_install_recomputes_open_cases(tmp_path, capsys):
    db = tmp_path / "clerk.db"
    window = Window(
        Store.open(db),
        default_catalog(),
        default_offices(),
        clock=fixed_clock(datetime(2026, 12, 14, 10, 0, tzinfo=TZ)),
        documents_root=tmp_path / "docs",
    )
    admin = window.setup("YZ01", "admin", "王管理", "counterpass1")
    body = "43999919800203123"
    view = window.open_case(
        admin, 31, Applicant("person", "张三", "resident_id", body + resident_id_check_char(body))
    )
    window.check_materials(
        admin,
        view.uuid,
        {
            m.id: MaterialCheck(m.id, "ok", m.alternatives[0])
            for m in window.required_for(31, frozenset())
        },
    )
    view = window.accept(admin, view.uuid)
    assert (view.deadline.due, view.deadline.provisional) == (date(2027, 1, 19), True)
    window.store.close()

    holidays = tmp_path / "2027.json"
    holidays.write_text(
        json.dumps(
            {
                "year": 2027,
                "source": "测试",
                "holidays": ["2027-01-01", "2027-01-04"],
                "workdays": [],
            }
        ),
        encoding="utf-8",
    )
    assert main(["holidays", "install", str(holidays), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert f"已重算 1 件在办案件的办结期限：\n  {view.case_no}：2027-01-19 → 2027-01-20\n" in out
    store = Store.open(db)
    row = store.get_case(view.uuid)
    assert (row.due_date, row.due_provisional) == (date(2027, 1, 20), False)
    assert store.events_for(view.uuid)[-1]["action"] == "recompute"
    assert store.verify()["ok"] is True


def test_install_is_recorded_and_list_shows_the_file_matches_the_record(
    tmp_path, capsys, monkeypatch
):
    import getpass

    monkeypatch.setattr(getpass, "getuser", lambda: "zhang_it")
    db = tmp_path / "clerk.db"
    window = Window(
        Store.open(db),
        default_catalog(),
        default_offices(),
        clock=fixed_clock(datetime(2026, 12, 14, 10, 0, tzinfo=TZ)),
        documents_root=tmp_path / "docs",
    )
    window.setup("YZ01", "admin", "王管理", "counterpass1")
    window.store.close()
    holidays = tmp_path / "2027.json"
    text = json.dumps({"year": 2027, "source": "测试", "holidays": ["2027-01-01"], "workdays": []})
    holidays.write_text(text, encoding="utf-8")
    assert main(["holidays", "install", str(holidays), "--db", str(db)]) == 0
    store = Store.open(db)
    [(year, sha, source, issued_at, origin, _at)] = store.holiday_records()
    store.close()
    import hashlib

    assert (year, sha, source, origin) == (
        2027,
        hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "测试",
        "YZ01",
    )
    assert datetime.fromisoformat(issued_at).tzinfo is not None  # when the CLI installed it
    capsys.readouterr()
    assert main(["--db", str(db), "holidays", "list"]) == 0
    assert "2027年：已安装：测试" in (out := capsys.readouterr().out)
    assert "与本机管理记录一致" in out
