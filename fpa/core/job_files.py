"""The result files of background jobs (exports, report workbooks): where they live, which one a
job names, and their removal after the retention period (`FPA_JOB_FILES_RETENTION_HOURS`)."""

from __future__ import annotations

import contextlib
import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from fpa.core.models import Job


def job_files_directory() -> Path:
    path = Path(getattr(settings, "FPA_JOB_FILES_DIR", "") or Path(settings.VAR_DIR) / "job-files")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def result_path(job: Job) -> Path | None:
    """The job's result file, or None (none, or past the retention period)."""
    if not job.result_file or "/" in job.result_file or job.result_file.startswith("."):
        return None
    if job.finished_at is not None and job.finished_at < timezone.now() - files_retention():
        return None  # expired: the next purge removes it
    path = job_files_directory() / job.result_file
    return path if path.is_file() else None


def files_retention() -> datetime.timedelta:
    return datetime.timedelta(hours=float(getattr(settings, "FPA_JOB_FILES_RETENTION_HOURS", 24)))


def purge_job_files(now: datetime.datetime | None = None) -> int:
    """Remove the result files (exports, workbooks) of jobs finished longer ago than
    `FPA_JOB_FILES_RETENTION_HOURS`, and files no job names any more; returns how many files."""
    now = now or timezone.now()
    limit = now - files_retention()
    removed = 0
    expired = Job.objects.filter(finished_at__lt=limit).exclude(result_file="")
    for pk, name in expired.values_list("pk", "result_file"):
        if "/" not in name and not name.startswith("."):
            with contextlib.suppress(FileNotFoundError):
                (job_files_directory() / name).unlink()
                removed += 1
        Job.objects.filter(pk=pk).update(result_file="")
    named = set(Job.objects.exclude(result_file="").values_list("result_file", flat=True))
    for path in job_files_directory().iterdir():
        if path.name in named or not path.is_file():
            continue
        modified = datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC)
        if modified < limit:  # a file whose job row is gone, or was never recorded
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
    return removed
