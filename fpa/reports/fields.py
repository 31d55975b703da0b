"""The report fields' registry: each module declares the figures it owns once.

A module lists its fields in `fpa/<app>/report_fields.py` and names that list on its AppConfig
(`report_fields = "fpa.families.report_fields.FIELDS"`), as it names its to-do kinds. A field has
a stable key ("families.special.total"), a label (marked with gettext_noop), a unit, and either a
derivation or nothing (entered by hand). A report kind (`fpa.reports.kinds`) lists field keys; a
key no installed module declares is entered by hand, so when a module arrives its fields become
derived and the reports already filed, stored by field key, need no migration.

A derivation is `derive(user, association, period) -> Figure`: the figure of the association's
subtree for the period, read through the owning module's own selector (the caller has checked
that the association lies in the user's scope). Several fields usually read one figure set (the
monthly report's counts, the activities' tallies): derivations share it with
`fpa.core.todo.shared`, which the reports open one reading around.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.utils.module_loading import import_string
from django.utils.translation import gettext, gettext_noop

if TYPE_CHECKING:
    from fpa.organizations.models import Association

MONTH, QUARTER, YEAR = "month", "quarter", "year"
PERIODICITIES = (MONTH, QUARTER, YEAR)
_PERIOD = re.compile(r"^([0-9]{4})(?:-(?:([0-9]{1,2})|[Qq]([1-4])))?$")
EARLIEST_YEAR = 2000


@dataclass(frozen=True)
class Figure:
    """A derived figure: its value, the records behind it (ids, computed only when the report is
    frozen: `records()`), and the page that lists them (click-through)."""

    value: Decimal | int
    url: str = ""
    records: Callable[[], Sequence[int]] | None = None
    model: str = ""  # the records' model, "app_label.model"


Derive = Callable[[Any, "Association", "Period"], Figure]


@dataclass(frozen=True)
class ReportField:
    key: str
    label: str
    unit: str = gettext_noop("个")
    derive: Derive | None = None
    cumulative: bool = False  # a running total: cannot fall below last period's
    money: bool = False

    @property
    def derived(self) -> bool:
        return self.derive is not None


@functools.cache
def registered_fields() -> dict[str, ReportField]:
    """Every installed module's declared fields by key."""
    found: dict[str, ReportField] = {}
    for config in apps.get_app_configs():
        path = getattr(config, "report_fields", None)
        if not path:
            continue
        for item in import_string(path):
            if item.key in found:
                raise ValueError(f"report field declared twice: {item.key}")
            found[item.key] = item
    return found


# --- periods --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A month ("2026-10"), a quarter ("2026-Q3") or a year ("2026")."""

    periodicity: str
    first: datetime.date
    last: datetime.date

    @property
    def key(self) -> str:
        if self.periodicity == MONTH:
            return f"{self.first:%Y-%m}"
        if self.periodicity == QUARTER:
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        return str(self.first.year)

    @property
    def label(self) -> str:
        if self.periodicity == MONTH:
            return gettext("%(y)d年%(m)d月") % {"y": self.first.year, "m": self.first.month}
        if self.periodicity == QUARTER:
            quarter = (self.first.month - 1) // 3 + 1
            return gettext("%(y)d年第%(q)d季度") % {"y": self.first.year, "q": quarter}
        return gettext("%(y)d年度") % {"y": self.first.year}

    def previous(self) -> Period:
        return period_containing(self.periodicity, self.first - datetime.timedelta(days=1))

    def default_due(self) -> datetime.date:
        """Due by the 5th after a month, the 10th after a quarter, 31 January after a year."""
        after = self.last + datetime.timedelta(days=1)
        if self.periodicity == MONTH:
            return after.replace(day=5)
        if self.periodicity == QUARTER:
            return after.replace(day=10)
        return after.replace(day=31)


def period_containing(periodicity: str, day: datetime.date) -> Period:
    if periodicity == MONTH:
        first = day.replace(day=1)
        months = 1
    elif periodicity == QUARTER:
        first = datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        months = 3
    else:
        first = datetime.date(day.year, 1, 1)
        months = 12
    end_month = first.month + months - 1
    last = datetime.date(first.year, end_month, calendar.monthrange(first.year, end_month)[1])
    return Period(periodicity, first, last)


def last_complete(periodicity: str, today: datetime.date) -> Period:
    """The period a report is filed for by default: the last one that has ended."""
    return period_containing(periodicity, today).previous()


def parse_period(periodicity: str, text: str | None, *, today: datetime.date) -> Period:
    """ "2026-10", "2026-Q3" or "2026" for a kind of that periodicity; empty is the last complete
    period. Raises ValueError with a Chinese message (translated) for anything else."""
    text = unicodedata.normalize("NFKC", text or "").strip()[:20]
    if not text:
        return last_complete(periodicity, today)
    match = _PERIOD.match(text)
    if match is None:
        raise ValueError(
            gettext("报告期格式不正确（月报如 2026-10，季报如 2026-Q3，年报如 2026）。")
        )
    year = int(match.group(1))
    month, quarter = match.group(2), match.group(3)
    if periodicity == MONTH and month and 1 <= int(month) <= 12:
        found = period_containing(MONTH, datetime.date(year, int(month), 1))
    elif periodicity == QUARTER and quarter:
        found = period_containing(QUARTER, datetime.date(year, int(quarter) * 3 - 2, 1))
    elif periodicity == YEAR and not month and not quarter:
        found = period_containing(YEAR, datetime.date(year, 1, 1))
    else:
        raise ValueError(
            gettext("报告期与报表的周期不符（月报如 2026-10，季报如 2026-Q3，年报如 2026）。")
        )
    if year < EARLIEST_YEAR or found.first > today:
        raise ValueError(gettext("只能填报2000年以来、已经开始的报告期。"))
    return found
