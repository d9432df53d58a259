"""One window of the hall benchmark (`bench/engines.py`): a process that decides cases for a while.

    python -m bench.hall_worker TARGET DOCUMENTS GO SECONDS SEED

TARGET is a file path or a `postgresql://` URL. The process opens its own store and window (as a
window PC does), signs in as the demo clerk, says "ready" on stderr, waits for the GO file, then
for SECONDS decides cases: open a case (item 31, a new applicant), check its materials, accept it
(the decision: a case number, the acceptance document, the events). It prints one JSON line: the
decisions made, each decision's `accept` latency and each whole case's latency, and the refusals.
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import date
from pathlib import Path

ITEM = 31  # 住院费用报销: an acceptance document and a computed deadline


def main(argv: list[str]) -> int:
    target, documents, go, seconds, seed = argv
    from bench.fixture import CLERK, NOW
    from clerk.db import open_store
    from clerk.domain.catalog import default_catalog
    from clerk.domain.clock import fixed_clock
    from clerk.domain.materials import MaterialCheck
    from clerk.domain.model import Applicant
    from clerk.domain.offices import default_offices
    from clerk.domain.workdays import WorkCalendar
    from clerk.service.compose import build_window
    from clerk.service.demo import synthetic_resident_id

    clock = fixed_clock(NOW)
    store = open_store(target, clock=clock)
    window = build_window(
        store,
        catalog=default_catalog(),
        offices=default_offices(),
        clock=clock,
        calendar=WorkCalendar(None),
        documents_root=Path(documents),
    )
    user = store.user(CLERK)
    assert user is not None
    checks = {
        m.id: MaterialCheck(m.id, "ok", m.alternatives[0])
        for m in window.required_for(ITEM, frozenset())
    }
    rng = random.Random(int(seed))
    print("ready", file=sys.stderr, flush=True)
    while not Path(go).exists():
        time.sleep(0.005)
    accept_s: list[float] = []
    case_s: list[float] = []
    refused: list[str] = []
    started = time.perf_counter()
    end = started + float(seconds)
    while time.perf_counter() < end:
        applicant = Applicant(
            kind="person",
            name="演示并发",
            id_type="resident_id",
            id_number=synthetic_resident_id(rng, date(1980, 1, 1)),
            phone="19900000000",
        )
        t0 = time.perf_counter()
        try:
            case = window.open_case(user, ITEM, applicant)
            window.check_materials(user, case.uuid, checks)
            t1 = time.perf_counter()
            window.accept(user, case.uuid)
        except Exception as exc:  # noqa: BLE001 - counted and shown, the window goes on
            refused.append(f"{type(exc).__name__}: {exc}"[:200])
            continue
        t2 = time.perf_counter()
        accept_s.append(t2 - t1)
        case_s.append(t2 - t0)
    wall = time.perf_counter() - started
    store.close()
    print(
        json.dumps(
            {
                "decided": len(accept_s),
                "accept_s": accept_s,
                "case_s": case_s,
                "wall_s": wall,
                "refused": refused,
            },
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
