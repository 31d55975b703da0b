"""Print a background job's status and progress (for jobs started by a command's --background)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from fpa.core import jobs
from fpa.core.models import Job


class Command(BaseCommand):
    help = "Show a background job: status, stage, rows read/written, result or error."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("job_id", type=int)

    def handle(self, *args: Any, job_id: int, **options: Any) -> None:
        job = Job.objects.filter(pk=job_id).first()
        if job is None:
            raise CommandError(f"No job {job_id}")
        if job.status == Job.Status.RUNNING and jobs.is_stale(job):
            jobs.reap_stale_jobs()
            job.refresh_from_db()
        total = f"/{job.total}" if job.total else ""
        self.stdout.write(
            f"job {job.pk} {job.kind}: {job.status} [{gettext(job.stage)}] "
            f"read {job.rows_read}{total}, written {job.rows_written}{total}"
        )
        if job.error:
            self.stdout.write(gettext(job.error))
        if job.result:
            self.stdout.write(f"result: {job.result}")
