"""The visit rules of the contact persons: last call, last meeting, home visits this year and
what is overdue; my families; needs near or past their deadline, and the share of needs closed
by it (`needs_closed_on_time`, the key-work assessment's figure)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from fpa.accounts.models import User
from fpa.core.care import rules
from fpa.core.care import selectors as care
from fpa.families.care import FAMILY_CARE
from fpa.families.models import (
    ContactRole,
    Family,
    Need,
)
from fpa.organizations.models import Association

# --- visit rules ----------------------------------------------------------------------------------


@dataclass
class Due:
    family: Family
    last_call: datetime.date | None
    last_meeting: datetime.date | None
    home_visits_this_year: int
    overdue: list[str]
    township: Association | None = None  # set by the overdue page, which groups by township


def _rules_for(roles: list[ContactRole]) -> tuple[int | None, int | None, int | None]:
    """The strictest rule among a family's current contact roles (`fpa.core.care.rules`)."""
    return rules.strictest(roles).as_tuple()


# The rule, once, for the overdue lists and for the visited-on-schedule coverage.
_overdue = rules.overdue


def schedule(*, families: list[Family], today: datetime.date | None = None) -> list[Due]:
    """For each family: last call, last meeting, home visits this year and what is overdue.

    Two grouped queries for any number of families (`fpa.core.care.selectors.schedule`). The
    yearly home-visit target is due pro rata: by the end of each quarter a quarter of the visits
    (from the quarter the family was registered in, for a family registered this year).
    """
    rows = care.schedule(
        FAMILY_CARE, subjects=families, reference=lambda f: f.registered_on, today=today
    )
    return [
        Due(r.subject, r.last_call, r.last_meeting, r.home_visits_this_year, r.overdue)
        for r in rows
    ]


def needs_due(
    *, user: User, within_days: int = 3, today: datetime.date | None = None
) -> QuerySet[Need]:
    """Open needs this user is responsible for whose deadline is past or within `within_days`,
    the earliest deadline first."""
    today = today or timezone.localdate()
    return (
        Need.objects.visible_to(user)
        .filter(owner=user, status__in=[Need.Status.OPEN, Need.Status.IN_PROGRESS])
        .filter(due_date__lte=today + datetime.timedelta(days=within_days))
        .select_related("family")
        .order_by("due_date", "id")
    )


def needs_closed_on_time(
    *, user: User, root: Association, year: int, until: datetime.date | None = None
) -> tuple[int, int]:
    """(closed by the deadline, due) for the needs of the families in `root`'s subtree, as
    `user` sees them, whose deadline (办结期限) falls in `year` (and on or before `until`, an
    assessment round's cut-off date): the key-work assessment's "needs closed on time" figure
    (`fpa.families.indicators`).

    "Due" counts every such need whatever its status (a need without a deadline has none to
    keep and is not counted); "closed by the deadline" those of them resolved or answered as
    unresolvable (办结) on or before their deadline. One query."""
    rows = Need.objects.visible_to(user).filter(
        family__association__path__under=root.path, due_date__year=year
    )
    closed = Q(closed_on__isnull=False, closed_on__lte=F("due_date")) & ~Q(
        status__in=Need.OPEN_STATUSES
    )
    if until is not None:
        rows = rows.filter(due_date__lte=until)  # closed by a deadline before it: before it too
    found = rows.aggregate(due=Count("pk"), done=Count("pk", filter=closed))
    return found["done"], found["due"]


def my_due(*, user: User, today: datetime.date | None = None) -> list[Due]:
    """A contact person's families, the most overdue first."""
    families = list(
        Family.objects.active()
        .filter(contacts__user=user, contacts__end_date__isnull=True)
        .select_related("association")
        .distinct()[:500]
    )
    due = schedule(families=families, today=today)
    return sorted(due, key=lambda d: (-len(d.overdue), d.family.pk))
