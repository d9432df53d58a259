"""Long work tells its progress: the command line shows it on stderr, never on stdout."""

from __future__ import annotations

import io

from clerk.support.progress import StreamProgress


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_log_gets_one_line_a_tenth():
    out = io.StringIO()
    show = StreamProgress(out)
    for done in range(0, 101):
        show("核对办件", done, 100)
    lines = out.getvalue().splitlines()
    assert lines[0] == "核对办件：0 / 100（0%）"
    assert lines[-1] == "核对办件：100 / 100（100%）"
    assert len(lines) == 11


def test_a_new_stage_starts_its_own_lines():
    out = io.StringIO()
    show = StreamProgress(out)
    show("核验事件记录", 5, 5)
    show("核对办件", 1, 2)
    assert out.getvalue().splitlines() == ["核验事件记录：5 / 5（100%）", "核对办件：1 / 2（50%）"]


def test_a_terminal_gets_one_line_rewritten_and_ended_when_done():
    out = Tty()
    show = StreamProgress(out, interval=0.0)
    show("复制数据库", 1_000, 4_000)
    show("复制数据库", 4_000, 4_000)
    assert (
        out.getvalue() == "\r复制数据库：1,000 / 4,000（25%）\r复制数据库：4,000 / 4,000（100%）\n"
    )


def test_a_stage_without_a_total_is_named():
    out = io.StringIO()
    StreamProgress(out)("核验副本", 0, 0)
    assert out.getvalue() == "核验副本……\n"
