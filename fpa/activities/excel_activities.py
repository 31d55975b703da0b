"""The activity list as a workbook (the shared engine, `fpa.core.excel`): one row per activity
with its plan, status and counts, in the list's filters. An activity holds no personal data (the
sign-ins and the health follow-ups are never exported here), so nothing needs masking."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from fpa.activities.models import PARTICIPANT_GROUPS
from fpa.core import excel


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    """The local wall time without its zone (a spreadsheet cell has none)."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None)


def _yes(value: bool) -> str:
    return "是" if value else "否"


def _group(name: str, label: Any) -> excel.Column:
    return excel.Column(str(label), name, kind=excel.NUMBER, width=9)


ACTIVITY_SHEET = excel.Sheet(
    title="活动",
    columns=(
        excel.Column("编号", "id", required=True, kind=excel.NUMBER, width=8),
        excel.Column("主办协会", "association", export=lambda a: a.association.name, width=22),
        excel.Column("协会编码", "association_code", export=lambda a: a.association.code, width=14),
        excel.Column("活动名称", "title", width=30),
        excel.Column("类别", "category", export=lambda a: a.category.name, width=12),
        excel.Column("主题", "theme", export=lambda a: a.theme.name if a.theme else "", width=16),
        excel.Column("形式", "setting", export=lambda a: a.get_setting_display(), width=9),
        excel.Column(
            "所属部署",
            "campaign",
            export=lambda a: a.campaign.title if a.campaign else "",
            width=20,
        ),
        excel.Column(
            "开始时间", "starts_at", export=lambda a: _local(a.starts_at), kind=excel.DATE, width=17
        ),
        excel.Column(
            "结束时间", "ends_at", export=lambda a: _local(a.ends_at), kind=excel.DATE, width=17
        ),
        excel.Column("阵地", "site", export=lambda a: a.site.name if a.site else "", width=18),
        excel.Column("地点", "place", width=20),
        excel.Column("合作单位", "partners", width=18),
        excel.Column("服务对象", "target_groups", width=18),
        excel.Column("状态", "status", export=lambda a: a.get_status_display(), width=9),
        *(_group(name, label) for name, label in PARTICIPANT_GROUPS),
        excel.Column(
            "参加人数合计", "participants", export=lambda a: a.participants, kind=excel.NUMBER
        ),
        excel.Column("发放资料（份）", "materials", kind=excel.NUMBER, width=10),
        excel.Column("咨询人次", "consultations", kind=excel.NUMBER, width=9),
        excel.Column("检查/筛查人次", "checks", kind=excel.NUMBER, width=9),
        excel.Column("转介人次", "referrals", kind=excel.NUMBER, width=9),
        excel.Column(
            "媒体报道（篇）",
            "media_count",
            export=lambda a: getattr(a, "media_count", 0),
            kind=excel.NUMBER,
            width=10,
        ),
        excel.Column("签到人数", "signins_count", kind=excel.NUMBER, width=9),
        excel.Column("经费（元）", "cost", kind=excel.NUMBER, width=11),
        excel.Column("有人身风险", "risky", export=lambda a: _yes(a.risky), width=8),
        excel.Column("意外险说明", "insurance_note", width=18),
        excel.Column("亮点", "highlight", export=lambda a: _yes(a.highlight), width=6),
        excel.Column("活动总结", "summary", width=40),
    ),
    key=("id",),
    notes=("按活动列表的筛选条件导出，每次活动一行。",),
    related=("association", "category", "theme", "campaign", "site"),
)
