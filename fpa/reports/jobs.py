"""The reports' background jobs (fpa.core.jobs): the roll-up workbook of a level with many
subordinates, and the archive's export of many reports, read again as the job's owner."""

from __future__ import annotations

from typing import Any

from fpa.core.excel import exports
from fpa.core.jobs import JobFailed, Progress, register
from fpa.core.models import Job
from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association
from fpa.reports import excel, selectors
from fpa.reports.fields import Period
from fpa.reports.kinds import Kind

ROLLUP = "reports.rollup"
LIVE = "reports.live"
ARCHIVE = "reports.archive"


def _target(job: Job, user: Any) -> tuple[Association, Kind, Period]:
    """The level, kind and period a roll-up job was asked for, read again as its owner."""
    params = job.params
    area = org_selectors.association_choices(user=user).filter(code=params.get("code")).first()
    kind = selectors.kind_get(str(params.get("kind") or ""), user)
    if area is None or kind is None:
        raise JobFailed(exports.OUT_OF_SCOPE)
    try:
        return area, kind, selectors.period_of(kind, str(params.get("period") or ""))
    except ValueError as exc:
        raise JobFailed(str(exc)) from exc


@register(ROLLUP)
@exports.in_chinese
def rollup_workbook(job: Job, progress: Progress) -> dict[str, Any]:
    user = exports.job_owner(job, "report.view")
    progress.stage(exports.STAGE_BUILDING)
    area, kind, period = _target(job, user)
    data = excel.rollup(user=user, association=area, kind=kind, period=period)
    progress.stage(exports.STAGE_WRITING, total=len(data.rows))

    def on_row(count: int) -> None:
        progress.advance(read=count, written=count)
        progress.check()

    handle = excel.build(lambda h: excel.write_rollup(h, data, on_row))
    exports.keep_file(progress, handle, excel.rollup_filename(data))
    progress.advance(read=len(data.rows), written=len(data.rows), force=True)
    return {"rows": len(data.rows)}


@register(LIVE)
@exports.in_chinese
def live_workbook(job: Job, progress: Progress) -> dict[str, Any]:
    """The figures the records give now for each unit below (`selectors.live_units`): a
    derivation per unit, so always in the background, with a unit count as progress."""
    user = exports.job_owner(job, "report.view")
    area, kind, period = _target(job, user)
    units = len(selectors.live_units(user=user, association=area))
    progress.stage(exports.STAGE_BUILDING, total=units)

    def on_unit(count: int) -> None:
        progress.advance(read=count, written=count)
        progress.check()

    data = excel.live_rollup(user=user, association=area, kind=kind, period=period, on_unit=on_unit)
    handle = excel.build(lambda h: excel.write_rollup(h, data))
    exports.keep_file(progress, handle, excel.rollup_filename(data))
    progress.advance(read=units, written=units, force=True)
    return {"rows": units}


@register(ARCHIVE)
@exports.in_chinese
def archive_workbook(job: Job, progress: Progress) -> dict[str, Any]:
    user = exports.job_owner(job, "report.view")
    params = job.params
    area = None
    if params.get("code"):
        area = org_selectors.association_choices(user=user).filter(code=params["code"]).first()
        if area is None:
            raise JobFailed(exports.OUT_OF_SCOPE)
    filters = selectors.ArchiveFilters(
        kind=str(params.get("kind") or ""),
        period=str(params.get("period") or ""),
        association=area,
        status=str(params.get("status") or ""),
    )
    rows = selectors.archive_for_export(user=user, filters=filters)
    progress.stage(exports.STAGE_COUNTING)
    total = rows.count()
    progress.stage(exports.STAGE_WRITING, total=total)

    def on_row(count: int) -> None:
        progress.advance(read=count, written=count)
        progress.check()

    written = [0]

    def write(handle: Any) -> None:
        written[0] = excel.write_archive(handle, rows.iterator(chunk_size=500), on_row)

    handle = excel.build(write)
    exports.keep_file(progress, handle, "上报归档.xlsx")
    progress.advance(read=written[0], written=written[0], force=True)
    return {"rows": written[0]}
