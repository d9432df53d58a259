"""Start-up independent of history (issue 25, item 1): the documents a move is about to write are
journalled first, and the start-up tidy settles only what a killed attempt's journal names."""

from __future__ import annotations

import argparse
import multiprocessing
import os
from pathlib import Path

import pytest
from support.app import NOW, PASSWORD, open_case, ready

from clerk.db import Store
from clerk.documents import journal
from clerk.documents.store import save_files
from clerk.documents.tidy import tidy_documents
from clerk.domain.catalog import default_catalog
from clerk.domain.clock import fixed_clock
from clerk.domain.offices import default_offices
from clerk.service.window import Window

pytestmark = pytest.mark.skipif(os.name != "posix", reason="fork and flock")

REASON = "申请人不具备该事项的申请资格"


def pending(root: Path) -> list[Path]:
    folder = root / journal.JOURNAL_DIR
    return sorted(folder.glob("*.journal")) if folder.exists() else []


def reopen(tmp_path: Path) -> Window:
    return Window(
        Store.open(tmp_path / "clerk.db"),
        default_catalog(),
        default_offices(),
        clock=fixed_clock(NOW),
        documents_root=tmp_path / "documents",
    )


def _refuse_and_die(tmp_path: Path, case_uuid: str) -> None:
    """A child process: refuses the case (its documents are written), killed before the commit."""
    window = reopen(tmp_path)
    admin = window.login("admin", PASSWORD)
    window.store.add_document = lambda *a, **k: os._exit(9)  # type: ignore[method-assign]
    window.refuse(admin, case_uuid, REASON)


def _killed_refusal(tmp_path: Path) -> str:
    """A case whose refusal was killed after its documents were written; its UUID."""
    window, admin = ready(tmp_path)
    case = open_case(window, admin)
    window.store.close()
    child = multiprocessing.get_context("fork").Process(
        target=_refuse_and_die, args=(tmp_path, case.uuid)
    )
    child.start()
    child.join(60)
    assert child.exitcode == 9
    return case.uuid


def test_a_decision_killed_before_its_commit_is_set_aside_at_the_next_start(tmp_path):
    case_uuid = _killed_refusal(tmp_path)
    root = tmp_path / "documents"
    [left] = pending(root)  # the killed attempt's journal names its files
    written = sorted(p for p in root.rglob("*.pdf"))
    assert len(written) == 1 and ".unrecorded-" not in written[0].name

    again = reopen(tmp_path)  # fresh: no STALE_SECONDS wait, the dead writer's lock is gone
    tidied = tidy_documents(root, again.store.document_at)
    assert [p.name for p in tidied.set_aside] == [
        written[0].with_suffix(".unrecorded-1.txt").name,
        written[0].with_suffix(".unrecorded-1.pdf").name,
    ]
    assert pending(root) == [] and not left.exists()
    assert not list(root.rglob("*.part"))
    # the case is as it was, and the same decision now goes through under the same number
    refused = again.refuse(again.login("admin", PASSWORD), case_uuid, REASON)
    assert Path(refused.documents[-1].path_pdf) == written[0]
    assert pending(root) == []


def test_the_apps_start_sets_a_killed_decisions_files_aside(tmp_path, monkeypatch):
    _killed_refusal(tmp_path)
    root = tmp_path / "documents"
    [written] = sorted(root.rglob("*.pdf"))
    monkeypatch.setattr("clerk.support.paths.documents_dir", lambda: root)
    from clerk.screens.app import make_app_from_args

    app = make_app_from_args(argparse.Namespace(db=str(tmp_path / "clerk.db")))
    app.window.close()
    assert not written.exists()
    assert written.with_suffix(".unrecorded-1.pdf").exists()
    assert pending(root) == []


def test_a_normal_decision_leaves_no_journal(tmp_path):
    window, admin = ready(tmp_path)
    view = window.refuse(admin, open_case(window, admin).uuid, REASON)
    root = tmp_path / "documents"
    assert view.documents and Path(view.documents[0].path_pdf).exists()
    assert pending(root) == []
    assert tidy_documents(root, window.store.document_at).set_aside == []


