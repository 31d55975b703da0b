"""The contact points' background job: the month's visits as an Excel workbook."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from fpa.cadres import excel as cadre_excel
from fpa.cadres import selectors
from fpa.core.excel import exports
from fpa.core.jobs import Progress, register
from fpa.core.models import Job

EXPORT = "cadres.export"


@register(EXPORT)
@exports.in_chinese
def export_visits(job: Job, progress: Progress) -> dict[str, Any]:
    user = exports.job_owner(job, "cadre.view")
    month = selectors.month_of(job.params.get("month"), today=timezone.localdate())
    rows = selectors.visits_in(user=user, month=month)
    return exports.export_to_job(progress, cadre_excel.VISIT_SHEET, rows, actor=user)
