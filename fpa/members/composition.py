"""Measure 14: who sits on each association's members' congress and council, by source, and how
that changed from one year to the next, rolled up the tree.

Reads `organizations.BodySeat` through the user's scope (its schema is unchanged). A seat counts
for year Y when it was held at the end of Y: its term began in or before Y (`term_year <= Y`) and
it had not ended by 31 December of Y. Two grouped queries per report (one per year), whatever the
size of the subtree.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.utils.translation import gettext

from fpa.organizations import selectors as org_selectors
from fpa.organizations.models import Association, BodySeat

if TYPE_CHECKING:
    from fpa.accounts.models import User

BODIES = (BodySeat.Body.CONGRESS, BodySeat.Body.COUNCIL)
SOURCES = (
    BodySeat.Source.GRASSROOTS_MEMBER,
    BodySeat.Source.VOLUNTEER,
    BodySeat.Source.WORKER,
    BodySeat.Source.SOCIAL_SECTOR,
    BodySeat.Source.OFFICIAL,
)
EARLIEST_YEAR = 1980


@dataclass
class Cell:
    """Seats of one body in one year, by source."""

    by_source: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_source.values())

    @property
    def grassroots(self) -> int:
        return sum(self.by_source.get(s, 0) for s in BodySeat.GRASSROOTS_SOURCES)

    @property
    def grassroots_share(self) -> float | None:
        return round(100 * self.grassroots / self.total, 1) if self.total else None

    def get(self, source: str) -> int:
        return self.by_source.get(source, 0)


@dataclass
class Line:
    """One row of the report: an association's subtree (or the root's own seats)."""

    name: str
    association: Association | None
    this: dict[str, Cell]  # body -> cell, for the year
    last: dict[str, Cell]  # body -> cell, for the year before

    def change(self, body: str, source: str | None = None) -> int:
        if source is None:
            return self.this[body].total - self.last[body].total
        return self.this[body].get(source) - self.last[body].get(source)

    def share_change(self, body: str) -> float | None:
        now, before = self.this[body].grassroots_share, self.last[body].grassroots_share
        return round(now - before, 1) if now is not None and before is not None else None


@dataclass
class Report:
    root: Association
    year: int
    lines: list[Line]
    total: Line


def held_at_end_of(year: int) -> Q:
    end = datetime.date(year, 12, 31)
    return Q(term_year__lte=year) & (Q(ended_on__isnull=True) | Q(ended_on__gt=end))


def parse_year(text: str, *, today: datetime.date) -> int:
    """A report year from the query string: four digits between 1981 and this year."""
    text = (text or "").strip()
    if not text:
        return today.year
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise ValueError(gettext("年份应为四位数字，例如 2025。"))
    year = int(text)
    if not EARLIEST_YEAR < year <= today.year:
        raise ValueError(
            gettext("年份应在%(first)s年至%(last)s年之间。")
            % {"first": EARLIEST_YEAR + 1, "last": today.year}
        )
    return year


def _cells(user: User, root: Association, year: int) -> dict[str, dict[str, Cell]]:
    """bucket path -> body -> Cell for the seats held at the end of `year`."""
    rows = (
        BodySeat.objects.visible_to(user)
        .filter(held_at_end_of(year), association__path__under=root.path, body__in=BODIES)
        .values("association__path", "body", "source")
        .annotate(n=Count("id"))
    )
    out: dict[str, dict[str, Cell]] = {}
    for row in rows:
        path = row["association__path"]
        if path != root.path:
            path = root.path + path[len(root.path) :].split("/", 1)[0] + "/"
        cells = out.setdefault(path, {b: Cell() for b in BODIES})
        cell = cells[row["body"]]
        cell.by_source[row["source"]] = cell.by_source.get(row["source"], 0) + row["n"]
    return out


def _blank() -> dict[str, Cell]:
    return {b: Cell() for b in BODIES}


def _sum(cells: list[dict[str, Cell]]) -> dict[str, Cell]:
    total = _blank()
    for item in cells:
        for body, cell in item.items():
            for source, n in cell.by_source.items():
                bucket = total[body].by_source
                bucket[source] = bucket.get(source, 0) + n
    return total


def composition_report(*, user: User, root: Association, year: int) -> Report:
    """Seats by body and source at the end of `year` and of the year before, for `root`'s own
    bodies and each child's subtree, with the total of the whole subtree."""
    this, last = _cells(user, root, year), _cells(user, root, year - 1)
    children = org_selectors.association_children(user=user, parent=root)
    lines = [
        Line(
            name=gettext("%(name)s（本级）") % {"name": root.name},
            association=None,
            this=this.get(root.path, _blank()),
            last=last.get(root.path, _blank()),
        )
    ]
    for child in children:
        lines.append(
            Line(
                name=child.name,
                association=child,
                this=this.get(child.path, _blank()),
                last=last.get(child.path, _blank()),
            )
        )
    total = Line(
        name=gettext("%(name)s合计") % {"name": root.name},
        association=root,
        this=_sum(list(this.values())),
        last=_sum(list(last.values())),
    )
    return Report(root=root, year=year, lines=lines, total=total)
