"""Changes to a registered family: its fields, status, people, payment rates and supports."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core.audit import (
    audit_create,
    audit_record,
    audit_update,
    changed_since,
    diff,
    snapshot,
)
from fpa.core.errors import ServiceError, check_version, validate, within
from fpa.core.models import AuditEvent
from fpa.core.scope import require, require_in_scope
from fpa.families.models import (
    Contact,
    Family,
    PaymentRate,
    Person,
    StatusChange,
    Support,
)
from fpa.families.services.common import (
    FAMILY_FIELDS,
    PERSON_FIELDS,
    _apply_identity,
    _audit_person_create,
    _blank,
    _check_duplicate,
    _check_registered_on,
    _person_built,
    _refresh_head,
)

if TYPE_CHECKING:
    from fpa.accounts.models import User


def _person_add(actor: User, family: Family, data: dict[str, Any]) -> Person:
    person = _person_built(family, data)
    _check_duplicate(person, actor)
    person.save()
    _audit_person_create(actor, person, family.association.path)
    return person


@transaction.atomic
def person_add(*, actor: User, family: Family, **data: Any) -> Person:
    require(actor, "family.edit")
    require_in_scope(actor, family.association)
    if (
        data.get("role") in (Person.Role.MOTHER, Person.Role.FATHER)
        and family.people.filter(role=data["role"]).exists()
    ):
        raise ServiceError(gettext("父亲、母亲各只能登记一位。"), field="role")
    person = _person_add(actor, family, data)
    _refresh_head(family)
    return person


@transaction.atomic
def person_update(
    *, actor: User, person: Person, expected_version: int | None = None, **data: Any
) -> Person:
    """Change a person; the family's version guards against two people editing at once."""
    family = Family.objects.select_for_update().get(pk=person.family_id)
    require(actor, "family.edit")
    require_in_scope(actor, family.association)
    if expected_version is not None and int(expected_version) != family.version:
        check_version(family.version, expected_version, _changed_since(family, expected_version))
    locked = Person.objects.get(pk=person.pk)
    before = snapshot(locked, PERSON_FIELDS)
    for key in PERSON_FIELDS:
        if key in data:
            setattr(locked, key, data[key] if data[key] != "" else _blank(key))
    validate(locked, exclude=["family", "id_number_hash", "phone_hash"])
    _apply_identity(locked)
    _check_duplicate(locked, actor)
    if not diff(before, snapshot(locked, PERSON_FIELDS)):
        return locked
    locked.save()
    audit_update(actor=actor, obj=locked, before=before, scope_path=family.association.path)
    _bump(actor, family, {"people": [None, locked.name]})
    _refresh_head(family)
    return locked


def _changed_since(family: Family, version: int) -> list[str]:
    """What others changed since `version`: the family's own fields and, recorded by `_bump`,
    its people (not a field of the family, so `changed_since` alone cannot name them)."""
    names = changed_since(family, int(version))
    people_changed = AuditEvent.objects.filter(
        object_type=family._meta.label_lower,
        object_id=str(family.pk),
        action=AuditEvent.Action.UPDATE,
        changes__has_key="people",
    ).order_by("-id")[:50]
    for row in people_changed:
        versions = row.changes.get("version")
        if versions and versions[0] is not None and int(versions[0]) >= int(version):
            return [*names, gettext("家庭成员")]
    return names


def _bump(actor: User, family: Family, changes: dict[str, Any]) -> None:
    """A change to a family's parts raises the family's version and says so in the trail."""
    Family.objects.filter(pk=family.pk).update(version=family.version + 1)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=family,
        changes={**changes, "version": [family.version, family.version + 1]},
        scope_path=family.association.path,
    )
    family.version += 1


@transaction.atomic
def family_update(
    *, actor: User, family: Family, expected_version: int | None = None, **data: Any
) -> Family:
    require(actor, "family.edit")
    require_in_scope(actor, family.association)
    locked = Family.objects.select_for_update().select_related("association").get(pk=family.pk)
    if expected_version is not None and int(expected_version) != locked.version:
        check_version(locked.version, expected_version, _changed_since(locked, expected_version))
    before = snapshot(locked, (*FAMILY_FIELDS, "version"))
    for key in FAMILY_FIELDS:
        if key in data:
            setattr(locked, key, data[key])
    validate(locked, exclude=["head_name"])
    _check_registered_on(locked.registered_on, timezone.localdate())
    if not diff(
        {k: v for k, v in before.items() if k != "version"}, snapshot(locked, FAMILY_FIELDS)
    ):
        return locked
    locked.version += 1
    locked.save()
    audit_update(actor=actor, obj=locked, before=before, scope_path=locked.association.path)
    return locked


