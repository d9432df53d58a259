"""The `clerk` command line. With no sub-command it starts the window app.

Each sub-command lives in its own module in this package and exposes
`register(subparsers) -> None`, which adds its parser and sets `func` (args -> exit status).
Modules are discovered, so adding a command never touches this file.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from clerk.domain.catalog import DataFileError
from clerk.ports.errors import StorageError
from clerk.storage.sqlite.schema import SchemaTooNewError


def build_parser() -> argparse.ArgumentParser:
    from clerk.cli._chinese import install

    install()  # argparse's own words in Chinese
    parser = argparse.ArgumentParser(
        prog="clerk",
        description="湖南医保经办窗口受理系统。不带子命令时启动窗口界面。",
    )
    parser.add_argument("--db", help="数据库文件（默认在用户数据目录下 clerk.db）")
    subparsers = parser.add_subparsers(dest="command", metavar="命令")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    try:
        if func is None:
            from clerk.cli._run import run_app

            return run_app(args)
        return int(func(args) or 0)
    except DataFileError as exc:
        print(f"数据文件有误，已停止：{exc}", file=sys.stderr)
        return 2
    except SchemaTooNewError as exc:
        print(f"已停止：{exc}", file=sys.stderr)
        return 2
    except StorageError as exc:
        from clerk.service.open_errors import open_problem

        print(open_problem(exc, _db_name(args)), file=sys.stderr)
        return 2
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        print(
            f"无法读写文件{where}（{exc.strerror or exc}），已停止。请检查磁盘空间和文件夹权限后重试。",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        return 130


def _db_name(args: argparse.Namespace) -> str:
    named = getattr(args, "target_db", None) or getattr(args, "db", None)
    if named:
        return str(named)
    from clerk.support.paths import default_db_path

    return str(default_db_path())
