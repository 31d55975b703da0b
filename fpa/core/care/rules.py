"""The contact-frequency rules (联系频次) and what is overdue by them. Pure: no ORM.

A subject's current contact persons each have a role with up to three rules: a call every N
days, a meeting every N days, so many home visits a year. The strictest rule among the roles
applies. A meeting or home visit also counts as a call.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.utils.translation import gettext

# The modes of a care kind (the families' `CareKind.Mode` values): what each record counts as.
HOME_VISIT, MEETING, CALL, OTHER = "home_visit", "meeting", "call", "other"
MEETING_MODES = (MEETING, HOME_VISIT)


class HasRules(Protocol):
    """A contact role as the rules read it."""

    calls_every_days: int | None
    meets_every_days: int | None
    home_visits_per_year: int | None


@dataclass(frozen=True)
class Rules:
    calls_every_days: int | None = None
    meets_every_days: int | None = None
    home_visits_per_year: int | None = None

    def as_tuple(self) -> tuple[int | None, int | None, int | None]:
        return (self.calls_every_days, self.meets_every_days, self.home_visits_per_year)


def strictest(roles: Iterable[HasRules]) -> Rules:
    """The strictest rule among a subject's current contact roles: the shortest intervals and
    the largest number of home visits."""
    roles = list(roles)
    calls = [r.calls_every_days for r in roles if r.calls_every_days]
    meets = [r.meets_every_days for r in roles if r.meets_every_days]
    visits = [r.home_visits_per_year for r in roles if r.home_visits_per_year]
    return Rules(
        min(calls) if calls else None,
        min(meets) if meets else None,
        max(visits) if visits else None,
    )


def overdue(
    today: datetime.date,
    reference: datetime.date,
    rules: Rules | tuple[int | None, int | None, int | None],
    last_call: datetime.date | None,
    last_meeting: datetime.date | None,
    done: int,
) -> list[str]:
    """What a subject's contacts are behind on, by `rules` (the rule, once, for every module's
    overdue lists and coverage figures). `reference` is the registration date: the clock starts
    there for a subject never contacted. Each item is a short Chinese description."""
    calls, meets, visits = rules.as_tuple() if isinstance(rules, Rules) else rules
    late = []
    if calls and (today - max(last_call or reference, last_meeting or reference)).days > calls:
        late.append(gettext("电话联系（每%(days)s天）") % {"days": calls})
    if meets and (today - (last_meeting or reference)).days > meets:
        late.append(gettext("见面联系（每%(days)s天）") % {"days": meets})
    # Home visits are due pro rata: by the end of each quarter, a quarter of the year's visits,
    # counted from the quarter the subject was registered in if that was this year (one
    # registered in November is not behind on the visits of the first three quarters).
    year_start = datetime.date(today.year, 1, 1)
    quarter = (today.month - 1) // 3  # complete quarters so far this year
    start = max(year_start, reference)
    quarters = max(0, quarter - (start.month - 1) // 3) if start.year == today.year else 0
    if visits and done < (visits * quarters) // 4:
        late.append(
            gettext("入户走访（今年%(done)s/%(required)s次）") % {"done": done, "required": visits}
        )
    return late


def contact_due_on(
    reference: datetime.date,
    rules: Rules | tuple[int | None, int | None, int | None],
    last_call: datetime.date | None,
    last_meeting: datetime.date | None,
) -> datetime.date | None:
    """The last day on which the call and meeting rules of `overdue` are still kept (None: no
    such rule): a subject is behind on them from the next day on, until its next contact.
    `overdue(today, ...)` names a call or meeting exactly when this day is before `today`."""
    calls, meets, _visits = rules.as_tuple() if isinstance(rules, Rules) else rules
    days = []
    if calls:
        days.append(max(last_call or reference, last_meeting or reference) + _days(calls))
    if meets:
        days.append((last_meeting or reference) + _days(meets))
    return min(days) if days else None


def visits_quarters(today: datetime.date, reference: datetime.date) -> int:
    """The complete quarters of this year whose home visits are due by `overdue`'s pro-rata
    rule (from the quarter the subject was registered in, for one registered this year)."""
    quarter = (today.month - 1) // 3
    start = max(datetime.date(today.year, 1, 1), reference)
    return max(0, quarter - (start.month - 1) // 3) if start.year == today.year else 0


def _days(count: int) -> datetime.timedelta:
    return datetime.timedelta(days=count)
