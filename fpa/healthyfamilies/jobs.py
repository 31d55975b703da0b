"""The healthy-family background job: the nominations' Excel export, with the list's filters."""

from __future__ import annotations

from typing import Any

from fpa.core.excel import exports
from fpa.core.jobs import JobFailed, Progress, register
from fpa.core.models import Job
from fpa.healthyfamilies import excel as healthy_excel
from fpa.healthyfamilies import selectors
from fpa.organizations import selectors as org_selectors

EXPORT = "healthyfamilies.export"


@register(EXPORT)
@exports.in_chinese
def export_nominations(job: Job, progress: Progress) -> dict[str, Any]:
    user = exports.job_owner(job, "activity.view")
    params = job.params
    area = None
    if params.get("code"):
        area = org_selectors.association_choices(user=user).filter(code=params["code"]).first()
        if area is None:
            raise JobFailed(exports.OUT_OF_SCOPE)
    queryset = selectors.nominations_for_export(
        user=user,
        year=params.get("year") or None,
        association=area,
        status=params.get("status", ""),
        query=params.get("q", ""),
    )
    return exports.export_to_job(progress, healthy_excel.NOMINATION_SHEET, queryset, actor=user)
