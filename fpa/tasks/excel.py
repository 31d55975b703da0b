"""The task book's workbook (shared engine, fpa.core.excel): one row per task, in the list's
filters, by measure and deadline. Export only: tasks are set and followed on their pages, where
each step is checked by the services."""

from __future__ import annotations

from typing import Any

from fpa.core import excel


def _user_name(user: Any) -> str:
    return str(getattr(user, "full_name", "") or getattr(user, "username", "")) if user else ""


def _co_units(task: Any) -> str:
    names = [a.division_name or a.name for a in task.co_associations.all()]
    if task.co_departments:
        names.append(task.co_departments)
    return "、".join(names)


TASK_SHEET = excel.Sheet(
    title="改革任务书",
    columns=(
        excel.Column(
            "措施序号",
            "measure",
            required=True,
            export=lambda t: t.measure.number,
            kind=excel.NUMBER,
            width=8,
        ),
        excel.Column("改革措施", "measure_title", export=lambda t: t.measure.title, width=20),
        excel.Column("任务名称", "title", required=True, width=30),
        excel.Column("下达单位", "set_by", export=lambda t: t.set_by.name, width=18),
        excel.Column("牵头单位", "association", export=lambda t: t.lead_unit, width=20),
        excel.Column("配合单位", "co_units", export=_co_units, width=24),
        excel.Column("责任人", "responsible", export=lambda t: _user_name(t.responsible), width=12),
        excel.Column("开始日期", "start_on", kind=excel.DATE, width=12),
        excel.Column("完成时限", "deadline", kind=excel.DATE, width=12),
        excel.Column("原定完成时限", "original_deadline", kind=excel.DATE, width=12),
        excel.Column("成果要求", "deliverables", width=36),
        excel.Column("完成进度（%）", "progress", kind=excel.NUMBER, width=10),
        excel.Column("最近报告日期", "last_reported_on", kind=excel.DATE, width=12),
        excel.Column("状态", "status", export=lambda t: t.status_label, width=12),
        excel.Column("办理阶段", "stage", export=lambda t: t.get_stage_display(), width=16),
        excel.Column("验收日期", "accepted_on", kind=excel.DATE, width=12),
        excel.Column(
            "上级任务", "parent", export=lambda t: t.parent.title if t.parent_id else "", width=24
        ),
    ),
    key=("measure", "title"),
    related=("measure", "association", "set_by", "responsible", "parent"),
)
