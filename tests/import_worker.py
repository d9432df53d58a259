"""One import at the county, for the hall tests: a process that imports one bundle through the
window, as `clerk import` does, and prints the report as JSON. Run as a separate OS process:

    python tests/import_worker.py DB DOCUMENTS BUNDLE

DB is a file path or a `postgresql://` URL; the keys are found where the window keeps them for
that database (in CLERK_DATA_DIR for a server database).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    db, documents, bundle = argv
    from clerk.service.compose import open_window

    window = open_window(db, documents_root=Path(documents))
    try:
        report = window.import_bundle(Path(bundle))
    finally:
        window.store.close()
    print(json.dumps(report.to_json(), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
