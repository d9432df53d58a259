"""The app's start loads what its first screens use (issue 25): signing in and the dashboard pay
for no sync (cryptography, pyrage), roster, lunar calendar, PDF, spreadsheet, PostgreSQL or
network code. Each is loaded where it is used (a bundle, a roster, a document, a year with no
holiday file), so a new import at module level that drags one of them in fails here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from support.app import PASSWORD, ready

ROOT = Path(__file__).resolve().parent.parent

# Started as `clerk` starts the app (`clerk.cli`, `make_app_from_args`), headless; the modules
# loaded are printed once the login screen is up, then again once the dashboard is.
CHILD = """
import argparse, asyncio, sys
from clerk.cli import build_parser
from clerk.screens.app import make_app_from_args

async def until(app, pilot, name):
    for _ in range(400):
        await pilot.pause()
        if type(app.screen).__name__ == name:
            return
    raise SystemExit(f"{name} never appeared: {type(app.screen).__name__}")

async def main(db, login, password):
    app = make_app_from_args(build_parser(None).parse_args(["--db", db]))
    async with app.run_test(headless=True, size=(120, 36)) as pilot:
        await until(app, pilot, "LoginScreen")
        print("LOGIN", *sorted(sys.modules))
        await pilot.press(*login, "enter", *password, "enter")
        await until(app, pilot, "DashboardScreen")
        print("DASHBOARD", *sorted(sys.modules))
        app.exit()

asyncio.run(main(*sys.argv[1:]))
"""

# Loaded by neither screen.
NOT_AT_START = (
    "cryptography",
    "pyrage",
    "lunar_python",
    "reportlab",
    "openpyxl",
    "psycopg",
    "httpx",
    "clerk.roster",
    "clerk.net",
    "clerk.sync.bundle",
    "clerk.sync.exchange",
    "clerk.sync.streaming",
    "clerk.sync.peers",  # the queues need only the setting key of this installation's code
    "clerk.sync.keys",
    "clerk.documents.pdf",
    "clerk.service.ledger_export",
    "clerk.service.supervision_pdf",
    "clerk.storage.postgres",
    # Desks the first screens do not use (issue 25, item 4: each built on first use), the proof of
    # the record (a verify's), the port protocol (annotations only), searching.
    "clerk.service.moves",
    "clerk.service.sync_desk",
    "clerk.service.administration",
    "clerk.service.intake",
    "clerk.service.decisions",
    "clerk.service.review_stages",
    "clerk.service.enrolment",
    "clerk.service.holidays",
    "clerk.service.supervision",
    "clerk.service.supervision_lists",
    "clerk.service.case_search",
    "clerk.domain.item_search",
    "clerk.audit",
    "clerk.ports.store",
    "clerk.ports.record_inputs",  # the store's write inputs: nothing is written to show them
    "clerk.screens.choice",
    "clerk.documents.store",
    "clerk.documents.model",  # a decision's or a case's documents
)
# Loaded by the login screen only when it is used after signing in.
NOT_AT_LOGIN = (
    "clerk.sync",
    "clerk.screens.dashboard",
    # the workflow and the reading desk: the dashboard's; the catalogue, the work calendar and
    # the documents' font check, read at sign-in (a wrong data file ends the app there)
    "clerk.domain.workflow",
    "clerk.domain.catalog",
    "clerk.domain.workdays",
    "chinese_calendar",
    "clerk.documents.fonts",
    "clerk.service.case_reader",
    "clerk.service.accounts",
    # the store's reads that signing in does not use: each loads when first called; argon2 when
    # the first password is checked
    "argon2",
    "clerk.storage.sqlite.ledger_queries",
    "clerk.storage.sqlite.supervision_queries",
    "clerk.storage.sqlite.action_queries",
    "clerk.storage.sqlite.sync",
    "clerk.ports.ledger",
    "clerk.ports.sync",
    "clerk.ports.verify_report",
    "clerk.ports.supervision",
    "clerk.domain.indicators",
    "clerk.service.views",
    # the tidy of a killed decision's files: loaded only when its journal is there
    "clerk.documents.tidy",
    "clerk.documents.journal",
)


def _loaded(tmp_path: Path) -> dict[str, set[str]]:
    window, admin = ready(tmp_path)
    db = str(tmp_path / "clerk.db")  # where `ready` made it
    window.store.close()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")]),
        "CLERK_DATA_DIR": str(tmp_path / "data"),
    }
    out = subprocess.run(
        [sys.executable, "-c", CHILD, db, admin.login, PASSWORD],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    screens: dict[str, set[str]] = {}
    for line in out.stdout.splitlines():
        name, *modules = line.split()
        if name in ("LOGIN", "DASHBOARD"):
            screens[name] = set(modules)
    return screens


def _under(loaded: set[str], package: str) -> list[str]:
    return sorted(m for m in loaded if m == package or m.startswith(package + "."))


def test_the_login_screen_and_the_dashboard_load_no_sync_roster_lunar_pdf_or_network(
    tmp_path: Path,
) -> None:
    screens = _loaded(tmp_path)
    assert set(screens) == {"LOGIN", "DASHBOARD"}
    assert "clerk.screens.login" in screens["LOGIN"]
    assert "clerk.screens.dashboard" in screens["DASHBOARD"]
    for screen, loaded in screens.items():
        for package in NOT_AT_START:
            assert _under(loaded, package) == [], (screen, package)
    for package in NOT_AT_LOGIN:
        assert _under(screens["LOGIN"], package) == [], ("LOGIN", package)
