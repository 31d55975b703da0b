"""Reads of the migrant registry and the enterprise profiles: scoped by `visible_to(user)`,
bounded in queries.

The list is sorted by one of a few keys and paged by keyset on (key, id): the cursor is the id
of the last row seen, its key read back inside the user's scope. The counts per association are
one grouped query, rolled up to the children of the area asked for (`migrant_counts`), used by
the list, the counts page, the API and the member report.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fpa.accounts.models import User
from fpa.accounts.roles import CAPABILITIES
from fpa.activities import selectors as activity_selectors
from fpa.core.care import selectors as care
from fpa.core.pagination import Page, keyset_page, sorted_page
from fpa.core.protected import blind_index
from fpa.core.scope import path_is_under, scope_path_of
from fpa.members import selectors as member_selectors
from fpa.migrants.care import MIGRANT_CARE
from fpa.migrants.models import (
    EMPLOYER_KINDS,
    HOLDER_KINDS,
    PROFILE_KINDS,
    EnterpriseProfile,
    Evaluation,
    Migrant,
    Need,
    ServiceKind,
)
from fpa.migrants.services.common import EDIT, employer_base
from fpa.organizations.models import Association

# ?sort= value -> (label, field, descending). The first is the default.
SORTS: dict[str, tuple[Any, str, bool]] = {
    "recent": (_("最近登记"), "id", True),
    "arrival": (_("流入（流出）日期（近→远）"), "arrival_key", True),
    "area": (_("登记协会"), "association__path", False),
    "origin": (_("流出地"), "origin_code", False),
}


@dataclass(frozen=True)
class MigrantFilters:
    """What the list, its export and the API are filtered by (each empty value: no filter)."""

    association: Association | None = None
    direction: str = ""
    status: str = "active"
    origin_province: str = ""  # two digits
    arrived_from: datetime.date | None = None
    arrived_to: datetime.date | None = None
    employer: Association | None = None
    id_number: str = ""  # exact, through the keyed hash
    departure_passed: bool = False


def _migrants(user: User, filters: MigrantFilters) -> QuerySet[Migrant]:
    queryset = Migrant.objects.visible_to(user)
    if filters.association is not None:
        queryset = queryset.filter(association__path__under=filters.association.path)
    if filters.direction:
        queryset = queryset.filter(direction=filters.direction)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.origin_province:
        queryset = queryset.filter(origin_code__startswith=filters.origin_province[:2])
    if filters.arrived_from:
        queryset = queryset.filter(arrived_on__gte=filters.arrived_from)
    if filters.arrived_to:
        queryset = queryset.filter(arrived_on__lte=filters.arrived_to)
    if filters.employer is not None:
        queryset = queryset.filter(employer=filters.employer)
    if filters.id_number:
        try:
            digest = blind_index("id_number", filters.id_number)
        except ValidationError:  # not a valid number: nothing matches
            return queryset.none()
        queryset = queryset.filter(id_number_hash=digest)
    if filters.departure_passed:
        queryset = queryset.departure_passed(timezone.localdate())
    return queryset


def migrant_list(
    *,
    user: User,
    filters: MigrantFilters,
    sort: str = "",
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
) -> Page:
    queryset = _migrants(user, filters).select_related("association", "employer")
    _label, key, descending = SORTS.get(sort) or SORTS["recent"]
    if key == "id":
        return keyset_page(
            queryset, key="id", after=after, before=before, size=size, descending=descending
        )
    if key == "arrival_key":
        queryset = queryset.annotate(arrival_key=Coalesce("arrived_on", "registered_on"))
    return sorted_page(
        queryset, key=key, descending=descending, after=after, before=before, size=size
    )


def migrants_for_export(*, user: User, filters: MigrantFilters) -> QuerySet[Migrant]:
    """The list's rows for the workbook, in tree order."""
    return (
        _migrants(user, filters)
        .select_related("association", "employer")
        .order_by("association__path", "id")
    )


def migrant_get(*, user: User, pk: int) -> Migrant:
    return Migrant.objects.visible_to(user).select_related("association", "employer").get(pk=pk)


