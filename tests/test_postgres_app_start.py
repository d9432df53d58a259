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


@pytest.mark.skipif(postgres.skip_reason() is not None, reason=postgres.skip_reason() or "")
def test_the_commands_take_the_server_url_too(tmp_path, capsys):
    """`clerk report` and `clerk user` on the server, as the README's county IT section has them."""
    from datetime import date

    from argon2 import PasswordHasher

    from clerk.cli import main
    from clerk.domain.catalog import default_catalog
    from clerk.domain.offices import default_offices
    from clerk.service.demo import fill
    from clerk.storage.postgres.store import PostgresStore

    url = postgres.fresh_database()
    try:
        store = PostgresStore.open(url, hasher=PasswordHasher(time_cost=1, memory_cost=64))
        try:
            fill(
                store,
                default_catalog(),
                default_offices(),
                cases=4,
                point_code="YZ01",
                end=date(2026, 3, 13),
                days=1,
                documents_root=tmp_path / "documents",
            )
        finally:
            store.close()
        assert main(["user", "list", "--db", url]) == 0
        assert "clerk1" in capsys.readouterr().out
        assert main(["report", "--db", url, "--date", "2026-03-13"]) == 0
        assert "日结单" in capsys.readouterr().out
    finally:
        postgres.drop_database(url)
