"""Reads of the cadres' contact points, inside the reader's subtree: the points (filters), a
point's visits and findings, and the month's overview per cadre (who has not been to their
points), in a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from fpa.cadres.models import ContactPoint, Finding, Visit
from fpa.families.models import Family
from fpa.reports.fields import MONTH, Period, parse_period, period_containing

if TYPE_CHECKING:
    from fpa.accounts.models import User


def month_of(text: str | None, *, today: datetime.date) -> Period:
    """`?month=2026-03`: a month from 2000 to this one (the reports' periods); this month for
    anything else, a forged value included."""
    if text:
        try:
            return parse_period(MONTH, text, today=today)
        except ValueError:
            pass
    return period_containing(MONTH, today)


def _active_in(month: Period) -> Q:
    return Q(start_date__lte=month.last) & (Q(end_date__isnull=True) | Q(end_date__gte=month.first))


def _visited_in(month: Period) -> Exists:
    return Exists(
        Visit.objects.filter(
            point=OuterRef("pk"), visited_on__gte=month.first, visited_on__lte=month.last
        )
    )


def points(
    *,
    user: User,
    cadre: int | None = None,
    current: bool = True,
    unvisited: Period | None = None,
) -> QuerySet[ContactPoint]:
    """The contact points the user sees: `cadre` one cadre's; `unvisited` those active in the
    month without a visit in it (the overview's click-through)."""
    rows = ContactPoint.objects.visible_to(user).select_related(
        "cadre", "cadre__home_association", "association", "association__parent", "family"
    )
    if cadre is not None:
        rows = rows.filter(cadre_id=cadre)
    if unvisited is not None:
        rows = rows.filter(_active_in(unvisited)).filter(~_visited_in(unvisited))
    elif current:
        rows = rows.filter(end_date__isnull=True)
    return rows.annotate(
        open_findings=Count(
            "visits__findings", filter=Q(visits__findings__status=Finding.Status.RAISED)
        )
    ).order_by("cadre__username", "association__path", "id")


def family_in_scope(*, user: User, pk: int) -> Family | None:
    """The special family the assign form names by its number, if the user sees it."""
    return Family.objects.visible_to(user).filter(pk=pk).first()


def visits_in(*, user: User, month: Period) -> QuerySet[Visit]:
    """The visits of the month inside the user's subtree, for the workbook (by date)."""
    return (
        Visit.objects.visible_to(user)
        .filter(visited_on__gte=month.first, visited_on__lte=month.last)
        .select_related(
            "point__cadre__home_association", "point__association__parent", "point__family"
        )
        .prefetch_related("findings")
        .order_by("visited_on", "id")
    )


def point_detail(*, point: ContactPoint) -> dict[str, Any]:
    visits = list(point.visits.select_related("recorded_by").prefetch_related("findings")[:200])
    return {"visits": visits}


@dataclass(frozen=True)
class CadreMonth:
    cadre_id: int
    name: str
    home: str
    points: int
    visited: int
    visits: int
    findings: int
    open_findings: int

    @property
    def unvisited(self) -> int:
        return self.points - self.visited


def overview(*, user: User, month: Period) -> list[CadreMonth]:
    """Per cadre with points in the user's subtree active in `month`: how many points, how many
    were visited in the month, the visits and the problems found then, and the problems still
    open. Three queries whatever the number of cadres."""
    from fpa.accounts.models import User as Account

    active = ContactPoint.objects.visible_to(user).filter(_active_in(month))
    counts = {
        row["cadre"]: row
        for row in active.annotate(seen=_visited_in(month))
        .values("cadre")
        .annotate(points=Count("id", distinct=True), visited=Count("id", filter=Q(seen=True)))
    }
    in_month = Q(visits__visited_on__gte=month.first, visits__visited_on__lte=month.last)
    activity: dict[int, dict[str, Any]] = {
        row["cadre"]: dict(row)
        for row in ContactPoint.objects.visible_to(user)
        .filter(cadre__in=counts.keys())
        .values("cadre")
        .annotate(
            month_visits=Count("visits", filter=in_month, distinct=True),
            findings=Count("visits__findings", filter=in_month),
            open_findings=Count(
                "visits__findings", filter=Q(visits__findings__status=Finding.Status.RAISED)
            ),
        )
    }
    people = Account.objects.filter(pk__in=counts.keys()).select_related("home_association")
    rows = []
    for person in people:
        count = counts[person.pk]
        done = activity.get(person.pk, {})
        rows.append(
            CadreMonth(
                cadre_id=person.pk,
                name=person.full_name or person.username,
                home=person.home_association.name if person.home_association else "",
                points=count["points"],
                visited=count["visited"],
                visits=done.get("month_visits", 0),
                findings=done.get("findings", 0),
                open_findings=done.get("open_findings", 0),
            )
        )
    rows.sort(key=lambda r: (-r.unvisited, r.home, r.name))
    return rows


def cadre_choices(*, user: User) -> QuerySet[Any]:
    """The county and township cadres a user may give points to: active accounts of the county
    and township levels inside the user's subtree who hold `cadre.visit`."""
    from fpa.accounts.models import User as Account
    from fpa.accounts.roles import roles_granting
    from fpa.cadres.services import CADRE_LEVELS
    from fpa.core.scope import scope_path_of

    path = scope_path_of(user)
    if path is None:
        return Account.objects.none()
    return (
        Account.objects.filter(
            is_active=True,
            home_association__path__under=path,
            home_association__kind__in=CADRE_LEVELS,
            roles__role__in=roles_granting("cadre.visit"),
        )
        .select_related("home_association")
        .distinct()
        .order_by("home_association__path", "username")
    )
