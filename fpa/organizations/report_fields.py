"""The organisation figures the reports up the chain derive (`fpa.reports.fields`): the seats
of the council, standing council and members' congress of the association's subtree as they
stand (`selectors.composition`, one grouped query per report, shared)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_noop

from fpa.core.todo import shared
from fpa.organizations import selectors
from fpa.organizations.models import Association, BodySeat
from fpa.reports.fields import Derive, Figure, Period, ReportField

PEOPLE = gettext_noop("人")


def _seats(body: str) -> Derive:
    def derive(user: Any, area: Association, period: Period) -> Figure:
        bodies = shared(
            f"organizations.composition:{user.pk}:{area.pk}",
            lambda: selectors.composition(user=user, association=area, subtree=True),
        )
        value = sum(b.total for b in bodies if b.body == body)
        return Figure(value=value, url=reverse("organizations:seats", args=[area.code]))

    return derive


FIELDS = [
    ReportField("org.council", gettext_noop("理事"), PEOPLE, _seats(BodySeat.Body.COUNCIL)),
    ReportField(
        "org.standing_council",
        gettext_noop("常务理事"),
        PEOPLE,
        _seats(BodySeat.Body.STANDING_COUNCIL),
    ),
    ReportField("org.congress", gettext_noop("会员代表"), PEOPLE, _seats(BodySeat.Body.CONGRESS)),
]


def _below(figure: str) -> Derive:
    def derive(user: Any, area: Association, period: Period) -> Figure:
        rows = selectors.associations_below(user=user, association=area, figure=figure)

        def ids() -> list[int]:
            return list(rows.order_by("pk").values_list("pk", flat=True)[:20000])

        return Figure(
            value=rows.count(),
            url=reverse("organizations:detail", args=[area.code]),
            records=ids,
            model="organizations.association",
        )

    return derive


FIELDS += [
    ReportField(
        "annual.villages", gettext_noop("村（社区）"), gettext_noop("个"), _below("villages")
    ),
    ReportField(
        "annual.enterprise_associations",
        gettext_noop("企业、流动人口计生协"),
        gettext_noop("个"),
        _below("enterprises"),
    ),
]
