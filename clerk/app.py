"""The Textual app. `make_app` builds it for the command line and for the tests alike."""

from __future__ import annotations

import argparse

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header

from clerk.catalog import Catalog, default_catalog


class ClerkApp(App[int]):
    TITLE = "医保经办窗口"

    def __init__(self, catalog: Catalog) -> None:
        super().__init__()
        self.catalog = catalog

    def compose(self) -> ComposeResult:
        yield Header()
        table: DataTable[str] = DataTable(cursor_type="row")
        table.add_columns("序号", "事项", "时限")
        for item in self.catalog.items:
            table.add_row(str(item.no), item.name, item.time_limit.describe())
        yield table
        yield Footer()


def make_app(catalog: Catalog | None = None) -> ClerkApp:
    return ClerkApp(catalog or default_catalog())


def make_app_from_args(args: argparse.Namespace) -> ClerkApp:
    return make_app()
