"""The daily ledger as text (screen and printer), CSV, XLSX and JSON.

CSV and XLSX share one list of tables (`sections`), so both files hold exactly the same cells:
CSV puts them one after another (a title row, a header row, the rows, a blank row), XLSX puts
each on its own sheet. CSV is written UTF-8 with a BOM so Excel shows the Chinese correctly.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from clerk.domain.chain_names import cases_of, installation_of
from clerk.domain.clock import TZ
from clerk.service.ledger import DueCase, Ledger
from clerk.support.file_modes import make_private, use_private_umask

Cell = str | int

TITLE = "医疗保障经办窗口日结单"
VERIFY_NOTE = (
    "本单的链头已存入本库，clerk verify 每次都会核对。日后第 {seq} 条事件",
    "记录的哈希值仍与上面一致，即证明截至该条的记录没有被改写或删除。",
)


@dataclass(frozen=True)
class Table:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


# ---------------------------------------------------------------------- shared tables


def scope_label(ledger: Ledger) -> str:
    if ledger.point_code is None:
        return "本库全部办件"
    return f"{ledger.point_code}　{ledger.point_name}".rstrip("　")


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def _follow_up(on: date | None) -> str:
    return f"已回访（{on.isoformat()}）" if on else "未回访"


def _at(moment: datetime) -> str:
    return moment.astimezone(TZ).strftime("%Y-%m-%d %H:%M")


def _due_rows(cases: Sequence[DueCase]) -> tuple[tuple[Cell, ...], ...]:
    return tuple(
        (
            c.case_no,
            c.item_no,
            c.item_name,
            c.applicant,
            c.state_label,
            c.due.isoformat(),
            _yes(c.provisional),
            c.working_days,
        )
        for c in cases
    )


def sections(ledger: Ledger) -> list[Table]:
    """The ledger as plain tables, in the order CSV and XLSX write them."""
    chain = ledger.chain
    summary = (
        ("日期", ledger.day.isoformat()),
        ("星期", ledger.weekday),
        ("是否工作日", _yes(ledger.working_day)),
        ("范围", scope_label(ledger)),
        ("生成日期", ledger.generated_on.isoformat()),
        ("当日收件", ledger.received),
        ("当日事件记录", chain.events_on_day),
        ("已逾期未办结", len(ledger.overdue)),
        ("临近到期", len(ledger.due_soon)),
        ("当日评价", ledger.ratings_total),
        ("当日差评", len(ledger.bad_ratings)),
        ("差评未回访", ledger.bad_not_followed_up),
    )
    clerks = ledger.by_clerk
    return [
        Table("概况", ("项目", "内容"), summary),
        Table(
            "按事项",
            ("事项编号", "事项名称", "件数"),
            (
                *((i.item_no, i.item_name, i.count) for i in ledger.by_item),
                ("合计", "", sum(i.count for i in ledger.by_item)),
            ),
        ),
        Table(
            "按办理结果",
            ("办理结果（日终）", "件数"),
            (
                *((o.label, o.count) for o in ledger.by_outcome),
                ("合计", sum(o.count for o in ledger.by_outcome)),
            ),
        ),
        Table(
            "按经办人员",
            ("登录名", "姓名", "收件", "受理", "一次性告知", "不予受理"),
            (
                *((c.login, c.name, c.received, c.accepted, c.noticed, c.refused) for c in clerks),
                (
                    "合计",
                    "",
                    sum(c.received for c in clerks),
                    sum(c.accepted for c in clerks),
                    sum(c.noticed for c in clerks),
                    sum(c.refused for c in clerks),
                ),
            ),
        ),
        Table(
            "当日操作",
            ("操作", "次数", "其中系统自动"),
            (
                *((a.label, a.count, a.auto) for a in ledger.actions),
                ("合计", ledger.actions_total, sum(a.auto for a in ledger.actions)),
            ),
        ),
        Table(
            "逾期办件",
            (
                "办件编号",
                "事项编号",
                "事项名称",
                "申请人",
                "状态",
                "到期日",
                "暂定期限",
                "逾期工作日",
            ),
            _due_rows(ledger.overdue),
        ),
        Table(
            "临近到期",
            (
                "办件编号",
                "事项编号",
                "事项名称",
                "申请人",
                "状态",
                "到期日",
                "暂定期限",
                "剩余工作日",
            ),
            _due_rows(ledger.due_soon),
        ),
        Table(
            "好差评",
            ("评价等级", "条数"),
            (*((r.label, r.count) for r in ledger.ratings), ("合计", ledger.ratings_total)),
        ),
        Table(
            "差评明细",
            (
                "办件编号",
                "事项编号",
                "事项名称",
                "申请人",
                "评价",
                "意见",
                "评价时间",
                "登记人",
                "登记人姓名",
                "回访",
            ),
            tuple(
                (
                    b.case_no,
                    b.item_no,
                    b.item_name,
                    b.applicant,
                    b.label,
                    b.comment,
                    _at(b.at),
                    b.recorded_by,
                    b.recorded_by_name,
                    _follow_up(b.followed_up_on),
                )
                for b in ledger.bad_ratings
            ),
        ),
        Table(
            "哈希链",
            ("项目", "内容"),
            (
                ("链头来源", chain.origin),
                ("日终链头序号", chain.seq),
                ("日终链头哈希", chain.hash),
                *((f"{o.origin} 记录链头", f"第 {o.seq} 条 {o.hash}") for o in chain.others),
                ("当日事件记录", chain.events_on_day),
                ("本库核验", "通过" if chain.verified else "未通过"),
                ("校验问题", chain.problem or ""),
            ),
        ),
    ]


# ---------------------------------------------------------------------- CSV and XLSX


def write_csv(ledger: Ledger, path: str | Path) -> Path:
    """Every section one after another: title row, header row, rows, blank row. UTF-8 with BOM."""
    out = Path(path)
    use_private_umask()  # a ledger lists names and case numbers: the owner's only
    with out.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        for table in sections(ledger):
            writer.writerow([table.title])
            writer.writerow(table.header)
            writer.writerows(table.rows)
            writer.writerow([])
    make_private(out)
    return out


def write_xlsx(ledger: Ledger, path: str | Path) -> Path:
    """One sheet per section: bold header row, frozen below it, columns as wide as their text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    out = Path(path)
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for table in sections(ledger):
        sheet = book.create_sheet(table.title)
        sheet.append(list(table.header))
        for cell in sheet[1]:
            cell.font = bold
        for row in table.rows:
            sheet.append(list(row))
        sheet.freeze_panes = "A2"
        for col, header in enumerate(table.header, start=1):
            widest = max(
                [display_width(header), *(display_width(str(r[col - 1])) for r in table.rows)]
            )
            sheet.column_dimensions[get_column_letter(col)].width = min(widest + 2, 80)
    book.properties.title = f"{TITLE} {ledger.day.isoformat()}"
    use_private_umask()
    book.save(out)
    make_private(out)
    return out


