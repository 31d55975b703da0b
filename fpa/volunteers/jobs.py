"""The volunteers' background jobs: the volunteers' and the service hours' Excel exports."""

from __future__ import annotations

from typing import Any

from fpa.core.excel import exports
from fpa.core.jobs import Progress, register
from fpa.core.models import Job
from fpa.volunteers import excel as volunteer_excel
from fpa.volunteers.models import HoursRecord

EXPORT = "volunteers.export"
HOURS_EXPORT = "volunteers.hours_export"


@register(EXPORT)
@exports.in_chinese
def export_volunteers(job: Job, progress: Progress) -> dict[str, Any]:
    user = exports.job_owner(job, "volunteer.view")
    return exports.export_to_job(
        progress,
        volunteer_excel.VOLUNTEER_SHEET,
        volunteer_excel.volunteers_for_export(user=user),
        actor=user,
    )


@register(HOURS_EXPORT)
@exports.in_chinese
def export_hours(job: Job, progress: Progress) -> dict[str, Any]:
    user = exports.job_owner(job, "volunteer.view")
    queryset = HoursRecord.objects.visible_to(user).order_by("service__date", "id")
    return exports.export_to_job(progress, volunteer_excel.HOURS_SHEET, queryset, actor=user)
