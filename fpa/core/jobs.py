"""Background jobs: long work run by a task worker, with progress the user can watch.

The queue is django-tasks (the backport of Django 6's tasks framework) with its database backend
(`django_tasks_db`), so no extra server is needed; `manage.py run_worker` is the worker. Each
piece of work is a `Job` row (fpa.core.models) that the work updates as it goes, through the
"jobs" database alias (fpa.core.db_router explains why a second connection).

For a module that adds a kind of job:

    @register("families.export")
    def export_families(job: Job, progress: Progress) -> dict:
        progress.stage(STAGE_READING, total=n)       # a gettext_noop msgid, shown in Chinese
        for ...:
            progress.advance(read=..., written=...)  # throttled write + heartbeat
            progress.check()                         # raises JobCancelled when asked to stop
        progress.save_file("家庭.xlsx", data)         # the download the job page offers
        return {"rows": n}                           # JSON: the job's result

    job = job_enqueue(kind="families.export", actor=request.user, title=..., params={...})
    return redirect(job_url(job))

The work function runs in the worker process (or inside the request with the immediate backend
in tests). Anything it raises marks the job failed with a Chinese message; `JobCancelled` marks it
cancelled (raise it inside `transaction.atomic()` and the work's writes roll back).
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections, models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django_tasks import task

from fpa.core import events
from fpa.core.actors import Actor, Viewer, signed_in
from fpa.core.audit import audit_record
from fpa.core.db_router import JOBS
from fpa.core.errors import NotAllowed
from fpa.core.job_files import job_files_directory, purge_job_files
from fpa.core.models import Job, WorkerBeat
from fpa.core.scope import scope_path_of

logger = logging.getLogger(__name__)

STALE_AFTER = datetime.timedelta(seconds=60)  # no heartbeat for this long: the worker died
HEARTBEAT_EVERY = 10.0  # seconds
PROGRESS_EVERY = 0.5  # seconds between progress writes
# All three can be shortened through settings (FPA_JOB_STALE_SECONDS, FPA_JOB_HEARTBEAT_SECONDS,
# FPA_JOB_PROGRESS_SECONDS): the worker tests do, so that what they watch does not depend on the
# machine's speed; production keeps these values.


def stale_after() -> datetime.timedelta:
    seconds = getattr(settings, "FPA_JOB_STALE_SECONDS", None)
    return datetime.timedelta(seconds=seconds) if seconds else STALE_AFTER


def heartbeat_every() -> float:
    return float(getattr(settings, "FPA_JOB_HEARTBEAT_SECONDS", None) or HEARTBEAT_EVERY)


def progress_every() -> float:
    return float(getattr(settings, "FPA_JOB_PROGRESS_SECONDS", None) or PROGRESS_EVERY)


STAGE_QUEUED = gettext_noop("排队等待后台处理")
STAGE_STARTED = gettext_noop("开始处理")
STAGE_DONE = gettext_noop("已完成")
STAGE_FAILED = gettext_noop("处理失败")
STAGE_CANCELLED = gettext_noop("已取消")
STAGE_CANCELLING = gettext_noop("正在取消")
WORKER_DIED = gettext_noop("后台进程已中断（超过1分钟没有响应），任务没有完成。请重新提交。")
FAILED_UNEXPECTEDLY = gettext_noop("处理时发生内部错误，任务没有完成。请稍后重试或联系管理员。")
CANCELLED_MESSAGE = gettext_noop("任务已取消，没有写入任何数据。")
UNKNOWN_KIND = gettext_noop("未知的任务类型。")

ACTIVE = (Job.Status.QUEUED, Job.Status.RUNNING)
FINISHED = (Job.Status.DONE, Job.Status.FAILED, Job.Status.CANCELLED)

WorkFunction = Callable[[Job, "Progress"], "dict[str, Any] | None"]
_KINDS: dict[str, WorkFunction] = {}

# The id of the worker process this code runs in ("" inside a web request / immediate backend).
WORKER_ID = ""


class JobCancelled(Exception):
    """Raised by `Progress.check()` when the user asked to stop; the job ends "cancelled"."""


class JobFailed(Exception):
    """Raise with a Chinese message (a msgid) to end the job "failed" with that message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def register(kind: str) -> Callable[[WorkFunction], WorkFunction]:
    """Declare the work function of a kind of job (once per kind, at import time)."""

    def decorate(func: WorkFunction) -> WorkFunction:
        _KINDS[kind] = func
        return func

    return decorate


