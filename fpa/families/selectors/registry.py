"""The registry's lists and pages: the family list, a family's page, payment decision, the API's
single reads."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter
from typing import Any, NamedTuple

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from fpa.accounts.models import User
from fpa.core.names import is_ascii_query, normalize_query
from fpa.core.pagination import Page, keyset_page, keyset_window
from fpa.core.scope import scope_path_of
from fpa.core.statements import Statement, StatementMemo
from fpa.families import eligibility
from fpa.families.models import (
    Contact,
    Family,
    PaymentRate,
    Person,
    StatusChange,
)
from fpa.organizations.models import Association

# The columns of the family list page, in the order of `FamilyListItem`.
LIST_FIELDS = ("id", "head_name", "status", "registered_on", "association__name")


class FamilyListItem(NamedTuple):
    """One family of the list page: what it shows, read as a row."""

    pk: int
    head_name: str
    status: str
    registered_on: datetime.date | None
    association_name: str


# The list page's compiled statements, per worker (fpa.core.statements).
LIST_STATEMENTS = StatementMemo(size=1024)


def _families(
    *,
    user: User,
    query: str,
    status: str,
    association: Association | None,
    mine: bool,
    ids: list[int] | None,
) -> QuerySet[Family]:
    """The families the user sees, filtered; `query` is normalised already."""
    queryset = Family.objects.visible_to(user)
    if mine:
        queryset = queryset.filter(
            Exists(Contact.objects.filter(family=OuterRef("pk"), user=user, end_date__isnull=True))
        )
    if status:
        queryset = queryset.filter(status=status)
    if association is not None:
        queryset = queryset.filter(association__path__under=association.path)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids[:5000])
    if query:
        if is_ascii_query(query):
            key = query.replace(" ", "").lower()
            queryset = queryset.filter(
                Q(head_initials__startswith=key) | Q(head_pinyin__startswith=key)
            )
        else:
            queryset = queryset.filter(head_name__contains=query)
    return queryset


def family_list(
    *,
    user: User,
    query: str = "",
    status: str = Family.Status.ACTIVE,
    association: Association | None = None,
    mine: bool = False,
    ids: list[int] | None = None,
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
) -> Page:
    """A page of the families the user sees, as model instances (the API)."""
    queryset = _families(
        user=user,
        query=normalize_query(query),
        status=status,
        association=association,
        mine=mine,
        ids=ids,
    ).select_related("association")
    return keyset_page(queryset, key="id", after=after, before=before, size=size)


def family_list_rows(
    *,
    user: User,
    query: str = "",
    status: str = Family.Status.ACTIVE,
    association: Association | None = None,
    ids: list[int] | None = None,
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
) -> Page:
    """The list page's page of families, as `FamilyListItem` rows. The same families as
    `family_list` with the same arguments; the compiled statement is kept per worker, keyed by
    every input of the SQL (`LIST_STATEMENTS`), except for `ids` (a figure's click-through, up
    to 5,000 of them), which is compiled each time."""
    path = scope_path_of(user)
    if path is None:
        return Page(items=[], next_cursor=None, prev_cursor=None, size=size)
    query = normalize_query(query)
    window = keyset_window(Family, key="id", after=after, before=before, size=size)

    def build() -> QuerySet[Any]:
        families = _families(
            user=user, query=query, status=status, association=association, mine=False, ids=ids
        )
        return window.query(families.values_list(*LIST_FIELDS))

    if ids is not None:
        statement = Statement.compile(build())
    else:
        key = (
            Family.objects.db,
            user.pk,
            path,
            user.has_capability("family.view"),
            query,
            status,
            association.path if association is not None else None,
            window,
        )
        statement = LIST_STATEMENTS.statement(key, build)
    rows = [FamilyListItem(*row) for row in statement.rows()]
    return window.page(rows, key_of=attrgetter("pk"))


@dataclass
class Timeline:
    entries: list[tuple[datetime.date, str, Any]] = field(default_factory=list)


def family_detail(*, user: User, family: Family) -> dict[str, Any]:
    """Everything a family's page shows, in a fixed number of queries."""
    people = list(family.people.all().order_by("role", "id"))
    contacts = list(
        family.contacts.select_related("role", "user").order_by(
            F("end_date").asc(nulls_first=True), "-start_date", "id"
        )
    )
    supports = list(family.supports.all().order_by("kind", "-start_date"))
    care = list(
        family.care_records.select_related("kind", "recorded_by").prefetch_related("photos")[:100]
    )
    needs = list(
        family.needs.select_related("owner", "raised_in").order_by("status", "-created_at")[:100]
    )
    changes = list(family.status_changes.select_related("recorded_by")[:50])
    timeline: list[tuple[Any, str, Any]] = [(family.registered_on, "registered", family)]
    timeline += [(c.occurred_on, "care", c) for c in care]
    timeline += [(timezone.localdate(n.created_at), "need", n) for n in needs]
    timeline += [(s.effective_date, "status", s) for s in changes]
    timeline += [(c.start_date, "contact", c) for c in contacts]
    timeline += [(s.start_date, "support", s) for s in supports]
    timeline.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
    return {
        "people": people,
        "contacts": contacts,
        "supports": supports,
        "care": care,
        "needs": needs,
        "timeline": timeline[:200],
        "decision": payment_decision(family=family, people=people),
    }


Rates = list[tuple[str, Decimal, datetime.date]]


def rate_table() -> Rates:
    """Every dated rate as (kind, monthly amount, valid from): what `eligibility.decide` reads."""
    return [(r.kind, r.monthly_amount, r.valid_from) for r in PaymentRate.objects.all()]


def payment_decision(
    *,
    family: Family,
    people: list[Person],
    rates: Rates | None = None,
    on: datetime.date | None = None,
) -> eligibility.Decision:
    """Whether the family qualifies for the special assistance on `on` (today by default) and
    the monthly amount per person then: a family's page, and each family of the payment roster
    (which passes the rate table it read once and the month's last day)."""
    mother = next((p for p in people if p.role == Person.Role.MOTHER), None)
    child = next((p for p in people if p.role == Person.Role.CHILD), None)
    facts = eligibility.Facts(
        kind=family.kind,
        mother_birth=mother.birth_date if mother else None,
        one_child_only=family.one_child_only,
        later_child=family.later_child,
        child_died=bool(child and child.death_date),
        disability_grade=child.disability_grade if child else None,
    )
    return eligibility.decide(
        facts,
        today=on or timezone.localdate(),
        rates=rate_table() if rates is None else rates,
    )


def status_history(*, user: User, family: Family) -> QuerySet[StatusChange]:
    return StatusChange.objects.visible_to(user).filter(family=family)


def payment_rates() -> list[PaymentRate]:
    """Every dated rate of the special assistance (not scoped: the county's published standard)."""
    return list(PaymentRate.objects.all())


# --- the API's reads --------------------------------------------------------------------------


def looks_after_any(user: User) -> bool:
    """Whether the user is a current contact person of some family."""
    return Contact.objects.filter(user=user, end_date__isnull=True).exists()


def family_get(*, user: User, pk: int) -> Family:
    """The family inside the user's scope (Family.DoesNotExist otherwise, like a missing id)."""
    return Family.objects.visible_to(user).select_related("association").get(pk=pk)
