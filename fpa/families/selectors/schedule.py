"""The visit rules of the contact persons: last call, last meeting, home visits this year and
what is overdue; my families; needs near or past their deadline."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from fpa.accounts.models import User
from fpa.families.models import (
    CareKind,
    CareRecord,
    Contact,
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
    """The strictest rule among a family's current contact roles."""
    calls = [r.calls_every_days for r in roles if r.calls_every_days]
    meets = [r.meets_every_days for r in roles if r.meets_every_days]
    visits = [r.home_visits_per_year for r in roles if r.home_visits_per_year]
    return (
        min(calls) if calls else None,
        min(meets) if meets else None,
        max(visits) if visits else None,
    )


def schedule(*, families: list[Family], today: datetime.date | None = None) -> list[Due]:
    """For each family: last call, last meeting, home visits this year and what is overdue.

    Two grouped queries for any number of families. The yearly home-visit target is due pro rata:
    by the end of each quarter a quarter of the visits (from the quarter the family was registered
    in, for a family registered this year).
    """
    if not families:
        return []
    today = today or timezone.localdate()
    ids = [f.pk for f in families]
    year_start = datetime.date(today.year, 1, 1)
    stats: dict[int, dict[str, Any]] = {
        row["family_id"]: dict(row)
        for row in CareRecord.objects.filter(family_id__in=ids)
        .values("family_id")
        .annotate(
            last_call=Max("occurred_on", filter=Q(kind__mode=CareKind.Mode.CALL)),
            last_meeting=Max(
                "occurred_on",
                filter=Q(kind__mode__in=[CareKind.Mode.MEETING, CareKind.Mode.HOME_VISIT]),
            ),
            visits=Count(
                "id", filter=Q(kind__mode=CareKind.Mode.HOME_VISIT, occurred_on__gte=year_start)
            ),
        )
    }
    roles_by_family: dict[int, list[ContactRole]] = {}
    for contact in Contact.objects.filter(family_id__in=ids, end_date__isnull=True).select_related(
        "role"
    ):
        roles_by_family.setdefault(contact.family_id, []).append(contact.role)
    out = []
    for family in families:
        row = stats.get(family.pk, {})
        rules = _rules_for(roles_by_family.get(family.pk, []))
        last_call, last_meeting = row.get("last_call"), row.get("last_meeting")
        done = row.get("visits", 0)
        overdue = _overdue(today, family.registered_on, rules, last_call, last_meeting, done)
        out.append(Due(family, last_call, last_meeting, done, overdue))
    return out


def _overdue(
    today: datetime.date,
    reference: datetime.date,
    rules: tuple[int | None, int | None, int | None],
    last_call: datetime.date | None,
    last_meeting: datetime.date | None,
    done: int,
) -> list[str]:
    """What a family's contacts are behind on, by the strictest rule of their roles (the rule,
    once, for the overdue lists and for the visited-on-schedule coverage). `reference` is the
    registration date: the clock starts there for a family never contacted."""
    calls, meets, visits = rules
    overdue = []
    if calls and (today - max(last_call or reference, last_meeting or reference)).days > calls:
        overdue.append(gettext("电话联系（每%(days)s天）") % {"days": calls})
    if meets and (today - (last_meeting or reference)).days > meets:
        overdue.append(gettext("见面联系（每%(days)s天）") % {"days": meets})
    # Home visits are due pro rata: by the end of each quarter, a quarter of the year's visits,
    # counted from the quarter the family was registered in if that was this year (a family
    # registered in November is not behind on the visits of the first three quarters).
    year_start = datetime.date(today.year, 1, 1)
    quarter = (today.month - 1) // 3  # complete quarters so far this year
    start = max(year_start, reference)
    quarters = max(0, quarter - (start.month - 1) // 3) if start.year == today.year else 0
    if visits and done < (visits * quarters) // 4:
        overdue.append(
            gettext("入户走访（今年%(done)s/%(required)s次）") % {"done": done, "required": visits}
        )
    return overdue


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
