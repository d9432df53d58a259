"""The proof's check of the cases: every case row equals the replay of its events
(`clerk.domain.replay`), and so do its material checks, ratings and follow-ups, and the
documents its moves named."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from clerk.audit.findings import Problem, Proof
from clerk.domain.model import STATE_LABELS, CaseState, DocKind, Rating
from clerk.domain.replay import (
    COLUMN_LABELS,
    INSTANT_COLUMNS,
    LEGACY_NULLABLE,
    Projection,
    ReplayedEvent,
    ReplayError,
    apply,
    text_digest,
)
from clerk.ports.verify_report import (
    CaseHistory,
    DocumentRow,
    EvaluationRow,
    MaterialRow,
)

LOOSE_SECONDS = 2.0


def _check_cases(proof: Proof, histories: Iterable[CaseHistory], total: int) -> None:
    """Replay each history against its row; `total` (full) the cases' upper bound, for progress."""
    for history in histories:
        if history.row is None:
            if history.events:
                proof.problems.append(_orphan_events(history.uuid))
            continue
        _compare(proof, history)
        if proof.full and not proof.cases % 50_000:
            proof.progress("核对办件", proof.cases, max(total, proof.cases))
    if proof.full:
        proof.progress("核对办件", proof.cases, proof.cases)


def _orphan_events(case_uuid: str) -> Problem:
    return Problem("case", f"有事件记录指向不存在的办件（{case_uuid}）：办件记录可能被删除。")


def _decoded(data: Any) -> Any:
    """An event's `data` as the replay reads it: stored JSON text decoded (or a mapping an engine
    stored natively); anything else, or text that is not JSON, as no data."""
    if isinstance(data, str):
        try:
            return json.loads(data)
        except ValueError:
            return {}
    return data if isinstance(data, Mapping) else {}


def _compare(proof: Proof, history: CaseHistory) -> None:
    proof.cases += 1
    row = history.row
    assert row is not None
    case_no = row["case_no"]
    if not history.events:
        proof.problems.append(
            Problem(
                "case",
                f"办件 {case_no} 没有任何事件记录：它不是经本程序办理建立的。",
                case_no=case_no,
            )
        )
        return
    projection = Projection(owner=row["point_code"])
    loads = json.loads
    for _, action, actor, at, to_state, data, fmt, from_state, origin, reason in history.events:
        if data.__class__ is str:  # stored JSON text (inline: a million cases, a call each saved)
            try:
                decoded = loads(data)
            except ValueError:
                decoded = {}
        else:
            decoded = _decoded(data)
        try:
            apply(
                projection,
                ReplayedEvent(
                    action, actor, at, to_state, decoded, fmt == 1, from_state, origin, reason
                ),
            )
        except ReplayError as exc:
            proof.problems.append(Problem("case", f"办件 {case_no}：{exc}。", case_no=case_no))
            return
        except (ValueError, TypeError, AttributeError):
            proof.problems.append(
                Problem(
                    "case",
                    f"办件 {case_no} 有一条事件记录无法重放（操作或状态无效）：记录可能被改动。",
                    case_no=case_no,
                )
            )
            return
    for column, expected in projection.values.items():
        stored = row[column]
        if _same(column, stored, expected, column in projection.loose):
            continue
        label = COLUMN_LABELS[column]
        proof.problems.append(
            Problem(
                "case",
                f"办件 {case_no} 的{label}为“{_shown(column, stored)}”，但按事件记录应为“{_shown(column, expected)}”："
                "该字段被改动而没有相应的事件记录。",
                case_no=case_no,
                column=column,
            )
        )
    _compare_materials(proof, case_no, projection, history.materials)
    _compare_ratings(proof, case_no, projection, history.evaluations)
    _compare_issued(proof, case_no, projection, history.documents)
    kinds = list(history.document_kinds)
    for kind, expected_count in projection.documents.items():
        found = kinds.count(str(kind))
        if found < expected_count:
            proof.problems.append(
                Problem(
                    "document",
                    f"办件 {case_no} 的事件记录表明已出具 {expected_count} 份{kind.label}，"
                    f"但只登记了 {found} 份：文书登记记录被删除。",
                    case_no=case_no,
                )
            )


_STATUS_LABELS = {"ok": "齐全", "missing": "缺少", "defective": "有缺陷", "na": "不适用"}


def _outcome(values: Sequence[Any]) -> str:
    status, alternative = values[0], values[1] if len(values) > 1 else None
    shown = _STATUS_LABELS.get(str(status), str(status))
    return f"{shown}（{alternative}）" if alternative else shown


def _compare_materials(
    proof: Proof, case_no: str, projection: Projection, stored: Sequence[MaterialRow]
) -> None:
    """The case's material checks against the outcomes its events recorded. A case received
    before the checks entered the events has only the materials later events named proven."""
    seen: set[str] = set()
    for material_id, status, alternative, defect in stored:
        seen.add(material_id)
        expected = projection.materials.get(material_id)
        if expected is None:
            if projection.materials_whole:
                proof.problems.append(
                    Problem(
                        "material",
                        f"办件 {case_no} 的材料 {material_id} 有核验记录（{_outcome((status, alternative))}），"
                        "但事件记录中没有这次核验：核验记录是绕过程序写入的。",
                        case_no=case_no,
                    )
                )
            continue
        now = [status, alternative or None, text_digest(defect)]
        if now != list(expected):
            same_look = _outcome(now) == _outcome(expected)
            proof.problems.append(
                Problem(
                    "material",
                    f"办件 {case_no} 的材料 {material_id} 的核验结果为“{_outcome(now)}”，"
                    f"但按事件记录应为“{_outcome(expected)}”"
                    + ("（缺陷说明不同）" if same_look else "")
                    + "：核验记录被改动而没有相应的事件记录。",
                    case_no=case_no,
                )
            )
    for material_id in sorted(set(projection.materials) - seen):
        proof.problems.append(
            Problem(
                "material",
                f"办件 {case_no} 的事件记录表明材料 {material_id} 已核验"
                f"（{_outcome(projection.materials[material_id])}），但核验记录已不存在：被删除。",
                case_no=case_no,
            )
        )


