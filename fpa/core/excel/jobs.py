"""The two background jobs of every import: the dry run and the commit (fpa.core.excel.pages
enqueues them; fpa.core.jobs runs them)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.module_loading import import_string
from django.utils.translation import gettext_noop

from fpa.core.errors import NotAllowed
from fpa.core.excel import uploads
from fpa.core.excel.importer import Importer, report_to_json
from fpa.core.jobs import JobFailed, Progress, job_secret, register
from fpa.core.models import Job

STAGE_OPENING = gettext_noop("打开文件并做安全检查")
UPLOAD_EXPIRED = gettext_noop("上传的文件已过期或无效，请重新上传。")
NOT_ALLOWED = gettext_noop("您的账号已停用或无权进行此操作。")


def _importer(job: Job) -> Importer:
    owner = get_user_model().objects.filter(pk=job.owner_id or 0, is_active=True).first()
    if owner is None:
        raise JobFailed(NOT_ALLOWED)
    importer_class = import_string(job.params["importer"])
    if not (isinstance(importer_class, type) and issubclass(importer_class, Importer)):
        raise JobFailed(NOT_ALLOWED)
    return importer_class(actor=owner)


def _data(job: Job) -> bytes:
    data = uploads.unseal(job.params["page"], job.owner_id, job.token, job_secret(job))
    if data is None:
        raise JobFailed(UPLOAD_EXPIRED)
    return data


@register("excel.dry_run")
def dry_run(job: Job, progress: Progress) -> dict[str, Any]:
    progress.stage(STAGE_OPENING)
    importer = _importer(job)
    data = _data(job)
    try:
        report = importer.dry_run(data, progress)
    except NotAllowed as exc:
        raise JobFailed(exc.message) from exc
    if not (report.ok and report.has_changes):
        uploads.discard(job.token)  # nothing to confirm
    return {"report": report_to_json(report)}


@register("excel.commit")
def commit(job: Job, progress: Progress) -> dict[str, Any]:
    progress.stage(STAGE_OPENING)
    try:
        importer = _importer(job)
        data = _data(job)
        report = importer.commit(data, progress)
    except NotAllowed as exc:
        raise JobFailed(exc.message) from exc
    finally:
        uploads.discard(job.token)  # one commit per upload, whatever its outcome
    return {"report": report_to_json(report)}
