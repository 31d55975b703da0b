"""The nominations' workbook (shared engine, fpa.core.excel): one row per nomination, in the
list's filters, by village. Export only: nominations are made and decided on their pages, where
each step is checked by the services."""

from __future__ import annotations

from fpa.core import excel


def _user_name(user: object) -> str:
    return str(getattr(user, "full_name", "") or getattr(user, "username", "")) if user else ""


NOMINATION_SHEET = excel.Sheet(
    title="健康家庭提名",
    columns=(
        excel.Column("年度", "year", required=True, kind=excel.NUMBER, width=8),
        excel.Column(
            "乡镇",
            "township",
            export=lambda n: n.association.parent.name if n.association.parent else "",
            width=18,
        ),
        excel.Column(
            "村（社区）编码",
            "association",
            required=True,
            export=lambda n: n.association.code,
            width=16,
        ),
        excel.Column("村（社区）", "village", export=lambda n: n.association.name, width=20),
        excel.Column("户名（户主姓名）", "household_name", required=True, width=14),
        excel.Column("家庭人口", "members_count", kind=excel.NUMBER, width=8),
        excel.Column("住址", "address", required=True, width=28),
        excel.Column("提名理由", "reason", width=40),
        excel.Column(
            "同意公开户名",
            "published",
            export=lambda n: "是" if n.consent_id else "否",
            width=10,
        ),
        excel.Column(
            "同意书版本",
            "consent",
            export=lambda n: n.consent.version if n.consent_id else None,
            kind=excel.NUMBER,
            width=8,
        ),
        excel.Column("状态", "status", export=lambda n: n.get_status_display(), width=12),
        excel.Column("提名日期", "nominated_on", kind=excel.DATE, width=12),
        excel.Column("乡镇意见", "review_opinion", width=24),
        excel.Column("乡镇审核日期", "reviewed_on", kind=excel.DATE, width=12),
        excel.Column("县级意见", "decision_opinion", width=24),
        excel.Column("县级决定日期", "decided_on", kind=excel.DATE, width=12),
        excel.Column("命名文号", "decision_document", width=18),
        excel.Column(
            "提名人", "nominated_by", export=lambda n: _user_name(n.nominated_by), width=12
        ),
    ),
    key=("association", "year", "household_name", "address"),
    related=("association", "association__parent", "consent", "nominated_by"),
)
