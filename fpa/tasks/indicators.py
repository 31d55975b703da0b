"""The task book's computed indicator for the key-work assessment (`fpa.assessment.registry`):
the share of a township's tasks done by their deadline, read from `tasks_done_on_time`, the one
selector of that figure."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_noop

from fpa.assessment.registry import ComputedIndicator, Measure
from fpa.organizations.models import Association
from fpa.tasks.selectors import tasks_done_on_time


def done_on_time(user: Any, area: Association, year: int, cutoff: datetime.date) -> Measure:
    done, due = tasks_done_on_time(association=area, year=year, until=cutoff)
    return Measure.percent(done, due)


INDICATORS = [
    ComputedIndicator(
        "tasks.done_on_time",
        gettext_noop("改革任务按时完成率"),
        gettext_noop(
            "本年完成时限在截止日之前的任务中，按时报完成并经验收的任务数÷任务数×100%"  # noqa: RUF001
        ),
        "%",
        done_on_time,
    ),
]
