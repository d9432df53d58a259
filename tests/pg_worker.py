"""One writer process for the PostgreSQL concurrency tests (tests/test_postgres_processes.py):
waits for a "go" file, then writes through the Store port and prints what happened as JSON.

    python tests/pg_worker.py URL GO append FIRST COUNT     # COUNT cases, each with its event
    python tests/pg_worker.py URL GO decide CASE_UUID       # accept the case at version 1
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    url, go, mode, *args = argv
    sys.path.insert(0, str(Path(__file__).parent))
    from argon2 import PasswordHasher
    from storage_contract.contract_helpers import ORIGIN, FixedClock, case_row, received

    from clerk.domain.model import Action, CaseState
    from clerk.ports.errors import ConflictError
    from clerk.ports.records import CaseChanges
    from clerk.storage.postgres.store import PostgresStore

    store = PostgresStore.open(url, clock=FixedClock(), hasher=PasswordHasher(time_cost=1))
    print("ready", file=sys.stderr, flush=True)
    while not Path(go).exists():
        time.sleep(0.001)
    out: dict[str, object] = {}
    if mode == "append":
        first, count = int(args[0]), int(args[1])
        for n in range(first, first + count):
            with store.transaction():
                uuid = store.insert_case(case_row(n))
                store.append_event(received(uuid), ORIGIN)
        out["appended"] = count
    else:
        (uuid,) = args
        try:
            with store.transaction():
                store.update_case(uuid, CaseChanges(state="accepted"), 1)
                store.append_event(
                    received(
                        uuid,
                        action=Action.ACCEPT,
                        from_state=CaseState.DRAFT,
                        to_state=CaseState.ACCEPTED,
                    ),
                    ORIGIN,
                )
            out["decided"] = True
        except ConflictError:
            out["decided"] = False
    store.close()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
