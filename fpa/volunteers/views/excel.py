"""Excel import and export of volunteers and hours."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy

from fpa.core.excel.pages import ExportKind, ExportPage, export_page, import_page
from fpa.core.scope import scoped_view
from fpa.volunteers import excel as volunteer_excel
from fpa.volunteers import jobs as volunteer_jobs

# --- Excel ----------------------------------------------------------------------------------------


@scoped_view(capability="volunteer.edit")
def import_volunteers(request: HttpRequest) -> HttpResponseBase:
    return import_page(request, volunteer_excel.VOLUNTEER_IMPORT)


@scoped_view(capability="volunteer.edit")
def import_hours(request: HttpRequest) -> HttpResponseBase:
    return import_page(request, volunteer_excel.HOURS_IMPORT)


VOLUNTEER_EXPORT = ExportPage(
    title=gettext_lazy("志愿者 Excel 导入导出"),
    intro=gettext_lazy(
        "导出您管辖范围内的志愿者（每人一行）或服务时长，格式与导入模板相同。"
        "默认打码：身份证号码和电话打码，未满十四周岁者的姓名打码。"
    ),
    full_intro=gettext_lazy("含完整的身份证号码和电话，可修改后重新导入。导出将记入审计日志。"),
    kinds=(
        ExportKind(
            key="volunteers",
            job_kind=volunteer_jobs.EXPORT,
            sheet=volunteer_excel.VOLUNTEER_SHEET,
            label=gettext_lazy("导出志愿者（打码）"),
        ),
        ExportKind(
            key="hours",
            job_kind=volunteer_jobs.HOURS_EXPORT,
            sheet=volunteer_excel.HOURS_SHEET,
            label=gettext_lazy("导出服务时长（打码）"),
            full=False,
        ),
    ),
    import_capability="volunteer.edit",
    imports=(
        ("volunteers:import", gettext_lazy("从Excel批量录入或修改志愿者")),
        ("volunteers:import_hours", gettext_lazy("从Excel批量登记服务时长")),
    ),
)


@scoped_view(capability="volunteer.view")
def export(request: HttpRequest) -> HttpResponse:
    """The page; ?download=volunteers|hours the masked workbook; POST reveal=1 with a reason the
    volunteers in full (personal.reveal only, audited)."""
    return export_page(request, VOLUNTEER_EXPORT)
