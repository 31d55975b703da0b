"""What a phone may take offline (`work`), the user's phones, and the receipts of offline changes.

The work is the user's own, and only that: the families they currently look after as a contact
person, and, for staff of a village association holding `family.view`, the village's active
families. Per family only what a visit needs, as the normal pages show it: the head's name, the
address, the people's names with masked phones, the current contacts with masked phones, what
is due, the open needs and the last visits (date, kind, services, cares; never the visit notes,
the family kind or any sensitive field, which stay behind the audited reveal online).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from fpa.accounts.models import User
from fpa.families import selectors as family_selectors
from fpa.families.models import (
    FIVE_CARES,
    FOUR_SERVICES,
    Campaign,
    CareKind,
    CareRecord,
    Contact,
    Family,
    Need,
    Person,
)
from fpa.field.models import Device, Receipt
from fpa.organizations.models import Association

MAX_FAMILIES = 300  # a contact person has a few dozen; a village rarely over a hundred
LAST_VISITS = 3


def _masked(value: Any) -> str | None:
    return value.masked if value else None


def _person(user: User | None) -> str:
    return (user.full_name or user.username) if user is not None else ""


def may_work_offline(user: User) -> bool:
    """Contact persons, and village staff who may read their village's families."""
    if family_selectors.looks_after_any(user):
        return True
    return _village_staff(user)


def _village_staff(user: User) -> bool:
    home = user.home_association
    return (
        home is not None
        and home.kind == Association.Kind.VILLAGE
        and user.has_capability("family.view")
    )


def work_families(*, user: User) -> QuerySet[Family]:
    """The active families the user takes into the field (always inside `visible_to`)."""
    own = Q(contacts__user=user, contacts__end_date__isnull=True)
    where = own
    if _village_staff(user):
        assert user.home_association is not None
        where = own | Q(association__path__under=user.home_association.path)
    ids = Family.objects.visible_to(user).active().filter(where).order_by().values("pk").distinct()
    return Family.objects.filter(pk__in=ids).select_related("association").order_by("pk")


@dataclass
class Work:
    generated_at: datetime.datetime
    families: list[dict[str, Any]] = field(default_factory=list)
    cut: bool = False  # more families than MAX_FAMILIES: the first ones only
    care_kinds: list[dict[str, Any]] = field(default_factory=list)
    campaigns: list[dict[str, Any]] = field(default_factory=list)
    services: list[dict[str, str]] = field(default_factory=list)
    cares: list[dict[str, str]] = field(default_factory=list)


def _last_visits(families: list[Family]) -> dict[int, list[dict[str, Any]]]:
    """The last LAST_VISITS care records of each family, in one query."""
    ranked = (
        CareRecord.objects.filter(family__in=families)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("family_id")],
                order_by=[F("occurred_on").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=LAST_VISITS)
        .select_related("kind", "recorded_by")
        .order_by("family_id", "-occurred_on", "-id")
    )
    found: dict[int, list[dict[str, Any]]] = {}
    for record in ranked:
        found.setdefault(record.family_id, []).append(
            {
                "id": record.pk,
                "occurred_on": record.occurred_on,
                "kind": record.kind.code,
                "kind_name": record.kind.name,
                "services": record.services,
                "cares": record.cares,
                "recorded_by": _person(record.recorded_by),
            }
        )
    return found