ResultView = Callable[[Any, Job], Any]  # (request, finished job) -> HttpResponse | None
_RESULT_VIEWS: dict[str, ResultView] = {}


def result_view(kind: str) -> Callable[[ResultView], ResultView]:
    """Declare how the job page shows a finished job of this kind (return None to fall back to
    the generic page: status, message, the result file's download)."""

    def decorate(func: ResultView) -> ResultView:
        _RESULT_VIEWS[kind] = func
        return func

    return decorate


def result_view_for(kind: str) -> ResultView | None:
    return _RESULT_VIEWS.get(kind)


def work_function(kind: str) -> WorkFunction | None:
    if kind not in _KINDS:
        _load_kinds()
    return _KINDS.get(kind)


def _load_kinds() -> None:
    """Work functions are registered where their module defines them; importing each app's
    `jobs` module (when it has one) registers them in a worker process too."""
    from importlib import import_module

    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("fpa."):
            with contextlib.suppress(ModuleNotFoundError):
                import_module(f"{config.name}.jobs")
    import_module("fpa.core.excel.jobs")
    import_module("fpa.core.transfers")  # the transfer lists' export job
    import_module("fpa.core.key_rotation")


# --- progress -----------------------------------------------------------------------------------


class Progress:
    """What a work function uses to report progress, check for cancellation and leave a file."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self._written_at = 0.0
        self._every = progress_every()

    def stage(self, stage: str, *, total: int | None = None) -> None:
        """Name the current stage (a gettext_noop msgid) and optionally the number of rows."""
        self.job.stage = stage
        if total is not None:
            self.job.total = total
        self._save(force=True)

    def advance(
        self,
        *,
        read: int | None = None,
        planned: int | None = None,
        written: int | None = None,
        force: bool = False,
    ) -> None:
        """Set the counters (absolute values); written to the jobs database at most twice a
        second unless `force`."""
        if read is not None:
            self.job.rows_read = read
        if planned is not None:
            self.job.rows_planned = planned
        if written is not None:
            self.job.rows_written = written
        self._save(force=force)

    def check(self) -> None:
        """Raise `JobCancelled` when the user asked to stop (one small query)."""
        requested = (
            Job.objects.filter(pk=self.job.pk).values_list("cancel_requested", flat=True).first()
        )
        if requested:
            self.job.cancel_requested = True
            raise JobCancelled()

    def save_file(self, name: str, data: bytes) -> None:
        """Keep `data` as the job's result file, offered for download as `name`."""
        folder = job_files_directory()
        path = folder / f"{self.job.pk}-{secrets.token_hex(8)}.bin"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        self.job.result_file = path.name
        self.job.result_name = name[:200]
        Job.objects.filter(pk=self.job.pk).update(
            result_file=self.job.result_file, result_name=self.job.result_name
        )

    def _save(self, *, force: bool) -> None:
        now = time.monotonic()
        if not force and now - self._written_at < self._every:
            return
        self._written_at = now
        Job.objects.filter(pk=self.job.pk).update(
            stage=self.job.stage,
            total=self.job.total,
            rows_read=self.job.rows_read,
            rows_planned=self.job.rows_planned,
            rows_written=self.job.rows_written,
            heartbeat_at=timezone.now(),
        )


# --- services -----------------------------------------------------------------------------------


