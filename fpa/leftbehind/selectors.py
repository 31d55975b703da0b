"""Reads of the 三留守 registry: scoped by `visible_to(user)` (the children rule included),
bounded in queries.

The list is sorted by one of a few keys and paged by keyset on (key, id). "Overdue" (behind the
contact-frequency rules, `fpa.core.care.rules`) is one database condition over the schedule
stored on each person (`fpa.core.care.stored`): the list's filter, the area's count and the
to-dos all read `overdue_people`, whatever the number of people.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fpa.accounts.models import User
from fpa.accounts.roles import CAPABILITIES
from fpa.core.care import selectors as care
from fpa.core.care import stored
from fpa.core.pagination import Page, keyset_page, sorted_page
from fpa.core.protected import blind_index
from fpa.core.scope import scope_path_of
from fpa.families.models import CareKind, ContactRole
from fpa.families.selectors import assignable_accounts
from fpa.leftbehind.care import PERSON_CARE
from fpa.leftbehind.models import (
    LeftBehindCare,
    LeftBehindContact,
    LeftBehindNeed,
    LeftBehindPerson,
    child_q,
)
from fpa.organizations.models import Association

# ?sort= value -> (label, field, descending). The first is the default.
SORTS: dict[str, tuple[Any, str, bool]] = {
    "recent": (_("最近登记"), "id", True),
    "risk": (_("风险等级（高→低）"), "risk_rank", True),
    "area": (_("所属村（社区）"), "association__path", False),
    "kind": (_("类别"), "kind", False),
}
RISK_RANK = {"low": 1, "medium": 2, "high": 3}


@dataclass(frozen=True)
class PersonFilters:
    """What the list, its export and the API are filtered by (each empty value: no filter)."""

    association: Association | None = None
    kind: str = ""
    risk: str = ""
    status: str = "active"
    overdue: bool = False
    id_number: str = ""  # exact, through the keyed hash


def _people(user: User, filters: PersonFilters) -> QuerySet[LeftBehindPerson]:
    queryset: QuerySet[LeftBehindPerson] = LeftBehindPerson.objects.visible_to(user)
    if filters.association is not None:
        queryset = queryset.filter(association__path__under=filters.association.path)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.risk:
        queryset = queryset.filter(risk=filters.risk)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.id_number:
        queryset = queryset.filter(id_number_hash=blind_index("id_number", filters.id_number))
    if filters.overdue:
        queryset = overdue_people(queryset)
    return queryset


def overdue_people(
    queryset: QuerySet[LeftBehindPerson], today: datetime.date | None = None
) -> QuerySet[LeftBehindPerson]:
    """The active records of `queryset` behind their contact schedule on `today` (by default
    today): one condition on the person's own row, so a count is one query at any scale."""
    return queryset.filter(status=LeftBehindPerson.Status.ACTIVE).filter(
        stored.overdue_q(today or timezone.localdate())
    )


def person_list(
    *,
    user: User,
    filters: PersonFilters,
    sort: str = "",
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
) -> Page:
    queryset = (
        _people(user, filters)
        .select_related("association")
        .prefetch_related(care.current_contacts(PERSON_CARE))
    )
    _label, key, descending = SORTS.get(sort) or SORTS["recent"]
    if key == "id":
        page = keyset_page(
            queryset, key="id", after=after, before=before, size=size, descending=descending
        )
    else:
        if key == "risk_rank":
            queryset = queryset.annotate(
                risk_rank=Case(
                    *(When(risk=k, then=Value(v)) for k, v in RISK_RANK.items()),
                    output_field=IntegerField(),
                )
            )
        page = sorted_page(
            queryset, key=key, descending=descending, after=after, before=before, size=size
        )
    _with_schedule(page.items)
    return page


def _with_schedule(people: list[LeftBehindPerson]) -> None:
    """Each listed person's `due` (what is overdue), in two grouped queries."""
    rows = care.schedule(PERSON_CARE, subjects=people, reference=lambda p: p.registered_on)
    for row in rows:
        row.subject.due = row


def people_for_export(*, user: User, filters: PersonFilters) -> QuerySet[LeftBehindPerson]:
    """The list's rows for the workbook, in tree order."""
    return _people(user, filters).select_related("association").order_by("association__path", "id")


