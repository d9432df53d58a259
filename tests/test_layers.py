"""The layers are enforced by import-linter (`make check` runs `lint-imports`): the contracts in
pyproject.toml hold for the code; they break when a module imports across a layer, when anything
outside clerk.screens imports Textual, anything outside the SQLite adapter imports sqlite3, or
anything above the port reaches storage (checked on a copy of the package with one bad import
added); and every module of the package lies in one of the layers the contract names."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

LAYERS = "Layers, top to bottom BROKEN"
CYCLES = "No import cycles, function-level imports included BROKEN"
TEXTUAL = "Textual only in clerk.screens BROKEN"
SQLITE = "sqlite3 only in clerk.storage.sqlite BROKEN"
PORT = "Above the port: no clerk.storage, no clerk.db BROKEN"
PSYCOPG = "psycopg only in clerk.storage.postgres BROKEN"
ADAPTERS = "The storage adapters do not import each other BROKEN"


def _lint(where: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(where), "COLUMNS": "200"}
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


def layer_roots(pyproject: Path) -> list[str]:
    """The packages and modules the layers contract names, in order."""
    config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (layers,) = [c for c in contracts if c["id"] == "layers"]
    return [name.strip() for layer in layers["layers"] for name in layer.split(":")]


def modules_outside_layers(root: Path) -> list[str]:
    """Every module under `root/clerk` that lies in no layer of the contract."""
    roots = layer_roots(root / "pyproject.toml")
    found = []
    for path in sorted((root / "clerk").rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if module == "clerk":
            continue
        if not any(module == r or module.startswith(r + ".") for r in roots):
            found.append(module)
    return found


def test_the_code_keeps_every_contract() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "7 kept, 0 broken" in result.stdout


def test_a_copy_of_the_package_keeps_them_too(tmp_path: Path) -> None:
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_module_lies_in_a_layer() -> None:
    assert modules_outside_layers(ROOT) == []


def test_nothing_lies_loose_in_the_package_but_its_entry_points() -> None:
    loose = sorted(p.name for p in (ROOT / "clerk").glob("*.py"))
    assert loose == ["__init__.py", "__main__.py", "db.py"]


def test_a_new_module_outside_every_layer_is_found(tmp_path: Path) -> None:
    where = _copy(tmp_path)
    (where / "clerk" / "stray.py").write_text('"""Loose."""\n', encoding="utf-8")
    (where / "clerk" / "extras").mkdir()
    (where / "clerk" / "extras" / "__init__.py").write_text("", encoding="utf-8")
    assert modules_outside_layers(where) == ["clerk.extras", "clerk.stray"]


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # the rulebook: no storage engine, no screen, nothing above it
        ("domain/intake.py", "import sqlite3", SQLITE),
        ("domain/intake.py", "import clerk.service.window", LAYERS),
        ("domain/workflow.py", "import textual", TEXTUAL),
        ("domain/catalog.py", "import sqlite_utils", SQLITE),
        ("domain/model.py", "import clerk.ports.records", LAYERS),
        # the service and the sync: through the port only
        ("service/case_reader.py", "import sqlite3", SQLITE),
        ("service/case_reader.py", "import textual", TEXTUAL),
        ("service/ledger.py", "import clerk.storage.sqlite.queries", PORT),
        ("service/views.py", "from clerk.db import Store", PORT),
        ("sync/bundle.py", "import sqlite3", SQLITE),
        ("sync/export.py", "import clerk.storage.sqlite.schema", PORT),
        ("roster/checks.py", "import textual", TEXTUAL),
        ("documents/text.py", "import clerk.service.window", LAYERS),
        # the screens ask the service
        ("screens/dashboard.py", "import clerk.storage.sqlite.queries", PORT),
        ("screens/search.py", "from clerk.db import Store", PORT),
        ("screens/search.py", "import sqlite3", SQLITE),
        # the proof of the record reads through the port only
        ("audit/proof.py", "import clerk.storage.sqlite.schema", LAYERS),
        ("audit/proof.py", "import sqlite3", SQLITE),
        # the ports and the adapter do not look up
        ("ports/records.py", "import clerk.storage.sqlite.schema", LAYERS),
        ("storage/sqlite/queries.py", "import clerk.documents.store", LAYERS),
        ("storage/sqlite/queries.py", "import textual", TEXTUAL),
        ("support/paths.py", "import clerk.domain.clock", LAYERS),
        ("cli/verify.py", "import sqlite3", SQLITE),
        # the PostgreSQL adapter: psycopg nowhere else, and the two adapters apart
        ("service/case_reader.py", "import psycopg", PSYCOPG),
        ("storage/sqlite/queries.py", "import psycopg_pool", PSYCOPG),
        ("storage/postgres/queries.py", "import sqlite3", SQLITE),
        ("storage/postgres/queries.py", "import clerk.storage.sqlite.queries", ADAPTERS),
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


def test_a_function_level_import_cycle_breaks_a_contract(tmp_path: Path) -> None:
    where = _copy(tmp_path)
    module = where / "clerk" / "domain" / "masking.py"
    module.write_text(
        module.read_text(encoding="utf-8")
        + "\n\ndef _late() -> None:\n    import clerk.domain.identifiers  # noqa: F401\n",
        encoding="utf-8",
    )
    other = where / "clerk" / "domain" / "identifiers.py"
    _add_import(other, "import clerk.domain.masking")
    result = _lint(where)
    assert result.returncode == 1, result.stdout
    assert CYCLES in result.stdout
