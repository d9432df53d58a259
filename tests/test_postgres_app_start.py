"""`clerk --db postgresql://…` starts the window app on the server database (issue 20: the URL
each window uses). A `Path` of the URL would fold its `//` and open a file of that name instead."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from support import postgres

from clerk.support.targets import database_target


def test_a_server_url_is_kept_as_given():
    url = "postgresql://clerk_app@db.example:5432/clerk?sslmode=verify-full"
    assert database_target(url) == url
    assert database_target("postgres://h/clerk") == "postgres://h/clerk"


def test_a_file_is_a_path_and_nothing_is_the_default_file(tmp_path):
    from clerk.support.paths import default_db_path

    assert database_target(str(tmp_path / "office.db")) == tmp_path / "office.db"
    assert database_target(None) == default_db_path()
    assert isinstance(database_target("office.db"), Path)


@pytest.mark.skipif(postgres.skip_reason() is not None, reason=postgres.skip_reason() or "")
def test_the_app_starts_on_the_server_database_its_url_names():
    from clerk.screens.app import make_app_from_args
    from clerk.storage.postgres.store import PostgresStore

    url = postgres.fresh_database()
    try:
        app = make_app_from_args(argparse.Namespace(db=url))
        try:
            assert isinstance(app.window.store, PostgresStore)
            assert app.window.store.has_users() is False  # a new office: the first-run screen
        finally:
            app.window.store.close()
    finally:
        postgres.drop_database(url)