def care_for_export(*, user: User, filters: PersonFilters) -> QuerySet[LeftBehindCare]:
    """The care records (as the user sees them) of the people the list shows with these
    filters, in tree order, then by date."""
    people = _people(user, filters).order_by().values("pk")
    return (
        LeftBehindCare.objects.visible_to(user)
        .filter(person__in=people)
        .select_related("person__association", "kind", "contact", "recorded_by")
        .order_by("person__association__path", "person_id", "occurred_on", "id")
    )


def person_get(*, user: User, pk: int) -> LeftBehindPerson:
    return LeftBehindPerson.objects.visible_to(user).select_related("association").get(pk=pk)


def person_detail(*, user: User, person: LeftBehindPerson) -> dict[str, Any]:
    """What a person's page shows: contacts, the last 100 care records, needs, the schedule."""
    due = care.schedule(PERSON_CARE, subjects=[person], reference=lambda p: p.registered_on)
    return {
        "contacts": list(care.contacts_of(PERSON_CARE, user=user, subject=person)),
        "records": list(care.care_records(PERSON_CARE, user=user, subject=person)[:100]),
        "needs": list(care.needs_of(PERSON_CARE, user=user, subject=person).order_by("-id")),
        "due": due[0] if due else None,
        "is_contact": care.is_contact(PERSON_CARE, user, person),
    }


def care_records(*, user: User, person: LeftBehindPerson) -> QuerySet[LeftBehindCare]:
    return care.care_records(PERSON_CARE, user=user, subject=person)


def needs_of(*, user: User, person: LeftBehindPerson, status: str = "") -> QuerySet[LeftBehindNeed]:
    return care.needs_of(PERSON_CARE, user=user, subject=person, status=status)


def contacts_of(
    *, user: User, person: LeftBehindPerson, current_only: bool = False
) -> QuerySet[LeftBehindContact]:
    return care.contacts_of(PERSON_CARE, user=user, subject=person, current_only=current_only)


def contact_get(*, user: User, pk: int) -> LeftBehindContact:
    return (
        LeftBehindContact.objects.visible_to(user).select_related("person__association").get(pk=pk)
    )


def need_get(*, user: User, pk: int) -> LeftBehindNeed:
    return LeftBehindNeed.objects.visible_to(user).select_related("person__association").get(pk=pk)


def care_kinds() -> QuerySet[CareKind]:
    return CareKind.objects.all()


def contact_roles() -> QuerySet[ContactRole]:
    return ContactRole.objects.all()


def is_contact(user: User, person: LeftBehindPerson) -> bool:
    return care.is_contact(PERSON_CARE, user, person)


def may_reveal(user: User, person: LeftBehindPerson) -> bool:
    """Who may see a person's values in full (each reveal audited): holders of
    `personal.reveal`, or a current contact person of the person."""
    return user.has_capability("personal.reveal") or is_contact(user, person)


# --- a contact person's people and the supervisor's overdue count ---------------------------


def my_due(*, user: User, today: datetime.date | None = None) -> list[care.DueRow]:
    """The people the user looks after, the most overdue first."""
    people = list(_looked_after(user).select_related("association").order_by("pk")[:500])
    rows = care.schedule(
        PERSON_CARE, subjects=people, reference=lambda p: p.registered_on, today=today
    )
    return sorted(rows, key=lambda r: (-len(r.overdue), r.subject.pk))


def area_overdue_count(*, user: User, today: datetime.date | None = None) -> int:
    """Active records of the user's subtree (as the user sees them) behind their schedule: the
    supervisor's to-do."""
    if scope_path_of(user) is None or not user.has_capability("leftbehind.edit"):
        return 0
    return overdue_people(LeftBehindPerson.objects.visible_to(user), today=today).count()


def _looked_after(user: User) -> QuerySet[LeftBehindPerson]:
    """The active people the user currently looks after (as a contact person)."""
    return LeftBehindPerson.objects.active().filter(
        Exists(
            LeftBehindContact.objects.filter(
                person=OuterRef("pk"), user=user.pk, end_date__isnull=True
            )
        )
    )


def my_overdue_count(*, user: User, today: datetime.date | None = None) -> int:
    """The people the user looks after who are behind their schedule: the contact's to-do."""
    if getattr(user, "pk", None) is None:
        return 0
    return overdue_people(_looked_after(user), today=today).count()


