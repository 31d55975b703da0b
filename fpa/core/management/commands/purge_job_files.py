"""Remove background jobs' result files older than FPA_JOB_FILES_RETENTION_HOURS (the worker does
it every ten minutes too; this is for a cron job or a site without a worker running)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fpa.core import job_files


class Command(BaseCommand):
    help = "Remove expired result files of background jobs (exports, report workbooks)."

    def handle(self, *args: Any, **options: Any) -> None:
        removed = job_files.purge_job_files()
        self.stdout.write(f"{removed} expired job files removed")
