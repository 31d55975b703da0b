"""Overdue contacts, coverage, the Excel import and export, and the monthly report."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from fpa.accounts.requests import signed_in_user
from fpa.core import jobs
from fpa.core.excel.pages import ExportKind, ExportPage, ImportPage, export_page, import_page
from fpa.core.scope import scoped_view
from fpa.families import excel as family_excel
from fpa.families import jobs as family_jobs
from fpa.families import reports as family_reports
from fpa.families import selectors
from fpa.families.models import (
    Family,
)
from fpa.families.views.common import (
    AREA_KINDS,
    LIST_LIMIT,
    MEASURES,
    _area,
    _areas,
)
from fpa.organizations.models import Association


@scoped_view(capability="family.view")
def overdue(request: HttpRequest) -> HttpResponse:
    area, foreign = _area(request)
    families: list[Family] = []
    if area is not None:
        families = selectors.area_families(
            user=signed_in_user(request),
            area=area,
            limit=LIST_LIMIT,
            order=("association__path", "pk"),
        )
    due = [d for d in selectors.schedule(families=families[:LIST_LIMIT]) if d.overdue]
    for item in due:  # grouped by township (a village's parent), in path order
        where = item.family.association
        below = where.kind in (Association.Kind.VILLAGE, Association.Kind.MIGRANT)
        item.township = where.parent if below and where.parent else where
    context = {
        "area": area,
        "areas": _areas(signed_in_user(request)),
        "foreign": foreign,
        "due": due,
        "checked": min(len(families), LIST_LIMIT),
        "cut": len(families) > LIST_LIMIT,
        "limit": LIST_LIMIT,
    }
    return render(request, "families/overdue.html", context)


# --- coverage ---------------------------------------------------------------------------------


def _coverage_row(row: selectors.Coverage) -> dict[str, Any]:
    code = row.association.code
    cells = []
    for measure in selectors.COVERAGE_MEASURES:
        count = getattr(row, measure)
        cells.append(
            {
                "measure": measure,
                "count": count,
                "missing": row.families - count,
                "share": row.share(count) if measure != "open_needs" else None,
                "code": code,
            }
        )
    return {"coverage": row, "code": code, "cells": cells}


@scoped_view(capability="family.view")
def coverage(request: HttpRequest) -> HttpResponse:
    area, foreign = _area(request)
    if area is None:
        return render(
            request,
            "families/coverage.html",
            {"area": None, "foreign": foreign, "areas": _areas(signed_in_user(request))},
        )
    total, children = selectors.coverage(user=signed_in_user(request), root=area)
    rows = [r for r in children if r.families] or [total]
    chart = {
        "labels": [r.association.name.removesuffix("计生协") for r in rows],
        "series": [
            {"name": gettext("联系人"), "data": [r.contacts_share for r in rows]},
            {"name": gettext("家庭医生"), "data": [r.doctor_share for r in rows]},
            {"name": gettext("绿色通道"), "data": [r.green_share for r in rows]},
            {"name": gettext("保险"), "data": [r.insured_share for r in rows]},
            {"name": gettext("按时走访"), "data": [r.schedule_share for r in rows]},
        ],
    }
    context = {
        "area": area,
        "areas": _areas(signed_in_user(request)),
        "total": _coverage_row(total),
        "rows": [_coverage_row(r) for r in children],
        "chart": chart,
        "measures": MEASURES,
    }
    return render(request, "families/coverage.html", context)


# --- Excel import and export, the monthly report ----------------------------------------------

FAMILY_IMPORT = ImportPage(
    kind="families.families",
    sheet=family_excel.FAMILY_SHEET,
    importer=family_excel.FamilyImporter,
    template="families/import.html",
    blank=family_excel.families_template,
    page_url="families:import",
    done_url="families:list",
    done_message=lambda r: (
        gettext("导入完成：新登记%(created)s户，修改%(updated)s户，%(unchanged)s户未变化。")
        % {"created": r.created, "updated": r.updated, "unchanged": r.unchanged}
    ),
)


@scoped_view(capability="family.edit")
def import_families(request: HttpRequest) -> HttpResponseBase:
    return import_page(request, FAMILY_IMPORT)


FAMILY_EXPORT = ExportPage(
    title=gettext_lazy("导出计生特殊家庭"),
    intro=gettext_lazy(
        "导出您管辖范围内的家庭，每户一行，格式与导入模板相同。默认打码：身份证号码和联系电话打码，"
        "家庭类别写作“计生特殊家庭”，子女死亡日期和残疾等级写作“****”。"
    ),
    full_intro=gettext_lazy(
        "含完整的身份证号码、联系电话、家庭类别、子女死亡日期和残疾等级，可修改后重新导入。"
        "导出将记入审计日志，请妥善保管文件。"
    ),
    kinds=(
        ExportKind(
            key="1",
            job_kind=family_jobs.EXPORT,
            sheet=family_excel.FAMILY_SHEET,
            label=gettext_lazy("导出（打码）"),
            all_label=gettext_lazy("含迁出、注销、亡故的家庭"),
        ),
    ),
    import_capability="family.edit",
    imports=(("families:import", gettext_lazy("从Excel批量登记或修改家庭")),),
)


@scoped_view(capability="family.view")
def export_families(request: HttpRequest) -> HttpResponse:
    """The page; ?download=1 the masked workbook; POST reveal=1 with a reason the full one."""
    return export_page(request, FAMILY_EXPORT)


def _report_groups() -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = []
    for group, header, _name in family_reports.COLUMNS:
        if group and groups and groups[-1]["name"] == group:
            groups[-1]["columns"].append(gettext(header))
            groups[-1]["span"] += 1
        else:
            groups.append(
                {
                    "name": group,
                    "label": gettext(group) if group else "",
                    "columns": [gettext(header)],
                    "span": 1,
                }
            )
    return groups


def _report_row_name(row: family_reports.ReportRow) -> str:
    """The row's name on the page: the own row and the "other" row are labels, not data."""
    if row.own and row.association is not None:
        return gettext("%(name)s（本级）") % {"name": row.association.name}
    if row.association is None and not row.code:
        return gettext("其他")
    return row.name


