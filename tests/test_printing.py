"""Printing: the default printer through lp or the Windows print verb, else the system viewer."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from clerk.documents.printing import System, print_document
from clerk.domain.clock import TZ


class Calls:
    def __init__(
        self, returncode: int = 0, default: str = "system default destination: hall\n"
    ) -> None:
        self.commands: list[list[str]] = []
        self.returncode = returncode
        self.default = default

    def run(self, command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        self.commands.append(command)
        if command[0].endswith("lpstat"):
            return subprocess.CompletedProcess(command, 0 if self.default else 1, self.default, "")
        return subprocess.CompletedProcess(command, self.returncode, "", "")


def linux(calls: Calls, *commands: str) -> System:
    tools = {name: f"/usr/bin/{name}" for name in commands}
    return System(platform="linux", which=tools.get, run=calls.run, startfile=None)


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    path = tmp_path / "受理通知书.pdf"
    path.write_bytes(b"%PDF-1.4\n")
    return path


def test_lp_sends_the_file_to_the_default_printer(pdf: Path) -> None:
    calls = Calls()
    result = print_document(pdf, system=linux(calls, "lp", "lpstat", "xdg-open"))
    assert calls.commands == [["/usr/bin/lpstat", "-d"], ["/usr/bin/lp", "--", str(pdf)]]
    assert (result.how, result.message) == ("printer", "已发送到默认打印机：受理通知书.pdf")


def test_without_a_default_destination_the_viewer_opens_the_file(pdf: Path) -> None:
    calls = Calls(default="no system default destination\n")
    result = print_document(pdf, system=linux(calls, "lp", "lpstat", "xdg-open"))
    assert calls.commands[-1] == ["/usr/bin/xdg-open", str(pdf)]
    assert result.how == "viewer"
    assert result.message == "未找到可用的打印机，已用系统程序打开 受理通知书.pdf，请从中打印。"


def test_a_failing_lp_falls_back_to_the_viewer(pdf: Path) -> None:
    calls = Calls(returncode=1)
    result = print_document(pdf, system=linux(calls, "lp", "xdg-open"))
    assert [c[0] for c in calls.commands] == ["/usr/bin/lp", "/usr/bin/xdg-open"]
    assert result.how == "viewer"


def test_without_cups_the_viewer_opens_the_file(pdf: Path) -> None:
    calls = Calls()
    assert print_document(pdf, system=linux(calls, "xdg-open")).how == "viewer"
    assert calls.commands == [["/usr/bin/xdg-open", str(pdf)]]


def test_macos_opens_with_open(pdf: Path) -> None:
    calls = Calls()
    system = System(
        platform="darwin", which={"open": "/usr/bin/open"}.get, run=calls.run, startfile=None
    )
    assert print_document(pdf, system=system).how == "viewer"
    assert calls.commands == [["/usr/bin/open", str(pdf)]]


def test_windows_uses_the_print_verb(pdf: Path) -> None:
    started: list[tuple[Any, ...]] = []
    system = System(
        platform="win32",
        which=lambda _n: None,
        run=Calls().run,
        startfile=lambda *a: started.append(a),
    )
    result = print_document(pdf, system=system)
    assert (started, result.how) == ([(str(pdf), "print")], "printer")


def test_windows_without_a_print_program_opens_the_file(pdf: Path) -> None:
    started: list[tuple[Any, ...]] = []

    def startfile(*args: Any) -> None:
        if len(args) > 1:
            raise OSError("no application is associated with the print verb")
        started.append(args)

    system = System(platform="win32", which=lambda _n: None, run=Calls().run, startfile=startfile)
    assert print_document(pdf, system=system).how == "viewer"
    assert started == [(str(pdf),)]


def test_nothing_available_says_where_the_file_is(pdf: Path) -> None:
    result = print_document(pdf, system=linux(Calls()))
    assert result.how == "failed"
    assert (
        result.message
        == f"未找到可用的打印机，也无法打开文件。文件位置：{pdf}，请复制到能打印的电脑上打印。"
    )


def test_a_missing_file_is_not_sent(tmp_path: Path) -> None:
    calls = Calls()
    result = print_document(tmp_path / "none.pdf", system=linux(calls, "lp", "xdg-open"))
    assert (result.how, calls.commands) == ("failed", [])


def test_the_ledger_text_becomes_a_pdf_with_its_chinese(tmp_path: Path) -> None:
    import pypdf

    from clerk.documents.text_pdf import render_text_pdf

    path = render_text_pdf(
        "日结单\n受理 3 件",
        tmp_path / "l.pdf",
        title="日结单",
        created=datetime(2026, 11, 2, 18, 0, tzinfo=TZ),
    )
    reader = pypdf.PdfReader(path)
    assert "受理3件" in "".join(reader.pages[0].extract_text().split())
    assert reader.metadata["/CreationDate"] == "D:20261102180000+08'00'"


# -- the keys -------------------------------------------------------------------------------------


def fake_printer(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    import clerk.documents.printing

    sent: list[Path] = []

    def fake(path: Path, **_kw: Any) -> clerk.documents.printing.PrintResult:
        sent.append(Path(path))
        return clerk.documents.printing.PrintResult(
            "printer", f"已发送到默认打印机：{Path(path).name}"
        )

    monkeypatch.setattr(clerk.documents.printing, "print_document", fake)
    return sent


async def test_p_in_a_case_prints_its_latest_document_and_records_it(
    tmp_path: Path, monkeypatch
) -> None:
    from support.app import SIZE, app_for, open_case, ready

    sent = fake_printer(monkeypatch)
    window, admin = ready(tmp_path)
    view = open_case(window, admin, complete=True)
    view = window.accept(admin, view.uuid)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(view.uuid)
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
    assert sent == [Path(view.documents[-1].path_pdf)]
    assert window.store.events_for(view.uuid)[-1]["action"] == "print"


async def test_p_in_the_ledger_prints_the_days_ledger_as_a_pdf(tmp_path: Path, monkeypatch) -> None:
    from support.app import SIZE, app_for, open_case, ready

    monkeypatch.setenv("CLERK_DATA_DIR", str(tmp_path / "data"))
    sent = fake_printer(monkeypatch)
    window, admin = ready(tmp_path)
    open_case(window, admin)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
    assert sent == [tmp_path / "data" / "reports" / "日结单_YZ05_2025-03-12.pdf"]
    assert sent[0].read_bytes().startswith(b"%PDF")


def test_the_printed_ledger_keeps_its_columns(tmp_path: Path) -> None:
    """Runs of spaces keep their width: each column starts at the same x on every row."""
    import pypdf

    from clerk.documents.text_pdf import CELL, MARGIN, render_text_pdf

    rows = [
        "    办件号             事项  申请人                  状态",
        "    YZ03202611090015U    15  演示建筑工程有限公司    已受理",
        "    YZ0320261109002A      3  张*                     已办结",
    ]
    path = render_text_pdf(
        "\n".join(rows),
        tmp_path / "l.pdf",
        title="日结单",
        created=datetime(2026, 11, 2, tzinfo=TZ),
    )
    from clerk.service.ledger_export import display_width

    seen: dict[str, float] = {}

    def visit(text: str, cm: Any, tm: Any, *_: Any) -> None:
        if text.strip():
            seen[text.strip()] = tm[4] * cm[0] + cm[4]

    reader = pypdf.PdfReader(path)
    reader.pages[0].extract_text(visitor_text=visit)
    column = MARGIN + 4 * CELL
    assert seen["办件号"] == pytest.approx(column)
    assert seen["YZ03202611090015U"] == pytest.approx(column)
    x_state = MARGIN + display_width(rows[0][: rows[0].index("状")]) * CELL
    x_accepted = MARGIN + display_width(rows[1][: rows[1].index("已")]) * CELL
    assert x_state == pytest.approx(x_accepted)  # the rows were written aligned
    assert seen["状态"] == pytest.approx(x_state)
    assert seen["已受理"] == pytest.approx(x_accepted)
    assert seen["已办结"] == pytest.approx(x_accepted)
    assert "演示建筑工程有限公司" in reader.pages[0].extract_text()
