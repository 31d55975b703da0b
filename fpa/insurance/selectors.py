"""Reads of insurance, all through `visible_to(user)`; lists are keyset-paged and bounded in
queries (no per-row reads)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fpa.accounts.models import User
from fpa.core.pagination import Page, sorted_page
from fpa.core.protected import blind_index
from fpa.insurance.models import Claim, ClaimDocument, Enrolment, PolicyYear, Product, Settings
from fpa.organizations.models import Association

ROSTER_SORTS: dict[str, tuple[Any, str, bool]] = {
    "recent": (_("最近参保"), "id", True),
    "area": (_("所属协会"), "association__path", False),
    "birth": (_("出生日期"), "birth_date", False),
    "from": (_("保障起始"), "covered_from", False),
}
CLAIM_SORTS: dict[str, tuple[Any, str, bool]] = {
    "event": (_("出险日期（新→旧）"), "event_on", True),
    "reported": (_("报案日期（新→旧）"), "reported_on", True),
    "submitted": (_("提交日期（旧→新）"), "submitted_on", False),
    "area": (_("所属协会"), "association__path", False),
}
CLAIM_STATES = ("open", "overdue", *Claim.Status.values, "all")


def products(*, user: User) -> QuerySet[Product]:
    return (
        Product.objects.visible_to(user)
        .select_related("association")
        .annotate(years_count=Count("years"))
    )


def policy_years(*, user: User, product: Product | None = None) -> QuerySet[PolicyYear]:
    rows = PolicyYear.objects.visible_to(user).select_related("product__association", "grant")
    if product is not None:
        rows = rows.filter(product=product)
    return rows.order_by("-year", "product__name", "id")


def year_counts(*, user: User, policy_year: PolicyYear) -> dict[str, int]:
    """Enrolled and removed people of the year that the user sees, in one grouped query."""
    rows = (
        Enrolment.objects.visible_to(user)
        .filter(policy_year=policy_year)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
    )
    counts = {status: 0 for status in Enrolment.Status.values}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


@dataclass(frozen=True)
class RosterFilters:
    area: Association | None = None
    status: str = ""
    source: str = ""
    id_number: str = ""
    by_rule: bool | None = None


def roster(*, user: User, policy_year: PolicyYear, filters: RosterFilters) -> QuerySet[Enrolment]:
    rows = (
        Enrolment.objects.visible_to(user)
        .filter(policy_year=policy_year)
        .select_related("association")
    )
    if filters.area is not None:
        rows = rows.filter(association__path__under=filters.area.path)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.source:
        rows = rows.filter(source=filters.source)
    if filters.by_rule is not None:
        rows = rows.filter(by_rule=filters.by_rule)
    if filters.id_number:
        try:
            rows = rows.filter(id_number_hash=blind_index("id_number", filters.id_number))
        except ValidationError:  # an invalid number matches nobody
            rows = rows.none()
    return rows


def roster_page(
    *,
    user: User,
    policy_year: PolicyYear,
    filters: RosterFilters,
    sort: str,
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
) -> Page:
    _label, key, descending = ROSTER_SORTS.get(sort, ROSTER_SORTS["recent"])
    return sorted_page(
        roster(user=user, policy_year=policy_year, filters=filters),
        key=key,
        descending=descending,
        after=after,
        before=before,
        size=size,
    )


def enrolments_of(
    *, user: User, person_id: int | None = None, family_id: int | None = None
) -> QuerySet[Enrolment]:
    """A family's (or one person's) enrolments in every year, newest first."""
    rows = Enrolment.objects.visible_to(user).select_related("policy_year__product")
    if person_id is not None:
        rows = rows.filter(person_id=person_id)
    elif family_id is not None:
        rows = rows.filter(family_id=family_id)
    else:
        return rows.none()
    return rows.order_by("-policy_year__year", "id")


def overdue_days() -> int:
    return Settings.current().overdue_days


@dataclass(frozen=True)
class ClaimFilters:
    area: Association | None = None
    state: str = "open"
    kind: str = ""
    year: int | None = None
    policy_year: PolicyYear | None = None
    # The claims behind a report figure (`claim_figures`): "cases" or "amount" over [first, last].
    figure: str = ""
    first: datetime.date | None = None
    last: datetime.date | None = None


def claims(*, user: User, filters: ClaimFilters) -> QuerySet[Claim]:
    rows = Claim.objects.visible_to(user).select_related(
        "association", "enrolment__policy_year__product"
    )
    if filters.area is not None:
        rows = rows.filter(association__path__under=filters.area.path)
    if filters.state == "open":
        rows = rows.exclude(status=Claim.Status.CLOSED)
    elif filters.state == "overdue":
        rows = rows.overdue(timezone.localdate())
    elif filters.state in Claim.Status.values:
        rows = rows.filter(status=filters.state)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.year:
        rows = rows.filter(event_on__year=filters.year)
    if filters.policy_year is not None:
        rows = rows.filter(enrolment__policy_year=filters.policy_year)
    if filters.figure in ("cases", "amount") and filters.first and filters.last:
        rows = rows.filter(_claim_conditions(filters.first, filters.last)[filters.figure])
    return rows


def claim_page(
    *,
    user: User,
    filters: ClaimFilters,
    sort: str,
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
) -> Page:
    _label, key, descending = CLAIM_SORTS.get(sort, CLAIM_SORTS["event"])
    return sorted_page(
        claims(user=user, filters=filters),
        key=key,
        descending=descending,
        after=after,
        before=before,
        size=size,
    )


def overdue_claims(*, user: User) -> QuerySet[Claim]:
    """Submitted to the insurer and not answered within the configured number of days."""
    return Claim.objects.visible_to(user).overdue(timezone.localdate())


def claim_documents(*, user: User, claim: Claim) -> QuerySet[ClaimDocument]:
    return ClaimDocument.objects.visible_to(user).filter(claim=claim)


@dataclass(frozen=True)
class ClaimFigures:
    cases: int
    amount: Decimal


def _claim_conditions(first: datetime.date, last: datetime.date) -> dict[str, Q]:
    """The 暖心行动 report's two claim figures over [first, last]: cases are claims reported in
    the period; the amount is paid on claims decided (paid or closed) in it."""
    return {
        "cases": Q(reported_on__gte=first, reported_on__lte=last),
        "amount": Q(
            status__in=(Claim.Status.PAID, Claim.Status.CLOSED),
            decided_on__gte=first,
            decided_on__lte=last,
        ),
    }


def claim_figures(
    *, user: User, root: Association, first: datetime.date, last: datetime.date
) -> ClaimFigures:
    """The 暖心行动 report's 保险理赔 for `root`'s subtree: claims reported in [first, last]
    (cases) and the amount paid on claims decided in that period (yuan), in one query."""
    when = _claim_conditions(first, last)
    row = (
        Claim.objects.visible_to(user)
        .filter(association__path__under=root.path)
        .aggregate(
            cases=Count("id", filter=when["cases"]),
            amount=Sum("amount_paid", filter=when["amount"]),
        )
    )
    amount = Decimal(row["amount"] or 0).quantize(Decimal("0.01"))
    return ClaimFigures(cases=row["cases"] or 0, amount=amount)


def claims_behind_figure(
    *, user: User, root: Association, first: datetime.date, last: datetime.date, figure: str
) -> QuerySet[Claim]:
    """The claims counted in `claim_figures`' `figure` ("cases" or "amount"), same conditions."""
    return (
        Claim.objects.visible_to(user)
        .filter(association__path__under=root.path)
        .filter(_claim_conditions(first, last)[figure])
    )


