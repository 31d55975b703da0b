"""The reports' computed indicator for the key-work assessment (`fpa.assessment.registry`): the
share of the monthly reports up the chain (特殊家庭帮扶月报) that the township and the villages
below it submitted by their due date, read from `monthly_reports_on_time`, the one selector of
that figure."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop

from fpa.assessment.registry import ComputedIndicator, Measure
from fpa.organizations.models import Association
from fpa.reports.selectors import monthly_reports_on_time


def monthly_on_time(user: Any, area: Association, year: int, cutoff: datetime.date) -> Measure:
    done, due = monthly_reports_on_time(user=user, association=area, year=year, until=cutoff)
    return Measure.percent(done, due)


INDICATORS = [
    ComputedIndicator(
        "reports.monthly_on_time",
        gettext_noop("月报按时上报率"),
        gettext_noop(
            "本年1月1日至截止日到期的本乡镇及所辖村（社区）月报中，在截止日期前上报的份数÷应报份数×100%"  # noqa: RUF001 (the formula as printed)
        ),
        "%",
        monthly_on_time,
        Decimal(95),
    ),
]
