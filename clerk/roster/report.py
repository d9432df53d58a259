"""The Chinese report of a roster check, as the CLI prints it and the roster screen shows it."""

from __future__ import annotations

from clerk.roster.checks import RosterCheck

KIND_LABELS = {"xlsx": "Excel 工作簿", "csv": "CSV 文件", "unknown": "无法识别的文件"}


def summary_line(check: RosterCheck) -> str:
    """One line: how many rows, how many can be enrolled, to correct, already enrolled."""
    parts = [f"共 {check.data_rows} 行", f"可登记 {len(check.students)} 人"]
    if check.row_problems:
        parts.append(f"需更正 {len(check.bad_rows)} 行（{len(check.row_problems)} 处问题）")
    if check.enrolled:
        parts.append(f"已参保不重复登记 {len(check.enrolled)} 人")
    if check.file_problems:
        parts.append(f"文件问题 {len(check.file_problems)} 处")
    return "，".join(parts) + "。"


def report_lines(
    check: RosterCheck, *, limit: int | None = None, enrolled_limit: int = 10
) -> list[str]:
    """The file, the summary, then every problem by row (file problems first)."""
    lines = [
        f"名册：{check.source}（{KIND_LABELS.get(check.kind, check.kind)}，SHA-256 {check.sha256}）",
        summary_line(check),
    ]
    if check.file_problems:
        lines.append("文件本身的问题（须先改正，否则整个名册都不能导入）：")
        lines += [f"  {p.text()}" for p in check.file_problems]
    if check.row_problems:
        lines.append(f"需要更正的行（共 {len(check.bad_rows)} 行，按行号）：")
        shown = check.row_problems if limit is None else check.row_problems[:limit]
        lines += [f"  {p.text()}" for p in shown]
        if len(shown) < len(check.row_problems):
            lines.append(
                f"  ……另有 {len(check.row_problems) - len(shown)} 处问题未显示，完整清单见更正告知书。"
            )
    if check.enrolled:
        lines.append(f"已参保、本次不重复登记的学生（共 {len(check.enrolled)} 人）：")
        shown_enrolled = check.enrolled[:enrolled_limit]
        lines += [f"  {p.text()}" for p in shown_enrolled]
        if len(shown_enrolled) < len(check.enrolled):
            lines.append(f"  ……另有 {len(check.enrolled) - len(shown_enrolled)} 人未列出。")
    return lines