def job_enqueue(
    *,
    kind: str,
    actor: Actor | None,
    title: str,
    params: dict[str, Any] | None = None,
    token: str = "",
    secret: str = "",
) -> Job:
    """Create the job row and put it on the queue. `actor` None: a job started by an operator's
    command (no owner; only county staff see it). `secret` is sealed with the field keys."""
    if work_function(kind) is None:
        raise NotAllowed(gettext(UNKNOWN_KIND))
    authenticated = signed_in(actor)
    sealed = ""
    if secret:
        from fpa.core.crypto import keyring

        sealed = keyring().encrypt(secret, context=f"job|{kind}|{token}")
    job = Job.objects.create(
        owner_id=actor.pk if actor is not None and authenticated else None,
        owner_username=actor.username if actor is not None and authenticated else "",
        scope_path=(scope_path_of(actor) or "") if authenticated else "",
        kind=kind,
        title=title[:200],
        stage=STAGE_QUEUED,
        params=params or {},
        token=token,
        secret=sealed,
    )
    result = run_job.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.task_id = str(result.id)[:64]
    job.refresh_from_db()
    return job


def job_secret(job: Job) -> str:
    from fpa.core.crypto import keyring

    if not job.secret:
        return ""
    return keyring().decrypt(job.secret, context=f"job|{job.kind}|{job.token}")


def job_cancel(*, actor: Actor, job: Job) -> Job:
    """Ask a job to stop. A queued job ends at once; a running one at its next check."""
    if job.owner_id != getattr(actor, "pk", None) and not actor.has_capability("job.manage"):
        raise NotAllowed(gettext("只有发起人可以取消该任务。"))
    updated = Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
        status=Job.Status.CANCELLED,
        cancel_requested=True,
        stage=STAGE_CANCELLED,
        error=CANCELLED_MESSAGE,
        finished_at=timezone.now(),
    )
    if not updated:
        Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
            cancel_requested=True, stage=STAGE_CANCELLING
        )
    job.refresh_from_db()
    audit_record(
        actor=actor,
        action="update",
        object_type="core.job",
        object_repr=f"{job.pk} {job.title}",
        scope_path=job.scope_path,
        changes={"cancel_requested": [False, True]},
        reason=gettext("取消后台任务"),
    )
    return job


def reap_stale_jobs(now: datetime.datetime | None = None) -> int:
    """Mark failed the running jobs whose worker stopped beating; returns how many."""
    limit = (now or timezone.now()) - stale_after()
    return Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=limit).update(
        status=Job.Status.FAILED,
        stage=STAGE_FAILED,
        error=WORKER_DIED,
        finished_at=timezone.now(),
    )


# --- selectors ----------------------------------------------------------------------------------


def jobs_visible_to(user: Viewer) -> models.QuerySet[Job]:
    """The user's own jobs; with `job.manage` (county admins), every job of the subtree."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Job.objects.none()
    own = models.Q(owner_id=user.pk)
    path = scope_path_of(user)
    if path and user.has_capability("job.manage"):
        return Job.objects.filter(own | models.Q(scope_path__startswith=path))
    return Job.objects.filter(own)


def job_get(*, user: Viewer, pk: Any) -> Job | None:
    """One job the user may see, or None (unknown, forged or out of scope: the same answer)."""
    try:
        number = int(pk)
    except (TypeError, ValueError):
        return None
    job = jobs_visible_to(user).filter(pk=number).first()
    if job is not None:
        _show_stale(job)
    return job


def _show_stale(job: Job) -> None:
    """A running job whose worker stopped beating is shown (and recorded) as failed."""
    if job.status == Job.Status.RUNNING and is_stale(job):
        reap_stale_jobs()
        job.refresh_from_db()


def is_stale(job: Job, now: datetime.datetime | None = None) -> bool:
    beat = job.heartbeat_at or job.started_at
    return job.status == Job.Status.RUNNING and (
        beat is None or beat < (now or timezone.now()) - stale_after()
    )


def job_url(job: Job) -> str:
    return reverse("core:job_detail", args=[job.pk])


def percent(job: Job) -> int:
    """How far the job is, 0 to 100: rows written of the total for a job that writes (an import's
    commit), rows read otherwise."""
    if job.status == Job.Status.DONE:
        return 100
    if not job.total:
        return 0
    done = job.rows_written if job.params.get("write") else job.rows_read
    return max(0, min(99, done * 100 // job.total))


# --- the task -----------------------------------------------------------------------------------


class _Heartbeat:
    """Refresh the job's heartbeat from a thread while the work runs (a worker process only)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"job-{job_id}-beat", daemon=True)

    def _run(self) -> None:
        try:
            while not self.stop.wait(heartbeat_every()):
                Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(
                    heartbeat_at=timezone.now()
                )
        except Exception:  # the next beat of the worker, or the reaper, tells
            logger.exception("job %s: heartbeat failed", self.job_id)
        finally:
            connections.close_all()

    def __enter__(self) -> _Heartbeat:
        if WORKER_ID:
            self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join(timeout=heartbeat_every())


