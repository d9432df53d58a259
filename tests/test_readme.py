"""README.md stays true: the two commands, and every CLI command documented."""

import argparse
import re
from pathlib import Path

import pytest

from clerk.cli import build_parser, main

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


# ---------------------------------------------------------------------- every command it shows

CLERK = re.compile(r"^(?:\.venv/bin/)?clerk(?:\s|$)")


def shown_commands() -> list[str]:
    """Every `clerk …` (or `.venv/bin/clerk …`) the README shows, inline or in a code block."""
    found = [m.strip() for m in re.findall(r"`([^`\n]+)`", README) if CLERK.match(m.strip())]
    found += [line.strip() for line in README.splitlines() if CLERK.match(line.strip())]
    return sorted(set(found))


def words(command: str) -> list[str]:
    command = re.sub(r"\[[^\]]*\]", "", command.split("#", 1)[0])  # optional parts, comments
    command = command.replace("…", "x")
    return command.split()[1:]


def sub_path(argv: list[str]) -> tuple[list[str], list[argparse.ArgumentParser]]:
    parser = build_parser()
    path: list[str] = []
    parsers = [parser]
    for word in argv:
        subs = [a for a in parsers[-1]._actions if isinstance(a, argparse._SubParsersAction)]  # noqa: SLF001
        if not subs or word not in subs[0].choices:
            break
        path.append(word)
        parsers.append(subs[0].choices[word])
    return path, parsers


def test_the_readme_shows_clerk_commands():
    assert len(shown_commands()) > 30
    assert any(c.startswith(".venv/bin/clerk ") for c in shown_commands())


@pytest.mark.parametrize("command", shown_commands())
def test_every_command_shown_exists_with_its_options(command: str) -> None:
    """Each command the README shows has a sub-command chain argparse knows, and every --option
    it writes is one that chain (or the program) accepts."""
    argv = words(command)
    path, parsers = sub_path(argv)
    options = {o for p in parsers for a in p._actions for o in a.option_strings}  # noqa: SLF001
    for word in argv:
        if word.startswith("--"):
            assert word.split("=", 1)[0] in options, f"{command}: {word} is not an option"
    with pytest.raises(SystemExit) as exit_info:
        main([*path, "--help"])
    assert exit_info.value.code == 0


def test_the_make_targets_the_readme_names_exist():
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text(encoding="utf-8")
    for target in re.findall(r"`make (?:-s )?([a-z-]+)`", README):
        assert re.search(rf"^{target}:", makefile, re.M), f"make {target} is not in the Makefile"
    assert "make -s clerk-path" in README


def test_the_setup_commands_run_as_written(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """The IT person's steps, against a fresh database: as the README writes them, with --db."""
    monkeypatch.setenv("CLERK_DATA_DIR", str(tmp_path / "data"))
    db = str(tmp_path / "clerk.db")
    assert main(["demo", "--db", db, "--cases", "5"]) == 0
    steps = [
        [
            "point",
            "add",
            "--code",
            "LS01",
            "--name",
            "梧桐街道政务服务大厅",
            "--kind",
            "township_hall",
            "--office",
            "YZ03",
        ],
        ["point", "list"],
        ["user", "list"],
        ["holidays", "list"],
        ["catalog", "31"],
        ["deadline", "31", "2026-11-02"],
        ["verify"],
        ["backup", "--out", str(tmp_path / "backup"), "--with-documents"],
        ["keys", "init"],
        ["keys", "list"],
        ["keys", "export", "--out", str(tmp_path / "YZ05.pub.json")],
    ]
    for step in steps:
        code = (
            main(["--db", db, *step])
            if step[0] not in ("catalog", "deadline", "holidays")
            else main(step)
        )
        assert code == 0, f"clerk {' '.join(step)}: {capsys.readouterr()}"
