"""材料核验 and the window decision: the checklist (with alternatives and the conditional materials
the answers switched on), then 受理 / 一次性告知 / 不予受理. In a case awaiting supplements the
same checklist records what was handed in (补正材料交回).

Space marks the highlighted material and moves to the next row; Ctrl+A marks every required
material not yet checked as received in one stored check (rows already marked missing, defective
or received keep their mark). Either way the clerk confirms the materials explicitly.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Header, Static

from clerk.domain.clock import TZ
from clerk.domain.common_reasons import common_reasons
from clerk.domain.materials import MAX_DESCRIPTION, MaterialCheck, defect_choices, other_same_kind
from clerk.domain.model import Action, CaseState
from clerk.domain.notice import LATE_NOTICE_HINT, deemed_accepted_text
from clerk.screens.choice import MAX_DIGIT_CHOICES, ChoiceScreen
from clerk.screens.deciding import DecidingScreen
from clerk.screens.notice_preview import NoticePreviewScreen
from clerk.screens.reason import ReasonScreen
from clerk.screens.refusal_preview import RefusalPreviewScreen
from clerk.screens.textual_patches import SteadyFooter
from clerk.screens.widgets.plain import PlainStatic, PlainTable
from clerk.service.views import CaseView, MaterialRow

if TYPE_CHECKING:
    from clerk.service.window import Window

OTHER = "__other__"
NOT_COMPETENT, OTHER_REASON = "not_competent", "other_reason"
MARK_HINT = "逐项核对：空格 标记已收并移到下一项；Ctrl+A 全部已收（已标记的项不变）。"
STATUS_LABELS = {None: "未核", "ok": "✓ 已收", "missing": "✗ 缺", "defective": "! 有误"}


def deadline_text(view: CaseView) -> str:
    if view.deadline is None:
        return ""
    if view.deadline.kind == "instant":
        return "即时办结"
    text = f"办结期限 {view.deadline.due:%Y年%m月%d日}"
    if view.deadline.provisional:
        text += "（暂定：该年节假日尚未公布）"
    return text


class MaterialsScreen(DecidingScreen):
    BINDINGS = [
        Binding("space", "toggle_material", "已收/缺", id="materials.toggle"),
        # Not in the footer (it is full at 120 columns): the status line says "Ctrl+A 全部已收".
        Binding("ctrl+a", "mark_all", "全部已收", id="materials.all", show=False),
        Binding(
            "a", "alternative", "换替代材料", id="materials.alternative", show=False
        ),  # the row says "a 切换"
        Binding("d", "defect", "材料有误", id="materials.defect"),
        Binding("o", "other_same_kind", "其他同类材料", id="materials.other"),
        Binding("f9", "accept", "受理", id="materials.accept"),
        Binding("f9", "supplement", "补正交回", id="materials.supplement"),
        Binding("f9", "collect", "收件转报", id="materials.collect"),
        Binding("f8", "notice", "一次性告知", id="materials.notice"),
        Binding("f7", "refuse", "不予受理", id="materials.refuse"),
        Binding("escape", "close", "返回", id="materials.close"),
    ]

    def __init__(self, window: Window, user: Any, view: CaseView) -> None:
        super().__init__()
        self.window = window
        self.user = user
        self.view = view
        self.checks: dict[str, MaterialCheck] = {
            row.material.id: row.check for row in view.materials if row.check is not None
        }
        self.stored_checks = dict(self.checks)  # supplements are stored only on F9
        # A picks which alternative the applicant showed; the row is marked received only by
        # Space (A used to mark it received too, so the Space that followed flipped it to 缺).
        self.pending: dict[str, str] = {}
        self.sub_title = f"材料核验　{view.case_no}"
        self.collects = window.must_collect(
            view.uuid
        )  # 34/35 at a township: collect, the county accepts

    @property
    def supplementing(self) -> bool:
        return self.view.state == CaseState.AWAITING_SUPPLEMENT

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="materials-body"):
            yield PlainStatic(id="materials-title", classes="dialog-title")
            yield PlainTable(id="materials-table", cursor_type="row", zebra_stripes=True)
            yield PlainStatic(id="materials-status")
        yield SteadyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("", "材料", "状态", "选用", "说明")
        self._paint()
        table.focus()

    # ------------------------------------------------------------------ display

    def _rows(self) -> list[MaterialRow]:
        return list(self.view.materials)

    def _paint(self) -> None:
        view = self.view
        mode = "补正材料交回" if self.supplementing else "收件核验"
        self.query_one("#materials-title", Static).update(
            Text(
                f"{mode}　【{view.item.no}】{view.item.name}　{view.applicant_name_masked}　{view.case_no}"
            )
        )
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        for n, row in enumerate(self._rows(), 1):
            check = self.checks.get(row.material.id)
            status = STATUS_LABELS[check.status if check else None]
            chosen = (check.alternative or "") if check else ""
            pending = self.pending.get(row.material.id)
            if pending and not (check and check.status == "ok"):
                chosen = f"{pending}（空格确认已收）"
            elif row.material.is_choice and not chosen:
                chosen = "任选其一（a 切换）"
            note = "" if row.required else "本件不需要"
            if check and check.defect:
                note = check.defect
            table.add_row(str(n), row.material.name, status, chosen, note, key=row.material.id)
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))
        self._paint_status()

    def _paint_status(self) -> None:
        view = self.view
        missing = [m.name for m, _ in view.missing]
        if self.supplementing:
            text = "申请人交回补正材料后逐项勾选（空格；全部交回按 Ctrl+A），按 F9 记录交回。"
        elif not missing and self.collects:
            text = "材料齐全，按 F9 收件转报：出具收件回执，办件转县级经办机构受理。"
        elif not missing:
            text = "材料齐全，可按 F9 受理。" + (f"　{view.item.time_limit.describe()}")
        else:
            text = f"尚缺 {len(missing)} 项：{'、'.join(missing)}。按 F8 出具一次性告知书，或补齐后受理。"
            if self._unchecked_required():
                text = f"{MARK_HINT}\n{text}"
        if view.deemed_accepted:
            text += "\n注意：" + deemed_accepted_text(view.received_at.astimezone(TZ).date())
        self.query_one("#materials-status", Static).update(Text(text))
        self.refresh_bindings()

    def show_saving(self, text: str | None) -> None:
        super().show_saving(text)
        if text is None:
            self._paint_status()
        else:
            self.query_one("#materials-status", Static).update(Text(text, style="bold"))

    def _reload(self, view: CaseView | None = None) -> None:
        self.view = view or self.window.case(self.view.uuid, self.user)
        self.checks = {r.material.id: r.check for r in self.view.materials if r.check is not None}
        self._paint()

    # ------------------------------------------------------------------ bindings that apply now

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.busy:
            return False  # a decision is being saved: no second one, no mark under it
        allowed = self.view.allowed
        if action == "accept":
            return Action.ACCEPT in allowed and not self.supplementing and not self.collects
        if action == "collect":
            return self.collects and Action.ACCEPT in allowed and not self.supplementing
        if action == "supplement":
            return self.supplementing and Action.SUPPLEMENT in allowed
        if action == "notice":
            return Action.NOTICE in allowed and not self.supplementing
        if action == "refuse":
            return Action.REFUSE in allowed and not self.supplementing
        if action == "mark_all" and self.view.state in (
            CaseState.DRAFT,
            CaseState.AWAITING_SUPPLEMENT,
        ):
            return bool(self._unchecked_required())
        if action in ("toggle_material", "mark_all", "defect", "alternative", "other_same_kind"):
            if self.view.state not in (CaseState.DRAFT, CaseState.AWAITING_SUPPLEMENT):
                return False
            if action == "alternative":
                row = self._current()
                return row is not None and row.material.is_choice
            if action == "other_same_kind":
                row = self._current()
                return row is not None and row.material.open
        return True

    def _current(self) -> MaterialRow | None:
        table = self.query_one(DataTable)
        rows = self._rows()
        if not rows or table.cursor_row >= len(rows):
            return None
        return rows[table.cursor_row]

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_bindings()

    # ------------------------------------------------------------------ checklist

    def _set(self, *checks: MaterialCheck) -> bool:
        """Stores `checks` (one stored check for all of them); False when refused."""
        before = dict(self.checks)
        for check in checks:
            self.checks[check.material_id] = check
        if self.supplementing:
            self._paint()
            return True
        try:
            view = self.window.check_materials(self.user, self.view.uuid, dict(self.checks))
        except ValueError as exc:
            self.checks = before
            self.notify(str(exc), severity="error")
            return False
        except Exception:
            self.checks = before  # not stored: the row keeps showing what is stored
            raise
        self._reload(view)
        return True

    def action_toggle_material(self) -> None:
        """Space: received/missing, then on to the next row (the checklist is walked top to bottom)."""
        row = self._current()
        if row is None:
            return
        old = self.checks.get(row.material.id)
        status = "missing" if old is not None and old.status == "ok" else "ok"
        alternative = (
            self.pending.pop(row.material.id, None)
            or (old.alternative if old else None)
            or row.material.alternatives[0]
        )
        if self._set(
            MaterialCheck(row.material.id, status, alternative if status == "ok" else None, "")
        ):
            table = self.query_one(DataTable)
            if table.cursor_row < table.row_count - 1:
                table.move_cursor(row=table.cursor_row + 1)

    def _unchecked_required(self) -> list[MaterialRow]:
        return [r for r in self._rows() if r.required and r.material.id not in self.checks]

    def action_mark_all(self) -> None:
        """Ctrl+A: every required material not yet checked is received (choices: the first one)."""
        rows = self._unchecked_required()
        if not rows:
            return
        kept = sum(1 for r in self._rows() if r.required and r.material.id in self.checks)
        checks = [MaterialCheck(r.material.id, "ok", r.material.alternatives[0], "") for r in rows]
        if self._set(*checks):
            note = f"，另有 {kept} 项保留原核验结果" if kept else ""
            self.notify(f"已将 {len(rows)} 项应收材料标为已收{note}。")

    def action_alternative(self) -> None:
        row = self._current()
        if row is None or not row.material.is_choice:
            return
        alternatives = row.material.alternatives
        old = self.checks.get(row.material.id)
        received = old is not None and old.status == "ok"
        current = self.pending.get(row.material.id) or (
            old.alternative if received and old is not None else None
        )
        nxt = (
            alternatives[(alternatives.index(current) + 1) % len(alternatives)]
            if current in alternatives
            else alternatives[0]
        )
        if received:  # already received: only which alternative changes, the mark stays
            self._set(MaterialCheck(row.material.id, "ok", nxt, ""))
            return
        self.pending[row.material.id] = nxt  # shown; Space marks it received
        self._paint()

    def action_other_same_kind(self) -> None:
        """An open list (“等”, “可包括”): record another document of the same kind, described."""
        row = self._current()
        if row is None or not row.material.open:
            return
        material = row.material

        def described(text: str | None) -> None:
            if text:
                self._set(MaterialCheck(material.id, "ok", other_same_kind(text), ""))

        self.app.push_screen(
            ReasonScreen(
                f"其他同类材料：{material.name}",
                f"清单所列为“{' / '.join(material.alternatives)}”等，申请人提供的是其中未列出的同类材料时，"
                f"请用{MAX_DESCRIPTION}字以内简要说明。",
            ),
            described,
        )

    def action_defect(self) -> None:
        row = self._current()
        if row is None:
            return
        material = row.material

        def mark(defect: str | None) -> None:
            if defect:
                self._set(MaterialCheck(material.id, "defective", None, defect))

        def chosen(value: str | None) -> None:
            if value == OTHER:
                self.app.push_screen(
                    ReasonScreen(
                        f"材料有误：{material.name}", "写明问题，会原样写入一次性告知书。"
                    ),
                    mark,
                )
            else:
                mark(value)

        options = [(d, d) for d in defect_choices(material)][: MAX_DIGIT_CHOICES - 1]
        self.app.push_screen(
            ChoiceScreen(f"材料有误：{material.name}", [*options, (OTHER, "其他问题（自行填写）")]),
            chosen,
        )

    # ------------------------------------------------------------------ decisions

    def action_accept(self) -> None:
        if self.view.item.counts_from_declaration_deadline:
            self.app.push_screen(
                ReasonScreen(
                    "申报截止日期",
                    "本事项办理时限从定点医药机构申报截止次日起算，请填写申报截止日期（如 2026-11-20）。",
                    placeholder="YYYY-MM-DD，按 Enter 确认",
                ),
                self._accept_with_declaration_deadline,
            )
            return
        self._accept()

    def _accept_with_declaration_deadline(self, text: str | None) -> None:
        if not text:
            return
        try:
            deadline = date.fromisoformat(text.strip())
        except ValueError:
            self.notify(
                f"“{text.strip()}”不是有效日期，请按 YYYY-MM-DD 填写，如 2026-11-20。",
                severity="error",
            )
            return
        self._accept(deadline)

    def _accept(self, declaration_deadline: date | None = None) -> None:
        def accepted(view: CaseView) -> None:
            if view.state == CaseState.CLOSED:
                self.notify(f"已受理并即时办结：{view.case_no}。受理通知书、办结通知书已生成。")
            else:
                self.notify(f"已受理：{view.case_no}，{deadline_text(view)}。受理通知书已生成。")
            self.dismiss(None)

        user, uuid, version = self.user, self.view.uuid, self.view.version
        self.decide(
            lambda: self.window.accept(
                user, uuid, declaration_deadline=declaration_deadline, expected_version=version
            ),
            accepted,
        )

    def action_collect(self) -> None:
        def collected(view: CaseView) -> None:
            self.notify(
                f"已收件转报：{view.case_no}。收件回执已生成，办件随日终上报包转县级经办机构受理。"
            )
            self.dismiss(None)

        user, uuid = self.user, self.view.uuid
        self.decide(lambda: self.window.collect(user, uuid), collected)

    def action_supplement(self) -> None:
        missing = self.window.still_missing(self.view.uuid, dict(self.checks))
        if not missing:
            self._supplement()
            return

        def answered(choice: str | None) -> None:
            if choice == "record":
                self._supplement(incomplete=True)

        self.app.push_screen(
            ChoiceScreen(
                f"仍缺 {len(missing)} 项：{'、'.join(missing)}。"
                "补正材料未交齐，一般应请申请人交齐后再登记交回；"
                "仍要登记的，办件回到收件环节，不能再告知告知书未列的材料。",
                [("keep", "继续核验（不登记）"), ("record", "仍登记交回（材料未齐）")],
                hint="Enter 或 1 继续核验；2 仍登记交回；Esc 继续核验",
            ),
            answered,
        )

    def _supplement(self, *, incomplete: bool = False) -> None:
        def recorded(view: CaseView) -> None:
            self.notify(f"已记录补正材料交回，状态：{view.state_label}。")
            self._reload(view)

        user, uuid, checks = self.user, self.view.uuid, dict(self.checks)
        self.decide(
            lambda: self.window.supplement(user, uuid, checks, incomplete=incomplete), recorded
        )

    def action_notice(self) -> None:
        try:
            text = self.window.preview_notice_text(self.user, self.view.uuid)
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return

        def issued(view: CaseView) -> None:
            self.notify(f"一次性告知书已出具：{view.case_no}，状态：{view.state_label}。")
            self.dismiss(None)

        def issue(override_reason: str = "") -> None:
            user, uuid, version = self.user, self.view.uuid, self.view.version
            self.decide(
                lambda: self.window.issue_notice(
                    user, uuid, override_reason=override_reason, expected_version=version
                ),
                issued,
            )

        def confirmed(ok: bool | None) -> None:
            if not ok:
                return
            if not self.view.deemed_accepted:
                issue()
                return
            # Past Art. 32's 5 working days: a late notice, recorded with a supervisor's reason.
            self.app.push_screen(
                ReasonScreen("逾期告知（须主管批准）", LATE_NOTICE_HINT),
                lambda reason: issue(reason) if reason else None,
            )

        self.app.push_screen(NoticePreviewScreen(text), confirmed)

    def action_refuse(self) -> None:
        def refused(view: CaseView) -> None:
            self.notify(f"已作出不予受理决定：{view.case_no}。不予受理告知书已生成。")
            self.dismiss(None)

        def refuse(reason: str, apply_instead: str = "") -> None:
            user, uuid, version = self.user, self.view.uuid, self.view.version
            self.decide(
                lambda: self.window.refuse(
                    user, uuid, reason, apply_instead=apply_instead, expected_version=version
                ),
                refused,
            )

        def preview(reason: str, apply_instead: str) -> None:
            """The refusal read before it is issued; Esc goes back to the reason, kept."""
            try:
                text = self.window.preview_refusal_text(
                    self.user, self.view.uuid, reason, apply_instead=apply_instead
                )
            except ValueError as exc:
                self.notify(str(exc), severity="error")
                reason_then(apply_instead, reason)
                return

            def confirmed(ok: bool | None) -> None:
                if ok:
                    refuse(reason, apply_instead)
                else:
                    reason_then(apply_instead, reason)

            self.app.push_screen(RefusalPreviewScreen(text), confirmed)

        def reason_then(apply_instead: str, before: str = "") -> None:
            self.app.push_screen(
                ReasonScreen(
                    "不予受理",
                    "写明不予受理的理由和依据，将写入告知书；Enter 后先预览告知书。",
                    common=common_reasons(Action.REFUSE),
                    value=before,
                ),
                lambda reason: preview(reason, apply_instead) if reason else None,
            )

        def where(place: str | None) -> None:
            if place:
                reason_then(place)

        def kind(choice: str | None) -> None:
            if choice == NOT_COMPETENT:
                self.app.push_screen(
                    ReasonScreen(
                        "告知向何处申请",
                        "不属于本机关职权范围的，须告知申请人向哪个机关申请"
                        "（行政许可法第三十二条第一款第（二）项），将写入告知书。",
                        placeholder="写明应受理的机关名称（如 零陵区医疗保障事务中心），按 Enter 确认",
                    ),
                    where,
                )
            elif choice == OTHER_REASON:
                reason_then("")

        # Lack of competence is the clerk's explicit choice, never guessed from the reason's words.
        self.app.push_screen(
            ChoiceScreen(
                "不予受理：是哪一种情形？",
                [
                    (NOT_COMPETENT, "不属于本机关职权范围（告知申请人向哪个机关申请）"),
                    (OTHER_REASON, "其他理由（如不符合申请条件）"),
                ],
            ),
            kind,
        )

    def typed_anything(self) -> bool:
        """Supplements marked but not yet stored (F9) would be lost by leaving."""
        return self.supplementing and self.checks != self.stored_checks

    def action_close(self) -> None:
        """Esc. A checklist stores each mark at once, except supplements handed in (stored on F9):
        marks not yet stored are not dropped without asking."""
        if not self.supplementing or self.checks == self.stored_checks:
            self.dismiss(None)
            return

        def answered(choice: str | None) -> None:
            if choice == "discard":
                self.dismiss(None)

        self.app.push_screen(
            ChoiceScreen(
                "交回材料的核验结果还没有保存（按 F9 保存），要放弃吗？",
                [("keep", "继续核验"), ("discard", "放弃本次核验结果")],
            ),
            answered,
        )
