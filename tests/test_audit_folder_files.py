"""`look_at_files`: the incremental verify's check that recent documents' files are there, one
folder listing each instead of a stat per file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from clerk.audit.document_check import look_at_files


def present_files(paths: list[str]) -> set[str]:
    """The files `look_at_files` found (its folder stamps are tested in test_verify_files_look.py)."""
    return look_at_files(paths)[0]


def test_a_file_in_its_folder_is_present(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    assert present_files([str(tmp_path / "a.pdf")]) == {str(tmp_path / "a.pdf")}


def test_a_file_not_in_its_folder_is_missing(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    assert present_files([str(tmp_path / "b.pdf")]) == set()


def test_a_folder_of_the_name_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").mkdir()
    assert present_files([str(tmp_path / "a.pdf")]) == set()


def test_every_file_of_a_missing_folder_is_missing(tmp_path: Path) -> None:
    assert present_files([str(tmp_path / "gone" / "a.pdf")]) == set()


def test_only_the_asked_paths_are_answered(tmp_path: Path) -> None:
    for name in ("a.pdf", "other.pdf"):
        (tmp_path / name).write_bytes(b"x")
    assert present_files([str(tmp_path / "a.pdf")]) == {str(tmp_path / "a.pdf")}


def test_each_folder_is_listed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    month = tmp_path / "2026" / "03"
    month.mkdir(parents=True)
    for name in ("a.pdf", "a.txt", "b.pdf"):
        (month / name).write_bytes(b"x")
    (tmp_path / "c.pdf").write_bytes(b"x")
    listed: list[str] = []
    real = os.scandir

    def counting(path):  # type: ignore[no-untyped-def]
        listed.append(str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", counting)
    asked = [str(month / n) for n in ("a.pdf", "a.txt", "b.pdf", "z.pdf")] + [
        str(tmp_path / "c.pdf")
    ]
    assert present_files(asked) == set(asked) - {str(month / "z.pdf")}
    assert sorted(listed) == sorted([str(month), str(tmp_path)])


def test_a_folder_that_cannot_be_listed_is_judged_a_stat_per_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.pdf").write_bytes(b"x")

    def refused(path):  # type: ignore[no-untyped-def]
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(os, "scandir", refused)
    asked = [str(tmp_path / "a.pdf"), str(tmp_path / "b.pdf")]
    assert present_files(asked) == {str(tmp_path / "a.pdf")}


def test_a_path_written_with_the_other_separator_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Windows: "\\" is the separator and "/" its alternative; a recorded path may use either
    (tmp_path / "a.pdf").write_bytes(b"x")
    monkeypatch.setattr(os, "altsep", "|")  # stands in for "/" beside POSIX's "/"
    written = f"{tmp_path}|a.pdf"
    assert present_files([written]) == {written}
