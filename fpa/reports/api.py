"""Reports up the chain over /api/v1/reports: the archive list, one report with its figures, open
(the caller's own association's report for a kind and period), submit, return, accept.

Who may call: staff holding `report.view` (the reports of their subtree); opening and submitting
need `report.submit` (own association), returning and accepting `report.review` (the level
above), checked again by the services. A step from the wrong state (a submit after acceptance) is
409. Errors are the platform's JSON errors (`fpa.core.api_errors.ERRORS`). A report carries
figures only, never a family's details.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from fpa.accounts.api_auth import BearerToken, Session
from fpa.accounts.requests import signed_in_user
from fpa.core.api_errors import with_errors
from fpa.core.errors import NotAllowed, ServiceError
from fpa.organizations import selectors as org_selectors
from fpa.reports import selectors, services
from fpa.reports.models import Report

MAX_ID = 2**63 - 1
router = Router(tags=["reports"], auth=[BearerToken("report.view"), Session("report.view")])


class ReportFigureOut(Schema):
    key: str
    label: str
    unit: str
    value: Decimal | None
    derived: bool
    live: Decimal | None = Field(
        None, description="冻结报表：按当前记录计算的实时数（live=true 时）"
    )
    records: int | None = Field(None, description="冻结报表：该数字依据的记录条数")


class ReportOut(Schema):
    id: int
    association_code: str
    association_name: str
    kind: str
    kind_label: str
    period: str
    status: str
    status_label: str
    due_on: datetime.date
    submitted_at: datetime.datetime | None
    decided_at: datetime.datetime | None
    reason: str = Field(description="退回原因")
    version: int

    @staticmethod
    def resolve_association_code(obj: Report) -> str:
        return obj.association.code

    @staticmethod
    def resolve_association_name(obj: Report) -> str:
        return obj.association.name

    @staticmethod
    def resolve_kind_label(obj: Report) -> str:
        return selectors.kind_label(obj.kind)

    @staticmethod
    def resolve_status_label(obj: Report) -> str:
        return str(obj.get_status_display())


class ReportDetailOut(ReportOut):
    figures: list[ReportFigureOut]
    problems: list[str]


class ReportPage(Schema):
    items: list[ReportOut]
    next: str | None
    previous: str | None


class ReportFiltersIn(Schema):
    kind: str = Field("", max_length=40)
    period: str = Field("", max_length=10)
    association: str = Field("", max_length=32, description="填报单位代码（含下级）")
    status: str = Field("", max_length=10)
    after: str | None = Field(None, max_length=20)
    before: str | None = Field(None, max_length=20)
    size: int = Field(50, ge=1, le=100)


class OpenIn(Schema):
    kind: str = Field(..., max_length=40, description="报表代码，如 monthly_special")
    period: str = Field("", max_length=10, description="报告期：2026-10、2026-Q3 或 2026")


class ReportSubmitIn(Schema):
    version: int | None = Field(None, ge=1)
    values: dict[str, str] = Field(default_factory=dict, description="手工填报的指标：代码→数值")


class ReportStepIn(Schema):
    version: int | None = Field(None, ge=1)


class ReturnIn(ReportStepIn):
    reason: str = Field(..., max_length=500)


def _report(request: HttpRequest, pk: int) -> Report:
    if not 0 < pk <= MAX_ID:
        raise Http404
    return selectors.report_get(user=signed_in_user(request), pk=pk)


def _detail(request: HttpRequest, report: Report, live: bool = False) -> Report:
    """The report with its figures and the checks' messages attached for the schema."""
    user = signed_in_user(request)
    kind = selectors.kind_get(report.kind)
    if kind is None:
        raise ServiceError("该报表已停用。")
    sheet = selectors.sheet(
        user=user,
        kind=kind,
        association=report.association,
        period=selectors.period_of(kind, report.period),
        report=report,
        live=live,
    )
    report.figures = [  # type: ignore[attr-defined]
        {
            "key": line.key,
            "label": line.label,
            "unit": line.unit,
            "value": line.value,
            "derived": line.derived,
            "live": line.live,
            "records": line.records,
        }
        for line in sheet.lines
    ]
    report.problems = [p.message for p in sheet.problems]  # type: ignore[attr-defined]
    return report


@router.get("/reports", response=with_errors(ReportPage))
def report_list(request: HttpRequest, filters: Query[ReportFiltersIn]) -> dict:
    user = signed_in_user(request)
    area = (
        org_selectors.association_get(user=user, code=filters.association.strip())
        if filters.association
        else None
    )
    page = selectors.archive(
        user=user,
        filters=selectors.ArchiveFilters(
            kind=filters.kind, period=filters.period, association=area, status=filters.status
        ),
        after=filters.after,
        before=filters.before,
        size=filters.size,
    )
    return {"items": page.items, "next": page.next_cursor, "previous": page.prev_cursor}


@router.post("/reports", response=with_errors(ReportDetailOut, created=True))
def report_open(request: HttpRequest, payload: OpenIn) -> Status[Report]:
    user = signed_in_user(request)
    kind = selectors.kind_get(payload.kind, user)
    if kind is None:
        raise ServiceError("没有这个报表。", field="kind")
    if user.home_association is None:
        raise NotAllowed("您的角色无权进行此操作。")
    try:
        period = selectors.period_of(kind, payload.period)
    except ValueError as exc:
        raise ServiceError(str(exc), field="period") from exc
    report = services.report_open(
        actor=user, association=user.home_association, kind=kind, period=period
    )
    return Status(201, _detail(request, selectors.report_get(user=user, pk=report.pk)))


@router.get("/reports/{report_id}", response=with_errors(ReportDetailOut))
def report_detail(request: HttpRequest, report_id: int, live: bool = False) -> Report:
    return _detail(request, _report(request, report_id), live=live)


@router.post("/reports/{report_id}/submit", response=with_errors(ReportDetailOut))
def report_submit(request: HttpRequest, report_id: int, payload: ReportSubmitIn) -> Report:
    report = _report(request, report_id)
    services.report_submit(
        actor=signed_in_user(request),
        report=report,
        values={k[:80]: v[:30] for k, v in payload.values.items()},
        version=payload.version,
    )
    return _detail(request, _report(request, report_id))


@router.post("/reports/{report_id}/return", response=with_errors(ReportDetailOut))
def report_return(request: HttpRequest, report_id: int, payload: ReturnIn) -> Report:
    report = _report(request, report_id)
    services.report_return(
        actor=signed_in_user(request), report=report, reason=payload.reason, version=payload.version
    )
    return _detail(request, _report(request, report_id))


@router.post("/reports/{report_id}/accept", response=with_errors(ReportDetailOut))
def report_accept(request: HttpRequest, report_id: int, payload: ReportStepIn) -> Report:
    report = _report(request, report_id)
    services.report_accept(actor=signed_in_user(request), report=report, version=payload.version)
    return _detail(request, _report(request, report_id))
