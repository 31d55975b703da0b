"""Reads of childcare supervision: scoped by `visible_to(user)`, bounded in queries.

The institution list is sorted by one of a few keys and paged by keyset on (key, id): the cursor
is the id of the last row seen, and its key is read back inside the user's scope, so a forged
cursor gives the first page and a cursor never carries a value of its own.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, fields
from typing import Any

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fpa.accounts.models import User
from fpa.childcare.models import (
    ChecklistItem,
    Inspection,
    Institution,
    Problem,
    ProblemStep,
)
from fpa.core.pagination import Page, keyset_page, sorted_page
from fpa.core.scope import path_is_under
from fpa.organizations.models import Association

UNRESOLVED = (Problem.Status.OPEN, Problem.Status.SUBMITTED)
# ?sort= value -> (label, field, descending). The first is the default.
SORTS: dict[str, tuple[Any, str, bool]] = {
    "recent": (_("最近登记"), "id", True),
    "name": (_("名称"), "name", False),
    "capacity": (_("托位数（多→少）"), "capacity", True),
    "area": (_("所在区域"), "association__path", False),
}
PROBLEM_STATES = ("unresolved", "overdue", "submitted", "closed", "all")


@dataclass(frozen=True)
class InstitutionFilters:
    """What the list and its export are filtered by (each empty value: no filter)."""

    association: Association | None = None
    status: str = ""
    inclusive: bool | None = None
    with_problems: bool = False
    kind: str = ""
    query: str = ""


def _institutions(user: User, filters: InstitutionFilters) -> QuerySet[Institution]:
    queryset = Institution.objects.visible_to(user)
    if filters.association is not None:
        queryset = queryset.filter(association__path__under=filters.association.path)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.inclusive is not None:
        queryset = queryset.filter(inclusive=filters.inclusive)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.query:
        queryset = queryset.filter(name__contains=filters.query[:50])
    if filters.with_problems:
        unresolved = Problem.objects.filter(institution=OuterRef("pk"), status__in=UNRESOLVED)
        queryset = queryset.filter(Exists(unresolved))
    return queryset


def _with_open_problems(queryset: QuerySet[Institution]) -> QuerySet[Institution]:
    """Each institution's unresolved problems and last inspection, as subqueries (no join that
    would multiply the rows)."""
    unresolved = (
        Problem.objects.filter(institution=OuterRef("pk"), status__in=UNRESOLVED)
        .order_by()
        .values("institution")
        .annotate(n=Count("pk"))
        .values("n")
    )
    last = Inspection.objects.filter(institution=OuterRef("pk")).order_by("-inspected_on", "-id")
    return queryset.annotate(
        open_problems=Coalesce(Subquery(unresolved, output_field=IntegerField()), Value(0)),
        last_inspected_on=Subquery(last.values("inspected_on")[:1]),
        last_total=Subquery(last.values("total")[:1]),
        last_max_total=Subquery(last.values("max_total")[:1]),
    )


def institution_list(
    *,
    user: User,
    filters: InstitutionFilters,
    sort: str = "",
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
) -> Page:
    queryset = _with_open_problems(_institutions(user, filters)).select_related("association")
    _label, key, descending = SORTS.get(sort) or SORTS["recent"]
    if key == "id":
        return keyset_page(
            queryset, key="id", after=after, before=before, size=size, descending=descending
        )
    return sorted_page(
        queryset, key=key, descending=descending, after=after, before=before, size=size
    )


def institutions_for_export(*, user: User, filters: InstitutionFilters) -> QuerySet[Institution]:
    """The list's rows for the workbook, in tree order (the export reads them in chunks)."""
    return _with_open_problems(_institutions(user, filters)).order_by("association__path", "id")


# --- figures per area -----------------------------------------------------------------------


@dataclass
class Figures:
    """One area's figures: institutions by status, places (托位) of the running ones, the
    inclusive (普惠) ones among them, and unresolved problems."""

    code: str = ""
    name: str = ""
    institutions: int = 0
    operating: int = 0
    planned: int = 0
    capacity: int = 0
    places_used: int = 0
    inclusive: int = 0
    inclusive_capacity: int = 0
    open_problems: int = 0
    overdue_problems: int = 0

    def add(self, other: Figures) -> None:
        for counted in fields(self):
            if counted.name not in ("code", "name"):
                setattr(
                    self, counted.name, getattr(self, counted.name) + getattr(other, counted.name)
                )

    @property
    def empty(self) -> bool:
        """Nothing to show: only closed institutions and no problem left."""
        return not (self.institutions or self.open_problems)

    @property
    def inclusive_share(self) -> int | None:
        """普惠托位 as a whole percentage of the running institutions' places."""
        if not self.capacity:
            return None
        return round(self.inclusive_capacity * 100 / self.capacity)


@dataclass
class AreaFigures:
    total: Figures
    rows: list[Figures] = field(default_factory=list)  # one per child area with institutions


