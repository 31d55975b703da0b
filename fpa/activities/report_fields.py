"""The activity figures the reports up the chain derive (`fpa.reports.fields`): the 八大项目
events and people, materials handed out and media reports of a year, read from the tallies
(`selectors.figures`, one grouped query per report, shared); the records behind each are
`selectors.records_of_figure`, listed only when a report is frozen."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext_noop

from fpa.activities import selectors
from fpa.activities.models import Expert
from fpa.core.links import link
from fpa.core.todo import shared
from fpa.organizations.models import Association
from fpa.reports.fields import Derive, Figure, Period, ReportField
from fpa.reports.kinds import PROJECTS  # the labels, declared once


def _figures(user: Any, area: Association, year: int) -> selectors.Figures:
    return shared(
        f"activities.figures:{user.pk}:{area.pk}:{year}",
        lambda: selectors.figures(user=user, association=area, year=year),
    )


def _figure(figure: str, dimension: str | None = None) -> Derive:
    def derive(user: Any, area: Association, period: Period) -> Figure:
        year = period.first.year
        value = _figures(user, area, year).get(figure, dimension)
        query = {"code": area.code, "year": year, "figure": figure}
        if dimension:
            query["dimension"] = dimension

        def ids() -> list[int]:
            rows = selectors.records_of_figure(
                user=user, association=area, year=year, figure=figure, dimension=dimension or ""
            )
            return list(rows.order_by("pk").values_list("pk", flat=True)[:20000])

        return Figure(
            value=value,
            url=f"{link('activities:figure_records')}?{urlencode(query)}",
            records=ids,
            model="activities.activity",
        )

    return derive


FIELDS = [
    *[
        field
        for code, events, people in PROJECTS
        for field in (
            ReportField(
                f"projects.{code}.events",
                events,
                gettext_noop("次"),
                _figure("activities", code),
            ),
            ReportField(
                f"projects.{code}.people",
                people,
                gettext_noop("人"),
                _figure("people", code),
            ),
        )
    ],
    ReportField(
        "activities.materials",
        gettext_noop("发放宣传资料"),
        gettext_noop("份"),
        _figure("materials"),
    ),
]


# --- 阵地 as they stand: open sites of the subtree (all, 会员之家, 青春健康教育基地/同伴社) ------


def _sites(kind: str = "") -> Derive:
    def derive(user: Any, area: Association, period: Period) -> Figure:
        counts = shared(
            f"activities.sites:{user.pk}:{area.pk}",
            lambda: selectors.site_counts(user=user, association=area),
        )
        query = {"code": area.code, "status": "open", **({"kind": kind} if kind else {})}

        def ids() -> list[int]:
            rows = selectors.sites(user=user, under=area, kind=kind, status="open")
            return list(rows.order_by("pk").values_list("pk", flat=True)[:20000])

        return Figure(
            value=counts.get(kind, 0) if kind else sum(counts.values()),
            url=f"{link('activities:sites')}?{urlencode(query)}",
            records=ids,
            model="activities.site",
        )

    return derive


FIELDS += [
    ReportField("org.sites", gettext_noop("活动阵地"), gettext_noop("个"), _sites()),
    ReportField(
        "org.member_homes", gettext_noop("会员之家"), gettext_noop("个"), _sites("member_home")
    ),
    ReportField("annual.bases", gettext_noop("基地"), gettext_noop("个"), _sites("youth_base")),
]


def _trainers(user: Any, area: Association, period: Period) -> Figure:
    """师资（市、县级）: the active people of the expert and trainer pools in the subtree, as
    they stand, but a province's own pool (the expert list of the area shows the same people
    below province level)."""
    rows = (
        Expert.objects.visible_to(user)
        .filter(association__path__under=area.path, active=True)
        .exclude(association__kind=Association.Kind.PROVINCE)
    )

    def ids() -> list[int]:
        return list(rows.order_by("pk").values_list("pk", flat=True)[:20000])

    return Figure(
        value=rows.count(),
        url=f"{link('activities:experts')}?{urlencode({'code': area.code})}",
        records=ids,
        model="activities.expert",
    )


FIELDS.append(
    ReportField("annual.trainers", gettext_noop("师资（市、县级）"), gettext_noop("人"), _trainers)
)