@transaction.atomic
def family_change_status(
    *, actor: User, family: Family, status: str, effective_date: datetime.date, reason: str
) -> Family:
    """Moved out, cancelled, deceased (or back to active), always with a reason, date and who."""
    require(actor, "family.edit")
    require_in_scope(actor, family.association)
    locked = Family.objects.select_for_update().select_related("association").get(pk=family.pk)
    if status not in Family.Status.values:
        raise ServiceError(gettext("状态不正确。"), field="status")
    if status == locked.status:
        raise ServiceError(gettext("新状态与当前状态相同。"), field="status")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError(gettext("请填写状态变更的原因。"), field="reason")
    if effective_date > timezone.localdate():
        raise ServiceError(gettext("变更日期不能晚于今天。"), field="effective_date")
    StatusChange.objects.create(
        family=locked,
        from_status=locked.status,
        to_status=status,
        effective_date=effective_date,
        reason=within(reason, 300, field="reason"),
        recorded_by=actor,
    )
    before = snapshot(locked, ["status", "version"])
    locked.status = status
    locked.version += 1
    locked.save(update_fields=["status", "version", "updated_at"])
    audit_update(
        actor=actor, obj=locked, before=before, scope_path=locked.association.path, reason=reason
    )
    if status != Family.Status.ACTIVE:
        _end_contacts(actor, locked, effective_date)
    return locked


def _end_contacts(actor: User, family: Family, on: datetime.date) -> None:
    """A family leaving the register ends its current contacts (none before it began), audited."""
    current = Contact.objects.filter(family=family, end_date__isnull=True)
    ended = list(current.order_by("pk").values_list("pk", flat=True))
    if not ended:
        return
    current.filter(start_date__lte=on).update(end_date=on)
    current.filter(start_date__gt=on).update(end_date=F("start_date"))
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        object_type="families.contact",
        object_repr=f"家庭{family.get_status_display()}，结束联系人",
        changes={
            "contacts_ended": [None, ended],
            "family": [None, family.pk],
            "end_date": [None, str(on)],
        },
        scope_path=family.association.path,
    )


@transaction.atomic
def rate_set(
    *, actor: User, kind: str, monthly_amount: Decimal, valid_from: datetime.date, note: str = ""
) -> PaymentRate:
    """County admins keep the dated rate table (local rates can be above the national ones)."""
    require(actor, "family.rates")
    if kind not in Family.Kind.values:
        raise ServiceError(gettext("家庭类别不正确。"), field="kind")
    if monthly_amount <= 0 or monthly_amount > Decimal("100000"):
        raise ServiceError(gettext("金额应大于0且不超过100000元。"), field="monthly_amount")
    existing = PaymentRate.objects.select_for_update().filter(kind=kind, valid_from=valid_from)
    before = existing.first()
    rate, created = PaymentRate.objects.update_or_create(
        kind=kind, valid_from=valid_from, defaults={"monthly_amount": monthly_amount, "note": note}
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        obj=rate,
        changes={
            "kind": [None if created else kind, kind],
            "monthly_amount": [str(before.monthly_amount) if before else None, str(monthly_amount)],
            "valid_from": [None if created else str(valid_from), str(valid_from)],
        },
        # The table applies deployment-wide; the actor's subtree lets their auditors read it.
        scope_path=actor.home_association.path if actor.home_association else "",
    )
    return rate


@transaction.atomic
def support_add(*, actor: User, family: Family, **data: Any) -> Support:
    require(actor, "family.edit")
    require_in_scope(actor, family.association)
    support = Support(family=family, **data)
    validate(support, exclude=["family"])
    if support.end_date and support.end_date < support.start_date:
        raise ServiceError(gettext("截止日期不能早于开始日期。"), field="end_date")
    support.save()
    audit_create(actor=actor, obj=support, scope_path=family.association.path)
    return support
