"""README.md stays true: the two commands, and every CLI command documented."""

from pathlib import Path

import pytest

from clerk.cli import build_parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def commands() -> list[str]:
    parser = build_parser()
    (sub,) = [a for a in parser._subparsers._group_actions]  # noqa: SLF001 - argparse has no public API
    return sorted(sub.choices)


def test_there_are_commands():
    assert {"catalog", "deadline", "verify", "demo", "report"} <= set(commands())


@pytest.mark.parametrize("name", commands())
def test_every_command_is_documented(name):
    assert f"`clerk {name}" in README


@pytest.mark.parametrize("command", ["make run", "make test"])
def test_the_two_commands_are_shown(command):
    assert command in README
