"""`file_sha256`: a file's SHA-256 read in 1 MB chunks, or None when there is no such file or it
cannot be read (the sync's check of a document it received, the export's of one it sends)."""

from __future__ import annotations

import hashlib
from pathlib import Path

CHUNK = 1 << 20


def file_sha256(path: str | Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
    except OSError:  # also an empty path: open("") is FileNotFoundError
        return None
    return digest.hexdigest()