@task()
def run_job(job_id: int) -> str:
    """The one task: run the work function of a job's kind and record how it ended."""
    now = timezone.now()
    claimed = Job.objects.filter(
        pk=job_id, status=Job.Status.QUEUED, cancel_requested=False
    ).update(
        status=Job.Status.RUNNING,
        stage=STAGE_STARTED,
        started_at=now,
        heartbeat_at=now,
        worker_id=(WORKER_ID or f"{socket.gethostname()}:{os.getpid()}")[:128],
    )
    if not claimed:
        return "skipped"  # cancelled while queued, or already run
    job = Job.objects.get(pk=job_id)
    progress = Progress(job)
    func = work_function(job.kind)
    try:
        with _Heartbeat(job.pk):
            if func is None:
                raise JobFailed(UNKNOWN_KIND)
            result = func(job, progress) or {}
    except JobCancelled:
        _finish(job, Job.Status.CANCELLED, STAGE_CANCELLED, error=CANCELLED_MESSAGE)
        return "cancelled"
    except JobFailed as failure:
        _finish(job, Job.Status.FAILED, STAGE_FAILED, error=failure.message)
        return "failed"
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        close_old_connections()
        _finish(job, Job.Status.FAILED, STAGE_FAILED, error=FAILED_UNEXPECTEDLY)
        return "failed"
    _finish(job, Job.Status.DONE, STAGE_DONE, result=result)
    return "done"


def _finish(
    job: Job, status: str, stage: str, *, error: str = "", result: dict[str, Any] | None = None
) -> None:
    values: dict[str, Any] = {
        "status": status,
        "stage": stage,
        "error": error,
        "finished_at": timezone.now(),
        "heartbeat_at": timezone.now(),
        "rows_read": job.rows_read,
        "rows_planned": job.rows_planned,
        "rows_written": job.rows_written,
        "total": job.total,
    }
    if result is not None:
        values["result"] = result
    Job.objects.filter(pk=job.pk).update(**values)
    ran = (values["finished_at"] - (job.started_at or values["finished_at"])).total_seconds()
    if job.owner_id and ran >= float(getattr(settings, "FPA_NOTIFY_JOB_SECONDS", 5)):
        events.publish(
            "core.job_finished",
            recipients=[job.owner_id],
            title=gettext("后台任务「%(title)s」%(stage)s")
            % {"title": job.title, "stage": gettext(stage)},
            url=job_url(job),
        )


# --- workers ------------------------------------------------------------------------------------


def worker_beat(worker_id: str) -> None:
    """Record that this worker is alive (and reap the jobs of workers that are not)."""
    now = timezone.now()
    WorkerBeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"beat_at": now, "hostname": socket.gethostname()[:255], "pid": os.getpid()},
    )
    reap_stale_jobs(now)
    WorkerBeat.objects.filter(beat_at__lt=now - datetime.timedelta(days=1)).delete()
    global _PURGED_AT
    if time.monotonic() - _PURGED_AT > PURGE_EVERY:
        _PURGED_AT = time.monotonic()
        purge_job_files(now)


PURGE_EVERY = 600.0  # seconds between two purges of expired result files by a worker
_PURGED_AT = -PURGE_EVERY


def worker_gone(worker_id: str) -> None:
    WorkerBeat.objects.filter(worker_id=worker_id).delete()


def live_workers(now: datetime.datetime | None = None) -> int:
    limit = (now or timezone.now()) - stale_after()
    return WorkerBeat.objects.using(JOBS).filter(beat_at__gte=limit).count()
