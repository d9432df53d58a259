"""`clerk X` loads only X's module: a command does not pay for every other one."""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
from pathlib import Path

from clerk.cli import COMMANDS, command_modules, main


def test_commands_names_every_sub_command_of_every_module() -> None:
    registered: dict[str, str] = {}
    for name in command_modules():
        module = importlib.import_module(f"clerk.cli.{name}")
        subparsers = argparse.ArgumentParser().add_subparsers()
        module.register(subparsers)
        registered.update(dict.fromkeys(subparsers.choices, name))
    assert registered == COMMANDS


def _modules_after(*args: str) -> set[str]:
    code = (
        "import sys\n"
        "from clerk.cli import main\n"
        f"main({list(args)!r})\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout
    return set(out.split())


def test_clerk_deadline_loads_no_sync_roster_app_or_storage(tmp_path: Path) -> None:
    loaded = _modules_after("deadline", "31", "2026-12-07")
    assert "clerk.cli.deadline" in loaded
    for name in ("clerk.sync", "clerk.roster", "clerk.screens", "clerk.cli.exchange", "textual"):
        assert name not in loaded, name


def test_clerk_verify_loads_no_sync_roster_or_app(tmp_path: Path) -> None:
    loaded = _modules_after("verify", "--db", str(tmp_path / "none.db"))
    assert "clerk.cli.verify" in loaded
    for name in ("clerk.sync", "clerk.roster", "clerk.screens", "textual", "pyrage"):
        assert name not in loaded, name


def test_help_still_lists_every_command(capsys) -> None:
    try:
        main(["--help"])
    except SystemExit as exc:
        assert exc.code == 0
    out = capsys.readouterr().out
    for command in COMMANDS:
        assert command in out, command


def test_a_mistyped_command_is_named_with_the_choices(capsys) -> None:
    try:
        main(["verfy"])
    except SystemExit as exc:
        assert exc.code == 2
    err = capsys.readouterr().err
    assert "verfy" in err and "verify" in err


def test_the_db_option_before_a_command_is_skipped_to_find_it(tmp_path: Path) -> None:
    from clerk.cli import _command_in

    assert _command_in(["--db", "x.db", "report", "--date", "2026-12-07"]) == "report"
    assert _command_in(["--db", "x.db"]) is None
    assert _command_in([]) is None
    assert _command_in(["report", "--help"]) == "report"
    assert _command_in(["--help"]) == ""


def _demo_file(tmp_path: Path) -> Path:
    from clerk.service.compose import open_window

    path = tmp_path / "clerk.db"
    open_window(path).close()
    return path


# Read by neither `clerk report` nor `clerk verify` (issue 25, item 4): the window's desks other
# than the ledger's, the sync, the app, document writing, the port protocol (annotations only).
NOT_IN_REPORT_OR_VERIFY = (
    "clerk.sync",
    "clerk.roster",
    "clerk.screens",
    "textual",
    "clerk.service.case_reader",
    "clerk.service.sync_desk",
    "clerk.service.moves",
    "clerk.service.decisions",
    "clerk.service.administration",
    "clerk.service.enrolment",
    "clerk.service.holidays",
    "clerk.service.supervision",
    "clerk.documents.store",
    "clerk.documents.issue",
    "clerk.ports.store",
    "clerk.ports.record_inputs",
    "importlib.resources",
    "argon2",  # nobody signs in
    "pkgutil",  # only help and a mistyped command list the command modules
    "locale",  # argparse's texts are not looked up in gettext catalogues
    "uuid",  # nothing new is identified (`uuid` loads `platform`); `clerk.support.random_ids`
)


def test_clerk_report_builds_no_desk_but_reads_the_ledger(tmp_path: Path) -> None:
    loaded = _modules_after(
        "report", "--date", "2026-12-07", "--db", str(_demo_file(tmp_path)), "--json"
    )
    assert {"clerk.cli.report", "clerk.service.ledger", "clerk.audit.proof"} <= loaded
    assert "clerk.cli.verify" not in loaded  # --db is read without the verify command
    for name in NOT_IN_REPORT_OR_VERIFY:
        assert not {m for m in loaded if m == name or m.startswith(name + ".")}, name


def test_clerk_verify_loads_no_catalogue_window_or_schema_for_its_messages(
    tmp_path: Path,
) -> None:
    loaded = _modules_after("verify", "--db", str(_demo_file(tmp_path)), "--json")
    assert "clerk.audit.proof" in loaded
    for name in (
        *NOT_IN_REPORT_OR_VERIFY,
        "clerk.domain.catalog",
        "clerk.service",
        "clerk.ports.records",  # the file is proved through its reads, not the store's records
        "clerk.storage.sqlite.store",
    ):
        assert not {m for m in loaded if m == name or m.startswith(name + ".")}, name
