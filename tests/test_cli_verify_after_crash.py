"""`clerk verify` after a kill -9 (issue 23, item 4): the crashed decision's files are tidied
(set aside, as the app does at start-up) before orphan files are judged, so a crash is no alarm;
a document whose record was really deleted is still reported."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from pathlib import Path

import pytest
from support.app import open_case, ready
from test_documents_journal import REASON, _refuse_and_die, pending

from clerk.cli import main

pytestmark = pytest.mark.skipif(os.name != "posix", reason="fork and flock")

DELETED = "可能是登记记录被删除后留下的"


@pytest.fixture
def data(tmp_path, monkeypatch):
    """This machine's data directory holds the database and its documents folder."""
    monkeypatch.setenv("CLERK_DATA_DIR", str(tmp_path))
    return tmp_path


def crash_a_decision(data: Path) -> Path:
    """Two decisions issued and committed, a third killed between its files and its commit;
    returns the PDF the killed one left."""
    window, admin = ready(data)
    for _ in range(2):
        window.refuse(admin, open_case(window, admin).uuid, REASON)
    case = open_case(window, admin)
    window.store.close()
    before = set((data / "documents").rglob("*.pdf"))
    child = multiprocessing.get_context("fork").Process(
        target=_refuse_and_die, args=(data, case.uuid)
    )
    child.start()
    child.join(60)
    assert child.exitcode == 9
    [left] = set((data / "documents").rglob("*.pdf")) - before
    return left


def test_verify_after_a_crash_raises_no_orphan_alarm(data, capsys):
    left = crash_a_decision(data)
    assert main(["verify", "--db", str(data / "clerk.db"), "--full"]) == 0
    out = capsys.readouterr().out
    assert DELETED not in out and out.endswith("结论：检查通过。\n")
    assert not left.exists() and left.with_suffix(".unrecorded-1.pdf").exists()
    assert pending(data / "documents") == []


def test_a_document_whose_record_was_deleted_is_still_reported_after_a_crash(data, capsys):
    left = crash_a_decision(data)
    conn = sqlite3.connect(data / "clerk.db")
    [(kept, uuid)] = conn.execute(
        "SELECT path_pdf, uuid FROM documents ORDER BY rowid LIMIT 1"
    ).fetchall()
    conn.execute("DELETE FROM documents WHERE uuid = ?", [uuid])
    conn.commit()
    conn.close()
    assert main(["verify", "--db", str(data / "clerk.db"), "--full"]) == 1
    out = capsys.readouterr().out
    assert f"文书文件 {Path(kept).name}（{Path(kept).parent}）没有任何登记记录" in out
    assert Path(kept).exists()
    assert left.stem not in out


def test_verify_of_another_file_leaves_this_machines_crash_files_alone(data, tmp_path_factory):
    left = crash_a_decision(data)
    elsewhere = tmp_path_factory.mktemp("other")
    other, admin = ready(elsewhere)
    other.refuse(admin, open_case(other, admin).uuid, REASON)
    other.store.close()
    assert main(["verify", "--db", str(elsewhere / "clerk.db")]) == 0
    assert left.exists() and pending(data / "documents")


def test_the_next_start_finds_nothing_left_to_tidy(data, capsys):
    crash_a_decision(data)
    assert main(["verify", "--db", str(data / "clerk.db")]) == 0
    from clerk.db import Store
    from clerk.documents.tidy import tidy_documents

    store = Store.open(data / "clerk.db")
    assert tidy_documents(data / "documents", store.document_at).set_aside == []
    store.close()