def _level(level: Any) -> str:
    try:
        return Rating(str(level)).label
    except ValueError:
        return str(level)


def _compare_ratings(
    proof: Proof, case_no: str, projection: Projection, stored: Sequence[EvaluationRow]
) -> None:
    """Each rating against the event that recorded it (by its time), with its follow-up."""
    recorded = {str(r[0]): r for r in projection.ratings}
    rows = {
        str(at): (level, comment, follow_up, followed_at)
        for level, comment, at, follow_up, followed_at in stored
    }
    for at, (level, comment, follow_up, followed_at) in rows.items():
        expected = recorded.get(at)
        if expected is None:
            proof.problems.append(
                Problem(
                    "rating",
                    f"办件 {case_no} 有一条 {at} 的评价（{_level(level)}），但事件记录中没有这次评价："
                    "评价记录是绕过程序写入的。",
                    case_no=case_no,
                )
            )
            continue
        _, level_should, comment_digest, follow_should, followed_at_should = expected
        if str(level) != str(level_should):
            proof.problems.append(
                Problem(
                    "rating",
                    f"办件 {case_no} 在 {at} 的评价为“{_level(level)}”，但按事件记录应为"
                    f"“{_level(level_should)}”：评价被改动而没有相应的事件记录。",
                    case_no=case_no,
                )
            )
        if comment_digest is not None and text_digest(comment) != comment_digest:
            proof.problems.append(
                Problem(
                    "rating",
                    f"办件 {case_no} 在 {at} 的评价意见与事件记录的 SHA-256 不符：意见被改动。",
                    case_no=case_no,
                )
            )
        if (follow_up or None, followed_at or None) != (follow_should, followed_at_should):
            what = "没有回访" if follow_up is None else f"回访于 {followed_at}"
            should = "没有回访" if follow_should is None else f"已于 {followed_at_should} 回访"
            proof.problems.append(
                Problem(
                    "rating",
                    f"办件 {case_no} 在 {at} 的评价{what}，但按事件记录{should}，或回访内容不同："
                    "回访记录被改动而没有相应的事件记录。",
                    case_no=case_no,
                )
            )
    for at in sorted(set(recorded) - set(rows)):
        proof.problems.append(
            Problem(
                "rating",
                f"办件 {case_no} 的事件记录表明 {at} 有一条评价（{_level(recorded[at][1])}），"
                "但评价记录已不存在：评价被删除。",
                case_no=case_no,
            )
        )


def _compare_issued(
    proof: Proof, case_no: str, projection: Projection, stored: Sequence[DocumentRow]
) -> None:
    """Each document a move named in its event has its record: the same number, kind and the
    SHA-256s of its PDF and text (so a file replaced together with its recorded hash is seen)."""
    by_no = {str(doc_no): (kind, pdf, txt) for kind, doc_no, pdf, txt in stored}
    kinds = [str(d[0]) for d in stored]
    for issued in projection.issued:
        doc_no = str(issued.get("no"))
        found = by_no.get(doc_no)
        kind = str(issued.get("kind"))
        label = _kind_label(kind)
        if found is None:
            if kinds.count(kind) >= sum(1 for i in projection.issued if i.get("kind") == kind):
                # as many records of the kind as issued: a number changed (a deleted record is
                # counted by the kinds' check)
                proof.problems.append(
                    Problem(
                        "document",
                        f"办件 {case_no} 的事件记录表明已出具{label} {doc_no}，"
                        "但没有这个编号的文书登记：文书编号被改动。",
                        case_no=case_no,
                    )
                )
            continue
        stored_kind, pdf, txt = found
        if (str(stored_kind), pdf) != (kind, issued.get("pdf")) or (
            issued.get("txt") is not None and txt != issued.get("txt")
        ):
            proof.problems.append(
                Problem(
                    "document",
                    f"办件 {case_no} 的文书 {doc_no} 的登记（种类或文件的 SHA-256）与事件记录不符："
                    "文书登记被改动，文件可能被替换。",
                    case_no=case_no,
                )
            )


def _kind_label(kind: str) -> str:
    try:
        return DocKind(kind).label
    except ValueError:
        return kind


def _same(column: str, stored: Any, expected: Any, loose: bool) -> bool:
    if stored == expected:
        return True
    if loose and stored is None and column in LEGACY_NULLABLE:
        return True
    if column in INSTANT_COLUMNS and loose and stored is not None and expected is not None:
        try:
            gap = datetime.fromisoformat(str(stored)) - datetime.fromisoformat(str(expected))
        except ValueError:
            return False
        return abs(gap.total_seconds()) <= LOOSE_SECONDS
    return False


def _shown(column: str, value: Any) -> str:
    if value is None:
        return "空"
    if column == "state":
        try:
            return STATE_LABELS[CaseState(value)]
        except ValueError:
            return str(value)
    if column == "amount_fen" and isinstance(value, int):
        return f"{value / 100:.2f} 元"
    return str(value)
