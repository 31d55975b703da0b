"""The computed indicators this app declares (`fpa.assessment.registry`), each read from the
figures other modules already publish: the special families' coverage selector
(`fpa.families.selectors.coverage.coverage`) and the report fields of `fpa.reports.fields`
(activities, villages, pairings, special families). The same numbers the reports show.

The report fields are read for the period 1 January to the cut-off date of the year. The
coverage selector reads the register as it stands when the round is frozen (it has no "as of"
date); the snapshot's `computed_at` says when.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop

from fpa.assessment.registry import ComputedIndicator, Measure, per_township
from fpa.assessment.rules import ratio
from fpa.organizations.models import Association
from fpa.reports.fields import YEAR, Period, registered_fields
from fpa.reports.kinds import PROJECTS

HUNDRED = Decimal(100)


def _period(year: int, cutoff: datetime.date) -> Period:
    last = min(cutoff, datetime.date(year, 12, 31))
    return Period(YEAR, datetime.date(year, 1, 1), last)


def _field(key: str, user: Any, area: Association, year: int, cutoff: datetime.date) -> Decimal:
    declared = registered_fields().get(key)
    if declared is None or declared.derive is None:
        return Decimal(0)
    return Decimal(declared.derive(user, area, _period(year, cutoff)).value)


def _coverage_one(user: Any, area: Association, year: int, cutoff: datetime.date) -> Any:
    from fpa.families.selectors.coverage import coverage

    return coverage(user=user, root=area)[0]


def _coverage_children(
    user: Any, county: Association, year: int, cutoff: datetime.date
) -> dict[int, Any]:
    from fpa.families.selectors.coverage import coverage

    return {row.association.pk: row for row in coverage(user=user, root=county)[1]}


# The coverage selector reads the register as it stands (no "as of" date): year and cut-off only
# name the reading. The county's coverage (one query) has a row per township.
_coverage, prepare_coverage = per_township("assessment.coverage", _coverage_one, _coverage_children)


def prepare_pairing(user: Any, county: Association, year: int, cutoff: datetime.date) -> None:
    """The county's families report has a row per township: each township's special families."""
    from fpa.families.report_fields import share_children

    share_children(user, county, _period(year, cutoff))


def three_coverages(user: Any, area: Association, year: int, cutoff: datetime.date) -> Measure:
    found = _coverage(user, area, year, cutoff)
    covered = found.with_contacts + found.with_doctor + found.with_green_channel
    return Measure.percent(covered, 3 * found.families)


def visits_on_schedule(user: Any, area: Association, year: int, cutoff: datetime.date) -> Measure:
    found = _coverage(user, area, year, cutoff)
    return Measure.percent(found.on_schedule, found.families)


def activities_per_village(
    user: Any, area: Association, year: int, cutoff: datetime.date
) -> Measure:
    numerator = sum(
        (_field(f"projects.{code}.events", user, area, year, cutoff) for code, *_ in PROJECTS),
        Decimal(0),
    )
    denominator = _field("annual.villages", user, area, year, cutoff)
    return Measure(ratio(numerator, denominator), numerator, denominator)


def pairing_share(user: Any, area: Association, year: int, cutoff: datetime.date) -> Measure:
    numerator = _field("annual.pairings", user, area, year, cutoff)
    denominator = _field("families.special.total", user, area, year, cutoff)
    value = min(HUNDRED, ratio(numerator, denominator, per=HUNDRED))
    return Measure(value, numerator, denominator)


INDICATORS = [
    ComputedIndicator(
        "families.three_coverages",
        gettext_noop("特殊家庭“三个全覆盖”率"),
        gettext_noop(
            "（有联系人户数＋有家庭医生签约户数＋有就医绿色通道户数）÷（在册特殊家庭户数×3）×100%"  # noqa: RUF001 (the formula as printed)
        ),
        "%",
        three_coverages,
        prepare=prepare_coverage,
    ),
    ComputedIndicator(
        "families.visits_on_schedule",
        gettext_noop("特殊家庭按时走访率"),
        gettext_noop("按规定频次联系、走访到位的特殊家庭户数÷在册特殊家庭户数×100%"),  # noqa: RUF001
        "%",
        visits_on_schedule,
        Decimal(95),
        prepare=prepare_coverage,
    ),
    ComputedIndicator(
        "activities.per_village",
        gettext_noop("村均开展活动次数"),
        gettext_noop("本年1月1日至截止日八大项目活动次数合计÷村（社区）数"),
        gettext_noop("次/村"),
        activities_per_village,
        Decimal(4),
    ),
    ComputedIndicator(
        "volunteers.pairing_share",
        gettext_noop("特殊家庭结对帮扶率"),
        gettext_noop("会员、志愿者与特殊家庭结对数÷月末在册特殊家庭户数×100%（最高100%）"),  # noqa: RUF001
        "%",
        pairing_share,
        Decimal(90),
        prepare=prepare_pairing,
    ),
]