def work(*, user: User, today: datetime.date | None = None) -> Work:
    """The user's field work as the phone stores it. A fixed number of queries for any number of
    families (tests/test_field_api.py)."""
    today = today or timezone.localdate()
    families: list[Any] = list(
        work_families(user=user).prefetch_related(  # type: ignore[type-var]
            Prefetch("people", queryset=Person.objects.order_by("role", "pk")),
            Prefetch(
                "contacts",
                queryset=Contact.objects.filter(end_date__isnull=True)
                .select_related("role", "user")
                .order_by("pk"),
                to_attr="current_contacts",
            ),
            Prefetch(
                "needs",
                queryset=Need.objects.filter(status__in=Need.OPEN_STATUSES).order_by("pk"),
                to_attr="open_needs",
            ),
        )[: MAX_FAMILIES + 1]
    )
    cut = len(families) > MAX_FAMILIES
    families = families[:MAX_FAMILIES]
    due = {d.family.pk: d for d in family_selectors.schedule(families=families, today=today)}
    visits = _last_visits(families)
    out = Work(generated_at=timezone.now(), cut=cut)
    for family in families:
        schedule = due.get(family.pk)
        out.families.append(
            {
                "id": family.pk,
                "version": family.version,
                "association_code": family.association.code,
                "association_name": family.association.name,
                "head_name": family.head_name,
                "address": family.address,
                "can_reveal": family_selectors.may_reveal(
                    user, is_contact=any(c.user_id == user.pk for c in family.current_contacts)
                ),
                "people": [
                    {
                        "id": p.pk,
                        "role": p.role,
                        "role_label": str(p.get_role_display()),
                        "name": p.name,
                        "phone": _masked(p.phone),
                        "deceased": p.deceased_on is not None,
                    }
                    for p in family.people.all()
                ],
                "contacts": [
                    {
                        "id": c.pk,
                        "role_name": c.role.name,
                        "name": c.name or _person(c.user),
                        "phone": _masked(c.phone),
                        "mine": c.user_id == user.pk,
                    }
                    for c in family.current_contacts
                ],
                "due": {
                    "last_call": schedule.last_call if schedule else None,
                    "last_meeting": schedule.last_meeting if schedule else None,
                    "home_visits_this_year": schedule.home_visits_this_year if schedule else 0,
                    "overdue": schedule.overdue if schedule else [],
                },
                "open_needs": [
                    {
                        "id": n.pk,
                        "description": n.description,
                        "status": n.status,
                        "status_label": str(n.get_status_display()),
                        "due_date": n.due_date,
                        "updated_at": n.updated_at,
                    }
                    for n in family.open_needs
                ],
                "last_visits": visits.get(family.pk, []),
            }
        )
    out.care_kinds = [
        {"code": k.code, "name": k.name, "mode": k.mode}
        for k in CareKind.objects.order_by("sort", "pk")
    ]
    out.campaigns = [
        {"id": c.pk, "name": c.name, "start_date": c.start_date, "end_date": c.end_date}
        for c in Campaign.objects.visible_to(user)
        .filter(start_date__lte=today, end_date__gte=today)
        .order_by("start_date", "pk")
    ]
    out.services = [{"code": code, "name": str(name)} for code, name in FOUR_SERVICES]
    out.cares = [{"code": code, "name": str(name)} for code, name in FIVE_CARES]
    return out


# --- the reveal on the spot ----------------------------------------------------------------------


def reveal_target(
    *, user: User, family_id: int, person_id: int | None, contact_id: int | None
) -> tuple[Family, Family | Person | Contact]:
    """The family, and the record of it whose value is to be revealed: one of its people, one of
    its contacts, or the family itself. Only inside the user's scope, and a person or contact only
    of that family (DoesNotExist otherwise, like a missing id)."""
    family = Family.objects.visible_to(user).select_related("association").get(pk=family_id)
    if person_id is not None:
        return family, Person.objects.get(pk=person_id, family=family)
    if contact_id is not None:
        return family, Contact.objects.get(pk=contact_id, family=family)
    return family, family


# --- phones and receipts --------------------------------------------------------------------------


def devices_of(*, user: User) -> QuerySet[Device]:
    return Device.objects.filter(user=user).order_by("-id")


def device_get(*, user: User, pk: int) -> Device:
    """The user's own phone, or one of an account in the subtree for an account administrator
    (Device.DoesNotExist otherwise, like a missing id)."""
    if user.has_capability("accounts.manage"):
        return Device.objects.visible_to(user).select_related("user").get(pk=pk)
    return Device.objects.select_related("user").get(pk=pk, user=user)


def receipts_of_records(*, object_type: str, ids: list[int]) -> dict[int, Receipt]:
    """The receipts of records made offline (for the pages' "离线记录" marks), by record id."""
    rows = Receipt.objects.filter(
        object_type=object_type,
        object_id__in=[str(pk) for pk in ids],
        outcome=Receipt.Outcome.APPLIED,
    )
    return {int(r.object_id): r for r in rows}
