"""Staff of the associations and their trainings."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core.audit import (
    audit_create,
    audit_update,
    changed_since,
    diff,
    snapshot,
)
from fpa.core.errors import ServiceError, check_version, validate
from fpa.core.names import pinyin_forms
from fpa.core.scope import require, require_in_scope
from fpa.organizations.models import (
    Association,
    StaffMember,
    Training,
)

if TYPE_CHECKING:
    from fpa.accounts.models import User

# --- staff ------------------------------------------------------------------------------------

STAFF_FIELDS = (
    "name",
    "sex",
    "id_number",
    "phone",
    "post",
    "employment",
    "presides_daily_work",
    "term_start",
    "term_end",
)


def _apply_identity(staff: StaffMember) -> None:
    """Birth date and sex follow from the ID number when there is one."""
    from fpa.core import idnumbers

    if staff.id_number:
        parsed = idnumbers.parse(staff.id_number.reveal_unchecked())
        staff.birth_date, staff.sex = parsed.birth_date, parsed.sex
    staff.name_pinyin, staff.name_initials = pinyin_forms(staff.name)


@transaction.atomic
def staff_create(*, actor: User, association: Association, **data: Any) -> StaffMember:
    require(actor, "staff.edit")
    require_in_scope(actor, association)
    if not association.is_current:
        raise ServiceError(gettext("该协会已停用，不能新增工作人员。"), field="association")
    staff = StaffMember(
        association=association, **{k: data.get(k) for k in STAFF_FIELDS if k in data}
    )
    _check_staff(staff)
    staff.save()
    audit_create(actor=actor, obj=staff, scope_path=association.path)
    return staff


def _check_staff(staff: StaffMember) -> None:
    staff.name = (staff.name or "").strip()
    validate(staff, exclude=["user", "id_number_hash", "phone_hash"])
    _apply_identity(staff)
    if staff.term_end and staff.term_end < staff.term_start:
        raise ServiceError(gettext("任期结束日期不能早于开始日期。"), field="term_end")
    if staff.id_number:
        duplicate = StaffMember.objects.filter(
            association=staff.association,
            id_number_hash=_hash_of(staff),
            post=staff.post,
            left_on__isnull=True,
        ).exclude(pk=staff.pk)
        if duplicate.exists():
            raise ServiceError(gettext("此人已在本协会担任该职务。"), field="id_number")


def _hash_of(staff: StaffMember) -> str:
    field = StaffMember._meta.get_field("id_number_hash")
    return field.pre_save(staff, add=False)


@transaction.atomic
def staff_update(
    *, actor: User, staff: StaffMember, expected_version: int | None = None, **data: Any
) -> StaffMember:
    require(actor, "staff.edit")
    require_in_scope(actor, staff.association)
    locked = StaffMember.objects.select_for_update().get(pk=staff.pk)
    before = snapshot(locked, (*STAFF_FIELDS, "version"))
    if expected_version is not None and int(expected_version) != locked.version:
        check_version(
            locked.version, expected_version, changed_since(locked, int(expected_version))
        )
    for key in STAFF_FIELDS:
        if key in data:
            setattr(locked, key, data[key])
    _check_staff(locked)
    if not diff(
        {k: v for k, v in before.items() if k != "version"}, snapshot(locked, STAFF_FIELDS)
    ):
        return locked  # nothing changed: no new version, no audit row
    locked.version += 1
    locked.save()
    audit_update(actor=actor, obj=locked, before=before, scope_path=locked.association.path)
    return locked


@transaction.atomic
def staff_end_term(
    *, actor: User, staff: StaffMember, left_on: datetime.date, reason: str = ""
) -> StaffMember:
    require(actor, "staff.edit")
    require_in_scope(actor, staff.association)
    if staff.left_on:
        raise ServiceError(gettext("此人已离任。"))
    if left_on < staff.term_start:
        raise ServiceError(gettext("离任日期不能早于任期开始日期。"), field="left_on")
    before = snapshot(staff, ["left_on", "presides_daily_work"])
    staff.left_on = left_on
    staff.presides_daily_work = False
    staff.version += 1
    staff.save(update_fields=["left_on", "presides_daily_work", "version", "updated_at"])
    audit_update(
        actor=actor, obj=staff, before=before, scope_path=staff.association.path, reason=reason
    )
    return staff


@transaction.atomic
def training_record(
    *,
    actor: User,
    staff: StaffMember,
    course: str,
    start_date: datetime.date,
    hours: Decimal,
    organiser: str = "",
    certificate_number: str = "",
) -> Training:
    require(actor, "staff.edit")
    require_in_scope(actor, staff.association)
    training = Training(
        staff=staff,
        course=(course or "").strip(),
        start_date=start_date,
        hours=hours,
        organiser=(organiser or "").strip(),
        certificate_number=(certificate_number or "").strip(),
    )
    validate(training)
    if training.hours <= 0 or training.hours > 2000:
        raise ServiceError(gettext("学时应在0到2000之间。"), field="hours")
    if training.start_date > timezone.localdate():
        raise ServiceError(gettext("培训日期不能晚于今天。"), field="start_date")
    training.save()
    audit_create(actor=actor, obj=training, scope_path=staff.association.path)
    return training
