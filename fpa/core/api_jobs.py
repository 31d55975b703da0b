"""A background job as the API shows it (fpa.core.jobs): the answer of an endpoint that starts
one (202) and of the module's job status endpoint that follows it. One schema for every module,
so the OpenAPI document has one `JobOut`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from ninja import Schema

from fpa.core import jobs as core_jobs
from fpa.core.models import Job


class JobOut(Schema):
    id: int
    kind: str
    status: str
    stage: str
    percent: int
    rows_read: int
    rows_written: int
    total: int | None
    result: dict[str, Any]
    error: str
    status_url: str
    page_url: str


def job_out(job: Job, status_url: str) -> dict[str, Any]:
    """The job's state; `status_url` is the module's endpoint that reports it."""
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "stage": gettext(job.stage) if job.stage else "",
        "percent": core_jobs.percent(job),
        "rows_read": job.rows_read,
        "rows_written": job.rows_written,
        "total": job.total,
        "result": job.result or {},
        "error": gettext(job.error) if job.error else "",
        "status_url": status_url,
        "page_url": core_jobs.job_url(job),
    }
