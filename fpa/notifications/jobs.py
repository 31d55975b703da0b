"""The notifications' background job (fpa.core.jobs): the daily sweep, for an operator who starts
it from `notify_daily --background` and watches its progress."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from fpa.core.jobs import Progress, register
from fpa.core.models import Job
from fpa.notifications import digest

DAILY = "notifications.daily"
STAGE_SWEEP = gettext_noop("正在生成每日待办汇总")


@register(DAILY)
def daily(job: Job, progress: Progress) -> dict[str, Any]:
    progress.stage(STAGE_SWEEP)

    def advance(done: int, total: int) -> None:
        progress.job.total = total
        progress.advance(read=done, written=done)
        progress.check()

    return digest.sweep(progress=advance)
