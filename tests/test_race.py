"""Two OS processes deciding the same 60 cases at once: exactly one decision per case is stored,
the other clerk gets a Chinese message, every recorded document has its file with its recorded
sha256, and `verify()` passes."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from support.app import PASSWORD, complete_checks, make_window, person

from clerk.domain.model import Action, CaseState, Role

WORKER = Path(__file__).with_name("race_worker.py")
CASES = 60
ROUNDS = 3


def _setup(tmp_path: Path) -> tuple[Path, list[str]]:
    from clerk.domain.clock import system_clock

    window = make_window(tmp_path)
    window.clock = system_clock  # both desks stamp with the real clock, as in the hall
    window.setup("YZ05", "admin", "王管理", PASSWORD)
    admin = window.login("admin", PASSWORD)
    for login, name, role in (
        ("wang", "王经办", Role.CLERK),
        ("li", "李经办", Role.CLERK),
        ("shen", "沈审核", Role.REVIEWER),
        ("zhou", "周审核", Role.REVIEWER),
    ):
        window.add_user(admin, login, name, role, PASSWORD)
        # each desk changed the password the administrator gave it at its first sign-in
        window.store.require_password_change(login, False)
    checks = complete_checks(window, 31)
    uuids = []
    for _ in range(CASES):
        view = window.open_case(admin, 31, person())
        window.check_materials(admin, view.uuid, checks)
        uuids.append(view.uuid)
    window.store.close()
    return tmp_path / "clerk.db", uuids


def _race(
    tmp_path: Path, db: Path, action: str, logins: tuple[str, str], uuids: list[str], n: int
) -> list[dict]:
    go = tmp_path / f"go-{action}-{n}"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(WORKER),
                str(db),
                str(tmp_path / "documents"),
                login,
                PASSWORD,
                action,
                str(go),
                *uuids,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=WORKER.parent.parent,
        )
        for login in logins
    ]
    for proc in procs:  # both desks are logged in before the race starts
        line = proc.stderr.readline()
        assert line.strip() == "ready", line + proc.stderr.read()
    go.touch()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)  # a guard against hanging, not a threshold
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    return results


def _check_the_file(
    db: Path, uuids: list[str], decided: Action, state: CaseState, kinds: list[str]
) -> None:
    from clerk.db import Store

    store = Store.open(db)
    try:
        for uuid in uuids:
            case = store.get_case(uuid)
            assert case is not None and case.state == state
            actions = [e.action for e in store.case_events(uuid)]
            assert actions.count(decided) == 1, actions
            documents = store.documents_for(uuid)
            assert [d.kind for d in documents] == kinds
            for d in documents:
                assert hashlib.sha256(Path(d.path_pdf).read_bytes()).hexdigest() == d.sha256
                assert Path(d.path_txt).is_file()
        result = store.verify(full=True)  # chains, every case replayed, every document and file
        assert result["ok"] is True, result.get("problems")
    finally:
        store.close()


def _no_unrecorded_files(tmp_path: Path) -> None:
    assert sorted(p.name for p in (tmp_path / "documents").rglob("*.unrecorded-*")) == []


def _one_decision_each(results: list[dict], uuids: list[str]) -> None:
    done = [u for r in results for u in r["done"]]
    assert sorted(done) == sorted(uuids)
    refused = [m for r in results for m in r["refused"]]
    assert len(refused) == len(uuids)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in refused), refused[:3]


@pytest.mark.slow
@pytest.mark.parametrize("round_no", range(ROUNDS))
def test_two_desks_racing_to_accept_then_approve_the_same_cases(
    tmp_path: Path, round_no: int
) -> None:
    db, uuids = _setup(tmp_path)
    results = _race(tmp_path, db, "accept", ("wang", "li"), uuids, round_no)
    _one_decision_each(results, uuids)
    _check_the_file(db, uuids, Action.ACCEPT, CaseState.ACCEPTED, ["acceptance"])
    _no_unrecorded_files(tmp_path)

    results = _race(tmp_path, db, "approve", ("shen", "zhou"), uuids, round_no)
    _one_decision_each(results, uuids)
    _check_the_file(db, uuids, Action.APPROVE, CaseState.AWAITING_PAYMENT, ["acceptance"])
    _no_unrecorded_files(tmp_path)
