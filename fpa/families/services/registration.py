"""Registering families: one (`family_register`) or a whole batch (`families_register`, the
Excel import's commit), each family with its people, checked as a whole before anything is
written."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core import bulk, crypto
from fpa.core.audit import (
    audit_created_rows,
)
from fpa.core.errors import ServiceError, ServiceErrors
from fpa.core.names import pinyin_forms
from fpa.core.scope import require, require_in_scope
from fpa.families.models import (
    Family,
    Person,
)
from fpa.families.services.common import (
    FAMILY_HOLDERS,
    PERSON_AUDIT_EXCLUDE,
    TWICE,
    _check_registered_on,
    _duplicate_error,
    _person_values,
)
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User


class _Batch:
    """What one call of `families_register` works out once: the day, the labels of the audit
    rows, and the associations already checked (in scope, holding families)."""

    def __init__(self, actor: User) -> None:
        self.actor = actor
        self.today = timezone.localdate()
        self.checked: set[int] = set()
        self.kinds = {value: str(label) for value, label in Family.Kind.choices}
        self.roles = {value: str(label) for value, label in Person.Role.choices}

    def check_holder(self, association: Association) -> None:
        if association.pk in self.checked:
            return
        require_in_scope(self.actor, association)
        if association.kind not in FAMILY_HOLDERS or not association.is_current:
            raise ServiceError(
                gettext("家庭须登记在在用的村（社区）、乡镇或流动人口计生协。"),
                field="association",
            )
        self.checked.add(association.pk)


def _prepared(
    batch: _Batch,
    *,
    association: Association,
    kind: str,
    people: list[dict[str, Any]],
    address: str = "",
    one_child_only: bool = True,
    later_child: bool = False,
    notes: str = "",
    registered_on: datetime.date | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A family and its people as checked values, not yet saved (duplicates are checked later,
    for the whole call at once)."""
    batch.check_holder(association)
    roles = [p.get("role") for p in people]
    if not any(r in (Person.Role.MOTHER, Person.Role.FATHER) for r in roles):
        raise ServiceError(gettext("至少登记一位父亲或母亲。"), field="people")
    for role in (Person.Role.MOTHER, Person.Role.FATHER):
        if roles.count(role) > 1:
            raise ServiceError(gettext("父亲、母亲各只能登记一位。"), field="people")
    family: dict[str, Any] = {
        "kind": kind,
        "address": (address or "").strip(),
        "one_child_only": one_child_only,
        "later_child": later_child,
        "notes": (notes or "").strip(),
        "registered_on": registered_on or batch.today,
    }
    # The association is in scope (checked above); Family has no unique fields or constraints.
    bulk.clean_values(Family, family, exclude=["head_name"])
    _check_registered_on(family["registered_on"], batch.today)
    family["association_id"] = association.pk
    persons = [_person_values(data, batch.today) for data in people]
    by_role = {p["role"]: p for p in persons}
    head = by_role.get(Person.Role.MOTHER) or by_role.get(Person.Role.FATHER)
    family["head_name"] = head["name"] if head else ""
    family["head_pinyin"], family["head_initials"] = pinyin_forms(family["head_name"])
    return family, persons


@dataclass
class _Planned:
    """One family of a batch, checked and ready to write: its position in the call, where it is
    registered, the family's column values and its people's."""

    position: int
    association: Association
    family: dict[str, Any]
    persons: list[dict[str, Any]]


Problems = list[tuple[int, ServiceError]]


@transaction.atomic
def families_register(*, actor: User, families: list[dict[str, Any]]) -> list[int]:
    """Register many families with their people (each item: the arguments of `family_register`)
    and return their ids. The same checks and the same audit rows as one by one, in a number of
    queries that does not depend on the number of families, written below the ORM
    (`fpa.core.bulk`): the import path. All or nothing: every problem is raised together as
    ServiceErrors, by position. Three steps: plan (each family checked), duplicates (the ID
    numbers of the whole call, against each other and the registry), write."""
    require(actor, "family.edit")
    batch = _Batch(actor)
    planned, errors = _plan(batch, families)
    errors += _duplicates(actor, planned)
    if errors:
        raise ServiceErrors(sorted(errors, key=lambda error: error[0]))
    return _write(actor, batch, planned)


def _plan(batch: _Batch, families: list[dict[str, Any]]) -> tuple[list[_Planned], Problems]:
    planned: list[_Planned] = []
    errors: Problems = []
    for position, item in enumerate(families):
        try:
            family, persons = _prepared(batch, **item)
        except ServiceError as exc:
            errors.append((position, exc))
        else:
            planned.append(_Planned(position, item["association"], family, persons))
    return planned, errors


def _duplicates(actor: User, planned: list[_Planned]) -> Problems:
    """An ID number is registered once in the deployment: checked for the whole call in one
    query. Sets each numbered person's `id_number_hash` on the way."""
    keys = crypto.keyring()
    errors: Problems = []
    first_at: dict[str, int] = {}
    numbered: list[tuple[int, str, str]] = []  # position, digest, the person's role
    for plan in planned:
        for person in plan.persons:
            if not person.get("id_number"):
                continue
            digest = keys.blind_index(person["id_number"].reveal_unchecked(), purpose="id_number")
            person["id_number_hash"] = digest
            if first_at.setdefault(digest, plan.position) != plan.position:
                twice = ServiceError(
                    gettext(TWICE), field="id_number", code="duplicate", about=person["role"]
                )
                errors.append((plan.position, twice))
            numbered.append((plan.position, digest, person["role"]))
    registered = {
        person.id_number_hash: person
        for person in Person.objects.filter(
            id_number_hash__in={digest for _, digest, _ in numbered}
        ).select_related("family__association")
    }
    return errors + [
        (position, _duplicate_error(registered[digest], actor, about=role))
        for position, digest, role in numbered
        if digest in registered
    ]


def _write(actor: User, batch: _Batch, planned: list[_Planned]) -> list[int]:
    """Reserve the ids, insert the families and people below the ORM, write their audit rows."""
    family_ids = bulk.reserve_ids(Family, len(planned))
    people = [p for plan in planned for p in plan.persons]
    person_ids = iter(bulk.reserve_ids(Person, len(people)))
    for plan, family_id in zip(planned, family_ids, strict=True):
        plan.family["id"] = family_id
        for person in plan.persons:
            person["id"], person["family_id"] = next(person_ids), family_id
    bulk.insert(Family, [plan.family for plan in planned])
    bulk.insert(Person, people)
    families = [
        (
            plan.family,
            plan.association.path,
            Family.describe(plan.family["head_name"], batch.kinds[plan.family["kind"]]),
        )
        for plan in planned
    ]
    persons = [
        (
            person,
            plan.association.path,
            Person.describe(person["name"], batch.roles[person["role"]]),
        )
        for plan in planned
        for person in plan.persons
    ]
    audit_created_rows(
        actor=actor,
        groups=[(Family, families, ()), (Person, persons, PERSON_AUDIT_EXCLUDE)],
    )
    return family_ids


def family_register(*, actor: User, **item: Any) -> Family:
    """Register a family with its people (at least one parent). A parent's ID number already
    registered anywhere is refused as a duplicate."""
    try:
        family_id = families_register(actor=actor, families=[item])[0]
    except ServiceErrors as exc:
        raise exc.errors[0][1] from None
    return Family.objects.select_related("association").get(pk=family_id)
