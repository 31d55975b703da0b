"""The special families' computed indicator for the key-work assessment
(`fpa.assessment.registry`): the share of the families' needs (诉求) closed by their deadline,
read from `needs_closed_on_time`, the one selector of that figure. (The coverage indicators
are declared by `fpa.assessment.computed`.)"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop

from fpa.assessment.registry import ComputedIndicator, Measure, per_township
from fpa.families.selectors import needs_closed_on_time, needs_closed_on_time_by_child
from fpa.organizations.models import Association

_needs, prepare_needs = per_township(
    "families.needs_on_time",
    lambda user, area, year, cutoff: needs_closed_on_time(
        user=user, root=area, year=year, until=cutoff
    ),
    lambda user, county, year, cutoff: needs_closed_on_time_by_child(
        user=user, root=county, year=year, until=cutoff
    ),
)


def needs_on_time(user: Any, area: Association, year: int, cutoff: datetime.date) -> Measure:
    done, due = _needs(user, area, year, cutoff)
    return Measure.percent(done, due)


INDICATORS = [
    ComputedIndicator(
        "families.needs_closed_on_time",
        gettext_noop("特殊家庭诉求按时办结率"),
        gettext_noop(
            "本年1月1日至截止日到期的特殊家庭诉求中，在办结期限内办结的诉求数÷到期诉求数×100%"  # noqa: RUF001 (the formula as printed)
        ),
        "%",
        needs_on_time,
        Decimal(90),
        prepare=prepare_needs,
    ),
]
