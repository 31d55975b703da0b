"""What the volunteers' writes share: the holders, the status transitions, identity checks, locks
and the status audit row, and the read rules the writes check (consent, insurance, hours)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core import idnumbers
from fpa.core.audit import audit_update, changed_since, snapshot
from fpa.core.errors import NotAllowed, ServiceError, check_version, within
from fpa.core.protected import blind_index
from fpa.core.scope import scope_path_of
from fpa.organizations.models import Association
from fpa.volunteers import rules
from fpa.volunteers.models import (
    Skill,
    StatusChange,
    Team,
    Volunteer,
)

if TYPE_CHECKING:
    from fpa.accounts.models import User

HOLDERS = (Association.Kind.VILLAGE, Association.Kind.TOWNSHIP, Association.Kind.COUNTY)
# Whose staff may reopen a refused vetting: the township and the levels above it, never the
# village that recorded the refusal.
REOPENERS = (
    Association.Kind.TOWNSHIP,
    Association.Kind.COUNTY,
    Association.Kind.PREFECTURE,
    Association.Kind.PROVINCE,
)
PROFILE_FIELDS: tuple[str, ...] = ("name", "phone", "address", "occupation", "on_weekdays")
PROFILE_FIELDS += ("on_weekends",)
PROFILE_FIELDS += ("in_evenings", "guardian_name", "guardian_relation", "guardian_phone")
PROFILE_FIELDS += ("guardian_consent_on",)
# What each status may become through volunteer_change_status (vetting and agreements have their
# own services).
TRANSITIONS: dict[str, set[str]] = {
    Volunteer.Status.ACTIVE: {Volunteer.Status.SUSPENDED, Volunteer.Status.LEFT},
    Volunteer.Status.SUSPENDED: {Volunteer.Status.ACTIVE, Volunteer.Status.LEFT},
    Volunteer.Status.APPLIED: {Volunteer.Status.LEFT},
    Volunteer.Status.VETTED: {Volunteer.Status.LEFT},
}
PAIRING_ROLE = "member_or_volunteer"
PAIRING_CARE_KIND = "volunteer_service"
TEAM_LEVELS: dict[str, tuple[str, ...]] = {
    Team.Level.CORPS: (Association.Kind.COUNTY,),
    Team.Level.BRIGADE: (Association.Kind.TOWNSHIP,),
    Team.Level.SQUADRON: (Association.Kind.TOWNSHIP, Association.Kind.VILLAGE),
    Team.Level.SQUAD: (Association.Kind.VILLAGE,),
}


def _path(volunteer: Volunteer) -> str:
    return volunteer.association.path


def duplicate_of(id_number: str, *, exclude: int | None = None) -> Volunteer | None:
    """Another record of this person; a refused application is not one (the person may apply
    again)."""
    digest = blind_index("id_number", id_number)
    found = Volunteer.objects.filter(id_number_hash=digest).exclude(status=Volunteer.Status.REFUSED)
    if exclude:
        found = found.exclude(pk=exclude)
    return found.select_related("association").first()


def _check_identity(volunteer: Volunteer, today: datetime.date) -> None:
    """Birth date and sex from the ID number; the age rules; no second record for one person."""
    parsed = idnumbers.parse(volunteer.id_number.reveal_unchecked())
    volunteer.birth_date, volunteer.sex = parsed.birth_date, parsed.sex
    age = rules.age_on(parsed.birth_date, today)
    if age < rules.MIN_AGE:
        raise ServiceError(
            gettext("未满%(age)s周岁不能报名志愿者。") % {"age": rules.MIN_AGE}, field="id_number"
        )
    if age < rules.ADULT_AGE:
        missing = [
            label
            for name, label in (
                ("guardian_name", gettext("监护人姓名")),
                ("guardian_relation", gettext("与本人关系")),
                ("guardian_phone", gettext("监护人电话")),
                ("guardian_consent_on", gettext("监护人同意日期")),
            )
            if not getattr(volunteer, name)
        ]
        if missing:
            raise ServiceError(
                gettext("未满十八周岁须有监护人同意，请填写：%(fields)s。")
                % {"fields": "、".join(str(m) for m in missing)},
                field="guardian_name",
            )
        if volunteer.guardian_consent_on and volunteer.guardian_consent_on > today:
            raise ServiceError(gettext("监护人同意日期不能晚于今天。"), field="guardian_consent_on")
    if volunteer.status == Volunteer.Status.REFUSED:
        return  # a refused record blocks nobody (the person may have applied again since)
    other = duplicate_of(volunteer.id_number.reveal_unchecked(), exclude=volunteer.pk)
    if other is not None:
        raise ServiceError(
            gettext(
                "该身份证号码已报名或登记为志愿者，不能重复报名；如需修改信息请联系所在计生协。"
            ),
            field="id_number",
            code="duplicate",
        )


def _clean_text(value: str | None, limit: int) -> str:
    return str(value or "").strip()[:limit]


def _save_new(volunteer: Volunteer, skills: Iterable[Skill]) -> Volunteer:
    try:
        with transaction.atomic():
            volunteer.save()
    except IntegrityError as exc:  # the same number saved concurrently
        raise ServiceError(
            gettext("该身份证号码已报名或登记为志愿者，不能重复报名。"),
            field="id_number",
            code="duplicate",
        ) from exc
    volunteer.skills.set(list(skills))
    return volunteer


def _changed(volunteer: Volunteer, version: int | None) -> None:
    check_version(volunteer.version, version, changed_since(volunteer, version or 0))


def _lock(volunteer: Volunteer) -> Volunteer:
    return Volunteer.objects.select_for_update().select_related("association").get(pk=volunteer.pk)


def _record_status(
    actor: User, volunteer: Volunteer, to_status: str, on: datetime.date, reason: str
) -> None:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError(gettext("请填写原因。"), field="reason")
    if on > timezone.localdate():
        raise ServiceError(gettext("日期不能晚于今天。"), field="effective_date")
    before = snapshot(volunteer, ["status", "version"])
    StatusChange.objects.create(
        volunteer=volunteer,
        from_status=volunteer.status,
        to_status=to_status,
        effective_date=on,
        reason=within(reason, 300, field="reason"),
        recorded_by=actor,
    )
    volunteer.status = to_status
    volunteer.version += 1
    volunteer.save(update_fields=["status", "version", "updated_at"])
    audit_update(
        actor=actor, obj=volunteer, before=before, scope_path=_path(volunteer), reason=reason
    )


def actor_path(actor: User) -> str:
    path = scope_path_of(actor)
    if path is None:
        raise NotAllowed(gettext("您的角色无权进行此操作。"))
    return path
