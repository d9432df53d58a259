"""One store, several threads (issue 25): while one thread's transaction is open (a decision in
its worker), another thread's reads neither see its rows before they are committed nor wait for
it, and another thread's write waits for the commit instead of joining it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_storage_support import open_store

from clerk.storage.sqlite.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(tmp_path / "clerk.db")
    s.set_setting("probe", "committed")
    yield s
    s.close()


class Writer:
    """A thread holding a transaction open (as a decision's worker does) until `release`."""

    def __init__(self, store: Store) -> None:
        self.inside, self.release = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self.run, args=(store,))
        self.thread.start()
        assert self.inside.wait(10)

    def run(self, store: Store) -> None:
        with store.transaction():
            store.conn.execute(
                "UPDATE settings SET value = 'not yet committed' WHERE key = 'probe'"
            )
            self.inside.set()
            self.release.wait(10)

    def finish(self) -> None:
        self.release.set()
        self.thread.join(10)


def test_a_read_during_another_threads_transaction_sees_only_what_is_committed(store):
    writer = Writer(store)
    try:
        assert store.get_setting("probe") == "committed"
    finally:
        writer.finish()
    assert store.get_setting("probe") == "not yet committed"


def test_a_write_from_another_thread_waits_for_the_open_transaction_to_end(store):
    writer = Writer(store)
    wrote = threading.Event()

    def write() -> None:
        store.conn.execute("INSERT INTO settings (key, value, updated_at) VALUES ('x', '1', '')")
        wrote.set()

    other = threading.Thread(target=write)
    other.start()
    try:
        assert not wrote.wait(0.2)  # not inside the writer's transaction
    finally:
        writer.finish()
    other.join(10)
    assert wrote.is_set()
    assert store.get_setting("x") == "1"


def test_reads_inside_ones_own_transaction_see_its_rows(store):
    with store.transaction():
        store.conn.execute("UPDATE settings SET value = 'mine' WHERE key = 'probe'")
        assert store.get_setting("probe") == "mine"
