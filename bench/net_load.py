"""100 points sending their day at once to one county server on this machine (issue 22).

    python -m bench.net_load [--points 100] [--cases 5] [--max-uploads 8] [--workdir DIR]

Builds a county office (YZ03) and `--points` township points under it (their own files, keys
exchanged both ways), each with a day of `--cases` collected cases written as its bundle (the
file `clerk send` would write). Then, measured:

- network: `clerk serve` as its own process on 127.0.0.1 (the real command, default limits
  but `--max-uploads`), every point PUTting its bundle at once (one thread per point,
  `clerk.net.client.send` with its retries; a 503 past the upload limit is retried after the
  server's Retry-After, capped by the client's `wait_max`): wall time from the first request to
  the last answer, bundles per second, the server's peak memory (`VmHWM` of its process);
- files (the floor): the same bundle files imported into a fresh copy of the same county file
  by one process, one after another (`Window.import_bundle`, what `clerk import` runs), its
  wall time and peak memory.

Then it checks what the tests check: every bundle imported once, the counts, `verify` passing.
Prints one line per row; no thresholds. The building is not measured.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

OFFICE = "YZ03"
PASSWORD = "benchpass123"
ID_BODY = "43999919900101"  # area and birth date; + 3 digits per case + the check character


def point_code(i: int) -> str:
    return f"NP{i:03d}"


@dataclass
class Built:
    county: Path
    points: list[Path]
    bundles: list[Path]  # each point's bundle, in its outbox (`clerk send` sends from there)


def _window(path: Path, documents: Path, clock: Callable[[], datetime] | None) -> object:
    from clerk.domain.catalog import default_catalog
    from clerk.domain.offices import default_offices
    from clerk.service.window import Window
    from clerk.storage.sqlite.store import Store

    if clock is None:
        return Window(
            Store.open(path), default_catalog(), default_offices(), documents_root=documents
        )
    return Window(
        Store.open(path, clock=clock),
        default_catalog(),
        default_offices(),
        clock=clock,
        documents_root=documents,
    )


def build(
    root: Path,
    points: int,
    cases: int,
    *,
    clock: Callable[[], datetime] | None = None,
    template: Path | None = None,
    step: Callable[[int], None] | None = None,
) -> Built:
    """The county and its points under `root`, each point's day written as its bundle."""
    from clerk.domain.identifiers import resident_id_check_char
    from clerk.domain.materials import MaterialCheck
    from clerk.domain.model import Applicant
    from clerk.domain.offices import default_offices
    from clerk.net import client as net
    from clerk.service.administration import declare_point
    from clerk.storage.sqlite.store import Store
    from clerk.sync import peers

    root.mkdir(parents=True, exist_ok=True)
    if template is None:
        template = root / "template.db"
        Store.open(template).close()
    codes = [point_code(i) for i in range(1, points + 1)]

    def copy(target: Path, declared: list[str]) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, target)
        os.chmod(target, 0o600)
        with Store.open(target) as store:
            for code in declared:
                declare_point(
                    store, default_offices(), code, f"测试镇{code}服务中心", "township_hall", OFFICE
                )

    county_path = root / "county" / "clerk.db"
    copy(county_path, codes)
    county = _window(county_path, root / "county" / "documents", clock)
    county.setup(OFFICE, "admin", "王管理", PASSWORD)  # type: ignore[attr-defined]
    office_keys = peers.init_keys(county.store, county.offices, county_path, None)  # type: ignore[attr-defined]
    built = Built(county_path, [], [])
    for n, code in enumerate(codes):
        path = root / code / "clerk.db"
        copy(path, [code])
        w = _window(path, root / code / "documents", clock)
        admin = w.setup(code, "admin", "李经办", PASSWORD)  # type: ignore[attr-defined]
        mine = peers.init_keys(w.store, w.offices, path, None)  # type: ignore[attr-defined]
        peers.add_peer(county.sync_store(), county.offices, county.me(), mine, county.store.now())  # type: ignore[attr-defined]
        peers.add_peer(w.sync_store(), w.offices, w.me(), office_keys, w.store.now())  # type: ignore[attr-defined]
        for c in range(cases):
            body = f"{ID_BODY}{(n * cases + c) % 1000:03d}"
            person = Applicant(
                "person", "张三丰", "resident_id", body + resident_id_check_char(body)
            )
            view = w.open_case(admin, 35, person)  # type: ignore[attr-defined]
            checks = {
                m.id: MaterialCheck(m.id, "ok", m.alternatives[0])
                for m in w.required_for(35, frozenset())  # type: ignore[attr-defined]
            }
            w.check_materials(admin, view.uuid, checks)  # type: ignore[attr-defined]
            w.collect(admin, view.uuid)  # type: ignore[attr-defined]
        outbox = net.outbox_dir(path)
        outbox.mkdir(mode=0o700, exist_ok=True)
        built.bundles.append(w.export_bundle(outbox).path)  # type: ignore[attr-defined]
        built.points.append(path)
        w.store.close()  # type: ignore[attr-defined]
        if step is not None:
            step(n + 1)
    county.store.close()  # type: ignore[attr-defined]
    return built


def send_all(
    points: list[Path],
    url: str,
    retries: object,
    *,
    clock: Callable[[], datetime] | None = None,
    open_point: Callable[[Path], object] | None = None,
) -> dict[str, list[tuple[int, int, str]]]:
    """Every point PUTs its unsent bundles at once (one thread each): {point: [(seq, http, state)]}."""
    from clerk.net import client as net

    def one(path: Path) -> tuple[str, list[tuple[int, int, str]]]:
        w = open_point(path) if open_point else _window(path, path.parent / "documents", clock)
        try:
            result = net.send(w, url, write_new=False, retries=retries)  # type: ignore[arg-type]
            return w.me().code, [(s.seq, s.http_status, s.state) for s in result.sent]  # type: ignore[attr-defined]
        finally:
            w.store.close()  # type: ignore[attr-defined]

    with ThreadPoolExecutor(max_workers=len(points)) as pool:
        return dict(pool.map(one, points))


