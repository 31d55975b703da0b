"""The 三留守 background jobs (fpa.core.jobs): the list's Excel exports (the people, or their
care records) when they are larger than `excel.EXPORT_INLINE_ROWS`, with the list's filters,
run as the user who asked; a full export is audited by the engine when the workbook is done."""

from __future__ import annotations

from typing import Any

from fpa.core.excel import exports
from fpa.core.jobs import JobFailed, Progress, register
from fpa.core.models import Job
from fpa.leftbehind import excel, selectors
from fpa.organizations.models import Association

EXPORT = "leftbehind.export"
EXPORT_CARE = "leftbehind.export_care"
KINDS = {"people": EXPORT, "care": EXPORT_CARE}


def filters_to_params(filters: selectors.PersonFilters) -> dict[str, Any]:
    """The filters as the job's JSON parameters (the association by code). An ID-number search
    is never a job (it finds one person at most), so no ID number is stored with a job."""
    return {
        "code": filters.association.code if filters.association else "",
        "kind": filters.kind,
        "risk": filters.risk,
        "status": filters.status,
        "overdue": filters.overdue,
    }


def _filters(user: Any, params: dict[str, Any]) -> selectors.PersonFilters:
    code = params.get("code") or ""
    association = None
    if code:
        association = Association.objects.visible_to(user).filter(code=code).first()
        if association is None:
            raise JobFailed(exports.OUT_OF_SCOPE)
    return selectors.PersonFilters(
        association=association,
        kind=params.get("kind") or "",
        risk=params.get("risk") or "",
        status=params.get("status") or "",
        overdue=bool(params.get("overdue")),
    )


def _run(job: Job, progress: Progress, which: str) -> dict[str, Any]:
    user = exports.job_owner(job, "leftbehind.view")
    rows = excel.export_rows(user=user, filters=_filters(user, job.params), which=which)
    return exports.export_to_job(progress, excel.SHEETS[which], rows, actor=user)


@register(EXPORT)
@exports.in_chinese
def export_people(job: Job, progress: Progress) -> dict[str, Any]:
    """The people the list showed when the export was asked for, read again as its owner."""
    return _run(job, progress, "people")


@register(EXPORT_CARE)
@exports.in_chinese
def export_care(job: Job, progress: Progress) -> dict[str, Any]:
    """Their care records, read again as the job's owner."""
    return _run(job, progress, "care")
