"""The task book's background job: the Excel export, with the list's filters."""

from __future__ import annotations

from typing import Any

from fpa.core.excel import exports
from fpa.core.jobs import JobFailed, Progress, register
from fpa.core.models import Job
from fpa.organizations import selectors as org_selectors
from fpa.tasks import excel as task_excel
from fpa.tasks import selectors
from fpa.tasks.models import Measure

EXPORT = "tasks.export"


@register(EXPORT)
@exports.in_chinese
def export_tasks(job: Job, progress: Progress) -> dict[str, Any]:
    user = exports.job_owner(job, "task.view")
    params = job.params
    area = None
    if params.get("code"):
        area = org_selectors.association_choices(user=user).filter(code=params["code"]).first()
        if area is None:
            raise JobFailed(exports.OUT_OF_SCOPE)
    measure = None
    if params.get("measure"):
        measure = selectors.measure_choices(user=user).filter(pk=params["measure"]).first()
        if measure is None:
            raise JobFailed(exports.OUT_OF_SCOPE)
    filters = selectors.Filters(
        status=params.get("status", ""),
        measure=measure if isinstance(measure, Measure) else None,
        association=area,
        year=params.get("year") or None,
        query=params.get("q", ""),
    )
    queryset = selectors.tasks_for_export(user=user, filters=filters)
    return exports.export_to_job(progress, task_excel.TASK_SHEET, queryset, actor=user)
