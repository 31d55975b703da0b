"""Register, change and end a left-behind person's record.

Who: staff holding `leftbehind.edit` whose subtree holds the person's association; for a child's
record (kind 留守儿童, or under 14 by birth date) also `leftbehind.children`. The ID number is
validated (GB 11643) and gives the birth date and sex; it is unique in the registry (by its keyed
hash). Personal values are protected fields: stored encrypted, audited masked.
"""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core import idnumbers
from fpa.core.audit import audit_create, audit_update, snapshot
from fpa.core.errors import NotAllowed, ServiceError, check_version, validate
from fpa.core.protected import blind_index
from fpa.core.scope import in_scope, require, require_in_scope
from fpa.leftbehind.care import may_see_child
from fpa.leftbehind.models import LeftBehindPerson
from fpa.leftbehind.services.schedule import refresh_schedule
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

# Who may hold a left-behind person: a village or community, or a township directly.
HOLDERS = (Association.Kind.VILLAGE, Association.Kind.TOWNSHIP)
EDITABLE_FIELDS = (
    "kind",
    "name",
    "id_number",
    "birth_date",
    "sex",
    "phone",
    "address",
    "guardian_name",
    "guardian_relation",
    "guardian_phone",
    "absent_members",
    "absent_workplace",
    "absent_division",
    "risk",
    "notes",
)
_DIVISION = re.compile(r"\d{6}(\d{3}(\d{3})?)?")
NULLABLE = {"id_number", "phone", "address", "guardian_name", "guardian_phone", "notes"}


def require_person(actor: User, person: LeftBehindPerson) -> None:
    """Staff with `leftbehind.edit` in scope; for a child also `leftbehind.children`."""
    require(actor, "leftbehind.edit")
    require_in_scope(actor, person.association)
    if not may_see_child(actor, person):
        raise NotAllowed(gettext("查看和修改留守儿童信息须有“留守儿童信息”权限。"))


def _check_holder(actor: User, association: Association) -> None:
    require_in_scope(actor, association)
    if association.kind not in HOLDERS:
        raise ServiceError(
            gettext("三留守人员应登记在村（社区）或乡镇（街道）计生协。"), field="association"
        )


