"""Reads of rights cases: scoped by `visible_to(user)`, bounded in queries.

The list is sorted by one of a few keys and paged by keyset on (key, id): the cursor is the id of
the last row seen, its key read back inside the user's scope, so a forged cursor gives the first
page. The figures are two grouped queries whatever the number of cases.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, fields
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fpa.accounts.models import User
from fpa.core.pagination import Page, keyset_page, sorted_page
from fpa.core.scope import path_is_under
from fpa.families.models import Family
from fpa.organizations.models import Association
from fpa.rights.models import Case, CaseKind, Step

# ?sort= value -> (label, field, descending). The first is the default.
SORTS: dict[str, tuple[Any, str, bool]] = {
    "recent": (_("最近受理"), "id", True),
    "received": (_("受理日期（新→旧）"), "received_on", True),
    "deadline": (_("办理期限（近→远）"), "deadline", False),
    "area": (_("受理单位"), "association__path", False),
}
SATISFIED = (Case.Satisfaction.SATISFIED, Case.Satisfaction.FAIRLY)
# ?status= values beyond the model's: every case not closed.
OPEN = "open"


@dataclass(frozen=True)
class CaseFilters:
    """What the list, its export and the API are filtered by (each empty value: no filter)."""

    association: Association | None = None
    here: Association | None = None  # received by exactly this association (the to-do)
    status: str = ""
    kind: str = ""
    overdue: bool = False
    received_from: datetime.date | None = None
    received_to: datetime.date | None = None
    closed_from: datetime.date | None = None
    closed_to: datetime.date | None = None
    on_time: bool | None = None
    satisfaction: str = ""
    family: int | None = None
    today: datetime.date | None = None


def _cases(user: User, filters: CaseFilters) -> QuerySet[Case]:
    queryset = Case.objects.visible_to(user)
    if filters.association is not None:
        queryset = queryset.filter(association__path__under=filters.association.path)
    if filters.here is not None:
        queryset = queryset.filter(association=filters.here)
    if filters.status == OPEN:
        queryset = queryset.open()
    elif filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.kind:
        queryset = queryset.filter(kind__code=filters.kind)
    if filters.overdue:
        queryset = queryset.overdue(filters.today or timezone.localdate())
    if filters.received_from:
        queryset = queryset.filter(received_on__gte=filters.received_from)
    if filters.received_to:
        queryset = queryset.filter(received_on__lte=filters.received_to)
    if filters.closed_from:
        queryset = queryset.filter(closed_on__gte=filters.closed_from)
    if filters.closed_to:
        queryset = queryset.filter(closed_on__lte=filters.closed_to)
    if filters.on_time is not None:
        late = Q(closed_on__gt=F("deadline"))
        queryset = queryset.filter(closed_on__isnull=False)
        queryset = queryset.exclude(late) if filters.on_time else queryset.filter(late)
    if filters.satisfaction == "satisfied_any":
        queryset = queryset.filter(satisfaction__in=SATISFIED)
    elif filters.satisfaction == "rated":
        queryset = queryset.exclude(satisfaction="")
    elif filters.satisfaction:
        queryset = queryset.filter(satisfaction=filters.satisfaction)
    if filters.family is not None:
        queryset = queryset.filter(family_id=filters.family)
    return queryset


def case_list(
    *,
    user: User,
    filters: CaseFilters,
    sort: str = "",
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
) -> Page:
    queryset = _cases(user, filters).select_related("association", "kind", "family")
    _label, key, descending = SORTS.get(sort) or SORTS["recent"]
    if key == "id":
        return keyset_page(
            queryset, key="id", after=after, before=before, size=size, descending=descending
        )
    return sorted_page(
        queryset, key=key, descending=descending, after=after, before=before, size=size
    )


def cases_for_export(*, user: User, filters: CaseFilters) -> QuerySet[Case]:
    """The list's rows for the workbook, in tree order then by receipt (read in chunks)."""
    return (
        _cases(user, filters)
        .select_related("association", "kind", "received_by")
        .order_by("association__path", "received_on", "id")
    )


def case_get(*, user: User, pk: int) -> Case:
    """One case inside the scope (`Case.DoesNotExist` outside it, as for a missing one)."""
    return (
        Case.objects.visible_to(user)
        .select_related("association", "kind", "family", "received_by")
        .get(pk=pk)
    )


def case_steps(*, case: Case) -> list[Step]:
    return list(case.steps.select_related("by", "by_association").order_by("on", "at", "id"))


def overdue_here(*, user: User, today: datetime.date | None = None) -> QuerySet[Case]:
    """The to-do: cases the user's own association received that are past their deadline and
    not closed (the staff of the receiving association answer for them)."""
    home = user.home_association
    if home is None:
        return Case.objects.none()
    return (
        Case.objects.visible_to(user)
        .filter(association=home)
        .overdue(today or timezone.localdate())
    )


