"""The layers are enforced by import-linter (`make lint` runs `lint-imports`): the contracts in
pyproject.toml hold for the code, and they break when a screen imports storage or a domain
module imports Textual or sqlite3 (checked on a copy of the package with one bad import added)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(where: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(where)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "clerk", tmp_path / "clerk", ignore=shutil.ignore_patterns("__pycache__", "data")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _add_import(module: Path, line: str) -> None:
    text = module.read_text(encoding="utf-8")
    head, sep, rest = text.partition("from __future__ import annotations\n")
    assert sep, module
    module.write_text(head + sep + line + "\n" + rest, encoding="utf-8")


def test_the_code_keeps_every_contract() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


def test_a_copy_of_the_package_keeps_them_too(tmp_path: Path) -> None:
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        (
            "screens/dashboard.py",
            "import clerk.storage.sqlite.queries",
            "The app, screens and widgets ask the service, never the store BROKEN",
        ),
        (
            "screens/search.py",
            "from clerk.db import Store",
            "The app, screens and widgets ask the service, never the store BROKEN",
        ),
        ("workflow.py", "import textual", "Textual only in the app, screens and widgets BROKEN"),
        ("catalog.py", "import sqlite3", "sqlite3 only in clerk.storage and clerk.db BROKEN"),
        (
            "model.py",
            "import clerk.service.window",
            "UI and CLI -> service -> documents -> storage -> domain BROKEN",
        ),
        (
            "storage/queries.py",
            "import clerk.documents.store",
            "UI and CLI -> service -> documents -> storage -> domain BROKEN",
        ),
        (
            "documents/text.py",
            "import clerk.service.window",
            "UI and CLI -> service -> documents -> storage -> domain BROKEN",
        ),
        ("service.py", "import sqlite3", "sqlite3 only in clerk.storage and clerk.db BROKEN"),
    ],
)
def test_a_forbidden_import_breaks_a_contract(
    tmp_path: Path, module: str, line: str, broken: str
) -> None:
    where = _copy(tmp_path)
    _add_import(where / "clerk" / module, line)
    result = _lint(where)
    assert result.returncode == 1, result.stdout
    assert broken in result.stdout
