"""The institution list as a workbook, on the shared Excel engine: one row an institution, the
list's filters applied, the contact's phone masked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import FileResponse

from fpa.childcare import rules, selectors
from fpa.childcare.models import Institution
from fpa.core import excel

if TYPE_CHECKING:
    from fpa.accounts.models import User


def _last_score(institution: Any) -> str:
    if institution.last_inspected_on is None:
        return ""
    return rules.score_text(institution.last_total, institution.last_max_total)


INSTITUTION_SHEET = excel.Sheet(
    title="托育机构",
    columns=(
        excel.Column(
            "区域编码", "association", required=True, export=lambda i: i.association.code, width=16
        ),
        excel.Column("所在区域", "area", export=lambda i: i.association.name, width=18),
        excel.Column("机构名称", "name", required=True, width=24),
        excel.Column(
            "登记号码类型",
            "registration_kind",
            parse=excel.choice(Institution.Registration.choices),
        ),
        excel.Column("登记号码", "registration_number", width=22),
        excel.Column("举办者", "operator", width=20),
        excel.Column("地址", "address", width=28),
        excel.Column("托育类型", "kind", parse=excel.choice(Institution.Kind.choices), width=10),
        excel.Column("托位数", "capacity", kind=excel.NUMBER, width=8),
        excel.Column("在托人数", "places_used", kind=excel.NUMBER, width=8),
        excel.Column("普惠", "inclusive", width=6),
        excel.Column("联系人", "contact_name", width=10),
        excel.Column("联系电话", "phone", protected="phone", width=16),
        excel.Column("状态", "status", parse=excel.choice(Institution.Status.choices), width=8),
        excel.Column("开业日期", "opened_on", kind=excel.DATE, width=12),
        excel.Column("停业日期", "closed_on", kind=excel.DATE, width=12),
        excel.Column("最近检查日期", "last_inspected_on", kind=excel.DATE, width=12),
        excel.Column("最近检查得分", "last_score", export=_last_score, width=12),
        excel.Column("未销号问题", "open_problems", kind=excel.NUMBER, width=10),
    ),
    key=("association", "name"),
    related=("association",),
    notes=("本表为导出，供汇总和上报使用；联系电话已打码。",),
)


def institutions_export(*, user: User, filters: selectors.InstitutionFilters) -> FileResponse:
    """The workbook of the institutions the list shows with these filters (masked)."""
    return excel.export_response(
        INSTITUTION_SHEET,
        selectors.institutions_for_export(user=user, filters=filters),
        actor=user,
    )
