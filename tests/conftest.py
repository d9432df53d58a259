"""Suite-wide fixtures, and a sandbox for the home directory.

HOME and the XDG directories point into a temporary directory for the whole session, set before
any test module is imported: a module-scoped fixture runs before the function-scoped data-dir
fixture, and used to create ~/.local/share/clerk in the real home.

Under pytest-xdist every worker is a process of its own with its own sandbox; the workers start
with the controller's environment, so the real home is passed on in CLERK_TESTS_REAL_HOME, and
the controller, which sees the whole run, checks that nothing appeared in the real home.

The shared fixtures live in tests/support/ and are registered here for every module: `clock`
(support.sync), `pair` (support.sync), `fresh_db_path` (support.db) and `engine` (support.engines: a module
that uses it runs on SQLite and on PostgreSQL).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from argon2 import PasswordHasher

REAL_HOME_VAR = "CLERK_TESTS_REAL_HOME"
REAL_HOME = Path(os.environ.get(REAL_HOME_VAR) or os.path.expanduser("~")).resolve()
SANDBOX = Path(tempfile.mkdtemp(prefix="clerk-test-home-")).resolve()
SANDBOX_VARS = {
    "HOME": SANDBOX / "home",
    "XDG_DATA_HOME": SANDBOX / "home" / ".local" / "share",
    "XDG_CONFIG_HOME": SANDBOX / "home" / ".config",
    "XDG_CACHE_HOME": SANDBOX / "home" / ".cache",
    "XDG_STATE_HOME": SANDBOX / "home" / ".local" / "state",
    "CLERK_DATA_DIR": SANDBOX / "clerk-data",
}
WATCHED = (".local/share/clerk", ".config/clerk", ".cache/clerk", ".local/state/clerk")


def _real_home_files() -> set[str]:
    found: set[str] = set()
    for rel in WATCHED:
        root = REAL_HOME / rel
        if root.exists():
            found |= {str(p) for p in root.rglob("*")} | {str(root)}
    return found


REAL_HOME_BEFORE = _real_home_files()


def _enter_sandbox() -> None:
    os.environ[REAL_HOME_VAR] = str(REAL_HOME)
    for name, path in SANDBOX_VARS.items():
        path.mkdir(parents=True, exist_ok=True)
        os.environ[name] = str(path)


_enter_sandbox()  # now, before the imports below (clerk, tests/support) can read a path


def pytest_configure(config: pytest.Config) -> None:
    _enter_sandbox()
    config.addinivalue_line(
        "markers",
        "sqlite_only(reason): a test of a module run on both engines (support.engines) that"
        " cannot run on PostgreSQL, and why",
    )


def _is_xdist_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from support import postgres

    postgres.stop_if_started()  # this process's throwaway PostgreSQL, if a test started one
    shutil.rmtree(SANDBOX, ignore_errors=True)
    if _is_xdist_worker(session.config):
        return  # a worker's output is not shown; the controller checks after every worker ends
    gained = sorted(_real_home_files() - REAL_HOME_BEFORE)
    if gained:
        print(f"\nThe suite wrote into the real home directory: {gained[:5]}")
        session.exitstatus = 1


from support.db import fresh_db  # noqa: E402  (after the sandbox variables are set)
from support.engines import engine  # noqa: E402, F401  (modules opt in: usefixtures("engine"))
from support.sync import clock, pair  # noqa: E402, F401  (fixtures for every module)

from clerk.storage import accounts  # noqa: E402


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Argon2id at production cost takes ~0.3 s a hash; tests use the same algorithm, cheaply."""
    monkeypatch.setattr(
        accounts,
        "default_hasher",
        lambda: PasswordHasher(time_cost=1, memory_cost=64, parallelism=1),
    )


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path_factory, monkeypatch):
    """No test writes into the real user data directory."""
    monkeypatch.setenv("CLERK_DATA_DIR", str(tmp_path_factory.mktemp("clerk-data")))


@pytest.fixture(autouse=True)
def pause_after_decisions(monkeypatch):
    """`Pilot.pause()` first lets a decision in flight finish (`support.app.settle_decisions`).
    Only where the test module brought Textual in (the app's tests)."""
    if "textual.app" not in sys.modules:
        return
    from support.app import settle_decisions
    from textual.pilot import Pilot

    real = Pilot.pause

    async def pause(self, delay=None):
        await settle_decisions(self.app)
        await real(self, delay)

    monkeypatch.setattr(Pilot, "pause", pause)


@pytest.fixture
def fresh_db_path(tmp_path: Path) -> Path:
    """tmp_path/clerk.db: a migrated empty database (a copy of this session's template)."""
    return fresh_db(tmp_path / "clerk.db")
