"""What `clerk verify` did not see before issue 23 (item 3), each tampered with raw SQL or on
disk and named by the exact message: accounts, points and kept chain heads (the administrative
chain), ratings and follow-ups, material checks, documents (number, text and PDF), and every
file under the documents folder."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.clock import MONDAY, Clock
from support.db import fresh_db
from support.tamper import raw_value, tamper_script, tamper_sql

from clerk.cli import main
from clerk.db import Store
from clerk.domain.catalog import default_catalog
from clerk.domain.identifiers import resident_id_check_char
from clerk.domain.materials import MaterialCheck
from clerk.domain.model import Applicant, Rating, Role
from clerk.domain.offices import default_offices
from clerk.service.window import SystemActor, Window

PASSWORD = "counterpass1"
POINT = "YZ03"
ID_BODY = "43999919800203123"
PERSON_ID = ID_BODY + resident_id_check_char(ID_BODY)


@pytest.fixture
def window(tmp_path: Path) -> Iterator[Window]:
    w = Window(
        Store.open(fresh_db(tmp_path / "clerk.db")),
        default_catalog(),
        default_offices(),
        clock=Clock(MONDAY),
        documents_root=tmp_path / "documents",
    )
    w.setup(POINT, "admin", "王管理", PASSWORD)
    for login, name, role in (
        ("clerk1", "李经办", Role.CLERK),
        ("rev1", "周审核", Role.REVIEWER),
        ("sup1", "钱主管", Role.SUPERVISOR),
    ):
        w.store.create_user(login, name, role, PASSWORD, POINT)
    yield w
    w.store.close()


def _checks(window: Window, item_no: int, status: str = "ok") -> dict[str, MaterialCheck]:
    return {
        m.id: MaterialCheck(m.id, status, m.alternatives[0] if status == "ok" else None)
        for m in window.required_for(item_no, frozenset())
    }


@pytest.fixture
def case(window: Window) -> str:
    """Item 31, materials checked and accepted: awaiting review."""
    clerk = window.login("clerk1", PASSWORD)
    view = window.open_case(
        clerk, 31, Applicant("person", "张三丰", "resident_id", PERSON_ID, phone="13812345678")
    )
    window.check_materials(clerk, view.uuid, _checks(window, 31))
    window.accept(clerk, view.uuid)
    return view.uuid


def _verify(window: Window, capsys, *extra: str) -> tuple[int, list[str]]:
    code = main(["verify", "--db", window.store.location, "--json", *extra])
    report = json.loads(capsys.readouterr().out)
    return code, [p["message"] for p in report["problems"]]


def _passes(window: Window, capsys) -> None:
    assert _verify(window, capsys, "--full") == (0, [])


# ---------------------------------------------------------------------- accounts


def test_a_role_set_to_admin_in_sql_is_named(window, case, capsys):
    _passes(window, capsys)
    tamper_sql(window, "UPDATE users SET role = 'admin' WHERE login = 'clerk1'")
    assert _verify(window, capsys) == (
        1,
        [
            "账号 clerk1 的角色为“系统管理员”，但按管理记录应为“窗口经办人员”：账号被改动而没有相应的管理记录。"
        ],
    )


def test_an_account_switched_on_in_sql_is_named(window, case, capsys):
    window.set_user_active(window.login("admin", PASSWORD), "rev1", False)
    _passes(window, capsys)
    tamper_sql(window, "UPDATE users SET active = 1 WHERE login = 'rev1'")
    assert _verify(window, capsys) == (
        1,
        ["账号 rev1 的状态为“在用”，但按管理记录应为“已停用”：账号被改动而没有相应的管理记录。"],
    )


def test_the_admins_password_hash_replaced_with_a_known_one_is_named(window, case, capsys):
    _passes(window, capsys)
    known = raw_value(window, "SELECT password_hash FROM users WHERE login = 'clerk1'")
    tamper_sql(window, "UPDATE users SET password_hash = ? WHERE login = 'admin'", (known,))
    assert _verify(window, capsys) == (
        1,
        ["账号 admin 的密码哈希不是有记录的设置或重设所留下的：密码被绕过程序替换。"],
    )


def test_an_account_inserted_or_deleted_in_sql_is_named(window, case, capsys):
    known = raw_value(window, "SELECT password_hash FROM users WHERE login = 'clerk1'")
    tamper_sql(
        window,
        "INSERT INTO users (login, name, role, point_code, password_hash, created_at, updated_at)"
        " VALUES ('mallory', '某人', 'admin', 'YZ03', ?, 'x', 'x')",
        (known,),
    )
    tamper_sql(window, "DELETE FROM users WHERE login = 'sup1'")
    assert _verify(window, capsys) == (
        1,
        [
            "账号 mallory 没有新增记录：它不是经本程序新增的，是绕过程序写入的。",
            "管理记录表明有账号 sup1，但用户表中已没有它：账号被删除。",
        ],
    )


def test_recorded_account_changes_verify_and_name_who_did_them(window, case, capsys):
    admin = window.login("admin", PASSWORD)
    window.set_user_active(admin, "rev1", False)
    window.set_user_active(admin, "rev1", True)
    window.reset_password(admin, "clerk1", "anotherpass2")
    window.change_own_password(
        window.login("clerk1", "anotherpass2"), "anotherpass2", "mine-pass3", "mine-pass3"
    )
    window.add_user(SystemActor(login="system:ops"), "fin1", "赵财务", Role.FINANCE, PASSWORD)
    _passes(window, capsys)
    rows = [(a, actor, s) for a, actor, s in _admin_events(window) if a != "checkpoint_kept"]
    assert rows[-5:] == [
        ("account_active", "admin", "rev1"),
        ("account_active", "admin", "rev1"),
        ("password_set", "admin", "clerk1"),
        ("password_set", "clerk1", "clerk1"),
        ("account_created", "system:ops", "fin1"),
    ]


def test_the_cli_records_the_os_account_as_who_added_and_reset(window, case, capsys, monkeypatch):
    import getpass
    import io

    monkeypatch.setattr(getpass, "getuser", lambda: "zhang_it")
    db = window.store.location
    monkeypatch.setattr("sys.stdin", io.StringIO("bootstrap-pass1\n"))
    assert (
        main(
            [
                "user",
                "add",
                "--db",
                db,
                "--login",
                "boss",
                "--name",
                "老板",
                "--role",
                "admin",
                "--password-stdin",
            ]
        )
        == 0
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("bootstrap-pass2\n"))
    assert main(["user", "passwd", "--db", db, "--login", "admin", "--password-stdin"]) == 0
    capsys.readouterr()
    assert _admin_events(window)[-2:] == [
        ("account_created", "system:zhang_it", "boss"),
        ("password_set", "system:zhang_it", "admin"),
    ]
    _passes(window, capsys)


def _admin_events(window: Window) -> list[tuple[str, str, str]]:
    from support.tamper import raw_rows

    return [
        (str(a), str(actor), str(s))
        for a, actor, s in raw_rows(
            window, "SELECT action, actor, subject FROM admin_events ORDER BY seq"
        )
    ]


def test_a_point_renamed_in_sql_is_named(window, case, capsys):
    window.declare_point(
        window.login("admin", PASSWORD), "YZ03A1", "水口山镇政务服务中心", "township_hall", "YZ03"
    )
    _passes(window, capsys)
    tamper_sql(window, "UPDATE points SET office_code = 'YZ05' WHERE code = 'YZ03A1'")
    assert _verify(window, capsys) == (
        1,
        [
            "服务点 YZ03A1 的所属经办机构为“YZ05”，但按管理记录应为“YZ03”：服务点被改动而没有相应的管理记录。"
        ],
    )


# ---------------------------------------------------------------------- checkpoints


def test_all_checkpoints_deleted_are_named(window, case, capsys):
    seq, digest = window.store.chain_head()
    window.store.add_checkpoint(POINT, seq, digest, "ledger", "2026-11-02 日结单")
    _passes(window, capsys)
    tamper_sql(window, "DELETE FROM checkpoints")
    assert _verify(window, capsys) == (
        1,
        [
            f"日结单上打印的链头（来源 YZ03 第 {seq} 条，{digest[:12]}…，2026-11-02 日结单）"
            "的检查点记录已不存在：检查点被删除。"
        ],
    )


def test_the_administrative_chain_cannot_be_edited_and_an_edit_breaks_it(window, case, capsys):
    import sqlite3

    with pytest.raises(sqlite3.IntegrityError):
        tamper_sql(window, "DELETE FROM admin_events")
    tamper_script(
        window,
        "DROP TRIGGER admin_events_no_update;"
        "UPDATE admin_events SET data = json_set(data, '$.role', 'admin') WHERE subject = 'clerk1';",
    )
    seq = raw_value(window, "SELECT seq FROM admin_events WHERE subject = 'clerk1'")
    code, messages = _verify(window, capsys)
    assert code == 1
    assert messages == [
        "保护记录的触发器缺失（admin_events_no_update）：有人绕过程序改动了数据库。",
        f"本机管理记录（账号和检查点）第 {seq} 条的内容与其哈希值不符，记录可能被篡改。",
    ]


# ---------------------------------------------------------------------- ratings and follow-ups


def _case_no(window: Window, uuid: str) -> str:
    return window.store.get_case(uuid).case_no


def _rated_badly(window: Window, case: str) -> str:
    clerk = window.login("clerk1", PASSWORD)
    window.rate(clerk, case, Rating.VERY_UNSATISFIED, "等候太久")
    return str(raw_value(window, "SELECT at FROM evaluations WHERE case_uuid = ?", (case,)))


def test_a_bad_rating_raised_in_sql_is_named(window, case, capsys):
    at = _rated_badly(window, case)
    _passes(window, capsys)
    tamper_sql(window, "UPDATE evaluations SET level = '5' WHERE case_uuid = ?", (case,))
    assert window.store.bad_ratings_awaiting_follow_up() == []  # it left the queue quietly
    assert _verify(window, capsys) == (
        1,
        [
            f"办件 {_case_no(window, case)} 在 {at} 的评价为“非常满意”，但按事件记录应为“非常不满意”："
            "评价被改动而没有相应的事件记录。"
        ],
    )


def test_a_deleted_rating_is_named(window, case, capsys):
    at = _rated_badly(window, case)
    _passes(window, capsys)
    tamper_sql(window, "DELETE FROM evaluations WHERE case_uuid = ?", (case,))
    assert _verify(window, capsys) == (
        1,
        [
            f"办件 {_case_no(window, case)} 的事件记录表明 {at} 有一条评价（非常不满意），"
            "但评价记录已不存在：评价被删除。"
        ],
    )


def test_an_edited_comment_and_a_forged_follow_up_are_named(window, case, capsys):
    at = _rated_badly(window, case)
    _passes(window, capsys)
    tamper_sql(
        window,
        "UPDATE evaluations SET comment = '很好', follow_up = '已回访', followed_up_at = ?"
        " WHERE case_uuid = ?",
        (at, case),
    )
    case_no = _case_no(window, case)
    assert _verify(window, capsys) == (
        1,
        [
            f"办件 {case_no} 在 {at} 的评价意见与事件记录的 SHA-256 不符：意见被改动。",
            f"办件 {case_no} 在 {at} 的评价回访于 {at}，但按事件记录没有回访，或回访内容不同："
            "回访记录被改动而没有相应的事件记录。",
        ],
    )


def test_a_recorded_follow_up_verifies(window, case, capsys):
    _rated_badly(window, case)
    window.follow_up(window.login("sup1", PASSWORD), case, "已致电说明，申请人表示理解")
    _passes(window, capsys)


# ---------------------------------------------------------------------- material checks


def _first_material(window: Window) -> str:
    return next(iter(_checks(window, 31)))


def test_a_material_check_changed_in_sql_is_named(window, case, capsys):
    _passes(window, capsys)
    material = _first_material(window)
    alternative = raw_value(
        window,
        "SELECT alternative FROM case_materials WHERE case_uuid = ? AND material_id = ?",
        (case, material),
    )
    tamper_sql(
        window,
        "UPDATE case_materials SET status = 'missing', alternative = NULL"
        " WHERE case_uuid = ? AND material_id = ?",
        (case, material),
    )
    assert _verify(window, capsys) == (
        1,
        [
            f"办件 {_case_no(window, case)} 的材料 {material} 的核验结果为“缺少”，"
            f"但按事件记录应为“齐全（{alternative}）”：核验记录被改动而没有相应的事件记录。"
        ],
    )


def test_a_deleted_or_added_material_check_is_named(window, case, capsys):
    material = _first_material(window)
    alternative = raw_value(
        window,
        "SELECT alternative FROM case_materials WHERE case_uuid = ? AND material_id = ?",
        (case, material),
    )
    tamper_sql(
        window,
        "DELETE FROM case_materials WHERE case_uuid = ? AND material_id = ?",
        (case, material),
    )
    tamper_sql(
        window,
        "INSERT INTO case_materials (uuid, case_uuid, point_code, material_id, status,"
        " created_at, updated_at) VALUES ('m-x', ?, 'YZ03', 'forged', 'ok', 'x', 'x')",
        (case,),
    )
    case_no = _case_no(window, case)
    assert _verify(window, capsys) == (
        1,
        [
            f"办件 {case_no} 的材料 forged 有核验记录（齐全），但事件记录中没有这次核验：核验记录是绕过程序写入的。",
            f"办件 {case_no} 的事件记录表明材料 {material} 已核验（齐全（{alternative}）），"
            "但核验记录已不存在：被删除。",
        ],
    )


def test_checks_a_supplement_brought_are_proven(window, capsys):
    clerk = window.login("clerk1", PASSWORD)
    view = window.open_case(
        clerk, 31, Applicant("person", "张三丰", "resident_id", PERSON_ID, phone="13812345678")
    )
    window.check_materials(clerk, view.uuid, _checks(window, 31, "missing"))
    window.issue_notice(clerk, view.uuid)
    window.supplement(clerk, view.uuid, _checks(window, 31))
    window.accept(clerk, view.uuid)
    _passes(window, capsys)


# ---------------------------------------------------------------------- documents


def _document(window: Window, case: str):
    return window.store.documents_for(case)[0]


def test_a_changed_document_number_is_named(window, case, capsys):
    document = _document(window, case)
    _passes(window, capsys)
    tamper_sql(
        window, "UPDATE documents SET doc_no = 'YZ03-SL-FORGED' WHERE uuid = ?", (document.uuid,)
    )
    assert _verify(window, capsys) == (
        1,
        [
            f"办件 {_case_no(window, case)} 的事件记录表明已出具受理通知书 {document.doc_no}，"
            "但没有这个编号的文书登记：文书编号被改动。"
        ],
    )


def test_an_edited_document_text_is_named(window, case, capsys):
    document = _document(window, case)
    text = Path(document.path_txt)
    text.write_text(text.read_text(encoding="utf-8").replace("受理", "不予受理"), encoding="utf-8")
    assert _verify(window, capsys) == (
        1,
        [
            f"办件 {_case_no(window, case)} 的文书 {document.doc_no} 的文本文件与登记的 SHA-256 不符："
            "文件被改动或替换。"
        ],
    )


def test_a_pdf_replaced_together_with_its_recorded_hash_is_named(window, case, capsys):
    document = _document(window, case)
    forged = b"%PDF-1.4 forged"
    Path(document.path_pdf).write_bytes(forged)
    tamper_sql(
        window,
        "UPDATE documents SET sha256 = ? WHERE uuid = ?",
        (hashlib.sha256(forged).hexdigest(), document.uuid),
    )
    assert _verify(window, capsys) == (
        1,
        [
            f"办件 {_case_no(window, case)} 的文书 {document.doc_no} 的登记（种类或文件的 SHA-256）"
            "与事件记录不符：文书登记被改动，文件可能被替换。"
        ],
    )


def test_a_forged_file_in_a_month_with_no_recorded_document_is_named(
    window, case, capsys, tmp_path
):
    folder = tmp_path / "documents" / "2025" / "03"
    folder.mkdir(parents=True)
    (folder / "YZ03-SL-20250301-0001.pdf").write_bytes(b"%PDF forged")
    assert _verify(window, capsys, "--full") == (
        1,
        [
            f"文书文件 YZ03-SL-20250301-0001.pdf（{folder}）没有任何登记记录："
            "它可能是登记记录被删除后留下的。"
        ],
    )


def test_a_file_left_by_an_interrupted_import_is_named(window, case, capsys, tmp_path):
    folder = tmp_path / "documents" / "received" / "LS01" / "2026" / "11"
    folder.mkdir(parents=True)
    (folder / "LS01-SL-1.txt").write_text("受理通知书", encoding="utf-8")
    assert _verify(window, capsys, "--full") == (
        1,
        [
            f"导入的文书文件 LS01-SL-1.txt（{folder}）没有任何登记记录：它是一次中断的导入"
            "留下的（或登记记录被删除），请核对后删除。"
        ],
    )


# ---------------------------------------------------------------------- a file from before the proof


def test_a_file_from_before_the_proof_verifies_and_is_proven_from_then_on(tmp_path, capsys):
    from datetime import datetime

    from test_storage_support import FAST_HASHER

    from clerk.domain.clock import TZ
    from clerk.storage import accounts
    from clerk.storage.sqlite import admin_log, schema
    from clerk.storage.sqlite.connection import connect

    path = tmp_path / "v12.db"
    conn = connect(path)
    schema.migrate(conn, 12)
    now = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO settings (key, value, updated_at) VALUES ('point_code', 'YZ03', 'x')")
    users = admin_log.Sql(conn)
    accounts.create_user(users, FAST_HASHER, now, "admin", "王管理", "admin", PASSWORD, "YZ03")
    accounts.create_user(users, FAST_HASHER, now, "clerk1", "李经办", "clerk", PASSWORD, "YZ03")
    conn.execute(
        "INSERT INTO checkpoints (origin, seq, hash, source, note, recorded_at)"
        " VALUES ('LS01', 4, ?, 'ack', '', 'x')",
        ("a" * 64,),
    )
    conn.execute("COMMIT")
    conn.close()

    store = Store.open(path, hasher=FAST_HASHER)
    try:
        actions = [r[0] for r in raw_rows_of(store, "SELECT action FROM admin_events ORDER BY seq")]
        assert actions == ["proof_begins", "account_adopted", "account_adopted", "checkpoint_kept"]
        problems = [p.message for p in store.verify(full=True).problems]
        # the acknowledged head names a chain this file does not hold: the old check says so
        assert problems == [
            "上级经办机构确认收到的链头（来源 LS01 第 4 条，aaaaaaaaaaaa…）在事件记录中已不存在："
            "事件记录被截断或删除。"
        ]
        tamper_sql(store, "UPDATE users SET role = 'admin' WHERE login = 'clerk1'")
        tamper_sql(store, "DELETE FROM checkpoints")
        assert [p.message for p in store.verify(full=True).problems] == [
            "账号 clerk1 的角色为“系统管理员”，但按管理记录应为“窗口经办人员”：账号被改动而没有相应的管理记录。",
            "上级经办机构确认收到的链头（来源 LS01 第 4 条，aaaaaaaaaaaa…）的检查点记录已不存在："
            "检查点被删除。",
        ]
    finally:
        store.close()


def raw_rows_of(store, sql):
    from support.tamper import raw_rows

    return raw_rows(store, sql)


def test_a_digest_whose_digits_look_like_a_phone_is_no_personal_data():
    from clerk.domain.chain import check_no_personal_data

    digest = "ab13812345678" + "c" * 51
    check_no_personal_data("", {"documents": [{"pdf": digest, "txt": None}]})
