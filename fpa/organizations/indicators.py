"""The association network's computed indicator for the key-work assessment
(`fpa.assessment.registry`): the share of a township's associations (the township's own and
every one below it that files with its parent) whose 备案 of who presides over their daily work
is in force on the round's cut-off date, read from `filings_current`, the one selector of that
figure (its rule is the one `filings_missing` lists the others by)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_noop

from fpa.assessment.registry import ComputedIndicator, Measure, per_township
from fpa.organizations.models import Association
from fpa.organizations.selectors import filings_current, filings_current_by_child


def _day(year: int, cutoff: datetime.date) -> datetime.date:
    return min(cutoff, datetime.date(year, 12, 31))


_filings, prepare_filings = per_township(
    "organizations.filings_current",
    lambda user, area, year, cutoff: filings_current(user=user, root=area, on=_day(year, cutoff)),
    lambda user, county, year, cutoff: filings_current_by_child(
        user=user, root=county, on=_day(year, cutoff)
    ),
)


def filings_in_force(user: Any, area: Association, year: int, cutoff: datetime.date) -> Measure:
    filed, due = _filings(user, area, year, cutoff)
    return Measure.percent(filed, due)


INDICATORS = [
    ComputedIndicator(
        "organizations.filings_current",
        gettext_noop("计生协备案有效率"),
        gettext_noop(
            "截止日备案有效（已备案且备案人仍在任）的本乡镇及所辖计生协数÷应备案的计生协数×100%"  # noqa: RUF001 (the formula as printed)
        ),
        "%",
        filings_in_force,
        prepare=prepare_filings,
    ),
]
