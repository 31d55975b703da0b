"""Exports and report workbooks as background jobs (fpa.core.jobs): what every module's export
job shares.

A view checks what it can check at once (the capability, a full export's reason) with
`start_export`, which enqueues the job and returns it; the view redirects to the job page. The
work function, registered in the module's `jobs.py`, runs as the user who asked (`job_owner`,
still active and still holding the capability), builds the same scoped queryset as before and
hands it to `export_to_job`: the rows written of the total are the progress, the workbook is the
job's result file (served to its owner only, removed after `FPA_JOB_FILES_RETENTION_HOURS`).
A full export's audit row is written by the job, with the user as its actor and their reason,
once the workbook is complete (a cancelled export writes neither file nor audit row).
"""

from __future__ import annotations

import functools
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from fpa.core.actors import Actor
from fpa.core.excel.columns import Sheet
from fpa.core.excel.writer import check_reveal, export_file
from fpa.core.jobs import JobFailed, Progress, WorkFunction, job_enqueue
from fpa.core.models import Job

STAGE_COUNTING = gettext_noop("统计要导出的记录")
STAGE_WRITING = gettext_noop("正在写入工作簿")
STAGE_BUILDING = gettext_noop("正在计算报表")
NOT_ALLOWED = gettext_noop("您的账号已停用或无权进行此操作。")
OUT_OF_SCOPE = gettext_noop("所选协会不存在或不在您的管辖范围内。")


def start_export(
    *,
    kind: str,
    actor: Actor,
    title: str,
    params: dict[str, Any] | None = None,
    reveal: bool = False,
    reason: str = "",
) -> Job:
    """Refuse at once what the job would refuse (a full export without the capability or a
    reason: NotAllowed / ServiceError), then enqueue the export as the actor."""
    reason = check_reveal(actor, reveal, reason)
    return job_enqueue(
        kind=kind,
        actor=actor,
        title=title,
        params={**(params or {}), "reveal": bool(reveal), "reason": reason},
    )


def job_owner(job: Job, capability: str) -> Any:
    """The user the job runs as: its owner, still active and still holding `capability`."""
    owner = get_user_model().objects.filter(pk=job.owner_id or 0, is_active=True).first()
    if owner is None or not owner.has_capability(capability):
        raise JobFailed(NOT_ALLOWED)
    return owner


def in_chinese(func: WorkFunction) -> WorkFunction:
    """Workbooks are a Chinese data format: built in the site's language, whatever the language
    of the request that ran the job (the immediate backend) or of the worker."""

    @functools.wraps(func)
    def run(job: Job, progress: Progress) -> dict[str, Any] | None:
        with translation.override(settings.LANGUAGE_CODE):
            return func(job, progress)

    return run


def export_to_job(
    progress: Progress,
    sheet: Sheet,
    queryset: QuerySet[Any],
    *,
    actor: Actor,
    filename: str | None = None,
) -> dict[str, Any]:
    """Write the export (exactly `export_response`'s workbook, masking and audit) with the rows
    written of the total as progress, and keep it as the job's result file. A full export and
    its reason are the job's parameters, as `start_export` stored them."""
    reveal = bool(progress.job.params.get("reveal"))
    reason = progress.job.params.get("reason", "")
    progress.stage(STAGE_COUNTING)
    total = queryset.count()
    progress.stage(STAGE_WRITING, total=total)

    def on_rows(count: int) -> None:
        progress.advance(read=count, written=count)
        progress.check()

    handle, name, count = export_file(
        sheet,
        queryset,
        actor=actor,
        reveal=reveal,
        reason=reason,
        filename=filename,
        on_rows=on_rows,
    )
    keep_file(progress, handle, name)
    progress.advance(read=count, written=count, force=True)
    return {"rows": count, "reveal": bool(reveal)}


def keep_file(progress: Progress, handle: IO[bytes], name: str) -> None:
    """Keep an open (temporary) workbook file as the job's result file, and close it."""
    with handle:
        handle.seek(0)
        progress.save_file(name, handle.read())


def export_title(sheet: Sheet, *, reveal: bool = False, suffix: str = "") -> str:
    """The job's title in the user's list of jobs: 导出：<the sheet's title>."""
    if reveal:
        return gettext("导出（完整信息）：%(title)s") % {"title": sheet.title + suffix}
    return gettext("导出：%(title)s") % {"title": sheet.title + suffix}
