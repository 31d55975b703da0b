"""Reports made through the real services, and the records behind their derived figures, for the
reports test files (no tests of its own)."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.utils import timezone

from fpa.core.idnumbers import synthesize
from fpa.families import services as family_services
from fpa.families.models import CareKind, CareRecord, Family
from fpa.organizations.models import Association
from fpa.reports import selectors, services
from fpa.reports.fields import MONTH, Period, last_complete
from fpa.reports.kinds import MONTHLY_SPECIAL, Kind
from fpa.reports.models import Report

_numbers = itertools.count(1)


def assoc(code: str) -> Association:
    return Association.objects.get(code=code)


def last_month() -> Period:
    return last_complete(MONTH, timezone.localdate())


def in_last_month(day: int = 3) -> datetime.date:
    return last_month().first + datetime.timedelta(days=day - 1)


def family(actor: Any, code: str, kind: str = Family.Kind.BEREAVED, **extra: Any) -> Family:
    n = next(_numbers)
    child: dict[str, Any] = {"role": "child", "name": f"子女{n}"}
    if kind == Family.Kind.BEREAVED:
        child["death_date"] = datetime.date(2019, 3, 2)
    elif kind == Family.Kind.DISABLED_CHILD:
        child["disability_grade"] = 2
    return family_services.family_register(
        actor=actor,
        association=assoc(code),
        kind=kind,
        registered_on=extra.pop("registered_on", datetime.date(2024, 5, 1)),
        people=[
            {
                "role": "mother",
                "name": f"报表母亲{n}",
                "id_number": synthesize("622923", datetime.date(1966, 4, 5), 2 * (n % 480) + 11),
            },
            child,
        ],
    )


def visit(actor: Any, target: Family, day: datetime.date | None = None) -> CareRecord:
    return family_services.care_log(
        actor=actor,
        family=target,
        kind=CareKind.objects.get(code="routine_visit"),
        occurred_on=day or in_last_month(),
    )


def opened(actor: Any, kind: Kind = MONTHLY_SPECIAL, period: Period | None = None) -> Report:
    return services.report_open(
        actor=actor,
        association=actor.home_association,
        kind=kind,
        period=period or (last_month() if kind.periodicity == MONTH else _last(kind)),
    )


def _last(kind: Kind) -> Period:
    return last_complete(kind.periodicity, timezone.localdate())


def submitted(actor: Any, kind: Kind = MONTHLY_SPECIAL, **values: Any) -> Report:
    report = opened(actor, kind)
    return services.report_submit(actor=actor, report=report, values=values)


def stored(report: Report) -> dict[str, Any]:
    return {v.key: v.value for v in report.values.all()}


def sheet_of(user: Any, report: Report, live: bool = False) -> selectors.Sheet:
    kind = selectors.kind_get(report.kind)
    assert kind is not None
    return selectors.sheet(
        user=user,
        kind=kind,
        association=report.association,
        period=selectors.period_of(kind, report.period),
        report=Report.objects.get(pk=report.pk),
        live=live,
    )


def reports_world(actor: Any, township_code: str, village_code: str) -> dict[Any, Any]:
    """A family of the village visited last month, and the township's monthly report submitted
    (the declared model of the report pages)."""
    visit(actor, family(actor, village_code))
    return {Report: submitted(actor)}
