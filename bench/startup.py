"""Start-up: the clerk app until its first screen is composed and idle, vs a bare Textual app.

In-process rows (imports already done, the same process runs both):
- dashboard: `make_app(window, user=reviewer)` on the demo database, headless through
  `App.run_test()`, until the dashboard (with its six queues loaded) is the active screen and the
  app is idle;
- login: `make_app(window)` without a user, until the login screen is up and idle.
Floor: a `textual.app.App` whose only widget is one `Static`, run the same way.

New-process rows: `python -m bench.startup login|product|floor DB` from interpreter start to exit,
i.e. what a clerk waits for after typing `clerk` (imports, opening the database, first screen):
the login screen, and the dashboard of a signed-in reviewer; vs a process that imports Textual and
shows the bare app.

CPU time (issue 25, item 4): `python -m bench.startup cpu [--db DEMO.db] [--repeats N]` runs the
new-process starts (the login screen on the app's own start path, the dashboard, the bare app)
and `clerk report --date D` / `clerk verify` (incremental: with nothing changed since the last
one, and again with the remembered look at the week's document files deleted before each run, as
after a day's work) beside their floors (`bench.floors` ledger / incremental), interleaved, and prints the medians of wall time and of the child's CPU
time (user + sys, from `os.wait4`): on a loaded machine the CPU time is the steadier figure.
`--before TREE` runs the product commands in another source tree too (a `git worktree` of an
earlier commit, bytecode compiled), interleaved, for a before/after table; `--rows report,verify`
keeps the rows whose label holds one of the words (the commands alone at 1,000,000 cases).

County-sized documents folder (issue 25): `python -m bench.startup county [--files N]` times
`python -m bench.startup app-login DB` — the app's own start path (`make_app_from_args`: open the
file, tidy `documents/`, the login screen) with a data folder whose `documents/` holds N files
(default 200,000, empty, an hour old, made once and kept) — beside the bare app's new process.

The UI is still moving; a row whose app fails to start is reported as skipped, not raised.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.core import Context, Row, compare, skipped

SIZE = (120, 36)
MAX_PAUSES = 200
ROOT = Path(__file__).resolve().parent.parent


def bare_app() -> Any:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("floor")

    return Bare()


async def _until_ready(factory: Callable[[], Any], ready: Callable[[Any], bool]) -> float:
    start = time.perf_counter()
    app = factory()
    async with app.run_test(headless=True, size=SIZE) as pilot:
        await pilot.pause()
        for _ in range(MAX_PAUSES):
            if ready(app):
                break
            await pilot.pause()
        else:
            raise RuntimeError(f"first screen never appeared (active: {type(app.screen).__name__})")
        took = time.perf_counter() - start
        app.exit()
    return took


def time_app(factory: Callable[[], Any], ready: Callable[[Any], bool]) -> float:
    """Seconds from building the app to its first screen being composed and idle."""
    return asyncio.run(_until_ready(factory, ready))


def screen_named(name: str) -> Callable[[Any], bool]:
    return lambda app: type(app.screen).__name__ == name


def bare_ready(app: Any) -> bool:
    return bool(app.screen.query("Static"))


def _in_process(ctx: Context) -> list[Row]:
    from clerk.screens.app import make_app

    demo = ctx.demo()
    store = demo.open_store()
    rows: list[Row] = []
    try:
        window = demo.window(store)
        user = demo.user(store, "reviewer1")
        cases = (
            (
                "dashboard, in process",
                lambda: make_app(window, user=user),
                screen_named("DashboardScreen"),
            ),
            ("login screen, in process", lambda: make_app(window), screen_named("LoginScreen")),
        )
        for label, factory, ready in cases:
            try:
                product_s, floor_s = compare(
                    lambda f=factory, r=ready: time_app(f, r),  # type: ignore[misc]
                    lambda: time_app(bare_app, bare_ready),
                    repeats=ctx.repeats,
                )
            except Exception as exc:  # noqa: BLE001 - the UI is mid-change; report and go on
                rows.append(skipped("startup", label, exc))
                continue
            rows.append(
                Row("startup", label, product_s, floor_s, ctx.repeats, f"{demo.cases} cases")
            )
    finally:
        store.close()
    return rows


def _child(mode: str, db: Path, env: dict[str, str]) -> Callable[[], None]:
    def call() -> None:
        done = subprocess.run(
            [sys.executable, "-m", "bench.startup", mode, str(db)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise RuntimeError(f"{mode} process failed: {tail}")

    return call


NEW_PROCESS_ROWS = (
    ("login screen, new process", "login"),
    ("dashboard, new process", "product"),
)


def _new_process(ctx: Context) -> list[Row]:
    """Interpreter start to exit: the login screen (`login`) and the dashboard after sign-in
    (`product`), each against the bare app's process, interleaved, the run's repeats each."""
    demo = ctx.demo()
    env = {**os.environ, "CLERK_DATA_DIR": str(ctx.scratch("startup-data"))}
    rows: list[Row] = []
    for label, mode in NEW_PROCESS_ROWS:
        try:
            product_s, floor_s = compare(
                _child(mode, demo.path, env),
                _child("floor", demo.path, env),
                repeats=ctx.repeats,
                warmup=not ctx.quick,
            )
        except Exception as exc:  # noqa: BLE001
            rows.append(skipped("startup", label, exc))
            continue
        rows.append(
            Row("startup", label, product_s, floor_s, ctx.repeats, "interpreter start to exit")
        )
    return rows


def run(ctx: Context) -> list[Row]:
    try:
        rows = _in_process(ctx)
    except Exception as exc:  # noqa: BLE001 - e.g. clerk.screens.app does not import right now
        rows = [skipped("startup", "in process", exc)]
    return rows + _new_process(ctx)


COUNTY_FILES = 200_000


def county_documents(root: Path, files: int) -> Path:
    """A data folder whose `documents/` holds `files` empty files an hour old (built once)."""
    documents = root / "documents"
    done = root / f"built-{files}"
    if done.exists():
        return root
    old = time.time() - 3600
    for n in range(files):
        folder = documents / f"{2024 + n // 100_000}" / f"{n // 1000 % 100:02d}"
        if n % 1000 == 0:
            folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"YZ01-{n:08d}.{'pdf' if n % 2 else 'txt'}"
        path.touch()
        os.utime(path, (old, old))
    done.touch()
    return root


def county_row(ctx: Context, files: int = COUNTY_FILES) -> Row:
    label = f"login screen, new process, {files:,}-file documents folder"
    demo = ctx.demo()
    data = county_documents(ctx.scratch(f"startup-county-{files}"), files)
    env = {**os.environ, "CLERK_DATA_DIR": str(data)}
    try:
        product_s, floor_s = compare(
            _child("app-login", demo.path, env),
            _child("floor", demo.path, env),
            repeats=ctx.repeats,
        )
    except Exception as exc:  # noqa: BLE001
        return skipped("startup", label, exc)
    return Row("startup", label, product_s, floor_s, ctx.repeats, "interpreter start to exit")


def county_main(argv: list[str]) -> int:
    import argparse
    import tempfile

    from bench.core import Config

    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=COUNTY_FILES)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="clerk-startup-"))
    ctx = Context(Config(quick=False, repeats=args.repeats, workdir=workdir, cases=200))
    row = county_row(ctx, args.files)
    if row.skipped:
        print(f"{row.case}: skipped ({row.skipped})")
        return 1
    print(
        f"{row.case}: product {row.product_s * 1000:.0f} ms, bare Textual {row.floor_s * 1000:.0f}"
        f" ms, {row.product_s / row.floor_s:.2f}x (median of {row.repeats})"
    )
    # the same start with an empty documents folder: what the folder itself adds
    empty = ctx.scratch("startup-county-empty")
    full = {**os.environ, "CLERK_DATA_DIR": str(ctx.scratch(f"startup-county-{args.files}"))}
    bare = {**os.environ, "CLERK_DATA_DIR": str(empty)}
    with_files, without = compare(
        _child("app-login", ctx.demo().path, full),
        _child("app-login", ctx.demo().path, bare),
        repeats=ctx.repeats,
    )
    print(
        f"  the same start, {args.files:,} files vs an empty documents folder:"
        f" {with_files * 1000:.0f} ms vs {without * 1000:.0f} ms, {with_files / without:.2f}x"
    )
    return 0


# The verify's row as after a day's work (its remembered look at the week's files forgotten first).
LOOK_AGAIN = "clerk verify (incremental), the week's files looked at again"

# (row, product command, floor command): `python` arguments, DB and DAY filled in.
CPU_ROWS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "login screen (app start path)",
        ("-m", "bench.startup", "app-login", "DB"),
        ("-m", "bench.startup", "floor", "DB"),
    ),
    (
        "dashboard",
        ("-m", "bench.startup", "product", "DB"),
        ("-m", "bench.startup", "floor", "DB"),
    ),
    (
        "clerk report --date D",
        ("-m", "clerk", "report", "--date", "DAY", "--db", "DB", "--point", "POINT", "--json"),
        ("-m", "bench.floors", "ledger", "DB", "DAY"),
    ),
    (
        "clerk verify (incremental)",
        ("-m", "clerk", "verify", "--db", "DB", "--json"),
        ("-m", "bench.floors", "incremental", "DB"),
    ),
    (
        LOOK_AGAIN,
        ("-m", "clerk", "verify", "--db", "DB", "--json"),
        ("-m", "bench.floors", "incremental", "DB"),
    ),
)


def forget_files_look(db: str) -> None:
    """As after a day's work: no remembered look at the week's files, so the verify makes it."""
    import sqlite3

    from clerk.ports.setting_keys import SETTING_FILES

    conn = sqlite3.connect(db)
    try:
        with conn:
            conn.execute("DELETE FROM settings WHERE key = ?", (SETTING_FILES,))
    finally:
        conn.close()


# Run in this process before each run of a row's product (not timed): row label -> step(DB).
BEFORE_PRODUCT: dict[str, Callable[[str], None]] = {
    LOOK_AGAIN: forget_files_look,
}


def _timed(args: list[str], env: dict[str, str], cwd: Path = ROOT) -> tuple[float, float]:
    """Wall seconds and the child's CPU seconds (user + sys) of one `python ARGS` run in `cwd`
    (a source tree: `python -m clerk` runs the `clerk` package found there)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise RuntimeError(f"{' '.join(args)} failed: {err.strip()[-300:]}")
    return wall, usage.ru_utime + usage.ru_stime


