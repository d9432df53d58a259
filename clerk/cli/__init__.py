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
import sys
from collections.abc import Sequence

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
    import pkgutil  # only for help and a mistyped command: 3 ms of every start otherwise

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

            return run_app(args)  # which freezes once the app's modules are loaded
        from clerk.support.gc_freeze import freeze_start_up

        freeze_start_up()  # the command's modules are loaded (`build_parser`)
        return int(func(args) or 0)
    except Exception as exc:
        told = _known_problem(exc, args)
        if told is None:
            raise
        print(told, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _loaded(module: str, name: str) -> type[BaseException] | None:
    """The error class `name` of `module` if the command loaded that module (an error of a class
    never loaded cannot have been raised, so nothing is imported just to name it)."""
    loaded = sys.modules.get(module)
    return getattr(loaded, name, None) if loaded is not None else None


def _is(exc: BaseException, module: str, name: str) -> bool:
    cls = _loaded(module, name)
    return cls is not None and isinstance(exc, cls)


def _known_problem(exc: Exception, args: argparse.Namespace) -> str | None:
    """The Chinese message for a failure every command may meet (a bad data file, a database too
    new or unusable, a file it cannot read or write), or None for any other error."""
    if _is(exc, "clerk.domain.catalog_files", "DataFileError"):
        return exc.stop_message()  # type: ignore[attr-defined]
    if _is(exc, "clerk.storage.sqlite.schema", "SchemaTooNewError"):
        return f"已停止：{exc}"
    if _is(exc, "clerk.ports.errors", "StorageError"):
        from clerk.service.open_errors import open_problem

        return open_problem(exc, _db_name(args))  # type: ignore[arg-type]
    if isinstance(exc, EOFError):  # a prompt (a password, twice) met the end of the input
        return (
            "没有读到要输入的内容（输入已结束），已停止：请在终端中运行；"
            "在脚本中运行时，用 --password-stdin 从标准输入的第一行传入密码。"
        )
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        return f"无法读写文件{where}（{exc.strerror or exc}），已停止。请检查磁盘空间和文件夹权限后重试。"
    return None


def _db_name(args: argparse.Namespace) -> str:
    named = getattr(args, "target_db", None) or getattr(args, "db", None)
    if named:
        return str(named)
    from clerk.support.paths import default_db_path

    return str(default_db_path())
