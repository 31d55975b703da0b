"""The migrant module's background jobs (fpa.core.jobs): the list's Excel export, with the list's
filters, run as the user who asked."""

from __future__ import annotations

import datetime
from typing import Any

from fpa.core.excel import exports
from fpa.core.jobs import JobFailed, Progress, register
from fpa.core.models import Job
from fpa.migrants import selectors
from fpa.migrants.excel import SHEET
from fpa.organizations.models import Association

EXPORT = "migrants.export"


def filters_to_params(filters: selectors.MigrantFilters) -> dict[str, Any]:
    """The filters as the job's JSON parameters (associations by code, dates ISO)."""
    return {
        "code": filters.association.code if filters.association else "",
        "direction": filters.direction,
        "status": filters.status,
        "origin_province": filters.origin_province,
        "arrived_from": filters.arrived_from.isoformat() if filters.arrived_from else "",
        "arrived_to": filters.arrived_to.isoformat() if filters.arrived_to else "",
        "employer": filters.employer.code if filters.employer else "",
        "departure_passed": filters.departure_passed,
    }


def _in_scope(user: Any, code: str) -> Association | None:
    if not code:
        return None
    found = Association.objects.visible_to(user).filter(code=code).first()
    if found is None:
        raise JobFailed(exports.OUT_OF_SCOPE)
    return found


def _day(text: str) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


@register(EXPORT)
@exports.in_chinese
def export_migrants(job: Job, progress: Progress) -> dict[str, Any]:
    """The rows the list showed when the export was asked for, read again as its owner."""
    user = exports.job_owner(job, "migrant.view")
    params = job.params
    employer_code = params.get("employer") or ""
    employer = (
        selectors.employer_choices(user=user).filter(code=employer_code).first()
        if employer_code
        else None
    )
    if employer_code and employer is None:
        raise JobFailed(exports.OUT_OF_SCOPE)
    filters = selectors.MigrantFilters(
        association=_in_scope(user, params.get("code") or ""),
        direction=params.get("direction") or "",
        status=params.get("status") or "",
        origin_province=params.get("origin_province") or "",
        arrived_from=_day(params.get("arrived_from") or ""),
        arrived_to=_day(params.get("arrived_to") or ""),
        employer=employer,
        departure_passed=bool(params.get("departure_passed")),
    )
    queryset = selectors.migrants_for_export(user=user, filters=filters)
    return exports.export_to_job(progress, SHEET, queryset, actor=user)