def cpu_main(argv: list[str]) -> int:
    import argparse
    import statistics
    import tempfile

    from bench.fixture import END, POINT, build_demo

    parser = argparse.ArgumentParser(prog="python -m bench.startup cpu")
    parser.add_argument("--db", type=Path, help="a demo database (default: build one)")
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument(
        "--before",
        type=Path,
        help="another source tree (e.g. `git worktree add /tmp/before REV`, its bytecode compiled):"
        " its product commands run interleaved with this tree's, for a before/after table",
    )
    parser.add_argument(
        "--rows",
        default="",
        help="only the rows whose label holds one of these comma-separated words"
        " (e.g. report,verify at 1,000,000 cases, where the screens need no county file)",
    )
    args = parser.parse_args(argv)
    words = [w for w in args.rows.split(",") if w]
    rows = [r for r in CPU_ROWS if not words or any(w in r[0] for w in words)]
    work = Path(tempfile.mkdtemp(prefix="clerk-startup-cpu-"))
    db = args.db or build_demo(work / "demo", args.cases).path
    env = {**os.environ, "CLERK_DATA_DIR": str(work / "data")}
    fill = {"DB": str(db), "DAY": END.isoformat(), "POINT": POINT}
    trees = [ROOT] if args.before is None else [args.before.resolve(), ROOT]
    # per row: the product in each tree, then the floor (run here)
    runs = [
        ([fill.get(a, a) for a in command], tree, BEFORE_PRODUCT.get(label) if is_product else None)
        for label, product, floor in rows
        for command, tree, is_product in [
            *((product, t, True) for t in trees),
            (floor, ROOT, False),
        ]
    ]
    times: list[list[tuple[float, float]]] = [[] for _ in runs]
    load = os.getloadavg()
    for command, tree, step in runs:  # warm the file cache and the bytecode
        if step is not None:
            step(str(db))
        _timed(command, env, tree)
    for _ in range(max(1, args.repeats)):
        for i, (command, tree, step) in enumerate(runs):  # products and floor interleaved
            if step is not None:
                step(str(db))
            times[i].append(_timed(command, env, tree))
    after = os.getloadavg()
    print(f"{db} ({args.repeats} repeats; load average {load[0]:.1f} before, {after[0]:.1f} after)")
    heads = ["before", "after"] if args.before is not None else ["product"]
    print(
        "| row | "
        + " | ".join(f"{h} wall / CPU" for h in heads)
        + " | floor wall / CPU | ratio wall | ratio CPU |"
    )
    print("|---" * (len(heads) + 4) + "|")
    width = len(trees) + 1
    for n, (label, _, _) in enumerate(rows):
        cells = [
            tuple(statistics.median(x[k] for x in times[width * n + j]) * 1000 for k in (0, 1))
            for j in range(width)
        ]
        *products, (fw, fc) = cells
        print(
            f"| {label} | "
            + " | ".join(f"{w:,.0f} / {c:,.0f} ms" for w, c in products)
            + f" | {fw:,.0f} / {fc:,.0f} ms"
            + " | "
            + " → ".join(f"{w / fw:.2f}x" for w, _ in products)
            + " | "
            + " → ".join(f"{c / fc:.2f}x" for _, c in products)
            + " |"
        )
    return 0


