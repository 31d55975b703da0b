"""The care fund's figures the reports up the chain derive (`fpa.reports.fields`): in the annual
work report, households helped, 慰问救助 money, 圆梦微心愿 count and money, of the grants of the
association's subtree paid in the report's year (`selectors.grant_figures`, one query per report,
shared); the grants behind each are `selectors.grants_behind`, listed only when a report is
frozen."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext_noop

from fpa.core.links import link
from fpa.core.todo import shared
from fpa.fund import selectors
from fpa.organizations.models import Association
from fpa.reports.fields import Derive, Figure, Period, ReportField

# field -> (the figure's attribute, the grants behind it)
WHAT = {
    "households": ("households", "households"),
    "relief_amount": ("relief_amount", "relief"),
    "wishes": ("wishes", "wishes"),
    "wishes_amount": ("wishes_amount", "wishes"),
}


def _figure(name: str) -> Derive:
    attribute, behind = WHAT[name]

    def derive(user: Any, area: Association, period: Period) -> Figure:
        first, last = period.first, period.last
        figures = shared(
            f"fund.grants:{user.pk}:{area.pk}:{first}:{last}",
            lambda: selectors.grant_figures(user=user, area=area, first=first, last=last),
        )

        def ids() -> list[int]:
            rows = selectors.grants_behind(
                user=user, area=area, figure=behind, first=first, last=last
            )
            return list(rows.order_by("pk").values_list("pk", flat=True)[:20000])

        query = {
            "code": area.code,
            "figure": behind,
            "from": first.isoformat(),
            "to": last.isoformat(),
        }
        return Figure(
            value=getattr(figures, attribute),
            url=f"{link('fund:grants')}?{urlencode(query)}",
            records=ids,
            model="fund.grant",
        )

    return derive


FIELDS = [
    ReportField(
        "annual.helped.households",
        gettext_noop("帮扶户数"),
        gettext_noop("户"),
        _figure("households"),
    ),
    ReportField(
        "annual.relief.amount",
        gettext_noop("慰问救助资金"),
        gettext_noop("元"),
        _figure("relief_amount"),
        money=True,
    ),
    ReportField("annual.wishes", gettext_noop("圆梦微心愿"), gettext_noop("个"), _figure("wishes")),
    ReportField(
        "annual.wishes.amount",
        gettext_noop("圆梦微心愿金额"),
        gettext_noop("元"),
        _figure("wishes_amount"),
        money=True,
    ),
]
