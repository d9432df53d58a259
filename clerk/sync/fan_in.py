"""Several bundles imported at once (the city takes every county's at the end of a day).

Each sender's bundles go in their own order (by bundle number, so a county's chains keep their
order), one after another; different senders' bundles go side by side, each in its own
transaction on its own connection. Their chains are disjoint (each county and its points write
their own), so the engines' per-chain locks never wait on each other in a cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from clerk.sync.bundle import BundleError
from clerk.sync.streaming import read_file_header

Result = TypeVar("Result")


def by_sender(paths: Sequence[Path]) -> list[list[Path]]:
    """The files grouped by sender, each group in bundle-number order; a file whose header
    cannot be read is a group of its own (its import reports why)."""
    groups: dict[str, list[tuple[int, Path]]] = {}
    alone: list[list[Path]] = []
    for path in paths:
        try:
            header, _ = read_file_header(Path(path))
        except (BundleError, OSError, ValueError):
            alone.append([Path(path)])
            continue
        groups.setdefault(header.sender, []).append((header.seq, Path(path)))
    ordered = [[p for _, p in sorted(found)] for _, found in sorted(groups.items())]
    return ordered + alone


def import_all(
    paths: Sequence[Path], one: Callable[[Path], Result], *, workers: int = 4
) -> list[tuple[Path, Result]]:
    """`one(path)` for every file: senders side by side, each sender's files in order.
    Results in the order the files were given."""
    groups = by_sender(paths)

    def run(group: list[Path]) -> list[tuple[Path, Result]]:
        return [(path, one(path)) for path in group]

    done: dict[Path, Result] = {}
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(groups)))) as pool:
        for results in pool.map(run, groups):
            done.update(results)
    return [(Path(p), done[Path(p)]) for p in paths]
