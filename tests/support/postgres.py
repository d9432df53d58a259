"""A throwaway PostgreSQL cluster for the tests: one per test process, started on first use.

`cluster()` runs `initdb` + `pg_ctl start` in a short temporary directory (unix socket there, TCP
on a free 127.0.0.1 port, `fsync=off`), as the `postgres` system user when the tests run as root
(initdb and postgres refuse root), and removes it when the process ends, also after a failure.
Under pytest-xdist every worker is a process and gets its own cluster (about a second to start).

Roles, as the README tells a county to set them up:

- `clerk_owner` owns the database and its schema and runs the migrations;
- `clerk_app` (NOLOGIN) is what the migrations grant to: no UPDATE, DELETE or TRUNCATE on the
  event log; `clerk_window` logs in as a member of it (a window's account).

`fresh_database()` gives each test a new database copied from a migrated template (`CREATE
DATABASE ... TEMPLATE`, a few milliseconds) and returns its URL. When no PostgreSQL binaries are
installed (`/usr/lib/postgresql/*/bin/initdb`), `skip_reason()` says so in one line and the
PostgreSQL tests skip with it.
"""

from __future__ import annotations

import atexit
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SUPERUSER = "clerk_super"
OWNER = "clerk_owner"
APP = "clerk_window"  # a login role, member of clerk_app
APP_PASSWORD = "window-secret-1"
TEMPLATE = "clerk_template"


def bin_dir() -> Path | None:
    """The newest installed PostgreSQL's bin directory, or None."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    if not found:
        on_path = shutil.which("initdb")
        return Path(on_path).parent if on_path else None
    return Path(found[-1]).parent


def skip_reason() -> str | None:
    if bin_dir() is None:
        return (
            "PostgreSQL tests skipped: no PostgreSQL binaries (/usr/lib/postgresql/*/bin/initdb); "
            "apt-get install postgresql"
        )
    return None


@dataclass
class Cluster:
    root: Path
    port: int
    bin: Path
    as_postgres: bool

    @property
    def socket_dir(self) -> Path:
        return self.root / "sock"

    def url(self, database: str, user: str = OWNER, password: str | None = None) -> str:
        auth = user if password is None else f"{user}:{password}"
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{database}"

    def admin_url(self, database: str = "postgres") -> str:
        return self.url(database, SUPERUSER)

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    def stop(self) -> None:
        """Stop the server (waiting until every backend is gone) and remove its directory."""
        if (self.root / "data" / "postmaster.pid").exists():
            data = str(self.root / "data")
            self.run("pg_ctl", "-D", data, "-m", "fast", "-w", "stop", check=False)
        for _ in range(20):  # a backend still exiting may write a file after a first pass
            shutil.rmtree(self.root, ignore_errors=True)
            if not self.root.exists():
                return
            time.sleep(0.1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@cache
def cluster() -> Cluster:
    """This process's cluster, started on first use (stopped and removed at exit)."""
    binaries = bin_dir()
    if binaries is None:
        raise RuntimeError(skip_reason())
    as_postgres = os.geteuid() == 0
    root = Path(tempfile.mkdtemp(prefix="cpg", dir="/tmp"))  # short: socket paths max ~107 bytes
    (root / "sock").mkdir()
    if as_postgres:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
        shutil.chown(root, "postgres")
        shutil.chown(root / "sock", "postgres")
    found = Cluster(root, _free_port(), binaries, as_postgres)
    atexit.register(found.stop)
    data = str(root / "data")
    found.run(
        "initdb", "-D", data, "-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "-N"
    )
    options = (
        f"-p {found.port} -k {found.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    found.run("pg_ctl", "-D", data, "-l", str(root / "log"), "-w", "start", "-o", options)
    _set_up_roles(found)
    return found


def _set_up_roles(c: Cluster) -> None:
    import psycopg

    with psycopg.connect(c.admin_url(), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {OWNER} LOGIN CREATEDB")
        conn.execute("CREATE ROLE clerk_app NOLOGIN")
        conn.execute(f"CREATE ROLE {APP} LOGIN PASSWORD '{APP_PASSWORD}' IN ROLE clerk_app")
        conn.execute(f"CREATE DATABASE {TEMPLATE} OWNER {OWNER}")
    # The template: migrated by the adapter itself, as the owner.
    from clerk.storage.postgres.store import PostgresStore

    PostgresStore.open(c.url(TEMPLATE)).close()


_counter = itertools.count(1)
_lock = threading.Lock()


def fresh_database() -> str:
    """A new migrated, empty database on this process's cluster; its URL (as the owner)."""
    import psycopg

    c = cluster()
    with _lock:
        name = f"t{os.getpid()}_{next(_counter)}"
    with psycopg.connect(c.admin_url(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE} OWNER {OWNER}")
    return c.url(name)


def drop_database(url: str) -> None:
    """Remove a test's database (its connections are closed first)."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(cluster().admin_url(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def stop_if_started() -> None:
    """Stop this process's cluster if one was started (pytest's session end calls this: under
    pytest-xdist a worker may be ended before its atexit handlers finish)."""
    if cluster.cache_info().currsize:
        cluster().stop()