def enrolment_get(*, user: User, pk: int) -> Enrolment:
    """One enrolment in the user's scope (DoesNotExist outside it: a 404)."""
    return Enrolment.objects.visible_to(user).select_related("association").get(pk=pk)


def claims_of_family(*, user: User, family_id: int) -> QuerySet[Claim]:
    return (
        Claim.objects.visible_to(user)
        .filter(family_id=family_id)
        .select_related("enrolment")
        .order_by("-event_on", "-id")
    )


def is_overdue(claim: Claim) -> bool:
    return (
        claim.status == Claim.Status.SUBMITTED
        and claim.due_on is not None
        and claim.due_on < timezone.localdate()
    )


def registry_person(*, user: User, source: str, id_number: str) -> dict[str, Any] | None:
    """The person of a registry (special-family people, members, volunteers) with this ID
    number inside the user's scope, as the keyword argument `enrolment_add` takes; None if none."""
    from fpa.families.models import Person
    from fpa.members.models import Member
    from fpa.volunteers.models import Volunteer

    registries: dict[str, tuple[Any, str]] = {
        Enrolment.Source.PERSON: (Person, "person"),
        Enrolment.Source.MEMBER: (Member, "member"),
        Enrolment.Source.VOLUNTEER: (Volunteer, "volunteer"),
    }
    if source not in registries:
        return None
    model, name = registries[source]
    found = (
        model.objects.visible_to(user)
        .filter(id_number_hash=blind_index("id_number", id_number))
        .first()
    )
    return {name: found} if found is not None else None
