"""The insurance figures the reports up the chain derive (`fpa.reports.fields`): the 暖心行动
report's 保险理赔, claims reported and the amount paid since the start of the period's year (the
report's figures are year to date), read from `selectors.claim_figures` once per report; the
claims behind each are `selectors.claims_behind_figure`, listed only when a report is frozen."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext_noop

from fpa.core.links import link
from fpa.core.todo import shared
from fpa.insurance import selectors
from fpa.organizations.models import Association
from fpa.reports.fields import Derive, Figure, Period, ReportField


def _year_to_date(period: Period) -> tuple[datetime.date, datetime.date]:
    return datetime.date(period.last.year, 1, 1), period.last


def _figure(name: str) -> Derive:
    def derive(user: Any, area: Association, period: Period) -> Figure:
        first, last = _year_to_date(period)
        figures = shared(
            f"insurance.claims:{user.pk}:{area.pk}:{first}:{last}",
            lambda: selectors.claim_figures(user=user, root=area, first=first, last=last),
        )

        def ids() -> list[int]:
            rows = selectors.claims_behind_figure(
                user=user, root=area, first=first, last=last, figure=name
            )
            return list(rows.order_by("pk").values_list("pk", flat=True)[:20000])

        query = {
            "code": area.code,
            "state": "all",
            "figure": name,
            "from": first.isoformat(),
            "to": last.isoformat(),
        }
        return Figure(
            value=figures.cases if name == "cases" else figures.amount,
            url=f"{link('insurance:claims')}?{urlencode(query)}",
            records=ids,
            model="insurance.claim",
        )

    return derive


FIELDS = [
    ReportField(
        "insurance.claims.cases",
        gettext_noop("保险理赔件数"),
        gettext_noop("件"),
        _figure("cases"),
        cumulative=True,
    ),
    ReportField(
        "insurance.claims.amount",
        gettext_noop("保险理赔金额"),
        gettext_noop("元"),
        _figure("amount"),
        cumulative=True,
        money=True,
    ),
]
