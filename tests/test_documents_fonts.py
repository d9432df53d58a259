"""The PDFs embed a subset of a real CJK TrueType font; the CID font is only a last resort."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pypdf
import pytest
from test_documents_samples import sample

from clerk.documents.fonts import (
    CID_FALLBACK,
    ENV_VAR,
    candidates,
    find_font,
    font_warning,
    parse_spec,
    pdf_font,
)
from clerk.documents.model import DocKind
from clerk.documents.pdf import render_pdf
from clerk.domain.clock import TZ

needs_font = pytest.mark.skipif(
    not pdf_font().embedded, reason="no CJK TrueType font on this machine (.ci/run installs one)"
)


def pdffonts(path: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:]]


@needs_font
@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("kind", list(DocKind))
def test_every_font_in_the_pdf_is_an_embedded_subset(kind: DocKind, tmp_path: Path) -> None:
    rows = pdffonts(render_pdf(sample(kind), tmp_path / "doc.pdf"))
    assert rows, "pdffonts lists no font"
    for row in rows:
        name, emb, sub = row[0], row[-5], row[-4]
        assert (emb, sub) == ("yes", "yes"), row
        assert name[6] == "+", name  # a subset's name has a six-letter tag: ABCDEF+Font


def test_the_ci_machine_has_a_cjk_font_to_embed() -> None:
    # .ci/run installs fonts-wqy-zenhei; without it every test above is skipped silently.
    assert pdf_font().embedded is True, pdf_font().warning


@needs_font
def test_pdf_does_not_name_the_unembedded_cid_font(tmp_path: Path) -> None:
    raw = render_pdf(sample(DocKind.NOTICE), tmp_path / "doc.pdf").read_bytes()
    assert CID_FALLBACK.encode() not in raw


def test_creation_date_is_the_issue_time_not_2000(tmp_path: Path) -> None:
    from dataclasses import replace

    data = replace(sample(DocKind.ACCEPTANCE), issued_at=datetime(2026, 9, 18, 10, 5, 7, tzinfo=TZ))
    meta = pypdf.PdfReader(render_pdf(data, tmp_path / "doc.pdf")).metadata
    assert meta["/CreationDate"] == "D:20260918100507+08'00'"


def test_env_var_names_the_font_first() -> None:
    found = candidates({ENV_VAR: "/opt/fonts/simsun.ttc#1"}, "linux")
    assert found[0] == (Path("/opt/fonts/simsun.ttc"), 1)


def test_spec_without_index_is_face_zero() -> None:
    assert parse_spec(r"C:\Windows\Fonts\simfang.ttf") == (Path(r"C:\Windows\Fonts\simfang.ttf"), 0)


def test_windows_looks_in_the_system_fonts_folder_for_songti_first() -> None:
    found = candidates({"WINDIR": r"D:\Win"}, "win32")
    assert found[0] == (Path(r"D:\Win") / "Fonts" / "simsun.ttc", 0)
    assert (Path(r"D:\Win") / "Fonts" / "simfang.ttf", 0) in found


def test_no_font_falls_back_to_the_cid_font_with_a_warning(tmp_path: Path) -> None:
    font = find_font({ENV_VAR: str(tmp_path / "none.ttf"), "WINDIR": str(tmp_path)}, "win32")
    assert (font.name, font.embedded) == (CID_FALLBACK, False)
    assert font.warning.startswith(
        f"环境变量 {ENV_VAR} 指定的字体 {tmp_path / 'none.ttf'} 无法使用；"
    )
    assert "fonts-wqy-zenhei" in font.warning


def test_a_file_that_is_not_a_font_is_skipped(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttf"
    bad.write_bytes(b"not a font")
    font = find_font({ENV_VAR: str(bad), "WINDIR": str(tmp_path)}, "win32")
    assert font.embedded is False


def test_start_up_warning_is_empty_when_a_font_file_is_there(tmp_path: Path) -> None:
    fonts = tmp_path / "Fonts"
    fonts.mkdir()
    (fonts / "simsun.ttc").write_bytes(b"")
    assert font_warning({"WINDIR": str(tmp_path)}, "win32") == ""


def test_start_up_warning_when_no_font_file_is_there(tmp_path: Path) -> None:
    assert "未找到可嵌入的中文字体" in font_warning({"WINDIR": str(tmp_path)}, "win32")


def test_the_font_tables_are_read_once_per_process() -> None:
    """Each PDF's font subset is built from the tables the face kept, not a new copy of them."""
    from reportlab.pdfbase import pdfmetrics

    font = pdf_font()
    if not font.embedded:
        pytest.skip("no CJK TrueType font on this machine")
    face = pdfmetrics.getFont(font.name).face
    assert face.get_table("glyf") is face.get_table("glyf")


def test_a_document_rendered_again_in_the_same_process_has_the_same_bytes(tmp_path: Path) -> None:
    """Widths remembered from the first rendering (`pdf._char_widths`) change nothing."""
    data = sample(DocKind.ACCEPTANCE)
    first = render_pdf(data, tmp_path / "a.pdf").read_bytes()
    second = render_pdf(data, tmp_path / "b.pdf").read_bytes()
    assert first == second
