"""Random identifiers (UUID version 4), one definition for every layer that makes one."""

from __future__ import annotations


def random_uuid() -> str:
    """A new random UUID in the standard 36-character form."""
    import uuid  # on the first write: `uuid` loads `platform` (~2 ms), which reads do not need

    return str(uuid.uuid4())
