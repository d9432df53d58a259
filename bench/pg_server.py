"""A PostgreSQL server for the engine benchmarks, kept between runs (the 1,000,000-case database
takes a while to load).

`server(root)` starts (or finds running) a cluster in `root` with the durability a county's server
has: `fsync`, `synchronous_commit` and `full_page_writes` at PostgreSQL's defaults (on), so a
decision pays the commit flush a real server pays, as the SQLite side pays `synchronous=FULL`.
`shared_buffers` 1 GB, `max_connections` 100 (20 windows and the floors), a unix socket in the
cluster's folder and a free 127.0.0.1 port. As root, `initdb`/`pg_ctl` run as the `postgres`
system user (`runuser`), as the test cluster does. Roles as the README sets them up: `clerk_owner`
owns the databases; `clerk_app` is what the migrations grant to.

`stop(root)` stops it; the folder stays (remove it by hand to rebuild).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "clerk_super"
OWNER = "clerk_owner"
DEFAULT_ROOT = Path("/var/tmp/clerk-bench-pg")  # readable by the postgres user (not under /root)
SETTINGS = (
    "-c listen_addresses=127.0.0.1 -c shared_buffers=1GB -c max_connections=100"
    " -c work_mem=32MB -c maintenance_work_mem=512MB -c max_wal_size=8GB"
)


def bin_dir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if found:
        return found[-1].parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise RuntimeError("no PostgreSQL binaries (apt-get install postgresql)")


@dataclass
class Server:
    root: Path
    port: int

    def url(self, database: str, user: str = OWNER) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def admin_url(self, database: str = "postgres") -> str:
        return self.url(database, SUPERUSER)

    def version(self) -> str:
        import psycopg

        with psycopg.connect(self.admin_url()) as conn:
            return str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]

    def create_database(self, name: str, *, drop: bool = False) -> str:
        import psycopg

        with psycopg.connect(self.admin_url(), autocommit=True) as conn:
            if drop:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
            if not exists:
                conn.execute(f"CREATE DATABASE {name} OWNER {OWNER}")
        return self.url(name)

    def database_bytes(self, name: str) -> int:
        import psycopg

        with psycopg.connect(self.admin_url()) as conn:
            found = conn.execute("SELECT pg_database_size(%s)", (name,)).fetchone()
        return int(found[0]) if found else 0


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [str(bin_dir() / args[0]), *args[1:]]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=600)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server(root: Path = DEFAULT_ROOT) -> Server:
    """The benchmark cluster in `root`: created on first use, started when it is not running."""
    data = root / "data"
    port_file = root / "port"
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
    fresh = not (data / "PG_VERSION").exists()
    if fresh:
        root.mkdir(parents=True, exist_ok=True)
        (root / "sock").mkdir(exist_ok=True)
        if os.geteuid() == 0:
            for p in (root, root / "sock"):
                shutil.chown(p, "postgres")
        _run(
            "initdb",
            "-D",
            str(data),
            "-U",
            SUPERUSER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        port_file.write_text(str(_free_port()))
    port = int(port_file.read_text())
    if not (data / "postmaster.pid").exists():
        options = f"-p {port} -k {root / 'sock'} {SETTINGS}"
        _run("pg_ctl", "-D", str(data), "-l", str(root / "log"), "-w", "start", "-o", options)
    found = Server(root, port)
    if fresh:
        import psycopg

        with psycopg.connect(found.admin_url(), autocommit=True) as conn:
            conn.execute(f"CREATE ROLE {OWNER} LOGIN CREATEDB")
            conn.execute("CREATE ROLE clerk_app NOLOGIN")
    return found


def stop(root: Path = DEFAULT_ROOT) -> None:
    if (root / "data" / "postmaster.pid").exists():
        _run("pg_ctl", "-D", str(root / "data"), "-m", "fast", "-w", "stop")
