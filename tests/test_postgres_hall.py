"""A county hall on one PostgreSQL database, through the service (issue 20): windows as OS
processes racing for the same cases, a point's bundle imported while windows decide, and several
points' bundles imported at once. The race runs on both engines (`support.engines`), so the
losing clerk's message is compared with SQLite's. Skipped without PostgreSQL binaries (the
`[postgresql]` copies; the import tests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import postgres
from support.app import PASSWORD, complete_checks, person
from support.clock import MONDAY, Clock
from support.sync import (
    OFFICE,
    OTHER_POINT,
    POINT,
    collected,
    declare_points,
    exchange_keys,
    export,
    installation,
)

from clerk.domain.catalog import default_catalog
from clerk.domain.model import Action, CaseState, Role
from clerk.domain.offices import default_offices
from clerk.service.window import Window

ROOT = Path(__file__).resolve().parent.parent
RACE_WORKER = Path(__file__).with_name("race_worker.py")
IMPORT_WORKER = Path(__file__).with_name("import_worker.py")
# What the losing desk reads when the other desk accepted the case first — on either engine.
ALREADY_DECIDED = (
    "该件当前为“已受理”，不能受理。只有收件环节的办件可以受理；待补正的办件请先登记补正材料。"
)

needs_postgres = pytest.mark.skipif(
    postgres.skip_reason() is not None, reason=postgres.skip_reason() or ""
)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}


def _start_desks(
    target: str, documents: Path, go: Path, desks: list[tuple[str, list[str]]], action: str
) -> list[subprocess.Popen[str]]:
    """One race_worker process per (login, cases), each signed in and waiting for `go`."""
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(RACE_WORKER),
                target,
                str(documents),
                login,
                PASSWORD,
                action,
                str(go),
                *uuids,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
            cwd=str(ROOT),
        )
        for login, uuids in desks
    ]
    for proc in procs:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert line.strip() == "ready", line + proc.stderr.read()
    return procs


def _results(procs: list[subprocess.Popen[str]]) -> list[dict]:
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)  # a guard against a hang, not a threshold
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    return results


def _hall(window: Window, clerks: int) -> list[str]:
    """Set up office YZ03 with `clerks` clerks who chose their passwords; their logins."""
    admin = window.setup(OFFICE, "admin", "王管理", PASSWORD)
    logins = [f"clerk{k}" for k in range(1, clerks + 1)]
    for login in logins:
        window.add_user(admin, login, f"经办{login[-1]}", Role.CLERK, PASSWORD)
        window.store.require_password_change(login, False)
    return logins


def _drafts(window: Window, login: str, n: int) -> list[str]:
    clerk = window.login(login, PASSWORD)
    checks = complete_checks(window, 31)
    uuids = []
    for _ in range(n):
        view = window.open_case(clerk, 31, person())
        window.check_materials(clerk, view.uuid, checks)
        uuids.append(view.uuid)
    return uuids


def _county_window(tmp_path: Path) -> Window:
    """The county office's window on a fresh database of the engine under test."""
    from support.db import fresh_db

    from clerk.db import Store
    from clerk.domain.clock import system_clock

    return Window(
        Store.open(fresh_db(tmp_path / "county.db")),
        default_catalog(),
        default_offices(),
        clock=system_clock,  # the desks stamp with the real clock, as in the hall
        documents_root=tmp_path / "documents",
    )


# ---------------------------------------------------------------------- two desks, the same cases


CASES = 12


@pytest.mark.usefixtures("engine")
def test_two_desks_racing_for_the_same_cases_make_one_decision_each_and_the_same_message(
    tmp_path: Path, engine: str
) -> None:
    window = _county_window(tmp_path)
    wang, li = _hall(window, 2)
    uuids = _drafts(window, wang, CASES)
    target = window.store.location
    window.store.close()
    go = tmp_path / "go"
    procs = _start_desks(target, tmp_path / "documents", go, [(wang, uuids), (li, uuids)], "accept")
    go.touch()
    results = _results(procs)
    done = sorted(u for r in results for u in r["done"])
    refused = [m for r in results for m in r["refused"]]
    window = _county_window(tmp_path)
    try:
        store = window.store
        accepts = [[e.action for e in store.case_events(u)].count(Action.ACCEPT) for u in uuids]
        assert (
            done,
            sorted(set(refused)),
            len(refused),
            accepts,
            {store.get_case(u).state for u in uuids},  # type: ignore[union-attr]
            [len(store.documents_for(u)) for u in uuids],
            store.verify(full=True).ok,
        ) == (
            sorted(uuids),
            [ALREADY_DECIDED],
            CASES,
            [1] * CASES,
            {CaseState.ACCEPTED},
            [1] * CASES,
            True,
        )
    finally:
        window.store.close()


# ---------------------------------------------------------------------- imports on PostgreSQL


def _county_on_postgres(tmp_path: Path, clock: Clock) -> tuple[Window, str]:
    from clerk.storage.postgres.store import PostgresStore

    url = postgres.fresh_database()
    store = PostgresStore.open(url, clock=clock)
    declare_points(store)  # type: ignore[arg-type]
    county = Window(
        store,  # type: ignore[arg-type]
        default_catalog(),
        default_offices(),
        clock=clock,
        documents_root=tmp_path / "documents",
    )
    return county, url


