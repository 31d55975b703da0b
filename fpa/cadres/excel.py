"""The contact points' visits as a workbook (shared engine, fpa.core.excel): one row per visit in
the chosen month, with its point, cadre and the problems found. Export only: visits are logged
on the point's page by the cadre."""

from __future__ import annotations

from typing import Any

from fpa.core import excel


def _name(user: Any) -> str:
    return str(user.full_name or user.username) if user else ""


def _findings(visit: Any) -> str:
    return "；".join(f"{f.text}（{f.get_status_display()}）" for f in visit.findings.all())


VISIT_SHEET = excel.Sheet(
    title="干部联系点走访",
    columns=(
        excel.Column("走访日期", "visited_on", required=True, kind=excel.DATE, width=12),
        excel.Column(
            "联系干部", "cadre", required=True, export=lambda v: _name(v.point.cadre), width=14
        ),
        excel.Column(
            "所在协会",
            "home",
            export=lambda v: (
                v.point.cadre.home_association.name if v.point.cadre.home_association else ""
            ),
            width=18,
        ),
        excel.Column(
            "乡镇",
            "township",
            export=lambda v: v.point.association.parent.name if v.point.association.parent else "",
            width=16,
        ),
        excel.Column(
            "村（社区）",
            "village",
            required=True,
            export=lambda v: v.point.association.name,
            width=20,
        ),
        excel.Column(
            "联系家庭", "family", export=lambda v: "是" if v.point.family_id else "否", width=8
        ),
        excel.Column("方式", "method", export=lambda v: v.get_method_display(), width=10),
        excel.Column("走访情况", "summary", width=40),
        excel.Column("发现的问题", "findings", export=_findings, width=40),
    ),
    key=("visited_on", "cadre", "village"),
)