# ---------------------------------------------------------------------- measuring


def _vmhwm_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _serve(db: Path, port: int, max_uploads: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    import httpx

    process = subprocess.Popen(
        [sys.executable, "-m", "clerk", "serve", "--db", str(db),
         "--listen", f"127.0.0.1:{port}", "--max-uploads", str(max_uploads)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError("clerk serve did not start")
        time.sleep(0.05)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _check(county: Path, built: Built, cases: int) -> dict[str, object]:
    """Every point's bundle imported once, its events all there, the file verifies."""
    from clerk.storage.sqlite.files import verify_file

    w = _window(county, county.parent / "documents", None)
    try:
        sync = w.sync_store()  # type: ignore[attr-defined]
        seqs = {point_code(i): [int(r["seq"]) for r in sync.bundles("in", point_code(i))]
                for i in range(1, len(built.points) + 1)}  # fmt: skip
        events = sum((sync.head(code) or (0, ""))[0] for code in seqs)
    finally:
        w.store.close()  # type: ignore[attr-defined]
    ok = verify_file(county)["ok"]
    once = all(s == [1] for s in seqs.values())
    if not (ok and once and events == 3 * cases * len(built.points)):
        raise RuntimeError(f"check failed: verify {ok}, once {once}, events {events}")
    return {"verify": ok, "imported_once": once, "events": events}


def import_files(db: Path, files: list[Path]) -> None:
    """The floor, run as its own process: the files imported one after another."""
    w = _window(db, db.parent / "documents", None)
    started = time.perf_counter()
    try:
        for path in files:
            report = w.import_bundle(path)  # type: ignore[attr-defined]
            if report.status != "imported":
                raise RuntimeError(f"{path.name}: {report.status} {report.message}")
    finally:
        w.store.close()  # type: ignore[attr-defined]
    print(json.dumps({"import_s": time.perf_counter() - started}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=100)
    parser.add_argument("--cases", type=int, default=5, help="collected cases in each point's day")
    parser.add_argument("--max-uploads", type=int, default=8)
    parser.add_argument(
        "--wait-max",
        type=float,
        default=1.0,
        help="the clients' longest pause between tries (clerk send's own: 60; a Retry-After "
        "from the server is honoured up to this)",
    )
    parser.add_argument("--workdir", type=Path, default=None)
    sub = parser.add_subparsers(dest="mode")
    floor = sub.add_parser("import-files")
    floor.add_argument("db", type=Path)
    floor.add_argument("files", type=Path, nargs="+")
    args = parser.parse_args()
    if args.mode == "import-files":
        import_files(args.db, args.files)
        return
    import logging

    from bench.proc import run_measured
    from clerk.net import client as net

    logging.getLogger("stamina").setLevel(logging.ERROR)  # one line per retry otherwise

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="clerk-net-load-"))
    env = {**os.environ, "CLERK_DATA_DIR": str(workdir / "data")}
    os.environ["CLERK_DATA_DIR"] = env["CLERK_DATA_DIR"]
    started = time.perf_counter()
    built = build(workdir / "build", args.points, args.cases)
    print(
        f"built {args.points} points × {args.cases} cases in {time.perf_counter() - started:.1f} s"
    )
    fresh = workdir / "fresh-county"
    shutil.copytree(built.county.parent, fresh)
    # the floor first, on a copy of the county file as it was before anything arrived
    floor_db = workdir / "floor" / "clerk.db"
    shutil.copytree(fresh, floor_db.parent)
    done = run_measured(
        [sys.executable, "-m", "bench.net_load", "import-files", str(floor_db),
         *map(str, built.bundles)],
        env=env,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-500:])
    floor_s = float(json.loads(done.stdout.strip().splitlines()[-1])["import_s"])
    _check(floor_db, built, args.cases)
    # the network: clerk serve on the county file, every point at once
    port = _free_port()
    server = _serve(built.county, port, args.max_uploads, env)
    retries = net.Retries(attempts=1000, wait_initial=0.05, wait_max=args.wait_max, timeout=900)
    try:
        t0 = time.perf_counter()
        answers = send_all(built.points, f"http://127.0.0.1:{port}", retries)
        wall = time.perf_counter() - t0
        peak = _vmhwm_mb(server.pid)
    finally:
        server.terminate()
        server.wait(60)
    states = sorted({a for sent in answers.values() for a in sent})
    if states != [(1, 201, "imported")]:
        raise RuntimeError(f"unexpected answers: {states}")
    checked = _check(built.county, built, args.cases)
    size = sum(p.stat().st_size for p in built.bundles) / len(built.bundles) / 1024
    rows = {
        "points": args.points,
        "cases_per_point": args.cases,
        "bundle_kb": round(size, 1),
        "max_uploads": args.max_uploads,
        "network_wall_s": round(wall, 2),
        "network_bundles_per_s": round(args.points / wall, 1),
        "server_peak_mb": round(peak, 1),
        "files_wall_s": round(floor_s, 2),
        "files_bundles_per_s": round(args.points / floor_s, 1),
        "files_peak_mb": round(done.peak_mb, 1),
        "ratio_network_to_files": round(wall / floor_s, 2),
        **checked,
    }
    print(json.dumps(rows, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
