"""The members' background jobs: the Excel export and the composition workbook."""

from __future__ import annotations

from typing import Any

from fpa.core.excel import exports
from fpa.core.jobs import JobFailed, Progress, register
from fpa.core.models import Job
from fpa.members import composition as member_composition
from fpa.members import excel as member_excel
from fpa.organizations import selectors as org_selectors

EXPORT = "members.export"
COMPOSITION = "members.composition"


@register(EXPORT)
@exports.in_chinese
def export_members(job: Job, progress: Progress) -> dict[str, Any]:
    user = exports.job_owner(job, "member.view")
    return exports.export_to_job(
        progress,
        member_excel.MEMBER_SHEET,
        member_excel.members_for_export(user=user, include_all=bool(job.params.get("all"))),
        actor=user,
    )


@register(COMPOSITION)
@exports.in_chinese
def composition_workbook(job: Job, progress: Progress) -> dict[str, Any]:
    user = exports.job_owner(job, "org.view")
    progress.stage(exports.STAGE_BUILDING)
    area = org_selectors.association_choices(user=user).filter(code=job.params["code"]).first()
    if area is None:
        raise JobFailed(exports.OUT_OF_SCOPE)
    report = member_composition.composition_report(user=user, root=area, year=job.params["year"])
    rows = len(report.lines)
    progress.stage(exports.STAGE_WRITING, total=rows)
    handle, name = member_excel.composition_file(report)
    exports.keep_file(progress, handle, name)
    progress.advance(read=rows, written=rows, force=True)
    return {"rows": rows}