def kinds(*, active_only: bool = False) -> list[CaseKind]:
    """The kinds are the deployment's, the same for every area."""
    rows = CaseKind.objects.order_by("sort", "id")
    return list(rows.filter(active=True) if active_only else rows)


def kind_by_code(code: str) -> CaseKind | None:
    return CaseKind.objects.filter(code=code).first()


def family_in_scope(*, user: User, pk: object) -> Family | None:
    """The special family numbered `pk` if the user sees it (None otherwise, or for a number
    that cannot be one)."""
    text = str(pk or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return Family.objects.visible_to(user).filter(pk=int(text)).first()


def kind_get(pk: object) -> CaseKind | None:
    text = str(pk or "")
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return CaseKind.objects.filter(pk=int(text)).first()


# --- figures --------------------------------------------------------------------------------


@dataclass
class Figures:
    """One area's figures over a period: cases received, closed, closed on time, asked about
    their satisfaction and satisfied (满意 or 基本满意); and, whatever the period, the cases open
    now and overdue now."""

    code: str = ""
    name: str = ""
    received: int = 0
    closed: int = 0
    on_time: int = 0
    rated: int = 0
    satisfied: int = 0
    dissatisfied: int = 0
    open_now: int = 0
    overdue_now: int = 0

    def add(self, other: Figures) -> None:
        for counted in fields(self):
            if counted.name not in ("code", "name"):
                setattr(
                    self, counted.name, getattr(self, counted.name) + getattr(other, counted.name)
                )

    @property
    def empty(self) -> bool:
        return not (self.received or self.closed or self.open_now)

    @property
    def on_time_share(self) -> int | None:
        return round(self.on_time * 100 / self.closed) if self.closed else None

    @property
    def satisfied_share(self) -> int | None:
        """满意 and 基本满意 as a whole percentage of the closed cases asked."""
        return round(self.satisfied * 100 / self.rated) if self.rated else None


@dataclass
class KindFigure:
    code: str
    name: str
    received: int


@dataclass
class CaseFigures:
    first: datetime.date
    last: datetime.date
    total: Figures
    rows: list[Figures] = field(default_factory=list)  # one per child area with cases
    by_kind: list[KindFigure] = field(default_factory=list)


def case_figures(
    *,
    user: User,
    root: Association | None,
    first: datetime.date,
    last: datetime.date,
    today: datetime.date | None = None,
) -> CaseFigures:
    """The figures of `root`'s area (the user's whole scope when None) for the period `first` …
    `last`, and of each area directly below it; received by kind. Two grouped queries."""
    today = today or timezone.localdate()
    root = root or user.home_association
    cases = Case.objects.visible_to(user)
    if root is not None:
        cases = cases.filter(association__path__under=root.path)
    received = Q(received_on__gte=first, received_on__lte=last)
    closed = Q(closed_on__gte=first, closed_on__lte=last)
    not_closed = ~Q(status=Case.Status.CLOSED)
    by_area: dict[str, Figures] = {}
    for row in (
        cases.filter(received | closed | not_closed)
        .order_by()
        .values("association__path")
        .annotate(
            n_received=Count("pk", filter=received),
            n_closed=Count("pk", filter=closed),
            n_on_time=Count("pk", filter=closed & Q(closed_on__lte=F("deadline"))),
            n_rated=Count("pk", filter=closed & ~Q(satisfaction="")),
            n_satisfied=Count("pk", filter=closed & Q(satisfaction__in=SATISFIED)),
            n_dissatisfied=Count(
                "pk", filter=closed & Q(satisfaction=Case.Satisfaction.DISSATISFIED)
            ),
            n_open=Count("pk", filter=not_closed),
            n_overdue=Count("pk", filter=not_closed & Q(deadline__lt=today)),
        )
    ):
        by_area[row["association__path"]] = Figures(
            received=row["n_received"],
            closed=row["n_closed"],
            on_time=row["n_on_time"],
            rated=row["n_rated"],
            satisfied=row["n_satisfied"],
            dissatisfied=row["n_dissatisfied"],
            open_now=row["n_open"],
            overdue_now=row["n_overdue"],
        )
    by_kind = [
        KindFigure(code=row["kind__code"], name=row["kind__name"], received=row["n"])
        for row in cases.filter(received)
        .order_by()
        .values("kind__code", "kind__name", "kind__sort")
        .annotate(n=Count("pk"))
        .order_by("kind__sort", "kind__code")
    ]
    total, rows = _roll_up(user, root, by_area)
    return CaseFigures(first=first, last=last, total=total, rows=rows, by_kind=by_kind)


def _roll_up(
    user: User, root: Association | None, by_area: dict[str, Figures]
) -> tuple[Figures, list[Figures]]:
    total = Figures(code=root.code if root else "", name=root.name if root else "")
    for figures in by_area.values():
        total.add(figures)
    if root is None or not by_area:
        return total, []
    # The child of `root` that each path lies under: the next segment of the path; the root's
    # own cases make a row of their own.
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
    return total, [f for _path, f in ordered if not f.empty]
