"""The import report: what was stored, skipped, refused or flagged, and its Chinese summary."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from clerk.domain.chain_names import cases_of, installation_of
from clerk.domain.masking import mask_name
from clerk.domain.model import CaseState, action_label
from clerk.sync.bundle import BundleError
from clerk.sync.keys import KeyProblem

TELL = {
    CaseState.ACCEPTED: "请告知申请人已受理，等待审核结果",
    CaseState.AWAITING_SUPPLEMENT: "请按一次性告知书通知申请人补齐材料",
    CaseState.AWAITING_PAYMENT: "请告知申请人审核已通过，等待拨付",
    CaseState.CLOSED: "请通知申请人已办结",
    CaseState.REFUSED: "请通知申请人不予受理及其理由",
    CaseState.REJECTED: "请通知申请人审核不通过及其理由",
    CaseState.WITHDRAWN: "无需通知（已撤回）",
    CaseState.ABANDONED: "无需通知（逾期未补正，已终止）",
}


@dataclass
class ImportReport:
    bundle: dict[str, Any] = field(default_factory=dict)
    status: str = "imported"  # imported | duplicate | gap | refused
    message: str = ""
    imported: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    gaps: list[dict[str, Any]] = field(default_factory=list)
    acknowledged: dict[str, dict[str, Any]] = field(default_factory=dict)
    holding: dict[str, dict[str, Any]] = field(default_factory=dict)
    flagged: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    refusal: str | None = None
    holidays: list[str] = field(default_factory=list)  # holiday notices a return bundle carried

    @property
    def ok(self) -> bool:
        return self.status in ("imported", "duplicate")

    def text(self) -> str:
        """The Chinese summary the CLI prints and the 导入 screen shows."""
        return report_text(self)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "status": self.status,
            "message": self.message,
            "bundle": self.bundle,
            "imported": self.imported,
            "duplicates": self.duplicates,
            "conflicts": self.conflicts,
            "rejected": self.rejected,
            "gaps": self.gaps,
            "acknowledged": self.acknowledged,
            "holding": self.holding,
            "flagged": self.flagged,
            "decisions": self.decisions,
            "refusal": self.refusal,
        }


def refused(exc: BundleError | KeyProblem) -> ImportReport:
    code = exc.code if isinstance(exc, BundleError) else "keys"
    return ImportReport(status="refused", message=str(exc), refusal=code)


def decision(
    row: Mapping[str, Any],
    old: Mapping[str, Any],
    labels: Callable[[Mapping[str, Any]], str] | None,
) -> dict[str, Any]:
    state = CaseState(row["state"])
    return {
        "case_no": row["case_no"],
        "applicant": mask_name(row.get("applicant_name") or ""),
        "item": labels(row) if labels else str(row["item_no"]),
        "from": CaseState(old["state"]).label,
        "to": state.label,
        "tell": TELL.get(state, state.label),
        "amount_fen": row.get("amount_fen") if state is CaseState.CLOSED else None,
    }


def _paid(d: Mapping[str, Any]) -> str:
    """The amount paid, for the clerk to tell the applicant (a closed payment case)."""
    fen = d.get("amount_fen")
    if not isinstance(fen, int):
        return ""
    yuan, rest = divmod(fen, 100)
    return f"，已拨付 {yuan:,}.{rest:02d} 元"


def report_text(report: ImportReport) -> str:
    """The Chinese summary of an import (also shown by the 导入 screen)."""
    if report.status == "refused":
        return f"未导入，本机未作任何改动：{report.message}"
    lines = [report.message]
    for gap in report.gaps:
        bring = f"请带来第 {gap['bring']} 号上报包" if gap.get("bring") else "请让对方重新导出"
        lines.append(
            f"缺少 {gap['origin']} 第 {gap['missing_from']}–{gap['missing_to']} 条记录：{bring}。"
        )
    for c in report.conflicts:
        lines.append(
            f"冲突 {c['case_no']}：{c['origin']} 第 {c['seq']} 条“{action_label(c['action'])}”不是办件所有方所作，已列入冲突队列。"
        )
    for r in report.rejected:
        lines.append(f"未覆盖：{r.get('case_no') or r.get('origin') or r.get('uuid')}：{r['why']}")
    for f in report.flagged:
        lines.append(f"时间异常：{f['origin']} 第 {f['seq']} 条（{f['at']}）：{f['why']}")
    for origin, ack in report.acknowledged.items():
        mine = installation_of(origin)
        lines.append(f"对方已确认收到{cases_of(origin, mine)}：至第 {ack['seq']} 条。")
    if report.holidays:
        lines.append("县级经办机构的节假日安排：" + "；".join(report.holidays) + "。")
    if report.decisions:
        lines.append("需告知申请人：")
    for d in report.decisions:
        lines.append(
            f"  {d['case_no']} {d['applicant']}（{d['item']}）：{d['from']}→{d['to']}{_paid(d)}，"
            f"{d['tell']}。"
        )
    return "\n".join(lines)
