"""Start the window app (the default when `clerk` is run without a sub-command)."""

from __future__ import annotations

import argparse


def run_app(args: argparse.Namespace) -> int:
    from clerk.screens.app import make_app_from_args

    app = make_app_from_args(args)
    app.run()
    return int(app.return_code or 0)