def migrant_detail(*, user: User, migrant: Migrant) -> dict[str, Any]:
    """What a migrant's page shows, in a fixed number of queries (the caller loaded the migrant
    inside the scope)."""
    return {
        "family": list(migrant.family.order_by("id")),
        "services": list(
            migrant.services.select_related("kind", "recorded_by", "recorded_in").order_by(
                "-served_on", "-id"
            )[:200]
        ),
        "needs": list(needs_of(user=user, migrant=migrant).order_by("-id")),
    }


# --- needs (the care mechanism's selectors with the module's spec) ---------------------------


def needs_of(*, user: User, migrant: Migrant, status: str = "") -> QuerySet[Need]:
    """The migrant's needs with their owners (`fpa.core.care.selectors.needs_of`)."""
    return care.needs_of(MIGRANT_CARE, user=user, subject=migrant, status=status)


def need_get(*, user: User, pk: int) -> Need:
    return Need.objects.visible_to(user).select_related("migrant__association").get(pk=pk)


def needs_due(
    *, user: User, within_days: int = 3, today: datetime.date | None = None
) -> QuerySet[Need]:
    """Open needs this user owns whose deadline is past or within `within_days`, the earliest
    deadline first (the to-do; the same rule as the special families' and 三留守 needs)."""
    today = today or timezone.localdate()
    return (
        Need.objects.visible_to(user)
        .filter(owner=user, status__in=Need.OPEN_STATUSES)
        .filter(due_date__lte=today + datetime.timedelta(days=within_days))
        .select_related("migrant")
        .order_by("due_date", "id")
    )


def is_overdue(need: Need, today: datetime.date | None = None) -> bool:
    """Open past its deadline (the page's mark)."""
    today = today or timezone.localdate()
    return bool(need.is_open and need.due_date is not None and need.due_date < today)


def need_owners(user: User, migrant: Migrant) -> QuerySet[User]:
    """Active accounts of the user's subtree holding `migrant.edit` whose own scope holds the
    migrant's association: who may own one of its needs (the page's choice; the service checks
    the rule again)."""
    parts = migrant.association.path.strip("/").split("/")
    covering = ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]
    roles = [role for role, caps in CAPABILITIES.items() if EDIT in caps]
    return (
        User.objects.visible_to(user)
        .filter(is_active=True, home_association__path__in=covering, roles__role__in=roles)
        .select_related("home_association")
        .distinct()
        .order_by("home_association__path", "pk")
    )


def departure_passed(*, user: User, today: datetime.date | None = None) -> QuerySet[Migrant]:
    """Migrants still in the register after their expected departure (the module's to-do)."""
    return Migrant.objects.visible_to(user).departure_passed(today or timezone.localdate())


def service_kinds(*, active_only: bool = True) -> QuerySet[ServiceKind]:
    kinds = ServiceKind.objects.order_by("sort", "id")
    return kinds.filter(active=True) if active_only else kinds


def holders(*, user: User) -> QuerySet[Association]:
    """Associations in scope that may register a migrant."""
    return Association.objects.visible_to(user).current().filter(kind__in=HOLDER_KINDS)


def employer_choices(*, user: User) -> QuerySet[Association]:
    """Workplace associations a user may link a migrant to: enterprise-type associations of
    their township's subtree (a village worker) or of their own subtree."""
    base = employer_base(user)
    if base is None:
        return Association.objects.none()
    choices: QuerySet[Association] = (
        Association.objects.current()
        .filter(path__under=base, kind__in=EMPLOYER_KINDS)
        .order_by("path")
    )
    return choices


def party_branch_choices(*, user: User) -> QuerySet[Association]:
    return (
        Association.objects.visible_to(user)
        .current()
        .filter(kind=Association.Kind.PARTY_BRANCH)
        .order_by("path")
    )


# --- counts per association -----------------------------------------------------------------


@dataclass
class CountRow:
    code: str = ""
    name: str = ""
    inflow: int = 0
    outflow: int = 0
    departure_passed: int = 0
    own: bool = False  # migrants registered by the root itself (本级)

    @property
    def total(self) -> int:
        return self.inflow + self.outflow

    def add(self, other: CountRow) -> None:
        self.inflow += other.inflow
        self.outflow += other.outflow
        self.departure_passed += other.departure_passed


@dataclass
class MigrantCounts:
    """Migrants in the register under an association: the total and one row per child (rolled
    up over its subtree), plus 本级 for those the association registered itself."""

    total: CountRow
    rows: list[CountRow] = field(default_factory=list)


