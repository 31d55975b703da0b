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