def test_a_failed_decision_sets_its_files_aside_and_leaves_no_journal(tmp_path):
    window, admin = ready(tmp_path)
    case = open_case(window, admin)

    def refused(*args, **kwargs):
        raise RuntimeError("boom")

    window.store.add_document = refused  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        window.refuse(admin, case.uuid, REASON)
    root = tmp_path / "documents"
    assert pending(root) == []
    assert [".unrecorded-1" in p.name for p in root.rglob("*.pdf")] == [True]


def test_a_journal_whose_attempt_is_running_is_left_alone(tmp_path):
    root = tmp_path / "documents"
    with journal.attempt() as running:
        path_txt, path_pdf, _ = save_files(
            "YZ05-X-1", NOW.date(), "text", lambda p: p.write_bytes(b"%PDF-1.4"), root=root
        )
        tidied = tidy_documents(root, lambda p: False)  # another window starting meanwhile
        assert tidied.set_aside == [] and path_pdf.exists() and pending(root)
        running.close()
    assert pending(root) == []


def test_a_recorded_file_named_by_a_journal_is_kept(tmp_path):
    root = tmp_path / "documents"
    with journal.attempt() as crashed:
        _, path_pdf, _ = save_files(
            "YZ05-X-2", NOW.date(), "text", lambda p: p.write_bytes(b"%PDF-1.4"), root=root
        )
        crashed.close(remove=False)  # killed after its commit, before removing the journal
    tidied = tidy_documents(root, lambda p: p.with_suffix(".pdf") == path_pdf)
    assert tidied.kept and tidied.set_aside == [] and path_pdf.exists()
    assert pending(root) == []


def test_a_dead_attempts_part_files_are_removed(tmp_path):
    root = tmp_path / "documents"
    with journal.attempt() as crashed:
        save_files("YZ05-X-3", NOW.date(), "t", lambda p: p.write_bytes(b"%PDF"), root=root)
        folder = next(root.rglob("*.pdf")).parent
        own = folder / f"{crashed.part_prefix}abc.part"
        own.write_bytes(b"half")
        fresh = folder / ".tmp-someone-else.part"
        fresh.write_bytes(b"being written by another window")
        crashed.close(remove=False)
    tidied = tidy_documents(root, lambda p: False)
    assert tidied.removed == [own]
    assert fresh.exists()


def test_start_up_does_not_walk_the_documents_folder(tmp_path, monkeypatch):
    window, admin = ready(tmp_path)
    for _ in range(3):
        window.refuse(admin, open_case(window, admin).uuid, REASON)
    window.store.close()
    walked: list[str] = []

    documents = tmp_path / "documents"
    years = [p for p in documents.iterdir() if p.name.isdigit()]
    assert years  # the decisions' files are there to be walked

    def no_walk(name, original):
        def refuse(*args, **kwargs):
            where = Path(args[0] if args else ".").absolute()
            if where == documents or documents in where.parents:
                if where.name != journal.JOURNAL_DIR:  # the journals' own folder is read
                    walked.append(f"{name} {where}")
            return original(*args, **kwargs)

        return refuse

    monkeypatch.setattr(Path, "rglob", no_walk("rglob", Path.rglob))
    monkeypatch.setattr(os, "walk", no_walk("walk", os.walk))
    monkeypatch.setattr(os, "scandir", no_walk("scandir", os.scandir))
    monkeypatch.setattr(os, "listdir", no_walk("listdir", os.listdir))
    monkeypatch.setattr("clerk.support.paths.documents_dir", lambda: tmp_path / "documents")
    from clerk.screens.app import make_app_from_args

    app = make_app_from_args(argparse.Namespace(db=str(tmp_path / "clerk.db")))
    assert app is not None and walked == []


def test_document_at_is_an_indexed_lookup(tmp_path):
    from support.tamper import query_plan

    window, admin = ready(tmp_path)
    view = window.refuse(admin, open_case(window, admin).uuid, REASON)
    pdf = Path(view.documents[0].path_pdf)
    assert window.store.document_at(pdf) and window.store.document_at(pdf.with_suffix(".txt"))
    assert not window.store.document_at(pdf.with_name("other.pdf"))
    plan = query_plan(
        window.store,
        "SELECT 1 FROM documents WHERE path_txt IN (?, ?) OR path_pdf IN (?, ?) LIMIT 1",
        ("a", "b", "a", "b"),
    )
    assert "idx_documents_path_txt" in plan and "idx_documents_path_pdf" in plan, plan
    assert "SCAN documents" not in plan, plan
