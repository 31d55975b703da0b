"""The families' background jobs: the Excel export, the monthly report workbook and the
special-assistance payment roster."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from fpa.core.excel import exports
from fpa.core.jobs import JobFailed, Progress, register
from fpa.core.models import Job
from fpa.families import excel as family_excel
from fpa.families import payment_roster, selectors, services
from fpa.families import reports as family_reports
from fpa.organizations import selectors as org_selectors

if TYPE_CHECKING:
    pass

EXPORT = "families.export"
MONTHLY_REPORT = "families.monthly_report"
PAYMENT_ROSTER = "families.payment_roster"


@register(EXPORT)
@exports.in_chinese
def export_families(job: Job, progress: Progress) -> dict[str, Any]:
    user = exports.job_owner(job, "family.view")
    return exports.export_to_job(
        progress,
        family_excel.FAMILY_SHEET if job.params.get("reveal") else family_excel.MASKED_SHEET,
        family_excel.families_for_export(user=user, include_all=bool(job.params.get("all"))),
        actor=user,
    )


@register(MONTHLY_REPORT)
@exports.in_chinese
def monthly_report_workbook(job: Job, progress: Progress) -> dict[str, Any]:
    user = exports.job_owner(job, "family.view")
    progress.stage(exports.STAGE_BUILDING)
    area = org_selectors.association_choices(user=user).filter(code=job.params["code"]).first()
    if area is None:
        raise JobFailed(exports.OUT_OF_SCOPE)
    month = family_reports.parse_month(job.params["month"], today=timezone.localdate())
    report = selectors.monthly_report_for(user=user, area=area, month=month)
    progress.stage(exports.STAGE_WRITING, total=len(report.rows))
    handle, name = family_reports.report_file(report)
    exports.keep_file(progress, handle, name)
    progress.advance(read=len(report.rows), written=len(report.rows), force=True)
    return {"rows": len(report.rows)}


@register(PAYMENT_ROSTER)
@exports.in_chinese
def payment_roster_workbook(job: Job, progress: Progress) -> dict[str, Any]:
    """特别扶助金发放花名册 of an area and month: names masked, or in full for a full export (the
    owner still holding `personal.reveal`; the audit row is written once the file is complete)."""
    user = exports.job_owner(job, "family.view")
    reveal = bool(job.params.get("reveal"))
    if reveal and not user.has_capability("personal.reveal"):
        raise JobFailed(exports.NOT_ALLOWED)
    progress.stage(exports.STAGE_BUILDING)
    area = org_selectors.association_choices(user=user).filter(code=job.params["code"]).first()
    if area is None:
        raise JobFailed(exports.OUT_OF_SCOPE)
    month = family_reports.parse_month(job.params["month"], today=timezone.localdate())
    roster = selectors.payment_roster_for(user=user, area=area, month=month)
    rows = len(roster.payees)
    progress.stage(exports.STAGE_WRITING, total=rows)
    handle, name = payment_roster.roster_file(roster, reveal=reveal)
    try:
        if reveal:
            services.payment_roster_exported(
                actor=user, roster=roster, reason=job.params.get("reason", "")
            )
    except BaseException:
        handle.close()
        raise
    exports.keep_file(progress, handle, name)
    progress.advance(read=rows, written=rows, force=True)
    return {"rows": rows, "reveal": reveal}
