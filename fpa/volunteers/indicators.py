"""The volunteers' computed indicator for the key-work assessment (`fpa.assessment.registry`):
confirmed volunteer service hours per 1,000 registered members of the township.

The issue asks for hours per 1,000 *residents*, but the platform holds no population figure
(neither the associations nor the administrative divisions carry one), so the denominator is
the one head count it does keep: the active members of the township's subtree, read from the
member module's report field `members.total` (`fpa.reports.fields`, the tallies of
`fpa.members.selectors.counts`), as the register stands when the round is frozen. The hours
are `confirmed_hours_under`, the one selector of that figure (the overview page reads it too),
for the services dated 1 January to the cut-off date. (The pairing share is declared by
`fpa.assessment.computed`.)"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop

from fpa.assessment.registry import ComputedIndicator, Measure
from fpa.organizations.models import Association
from fpa.reports.fields import YEAR, Period, registered_fields
from fpa.volunteers.selectors import confirmed_hours_under

THOUSAND = Decimal(1000)
MEMBERS = "members.total"


def _members(user: Any, area: Association, year: int, cutoff: datetime.date) -> Decimal:
    declared = registered_fields().get(MEMBERS)
    if declared is None or declared.derive is None:
        return Decimal(0)
    period = Period(YEAR, datetime.date(year, 1, 1), min(cutoff, datetime.date(year, 12, 31)))
    return Decimal(declared.derive(user, area, period).value)


def hours_per_thousand_members(
    user: Any, area: Association, year: int, cutoff: datetime.date
) -> Measure:
    numerator = confirmed_hours_under(user=user, association=area, year=year, until=cutoff)
    denominator = _members(user, area, year, cutoff)
    return Measure.of(numerator, denominator, per=THOUSAND)


INDICATORS = [
    ComputedIndicator(
        "volunteers.hours_per_thousand_members",
        gettext_noop("每千名会员志愿服务时长"),
        gettext_noop(
            "本年1月1日至截止日开展的服务中已确认的志愿服务时长合计÷在册会员数×1000"  # noqa: RUF001 (the formula as printed)
        ),
        gettext_noop("小时/千名会员"),
        hours_per_thousand_members,
        Decimal(200),
    ),
]