def _exchange_keys(county: Window, point: Window) -> None:
    """As `support.sync.exchange_keys`, the county making its keys only once (several points)."""
    from clerk.sync import keys, peers

    anchor = county.store.sync_store().database_path()
    if not keys.has_keys(keys.key_dir(anchor)):
        exchange_keys(county, point)
        return
    mine = peers.own_public(anchor)
    theirs = peers.init_keys(
        point.store, point.offices, point.store.sync_store().database_path(), None
    )
    peers.add_peer(
        county.store.sync_store(), county.offices, county.me(), theirs, county.store.now()
    )
    peers.add_peer(point.store.sync_store(), point.offices, point.me(), mine, point.store.now())


def _point_bundle(
    tmp_path: Path, county: Window, code: str, clock: Clock, cases: int
) -> tuple[Path, list[str], tuple[int, str] | None]:
    """Point `code` (SQLite) collects `cases` cases and writes its bundle: the bundle, the cases
    and the point's chain head."""
    point = installation(tmp_path / code, code, clock)
    try:
        _exchange_keys(county, point)
        uuids = [collected(point, 35, n) for n in range(cases)]
        bundle = Path(export(point, tmp_path / f"usb-{code}").path)
        return bundle, uuids, point.store.chain_head(code)
    finally:
        point.store.close()


def _import_process(url: str, documents: Path, bundle: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(IMPORT_WORKER), url, str(documents), str(bundle)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
        cwd=str(ROOT),
    )


def _imported(proc: subprocess.Popen[str]) -> dict:
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, out + err
    return json.loads(out)


@needs_postgres
def test_a_point_bundle_imported_while_four_windows_decide(tmp_path: Path) -> None:
    """Four clerks (processes) accept their own cases while the point's bundle is imported in a
    fifth process: every decision and every imported case is there once; the record verifies."""
    clock = Clock(MONDAY)
    county, url = _county_on_postgres(tmp_path, clock)
    logins = _hall(county, 4)
    for login in logins:
        county.store.require_password_change(login, False)
    bundle, carried, head = _point_bundle(tmp_path, county, POINT, clock, 20)
    own = {login: _drafts(county, login, 6) for login in logins}
    county.store.close()
    go = tmp_path / "go"
    desks = _start_desks(url, tmp_path / "documents", go, list(own.items()), "accept")
    go.touch()
    importer = _import_process(url, tmp_path / "documents", bundle)
    report = _imported(importer)
    results = _results(desks)
    county, _ = _county_on_postgres_again(tmp_path, url, clock)
    try:
        store = county.store
        mine = sorted(u for us in own.values() for u in us)
        assert (
            report["status"],
            report["imported"]["cases"],
            sorted(u for r in results for u in r["done"]),
            [r["refused"] for r in results],
            [_state(store, u) for u in mine],
            [_state(store, u) for u in carried],
            store.chain_head(POINT) == head,
            store.verify(full=True).ok,
        ) == (
            "imported",
            20,
            mine,
            [[]] * 4,
            [CaseState.ACCEPTED] * 24,
            [CaseState.DRAFT] * 20,
            True,
            True,
        )
    finally:
        county.store.close()
        postgres.drop_database(url)


def _county_on_postgres_again(tmp_path: Path, url: str, clock: Clock) -> tuple[Window, str]:
    from clerk.storage.postgres.store import PostgresStore

    store = PostgresStore.open(url, clock=clock)
    return (
        Window(
            store,  # type: ignore[arg-type]
            default_catalog(),
            default_offices(),
            clock=clock,
            documents_root=tmp_path / "documents",
        ),
        url,
    )


@needs_postgres
def test_two_points_bundles_imported_at_once_into_a_postgresql_county(tmp_path: Path) -> None:
    clock = Clock(MONDAY)
    county, url = _county_on_postgres(tmp_path, clock)
    county.setup(OFFICE, "admin", "王管理", PASSWORD)
    points = {
        code: _point_bundle(tmp_path, county, code, clock, 15 + k * 5)
        for k, code in enumerate((POINT, OTHER_POINT))
    }
    county.store.close()
    procs = [_import_process(url, tmp_path / "documents", b) for b, _, _ in points.values()]
    reports = [_imported(p) for p in procs]
    county, _ = _county_on_postgres_again(tmp_path, url, clock)
    try:
        store = county.store
        assert (
            [(r["status"], r["imported"]["cases"]) for r in reports],
            [[_state(store, u) for u in uuids] for _, uuids, _ in points.values()],
            [store.chain_head(code) == head for code, (_, _, head) in points.items()],
            store.verify(full=True).ok,
        ) == (
            [("imported", 15), ("imported", 20)],
            [[CaseState.DRAFT] * 15, [CaseState.DRAFT] * 20],
            [True, True],
            True,
        )
    finally:
        county.store.close()
        postgres.drop_database(url)


def _state(store, uuid: str) -> CaseState | None:  # type: ignore[no-untyped-def]
    case = store.get_case(uuid)
    return case.state if case is not None else None
