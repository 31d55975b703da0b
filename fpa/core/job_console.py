"""Background jobs from the command line: a management command either enqueues a job as the
system (`--background`: no owner, an audit row, its id printed) or runs the same work function in
the foreground with `ConsoleProgress`, which prints the progress lines instead of writing them to
a job row."""

from __future__ import annotations

import time
from typing import Any, TextIO

from django.core.management.base import CommandError
from django.utils.translation import gettext

from fpa.core.audit import audit_record
from fpa.core.jobs import JobFailed, Progress, job_enqueue, work_function
from fpa.core.models import AuditEvent, Job


class ConsoleProgress(Progress):
    """`fpa.core.jobs.Progress` for a foreground run: the same stages and counters, printed on
    a terminal instead of saved (the job row is never stored)."""

    EVERY = 1.0  # seconds between two progress lines

    def __init__(self, job: Job, stdout: TextIO) -> None:
        super().__init__(job)
        self.stdout = stdout
        self._printed_at = 0.0

    def check(self) -> None:
        """Nothing to check: Ctrl-C stops a foreground run."""

    def save_file(self, name: str, data: bytes) -> None:  # pragma: no cover - no command needs it
        raise CommandError("This work leaves a file: run it with --background.")

    def _save(self, *, force: bool) -> None:
        now = time.monotonic()
        if not force and now - self._printed_at < self.EVERY:
            return
        self._printed_at = now
        job = self.job
        total = f"/{job.total}" if job.total else ""
        self.stdout.write(
            f"[{gettext(job.stage)}] read {job.rows_read}{total}, written {job.rows_written}{total}"
        )


def run_in_foreground(kind: str, params: dict[str, Any], stdout: Any) -> dict[str, Any]:
    """Run the work function of `kind` here, printing its progress; its result."""
    func = work_function(kind)
    if func is None:
        raise CommandError(f"Unknown job kind: {kind}")
    job = Job(kind=kind, params=params, title=kind)
    progress = ConsoleProgress(job, stdout)
    try:
        result = func(job, progress) or {}
    except JobFailed as failure:
        raise CommandError(gettext(failure.message)) from failure
    progress.advance(force=True)
    return result


def enqueue_as_system(kind: str, *, title: str, params: dict[str, Any], reason: str) -> Job:
    """Enqueue `kind` with no owner (started by an operator's command), recorded in the audit
    trail; the job row as it is after enqueueing (done already under the immediate backend)."""
    job = job_enqueue(kind=kind, actor=None, title=title, params=params)
    audit_record(
        actor=None,
        action=AuditEvent.Action.CREATE,
        object_type="core.job",
        object_repr=f"{job.pk} {title}",
        changes={"kind": [None, kind], "params": [None, params]},
        reason=reason,
        username="system",
    )
    job.refresh_from_db()
    return job


def describe(job: Job) -> str:
    """How to follow a job from the command line or the web."""
    return (
        f"Job {job.pk} ({job.kind}) queued; status now: {job.status}. Follow it with "
        f"`manage.py job_status {job.pk}`."
    )