def _apply(person: LeftBehindPerson, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if name in NULLABLE and value in ("", None):
            value = None
        elif isinstance(value, str):
            value = value.strip()
        elif value is None and not LeftBehindPerson._meta.get_field(name).null:
            value = ""  # an empty optional cell or API value of a text field
        setattr(person, name, value)


def _identity(actor: User, person: LeftBehindPerson) -> None:
    """The ID number, when given, fixes the birth date and sex; a birth date typed beside it
    must agree. A duplicate in the registry is refused (named only when in the actor's scope)."""
    if person.id_number:
        number = idnumbers.parse(person.id_number.reveal_unchecked(), today=timezone.localdate())
        if person.birth_date and person.birth_date != number.birth_date:
            raise ServiceError(
                gettext("出生日期与身份证号码不一致。"), field="birth_date", code="mismatch"
            )
        person.birth_date, person.sex = number.birth_date, number.sex
        other = (
            LeftBehindPerson.objects.filter(id_number_hash=blind_index("id_number", number.value))
            .exclude(pk=person.pk)
            .select_related("association")
            .first()
        )
        if other is not None:
            where = (
                other.association.name
                if in_scope(actor, other.association)
                else gettext("其他地区，请联系县计生协核实")
            )
            raise ServiceError(
                gettext("该身份证号码已登记（%(where)s）。") % {"where": where},
                field="id_number",
                code="duplicate",
            )
    if person.birth_date and person.birth_date > timezone.localdate():
        raise ServiceError(gettext("出生日期不能晚于今天。"), field="birth_date")


def _check(actor: User, person: LeftBehindPerson) -> None:
    """Every rule of a record about to be saved (new or changed)."""
    if person.absent_division and not _DIVISION.fullmatch(person.absent_division):
        raise ServiceError(
            gettext("区划代码应为6、9或12位数字。"), field="absent_division", code="division"
        )
    if person.sex not in ("", "M", "F"):
        raise ServiceError(gettext("性别不正确。"), field="sex")
    validate(
        person,
        exclude=["association", "id_number_hash", "phone_hash", "guardian_phone_hash"],
        unique=False,
    )
    _identity(actor, person)
    if person.is_child() and not actor.has_capability("leftbehind.children"):
        raise NotAllowed(
            gettext("登记和修改留守儿童信息须有“留守儿童信息”权限，请由乡镇（街道）办理。")
        )


@transaction.atomic
def person_register(
    *,
    actor: User,
    association: Association,
    kind: str,
    name: str,
    registered_on: datetime.date | None = None,
    **values: Any,
) -> LeftBehindPerson:
    """A new left-behind person in `association` (a village, community or township in the
    actor's scope). `values` are any of `EDITABLE_FIELDS`."""
    require(actor, "leftbehind.edit")
    _check_holder(actor, association)
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ServiceError(gettext("字段不正确：%(names)s") % {"names": ", ".join(sorted(unknown))})
    person = LeftBehindPerson(association=association)
    _apply(person, {"kind": kind, "name": name, **values})
    person.registered_on = registered_on or timezone.localdate()
    _check(actor, person)
    person.save()
    audit_create(actor=actor, obj=person, scope_path=association.path)
    return person


@transaction.atomic
def person_update(
    *,
    actor: User,
    person: LeftBehindPerson,
    version: int | None = None,
    association: Association | None = None,
    **changes: Any,
) -> LeftBehindPerson:
    """Change a person's record; a stale `version` (someone saved since) is refused."""
    locked = (
        LeftBehindPerson.objects.select_for_update().select_related("association").get(pk=person.pk)
    )
    require_person(actor, locked)
    check_version(locked.version, version)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ServiceError(gettext("字段不正确：%(names)s") % {"names": ", ".join(sorted(unknown))})
    fields = [*changes, *(["association"] if association is not None else [])]
    if "id_number" in changes:
        fields += ["birth_date", "sex"]
    before = snapshot(locked, sorted(set(fields)))
    if association is not None and association.pk != locked.association_id:
        _check_holder(actor, association)
        locked.association = association
    _apply(locked, changes)
    _check(actor, locked)
    locked.version += 1
    locked.save()
    audit_update(actor=actor, obj=locked, before=before, scope_path=locked.association.path)
    return locked


@transaction.atomic
def person_end(
    *, actor: User, person: LeftBehindPerson, reason: str, on: datetime.date, note: str = ""
) -> LeftBehindPerson:
    """The record ends (已结束): the family returned, the child grew up, moved, died … The
    current contact persons end on the same day."""
    locked = (
        LeftBehindPerson.objects.select_for_update().select_related("association").get(pk=person.pk)
    )
    require_person(actor, locked)
    if locked.status == LeftBehindPerson.Status.ENDED:
        raise ServiceError(gettext("该记录已结束。"), code="ended")
    if reason not in LeftBehindPerson.EndReason.values:
        raise ServiceError(gettext("请选择结束原因。"), field="reason")
    if on > timezone.localdate():
        raise ServiceError(gettext("日期不能晚于今天。"), field="on")
    if on < locked.registered_on:
        raise ServiceError(gettext("结束日期不能早于登记日期。"), field="on")
    note = (note or "").strip()
    if reason == LeftBehindPerson.EndReason.OTHER and len(note) < 2:
        raise ServiceError(gettext("原因为“其他”时请填写说明。"), field="note")
    before = snapshot(locked, ["status", "end_reason", "end_note", "ended_on"])
    locked.status = LeftBehindPerson.Status.ENDED
    locked.end_reason, locked.end_note, locked.ended_on = reason, note[:200], on
    locked.version += 1
    locked.save()
    locked.contacts.filter(end_date__isnull=True, start_date__lte=on).update(end_date=on)
    refresh_schedule([locked.pk])
    audit_update(actor=actor, obj=locked, before=before, scope_path=locked.association.path)
    return locked