def _report_values(row: family_reports.ReportRow) -> list[int]:
    return [getattr(row, name) for _group, _header, name in family_reports.COLUMNS]


@scoped_view(capability="family.view")
def monthly_report(request: HttpRequest) -> HttpResponse:
    """计生特殊家庭月报: ?month=2026-10 (default this month), ?code= an association in scope
    (default the user's own); ?download=xlsx for the workbook. A bad month is a message."""
    user = signed_in_user(request)
    area, foreign = _area(request)
    today = timezone.localdate()
    month_text = (request.GET.get("month") or "")[:40]
    error = ""
    try:
        month: family_reports.Month | None = family_reports.parse_month(month_text, today=today)
    except ValueError as exc:
        month, error = None, gettext(str(exc))
    report = None
    if area is not None and month is not None:
        if request.GET.get("download") == "xlsx":  # the workbook is built by a background job
            job = jobs.job_enqueue(
                kind=family_jobs.MONTHLY_REPORT,
                actor=user,
                title=gettext("计生特殊家庭月报：%(name)s %(month)s")
                % {"name": area.name, "month": month.param},
                params={"code": area.code, "month": month.param},
            )
            return redirect(jobs.job_url(job))
        report = selectors.monthly_report_for(user=user, area=area, month=month)
    table = []
    if report is not None and area is not None:
        for row in report.rows:
            child = row.association
            link = (
                not row.own
                and child is not None
                and child.is_current
                and child.kind in AREA_KINDS
                and child.pk != area.pk
            )
            table.append(
                {
                    "name": _report_row_name(row),
                    "code": row.code,
                    "link": link,
                    "values": _report_values(row),
                }
            )
    context = {
        "area": area,
        "areas": _areas(user),
        "foreign": foreign,
        "error": error,
        "report": report,
        "table": table,
        "total": _report_values(report.total) if report and report.total else [],
        "groups": _report_groups(),
        "width": 1 + len(family_reports.COLUMNS),
        "notes": [gettext(note) for note in family_reports.NOTES],
        "month_label": (
            gettext("%(year)s年%(month)s月")
            % {"year": month.first.year, "month": month.first.month}
            if month
            else ""
        ),
        "month_value": month.param if month else month_text,
        "latest": f"{today:%Y-%m}",
        "today": today,
    }
    return render(request, "families/monthly_report.html", context)
