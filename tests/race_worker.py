"""One clerk at one desk, for the race tests: accept or approve every case listed, as soon as a
"go" file appears, and print what happened as JSON. Run as a separate OS process:

    python tests/race_worker.py DB DOCUMENTS LOGIN PASSWORD ACTION GO CASE_UUID...

DB is a file path or a `postgresql://` URL (`clerk.db.open_store`, as `clerk --db` takes it).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    db, documents, login, password, action, go, *cases = argv
    from clerk.db import open_store
    from clerk.domain.catalog import default_catalog
    from clerk.domain.offices import default_offices
    from clerk.service.window import ServiceError, Window

    window = Window(
        open_store(db), default_catalog(), default_offices(), documents_root=Path(documents)
    )
    user = window.login(login, password)
    print("ready", file=sys.stderr, flush=True)
    while not Path(go).exists():
        time.sleep(0.001)
    done: list[str] = []
    refused: list[str] = []
    for uuid in cases:
        try:
            getattr(window, action)(user, uuid)
        except ServiceError as exc:
            refused.append(str(exc))
        else:
            done.append(uuid)
    window.store.close()
    print(json.dumps({"done": done, "refused": refused}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
