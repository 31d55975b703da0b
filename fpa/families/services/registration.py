"""Registering families: one (`family_register`) or a whole batch (`families_register`, the
Excel import's commit), each family with its people, checked as a whole before anything is
written."""

from __future__ import annotations

import datetime
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


@transaction.atomic
def families_register(*, actor: User, families: list[dict[str, Any]]) -> list[int]:
    """Register many families with their people (each item: the arguments of `family_register`)
    and return their ids. The same checks and the same audit rows as one by one, in a number of
    queries that does not depend on the number of families, written below the ORM
    (`fpa.core.bulk`): the import path. All or nothing: every problem is raised together as
    ServiceErrors, by position."""
    require(actor, "family.edit")
    batch = _Batch(actor)
    errors: list[tuple[int, ServiceError]] = []
    built: list[tuple[int, Association, dict[str, Any], list[dict[str, Any]]]] = []
    for position, item in enumerate(families):
        try:
            built.append((position, item["association"], *_prepared(batch, **item)))
        except ServiceError as exc:
            errors.append((position, exc))
    # An ID number is registered once in the deployment: checked for the whole call in one query.
    keys = crypto.keyring()
    first_at: dict[str, int] = {}
    numbered: list[tuple[int, str, str]] = []  # position, digest, the person's role
    for position, _association, _family, persons in built:
        for person in persons:
            if not person.get("id_number"):
                continue
            digest = keys.blind_index(person["id_number"].reveal_unchecked(), purpose="id_number")
            person["id_number_hash"] = digest
            if first_at.setdefault(digest, position) != position:
                twice = ServiceError(
                    gettext(TWICE), field="id_number", code="duplicate", about=person["role"]
                )
                errors.append((position, twice))
            numbered.append((position, digest, person["role"]))
    registered = {
        person.id_number_hash: person
        for person in Person.objects.filter(
            id_number_hash__in={digest for _, digest, _ in numbered}
        ).select_related("family__association")
    }
    errors += [
        (position, _duplicate_error(registered[digest], actor, about=role))
        for position, digest, role in numbered
        if digest in registered
    ]
    if errors:
        raise ServiceErrors(sorted(errors, key=lambda error: error[0]))
    family_ids = bulk.reserve_ids(Family, len(built))
    people = [p for _, _, _, persons in built for p in persons]
    person_ids = iter(bulk.reserve_ids(Person, len(people)))
    for (_, _, family, persons), family_id in zip(built, family_ids, strict=True):
        family["id"] = family_id
        for person in persons:
            person["id"], person["family_id"] = next(person_ids), family_id
    bulk.insert(Family, [family for _, _, family, _ in built])
    bulk.insert(Person, people)
    audit_created_rows(
        actor=actor,
        groups=[
            (
                Family,
                [
                    (
                        family,
                        where.path,
                        Family.describe(family["head_name"], batch.kinds[family["kind"]]),
                    )
                    for _, where, family, _ in built
                ],
                (),
            ),
            (
                Person,
                [
                    (
                        person,
                        where.path,
                        Person.describe(person["name"], batch.roles[person["role"]]),
                    )
                    for _, where, _, persons in built
                    for person in persons
                ],
                PERSON_AUDIT_EXCLUDE,
            ),
        ],
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