def child_main(argv: list[str]) -> int:
    """The process the new-process rows time: `product` (dashboard), `login` or `floor`; show the
    first screen, then exit."""
    mode = argv[0]
    if mode == "county":
        return county_main(argv[1:])
    if mode == "cpu":
        return cpu_main(argv[1:])
    db = Path(argv[1])
    if mode == "floor":
        time_app(bare_app, bare_ready)
        return 0
    if mode == "app-login":  # the app's own start path, the documents folder tidied
        import argparse

        from clerk.screens.app import make_app_from_args

        time_app(
            lambda: make_app_from_args(argparse.Namespace(db=str(db))), screen_named("LoginScreen")
        )
        return 0
    from bench.fixture import NOW, REVIEWER
    from clerk.db import Store
    from clerk.domain.clock import fixed_clock
    from clerk.domain.workdays import WorkCalendar
    from clerk.screens.app import make_app
    from clerk.service.compose import build_window

    store = Store.open(db)
    try:
        window = build_window(
            store,
            clock=fixed_clock(NOW),
            calendar=WorkCalendar.default(),
        )
        if mode == "login":
            time_app(lambda: make_app(window), screen_named("LoginScreen"))
        else:
            time_app(
                lambda: make_app(window, user=store.user(REVIEWER)), screen_named("DashboardScreen")
            )
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
