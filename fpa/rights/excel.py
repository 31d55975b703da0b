"""The case list as a workbook, on the shared Excel engine: one row a case, the list's filters
applied; the person's name, phone and ID number masked, the claim itself never written."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import FileResponse

from fpa.core import excel
from fpa.rights import selectors
from fpa.rights.models import Case

if TYPE_CHECKING:
    from fpa.accounts.models import User


def _on_time(case: Any) -> str:
    on_time = case.on_time
    return "" if on_time is None else ("是" if on_time else "否")


CASE_SHEET = excel.Sheet(
    title="权益维护案件",
    columns=(
        excel.Column("案件编号", "number", required=True, export=lambda c: c.number, width=14),
        excel.Column("受理单位编码", "association", export=lambda c: c.association.code, width=16),
        excel.Column("受理单位", "area", export=lambda c: c.association.name, width=18),
        excel.Column("当事人姓名", "person_name", protected="name", width=12),
        excel.Column("联系电话", "phone", protected="phone", width=16),
        excel.Column("身份证号码", "id_number", protected="id_number", width=22),
        excel.Column(
            "计生特殊家庭", "family", export=lambda c: "是" if c.family_id else "", width=8
        ),
        excel.Column("受理方式", "channel", parse=excel.choice(Case.Channel.choices), width=10),
        excel.Column("受理日期", "received_on", kind=excel.DATE, width=12),
        excel.Column("受理人", "received_by", export=lambda c: c.received_by.full_name, width=10),
        excel.Column("诉求类别", "kind", export=lambda c: c.kind.name, width=12),
        excel.Column("转办部门", "department", width=18),
        excel.Column("转办日期", "referred_on", kind=excel.DATE, width=12),
        excel.Column("办理期限", "deadline", kind=excel.DATE, width=12),
        excel.Column("状态", "status", parse=excel.choice(Case.Status.choices), width=10),
        excel.Column("办结日期", "closed_on", kind=excel.DATE, width=12),
        excel.Column("按期办结", "on_time", export=_on_time, width=8),
        excel.Column(
            "满意度", "satisfaction", parse=excel.choice(Case.Satisfaction.choices), width=10
        ),
        excel.Column("重新办理次数", "reopened", kind=excel.NUMBER, width=10),
    ),
    key=("number",),
    related=("association", "kind", "received_by"),
    notes=("本表为导出，供汇总和上报使用；个人信息已打码，诉求内容不导出。",),
)


def cases_export(*, user: User, filters: selectors.CaseFilters) -> FileResponse:
    """The workbook of the cases the list shows with these filters (masked)."""
    return excel.export_response(
        CASE_SHEET, selectors.cases_for_export(user=user, filters=filters), actor=user
    )
