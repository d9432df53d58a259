"""The `clerk` command line. With no sub-command it starts the window app.

Each sub-command lives in its own module in this package and exposes
`register(subparsers) -> None`, which adds its parser and sets `func` (args -> exit status).
`COMMANDS` names the module of every sub-command, so `clerk verify` imports the verify module
and nothing of the others (the sync, the roster, the app); `clerk --help`, an unknown command or
a mistyped one loads them all. tests/test_cli_lazy.py checks `COMMANDS` against what the modules
register, so a new command module fails the suite until it is listed here.
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

# Every sub-command and the module that registers it.
COMMANDS: dict[str, str] = {
    "backup": "backup",
    "catalog": "catalog",
    "city": "city",
    "deadline": "deadline",
    "demo": "demo",
    "export": "exchange",
    "fetch": "net",
    "holidays": "holidays",
    "import": "exchange",
    "keys": "keys",
    "migrate-store": "migrate_store",
    "point": "point",
    "report": "report",
    "roster": "roster",
    "send": "net",
    "serve": "serve",
    "user": "user",
    "verify": "verify",
}


def command_modules() -> list[str]:
    """Every module of this package that may register sub-commands."""
    return sorted(
        info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_")
    )


def build_parser(command: str | None = "") -> argparse.ArgumentParser:
    """The parser: with `command` a known sub-command, only its module is loaded; with None, no
    sub-command module (the app starts); with anything else, all of them (help, a typo)."""
    from clerk.cli._chinese import install

    install()  # argparse's own words in Chinese
    parser = argparse.ArgumentParser(
        prog="clerk",
        description="湖南医保经办窗口受理系统。不带子命令时启动窗口界面。",
    )
    parser.add_argument("--db", help="数据库文件（默认在用户数据目录下 clerk.db）")
    subparsers = parser.add_subparsers(dest="command", metavar="命令")
    if command is None:
        names: list[str] = []
    elif command in COMMANDS:
        names = [COMMANDS[command]]
    else:
        names = command_modules()
    for name in names:
        module = importlib.import_module(f"{__name__}.{name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    """The sub-command `argv` names (its first word that is not an option or --db's value), ""
    when it asks for help, None when it has none (start the app)."""
    words = list(argv)
    i = 0
    while i < len(words):
        word = words[i]
        if word in ("-h", "--help"):
            return ""
        if word == "--db":
            i += 2
            continue
        if word.startswith("-"):
            i += 1
            continue
        return word
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_command_in(argv))
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