def needs_due(
    *, user: User, within_days: int = 3, today: datetime.date | None = None
) -> QuerySet[LeftBehindNeed]:
    """Open needs this user owns whose deadline is past or within `within_days`."""
    today = today or timezone.localdate()
    return (
        LeftBehindNeed.objects.visible_to(user)
        .filter(owner=user, status__in=LeftBehindNeed.OPEN_STATUSES)
        .filter(due_date__lte=today + datetime.timedelta(days=within_days))
        .order_by("due_date", "id")
    )


# --- counts per association (reports) -------------------------------------------------------


@dataclass
class AreaCount:
    association_id: int
    code: str
    name: str
    elderly: int = 0
    child: int = 0
    woman: int = 0
    high_risk: int = 0

    @property
    def total(self) -> int:
        return self.elderly + self.child + self.woman


def counts_per_association(*, user: User, root: Association | None = None) -> list[AreaCount]:
    """Active left-behind people per association of the user's subtree (or of `root` inside
    it), by kind, with the high-risk ones: one grouped query. Counts hold no personal data, so
    children are counted whoever asks (their records stay hidden)."""
    path = scope_path_of(user)
    if path is None or not user.has_capability("leftbehind.view"):
        return []
    if root is not None:
        if not root.path.startswith(path):
            return []
        path = root.path
    kinds = LeftBehindPerson.Kind
    rows = (
        LeftBehindPerson.objects.filter(association__path__under=path, status="active")
        .order_by()
        .values("association_id", "association__code", "association__name", "association__path")
        .annotate(
            elderly=Count("pk", filter=Q(kind=kinds.ELDERLY)),
            child=Count("pk", filter=Q(kind=kinds.CHILD)),
            woman=Count("pk", filter=Q(kind=kinds.WOMAN)),
            high_risk=Count("pk", filter=Q(risk=LeftBehindPerson.Risk.HIGH)),
        )
        .order_by("association__path")
    )
    return [
        AreaCount(
            association_id=r["association_id"],
            code=r["association__code"],
            name=r["association__name"],
            elderly=r["elderly"],
            child=r["child"],
            woman=r["woman"],
            high_risk=r["high_risk"],
        )
        for r in rows
    ]


def children_count(*, user: User) -> int:
    """Children's records the user can open (for the page's note on the children rule)."""
    return LeftBehindPerson.objects.visible_to(user).filter(child_q()).count()


# --- whom the pages may name ------------------------------------------------------------------


def _roles_with(capability: str) -> list[str]:
    return [role for role, caps in CAPABILITIES.items() if capability in caps]


def need_owners(user: User, person: LeftBehindPerson) -> QuerySet[User]:
    """Staff of the user's subtree whose own scope holds the person and who may open the record
    (for a child: holding `leftbehind.children`): who may own a need."""
    parts = person.association.path.strip("/").split("/")
    covering = ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]
    capability = "leftbehind.children" if person.is_child() else "leftbehind.edit"
    return (
        assignable_accounts(user)
        .filter(home_association__path__in=covering, roles__role__in=_roles_with(capability))
        .distinct()
    )


# --- bulk handover (联系人交接) ------------------------------------------------------------------


def accounts_with_people(user: User) -> QuerySet[User]:
    """Accounts of the user's subtree that look after at least one person of it now (who may
    hand their people over)."""
    path = scope_path_of(user)
    if path is None:
        return User.objects.none()
    current = LeftBehindContact.objects.filter(
        user=OuterRef("pk"), end_date__isnull=True, person__association__path__under=path
    )
    return (
        User.objects.visible_to(user)
        .filter(Exists(current))
        .order_by("home_association__path", "pk")
    )


@dataclass(frozen=True)
class HandoverPreview:
    people: int
    children: int
    allowed: bool  # False: children among them and no `leftbehind.children`


def handover_preview(*, user: User, from_user: User) -> HandoverPreview:
    """How many people a handover of `from_user`'s people would move (one grouped query)."""
    moving = care.handover_contacts(PERSON_CARE, actor=user, from_user=from_user)
    counts = moving.aggregate(
        people=Count("person_id", distinct=True),
        children=Count("person_id", distinct=True, filter=child_q("person__")),
    )
    children = counts["children"] or 0
    return HandoverPreview(
        people=counts["people"] or 0,
        children=children,
        allowed=not children or user.has_capability("leftbehind.children"),
    )
