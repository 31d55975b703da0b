"""The activities' background jobs (fpa.core.jobs): the activity list's Excel export, with the
list's filters."""

from __future__ import annotations

from typing import Any

from fpa.activities import selectors
from fpa.activities.excel_activities import ACTIVITY_SHEET
from fpa.core.excel import exports
from fpa.core.jobs import JobFailed, Progress, register
from fpa.core.models import Job

EXPORT = "activities.export"
# The Excel imports (fpa.activities.excel_import): their uploads and jobs are bound to these.
IMPORT_SITES = "activities.import_sites"
IMPORT_ACTIVITIES = "activities.import_activities"
FILTERS = ("status", "category", "theme", "year", "highlight", "q", "todo")


@register(EXPORT)
@exports.in_chinese
def export_activities(job: Job, progress: Progress) -> dict[str, Any]:
    """The rows the list showed when the export was asked for, read again as its owner."""
    user = exports.job_owner(job, "activity.view")
    params = job.params
    area, campaign, found = selectors.list_scope(
        user=user, code=params.get("code") or "", campaign=params.get("campaign")
    )
    if not found:
        raise JobFailed(exports.OUT_OF_SCOPE)
    filters = {name: params[name] for name in FILTERS if params.get(name)}
    queryset = selectors.activities_for_export(user=user, under=area, campaign=campaign, **filters)
    return exports.export_to_job(progress, ACTIVITY_SHEET, queryset, actor=user)