def area_figures(
    *, user: User, association: Association | None = None, today: datetime.date | None = None
) -> AreaFigures:
    """The figures of the area (the user's whole scope when None) and of each area directly
    below it. Two grouped queries, whatever the number of institutions: one over the
    institutions and one over the unresolved problems, both by association."""
    today = today or timezone.localdate()
    root = association or user.home_association
    institutions = Institution.objects.visible_to(user)
    problems = Problem.objects.visible_to(user).filter(status__in=UNRESOLVED)
    if association is not None:
        institutions = institutions.filter(association__path__under=association.path)
        problems = problems.filter(institution__association__path__under=association.path)
    running = Q(status=Institution.Status.OPERATING)
    by_area: dict[str, Figures] = {}
    for row in (
        institutions.order_by()
        .values("association__path")
        .annotate(
            n=Count("pk", filter=~Q(status=Institution.Status.CLOSED)),
            operating=Count("pk", filter=running),
            planned=Count("pk", filter=Q(status=Institution.Status.PLANNED)),
            places=Sum("capacity", filter=running, default=0),
            used=Sum("places_used", filter=running, default=0),
            inclusive_n=Count("pk", filter=running & Q(inclusive=True)),
            inclusive_places=Sum("capacity", filter=running & Q(inclusive=True), default=0),
        )
    ):
        figures = by_area.setdefault(row["association__path"], Figures())
        figures.institutions += row["n"]
        figures.operating += row["operating"]
        figures.planned += row["planned"]
        figures.capacity += row["places"]
        figures.places_used += row["used"]
        figures.inclusive += row["inclusive_n"]
        figures.inclusive_capacity += row["inclusive_places"]
    for counted in (
        problems.order_by()
        .values("institution__association__path")
        .annotate(
            n=Count("pk"),
            overdue=Count("pk", filter=Q(status=Problem.Status.OPEN, deadline__lt=today)),
        )
    ):
        figures = by_area.setdefault(counted["institution__association__path"], Figures())
        figures.open_problems += counted["n"]
        figures.overdue_problems += counted["overdue"]
    return _roll_up(user, root, by_area)


def _roll_up(user: User, root: Association | None, by_area: dict[str, Figures]) -> AreaFigures:
    total = Figures(code=root.code if root else "", name=root.name if root else "")
    for figures in by_area.values():
        total.add(figures)
    if root is None or not by_area:
        return AreaFigures(total=total)
    # The child of `root` that each path lies under: the next segment of the path.
    rows: dict[str, Figures] = {}
    for path, figures in by_area.items():
        segment = path[len(root.path) :].split("/", 1)[0] if path_is_under(path, root.path) else ""
        key = f"{root.path}{segment}/" if segment else root.path
        rows.setdefault(key, Figures()).add(figures)
    named = {
        a.path: a
        for a in Association.objects.visible_to(user)
        .filter(path__in=list(rows))
        .only("code", "name", "path")
    }
    for key, figures in rows.items():
        holder = named.get(key, root)
        figures.code, figures.name = holder.code, holder.name
    ordered = sorted(rows.items(), key=lambda pair: (pair[0] == root.path, pair[0]))
    return AreaFigures(total=total, rows=[f for _path, f in ordered if not f.empty])


# --- one institution ------------------------------------------------------------------------


def institution_detail(*, institution: Institution) -> dict[str, Any]:
    """What an institution's page shows, in a fixed number of queries (the caller has loaded
    the institution inside the scope)."""
    steps = Prefetch("steps", queryset=ProblemStep.objects.select_related("by", "by_association"))
    return {
        "inspections": list(
            institution.inspections.select_related("association", "recorded_by").order_by(
                "-inspected_on", "-id"
            )
        ),
        "problems": list(
            institution.problems.select_related(
                "inspection__association", "institution__association"
            )
            .prefetch_related(steps)
            .order_by("status", "deadline", "id")
        ),
        "recommendations": list(
            institution.recommendations.select_related("association", "recommended_by").order_by(
                "-year", "-id"
            )
        ),
    }


def inspection_detail(*, inspection: Inspection) -> dict[str, Any]:
    steps = Prefetch("steps", queryset=ProblemStep.objects.select_related("by", "by_association"))
    return {
        "scores": list(inspection.scores.order_by("sort", "id")),
        "problems": list(
            inspection.problems.select_related(
                "inspection__association", "institution__association"
            )
            .prefetch_related(steps)
            .order_by("deadline", "id")
        ),
    }


# --- problems -------------------------------------------------------------------------------


def problem_list(
    *,
    user: User,
    state: str = "unresolved",
    association: Association | None = None,
    today: datetime.date | None = None,
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
) -> Page:
    """Problems in the scope by state (unresolved, overdue, submitted, closed, all), oldest
    deadline first within a page (the pages themselves follow the problems' ids)."""
    today = today or timezone.localdate()
    queryset = Problem.objects.visible_to(user).select_related(
        "institution__association", "inspection__association"
    )
    if association is not None:
        queryset = queryset.filter(institution__association__path__under=association.path)
    if state == "overdue":
        queryset = queryset.overdue(today)
    elif state == "submitted":
        queryset = queryset.filter(status=Problem.Status.SUBMITTED)
    elif state == "closed":
        queryset = queryset.filter(status=Problem.Status.CLOSED)
    elif state != "all":
        queryset = queryset.unresolved()
    return keyset_page(queryset, key="id", after=after, before=before, size=size)


def overdue_problems(*, user: User, today: datetime.date | None = None) -> QuerySet[Problem]:
    """Problems still to be rectified after their deadline (the to-do of the module)."""
    return Problem.objects.visible_to(user).overdue(today or timezone.localdate())


# --- the checklist --------------------------------------------------------------------------


def checklist(*, active_only: bool = False) -> list[ChecklistItem]:
    """The checklist is the deployment's, the same for every area."""
    items = ChecklistItem.objects.order_by("sort", "id")
    return list(items.filter(active=True) if active_only else items)


def checklist_item(pk: object) -> ChecklistItem | None:
    text = str(pk or "")
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return ChecklistItem.objects.filter(pk=int(text)).first()
