"""The fund's background job: the income and expense statement workbook."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_noop

from fpa.core.excel import exports
from fpa.core.jobs import JobFailed, Progress, register
from fpa.core.models import Job
from fpa.fund import reports as fund_reports
from fpa.fund import selectors

if TYPE_CHECKING:
    from fpa.accounts.models import User

STATEMENT = "fund.statement"
NO_FUND = gettext_noop("尚未设立生育关怀基金。")


def period(year: int, month: int | None) -> tuple[datetime.date, datetime.date]:
    """The months a statement covers: one month, or the whole year."""
    if month:
        start = datetime.date(year, month, 1)
        return start, start
    return datetime.date(year, 1, 1), datetime.date(year, 12, 1)


@register(STATEMENT)
@exports.in_chinese
def statement_workbook(job: Job, progress: Progress) -> dict[str, Any]:
    user: User = exports.job_owner(job, "fund.view")
    progress.stage(exports.STAGE_BUILDING)
    fund = selectors.fund_for_user(user=user)
    if fund is None or fund.pk != job.params["fund"]:
        raise JobFailed(NO_FUND)
    year, month = int(job.params["year"]), job.params.get("month")
    statement = selectors.statement(fund, *period(year, month))
    rows = len(fund_reports.statement_rows(statement))
    progress.stage(exports.STAGE_WRITING, total=rows)
    handle, name = fund_reports.statement_file(
        actor=user, fund=fund, statement=statement, year=year, month=month
    )
    exports.keep_file(progress, handle, name)
    progress.advance(read=rows, written=rows, force=True)
    return {"rows": rows}