# ---------------------------------------------------------------------- JSON


def to_dict(ledger: Ledger) -> dict[str, Any]:
    """The ledger as JSON-ready data (dates as ISO text, enums as their values)."""
    value = _plain(ledger)
    assert isinstance(value, dict)
    value["adds_up"] = ledger.adds_up
    return value


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(TZ).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


# ---------------------------------------------------------------------- text


def display_width(text: str) -> int:
    """Columns the text takes on a terminal or fixed-width printout (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def _grid(header: Sequence[str], rows: Sequence[Sequence[Cell]], indent: str = "    ") -> list[str]:
    """A fixed-width table: numbers right-aligned, text left-aligned, two spaces between columns."""
    widths = [display_width(h) for h in header]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], display_width(str(cell)))
    numeric = [
        all(isinstance(r[i], int) for r in rows if r[i] != "") and bool(rows)
        for i in range(len(header))
    ]
    lines = []
    for row in (header, *rows):
        cells = [_pad(str(c), widths[i], numeric[i]) for i, c in enumerate(row)]
        lines.append((indent + "  ".join(cells)).rstrip())
    return lines


def render_text(ledger: Ledger) -> str:
    """The ledger in Chinese for the screen and the printer (fixed width, no personal data)."""
    t = {table.title: table for table in sections(ledger)}
    chain = ledger.chain
    rule = "=" * 72
    day_kind = "工作日" if ledger.working_day else "休息日"
    lines = [
        _pad(TITLE, (72 + display_width(TITLE)) // 2, True),
        rule,
        f"日期：{ledger.day.isoformat()}（{ledger.weekday}，{day_kind}）",
        f"范围：{scope_label(ledger)}",
        f"生成：{ledger.generated_on.isoformat()}　办理结果和期限按当日日终（24:00）的状态统计",
        rule,
        "",
        f"一、当日收件　共 {ledger.received} 件",
    ]
    if ledger.received:
        lines += ["", "  （一）按事项", *_grid(t["按事项"].header, t["按事项"].rows)]
        lines += ["", "  （二）按办理结果", *_grid(t["按办理结果"].header, t["按办理结果"].rows)]
    else:
        lines.append("    当日没有收件。")
    if ledger.by_clerk:
        lines += ["", "  （三）按经办人员（收件数及当日作出的受理、告知、不予受理决定）"]
        lines += _grid(t["按经办人员"].header, t["按经办人员"].rows)
    if not ledger.adds_up:
        lines += ["", "    ！按事项与按办理结果的合计不等于收件数，请联系系统管理员检查数据。"]

    lines += ["", f"二、当日办理记录　共 {ledger.actions_total} 条（含以前收件的办件）"]
    if ledger.actions:
        lines += _grid(t["当日操作"].header, t["当日操作"].rows)
    else:
        lines.append("    当日没有办理记录。")

    lines += ["", "三、办理期限"]
    lines += ["", f"  （一）已逾期未办结　共 {len(ledger.overdue)} 件"]
    lines += _due_block(ledger.overdue, "逾期工作日", "    没有逾期未办结的办件。")
    lines += [
        "",
        f"  （二）当日或下一工作日（{ledger.due_soon_until.isoformat()}）到期　共 {len(ledger.due_soon)} 件",
    ]
    lines += _due_block(ledger.due_soon, "剩余工作日", "    没有临近到期的办件。")
    if any(c.provisional for c in (*ledger.overdue, *ledger.due_soon)):
        lines.append("    注：标“暂定”的到期日跨入尚未公布节假日安排的年份，公布后须重算。")

    lines += ["", f"四、好差评　共 {ledger.ratings_total} 条"]
    lines += _grid(t["好差评"].header, t["好差评"].rows)
    if ledger.bad_ratings:
        lines += [
            "",
            f"  差评 {len(ledger.bad_ratings)} 条，须逐件回访并答复（未回访 {ledger.bad_not_followed_up} 条）：",
        ]
        for n, b in enumerate(ledger.bad_ratings, start=1):
            lines.append(
                f"    {n}. {b.case_no}　事项{b.item_no} {b.item_name}　申请人 {b.applicant}"
            )
            lines.append(
                f"       评价：{b.label}（{_at(b.at)}，登记人 {_who(b.recorded_by, b.recorded_by_name)}）"
            )
            lines.append(f"       意见：{b.comment or '（未填写）'}")
            lines.append(f"       回访：{_follow_up(b.followed_up_on)}")
    else:
        lines.append("    当日没有差评。")

    lines += [
        "",
        "五、事件记录（日终）",
        f"    当日事件记录：{chain.events_on_day} 条（本库全部服务点）",
    ]
    if chain.seq:
        lines += [
            f"    日终最后一条记录：第 {chain.seq} 条（{cases_of(chain.origin, chain.origin)}）",
            "    其哈希值：",
            grouped_hash(chain.hash),
            *("    " + line.format(seq=chain.seq) for line in VERIFY_NOTE),
        ]
    else:
        lines.append("    日终时本库还没有本机的事件记录。")
    for other in chain.others:
        # `YZ03:LS01` is this office's own chain of decisions on LS01's cases (see clerk.sync)
        whose = cases_of(other.origin, chain.origin)
        if installation_of(other.origin) != chain.origin:
            whose = "收到的" + whose
        lines.append(f"    {whose}：至第 {other.seq} 条，哈希值：")
        lines.append(grouped_hash(other.hash))
    if chain.verified:
        lines.append("    本库核验：通过（哈希链完整，办件与事件记录一致，文书齐全）")
    else:
        lines.append(
            f"    本库核验：未通过。{chain.problem or ''}请立即报告系统管理员，并保留本单。"
        )

    lines += [
        "",
        rule,
        "经办人：______________　　主管审核：______________　　日期：______________",
        "",
    ]
    return "\n".join(lines)


HASH_GROUP = 16


def grouped_hash(value: str, indent: str = "      ") -> str:
    """A 64-digit chain head on a line of its own, in four groups of 16: whole at 80 columns
    (it was cut at 60 digits) and easier to copy into the binder and read back by phone."""
    groups = [value[i : i + HASH_GROUP] for i in range(0, len(value), HASH_GROUP)]
    return indent + " ".join(groups)


def _who(login: str, name: str) -> str:
    if not login:
        return "未记录"
    return f"{name}（{login}）" if name else login


def _due_block(cases: Sequence[DueCase], days_header: str, empty: str) -> list[str]:
    """The printed list leaves out the item name (the number identifies it) to stay within 80
    columns, and marks a provisional due date instead of giving it a column."""
    if not cases:
        return [empty]
    header = ("办件编号", "事项", "申请人", "状态", "到期日", days_header)
    rows = [
        (
            c.case_no,
            c.item_no,
            c.applicant,
            c.state_label,
            c.due.isoformat() + ("（暂定）" if c.provisional else ""),
            c.working_days,
        )
        for c in cases
    ]
    return _grid(header, rows)