def migrant_counts(
    *, user: User, root: Association | None = None, today: datetime.date | None = None
) -> MigrantCounts:
    """In-register (在册) inflow and outflow under `root` (the user's home when None; nothing
    outside the scope), by child association: one grouped query over the migrants and one for
    the children's names, whatever the number of migrants."""
    today = today or timezone.localdate()
    path = scope_path_of(user)
    root = root or user.home_association
    if path is None or root is None or not path_is_under(root.path, path):
        return MigrantCounts(total=CountRow())
    if not user.has_capability("migrant.view"):
        return MigrantCounts(total=CountRow(code=root.code, name=root.name))
    rows = (
        Migrant.objects.filter(association__path__under=root.path, status=Migrant.Status.ACTIVE)
        .order_by()
        .values("association__path")
        .annotate(
            inflow=Count("pk", filter=Q(direction=Migrant.Direction.INFLOW)),
            outflow=Count("pk", filter=Q(direction=Migrant.Direction.OUTFLOW)),
            passed=Count("pk", filter=Q(expected_departure__lt=today)),
        )
    )
    total = CountRow(code=root.code, name=root.name)
    by_child: dict[str, CountRow] = {}
    for row in rows:
        counted = CountRow(
            inflow=row["inflow"], outflow=row["outflow"], departure_passed=row["passed"]
        )
        total.add(counted)
        rest = row["association__path"][len(root.path) :]
        key = f"{root.path}{rest.split('/', 1)[0]}/" if rest else root.path
        by_child.setdefault(key, CountRow()).add(counted)
    if not by_child:
        return MigrantCounts(total=total)
    named = {
        a.path: a
        for a in Association.objects.filter(path__in=list(by_child)).only("code", "name", "path")
    }
    out: list[CountRow] = []
    for key in sorted(by_child, key=lambda p: (p != root.path, p)):
        child = by_child[key]
        if key == root.path:
            child.code, child.own = root.code, True
            child.name = gettext("%(name)s（本级）") % {"name": root.name}
        else:
            holder = named[key]
            child.code, child.name = holder.code, holder.name
        out.append(child)
    return MigrantCounts(total=total, rows=out)


# --- enterprise profiles --------------------------------------------------------------------


def profiled_associations(
    *, user: User, demonstration: bool = False, query: str = ""
) -> QuerySet[Any]:
    """The enterprise-type associations in scope, each with its profile (or none yet) and the
    migrants in the register working there (one subquery; no join that multiplies rows)."""
    working = (
        Migrant.objects.filter(employer=OuterRef("pk"), status=Migrant.Status.ACTIVE)
        .order_by()
        .values("employer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    queryset: QuerySet[Any] = (
        Association.objects.visible_to(user)
        .current()
        .filter(kind__in=PROFILE_KINDS)
        .select_related("enterprise_profile", "parent")
        .annotate(working=Coalesce(Subquery(working, output_field=IntegerField()), Value(0)))
        .order_by("path")
    )
    if demonstration:
        queryset = queryset.filter(enterprise_profile__demonstration=True)
    if query:
        queryset = queryset.filter(
            Q(name__contains=query[:50]) | Q(enterprise_profile__firm_name__contains=query[:50])
        )
    return queryset


def profile_of(association: Association) -> EnterpriseProfile | None:
    return (
        EnterpriseProfile.objects.filter(association=association)
        .select_related("party_branch")
        .first()
    )


@dataclass
class ProfileFigures:
    """What the profile page counts, each with the list it clicks through to."""

    members: dict[str, int]
    activities: int
    migrants_working: int
    migrants_registered: int
    evaluations: list[Evaluation]


def profile_figures(*, user: User, association: Association) -> ProfileFigures:
    """Members by type (the members' tallies), activities held, migrants working there and
    those the association registered, its 示范点 evaluations: a fixed number of queries."""
    members = member_selectors.counts(user=user, association=association).figures
    activities = activity_selectors.activities(user=user, under=association).count()
    visible = Migrant.objects.visible_to(user).active()
    return ProfileFigures(
        members=members,
        activities=activities,
        migrants_working=visible.filter(employer=association).count(),
        migrants_registered=visible.filter(association__path__under=association.path).count(),
        evaluations=list(
            Evaluation.objects.filter(profile__association=association)
            .select_related("recorded_by")
            .order_by("-year", "-id")
        ),
    )
