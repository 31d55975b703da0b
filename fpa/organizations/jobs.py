"""The association network's background jobs: the staff export and `load_divisions`."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_noop

from fpa.core.errors import ServiceError
from fpa.core.excel import exports
from fpa.core.jobs import JobFailed, Progress, register
from fpa.core.models import Job
from fpa.organizations import excel
from fpa.organizations.divisions import DivisionFileError, read_file
from fpa.organizations.services import divisions_load

STAFF_EXPORT = "organizations.staff_export"


@register(STAFF_EXPORT)
@exports.in_chinese
def export_staff(job: Job, progress: Progress) -> dict[str, Any]:
    user = exports.job_owner(job, "org.view")
    return exports.export_to_job(
        progress,
        excel.STAFF_SHEET,
        excel.staff_for_export(user=user, current_only=not job.params.get("all")),
        actor=user,
    )


LOAD_DIVISIONS = "organizations.load_divisions"
STAGE_READING = gettext_noop("读取行政区划文件")
STAGE_LOADING = gettext_noop("写入协会网络")


@register(LOAD_DIVISIONS)
def load_divisions(job: Job, progress: Progress) -> dict[str, Any]:
    """`manage.py load_divisions`: read the file (params: path, valid_from, close_missing), then
    create or update the association tree in one transaction; rows read / written of the total."""
    path = Path(job.params["path"])
    progress.stage(STAGE_READING)
    try:
        rows = read_file(path)
    except FileNotFoundError as exc:
        raise JobFailed(f"No such file: {path}") from exc
    except DivisionFileError as exc:
        raise JobFailed("The file was refused, nothing was loaded:\n" + str(exc)) from exc
    progress.stage(STAGE_LOADING, total=len(rows))
    progress.advance(read=len(rows), force=True)

    def on_progress(done: int, written: int) -> None:
        progress.advance(read=len(rows), planned=done, written=written)
        progress.check()  # a cancel raised here rolls the whole load back

    try:
        result = divisions_load(
            rows=rows,
            valid_from=datetime.date.fromisoformat(job.params["valid_from"]),
            close_missing=bool(job.params.get("close_missing")),
            on_progress=on_progress,
        )
    except ServiceError as exc:
        raise JobFailed(exc.message) from exc
    progress.advance(read=len(rows), planned=len(rows), force=True)
    return {"rows": len(rows), **result.__dict__}
