"""The volunteer figures the reports up the chain derive (`fpa.reports.fields`), for the
association's subtree as it stands: volunteer teams, and the current pairings of volunteers with
special families (`selectors.report_records`, one count each). Active volunteers are the member
module's field (`members.report_fields`), read from the same register."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext_noop

from fpa.core.links import link
from fpa.organizations.models import Association
from fpa.reports.fields import Derive, Figure, Period, ReportField
from fpa.volunteers import selectors

MODELS = {"teams": "volunteers.team", "pairings": "volunteers.pairing"}


def _figure(figure: str) -> Derive:
    def derive(user: Any, area: Association, period: Period) -> Figure:
        rows = selectors.report_records(user=user, association=area, figure=figure)

        def ids() -> list[int]:
            return list(rows.order_by("pk").values_list("pk", flat=True)[:20000])

        page = "volunteers:teams" if figure == "teams" else "volunteers:list"
        return Figure(
            value=rows.count(),
            url=f"{link(page)}?{urlencode({'code': area.code})}",
            records=ids,
            model=MODELS[figure],
        )

    return derive


FIELDS = [
    ReportField(
        "volunteers.teams", gettext_noop("志愿者队伍"), gettext_noop("支"), _figure("teams")
    ),
    ReportField(
        "annual.pairings",
        gettext_noop("会员、志愿者与特殊家庭结对"),
        gettext_noop("对"),
        _figure("pairings"),
    ),
]
