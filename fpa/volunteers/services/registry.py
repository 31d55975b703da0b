"""A volunteer's record: application, changes, vetting, agreement, status, trainings, insurance,
the link to a sign-in account."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.accounts.roles import Role
from fpa.core import consent as core_consent
from fpa.core.audit import audit_create, audit_record, audit_update, snapshot
from fpa.core.errors import NotAllowed, ServiceError, validate, within
from fpa.core.models import AuditEvent
from fpa.core.scope import require, require_in_scope
from fpa.organizations.models import Association
from fpa.volunteers import rules
from fpa.volunteers.models import (
    Agreement,
    Insurance,
    Pairing,
    Skill,
    Training,
    Volunteer,
)
from fpa.volunteers.services.common import (
    HOLDERS,
    PROFILE_FIELDS,
    REOPENERS,
    TRANSITIONS,
    _changed,
    _check_identity,
    _clean_text,
    _lock,
    _path,
    _record_status,
    _save_new,
    duplicate_of,
)
from fpa.volunteers.services.hours import _hours
from fpa.volunteers.services.pairings import _pairing_close

if TYPE_CHECKING:
    from fpa.accounts.models import User


@transaction.atomic
def volunteer_apply(
    *,
    actor: User | None = None,
    association: Association,
    name: str,
    id_number: str,
    phone: str,
    consent_version: int,
    skills: Iterable[Skill] = (),
    address: str = "",
    occupation: str = "",
    on_weekdays: bool = False,
    on_weekends: bool = False,
    in_evenings: bool = False,
    guardian_name: str = "",
    guardian_relation: str = "",
    guardian_phone: str | None = None,
    guardian_consent_on: datetime.date | None = None,
) -> Volunteer:
    """报名: the public form (actor None) or staff entering a paper form or an import row. The
    applicant must have agreed to the current consent text; the version is recorded."""
    if actor is not None:
        require(actor, "volunteer.edit")
        require_in_scope(actor, association)
    if association.kind not in HOLDERS or not association.is_current:
        raise ServiceError(gettext("请选择在用的县、乡镇或村（社区）计生协。"), field="association")
    consent = core_consent.agreed(
        rules.CONSENT_PURPOSE,
        consent_version,
        missing=gettext("尚未设置报名同意书，暂不能报名。"),
    )
    today = timezone.localdate()
    volunteer = Volunteer(  # type: ignore[misc]  # None for a missing number: see below
        association=association,
        name=_clean_text(name, 50),
        # None, not "": validation then says the field is required (the columns are NOT NULL).
        id_number=id_number or None,
        phone=phone or None,
        address=_clean_text(address, 200),
        occupation=_clean_text(occupation, 100),
        on_weekdays=bool(on_weekdays),
        on_weekends=bool(on_weekends),
        in_evenings=bool(in_evenings),
        consent=consent,
        applied_on=today,
        guardian_name=_clean_text(guardian_name, 50),
        guardian_relation=_clean_text(guardian_relation, 20),
        guardian_phone=guardian_phone or None,
        guardian_consent_on=guardian_consent_on,
    )
    if not volunteer.name:
        raise ServiceError(gettext("请填写姓名。"), field="name")
    validate(
        volunteer,
        exclude=["id_number_hash", "phone_hash", "guardian_phone_hash", "skills", "consent"],
    )
    _check_identity(volunteer, today)
    _save_new(volunteer, skills)
    audit_create(actor=actor, obj=volunteer, scope_path=association.path, reason="志愿者报名")
    return volunteer


@transaction.atomic
def volunteer_update(
    *,
    actor: User,
    volunteer: Volunteer,
    version: int | None = None,
    skills: Iterable[Skill] | None = None,
    **data: Any,
) -> Volunteer:
    require(actor, "volunteer.edit")
    require_in_scope(actor, volunteer.association)
    volunteer = _lock(volunteer)
    _changed(volunteer, version)
    unknown = set(data) - set(PROFILE_FIELDS)
    if unknown:
        raise ServiceError(gettext("不能修改这些字段：") + "、".join(sorted(unknown)))
    before = snapshot(volunteer, [*PROFILE_FIELDS, "version"])
    for key, value in data.items():
        if key in ("phone", "guardian_phone"):
            value = value or None
        elif isinstance(value, str):
            value = value.strip()
        setattr(volunteer, key, value)
    validate(
        volunteer,
        exclude=["id_number_hash", "phone_hash", "guardian_phone_hash", "skills", "consent"],
    )
    _check_identity(volunteer, timezone.localdate())
    old_skills = sorted(volunteer.skills.values_list("code", flat=True))
    new_skills = sorted(s.code for s in skills) if skills is not None else old_skills
    volunteer.version += 1
    volunteer.save()
    if skills is not None:
        volunteer.skills.set(list(skills))
    changes = audit_update(actor=actor, obj=volunteer, before=before, scope_path=_path(volunteer))
    if new_skills != old_skills:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=volunteer,
            changes={"skills": [old_skills, new_skills]},
            scope_path=_path(volunteer),
        )
    elif not changes:
        Volunteer.objects.filter(pk=volunteer.pk).update(version=volunteer.version - 1)
        volunteer.version -= 1
    return volunteer


@transaction.atomic
def volunteer_vet(
    *,
    actor: User,
    volunteer: Volunteer,
    passed: bool,
    notes: str,
    interview_on: datetime.date | None = None,
    vetted_on: datetime.date | None = None,
) -> Volunteer:
    """考察: the association in scope records its notes, the interview and the result."""
    require(actor, "volunteer.edit")
    require_in_scope(actor, volunteer.association)
    volunteer = _lock(volunteer)
    if volunteer.status != Volunteer.Status.APPLIED:
        raise ServiceError(gettext("只有待考察的报名可以录入考察结果。"))
    today = timezone.localdate()
    vetted_on = vetted_on or today
    if vetted_on > today or (interview_on and interview_on > today):
        raise ServiceError(gettext("考察和面谈日期不能晚于今天。"), field="vetted_on")
    if interview_on and interview_on < volunteer.applied_on:
        raise ServiceError(gettext("面谈日期不能早于报名日期。"), field="interview_on")
    notes = (notes or "").strip()
    if len(notes) < 2:
        raise ServiceError(gettext("请填写考察意见。"), field="notes")
    before = snapshot(volunteer, ["vetting_notes", "interview_on", "vetted_on", "vetted_by"])
    volunteer.vetting_notes = within(notes, 5000, field="notes")
    volunteer.interview_on = interview_on
    volunteer.vetted_on = vetted_on
    volunteer.vetted_by = actor
    volunteer.save(update_fields=["vetting_notes", "interview_on", "vetted_on", "vetted_by"])
    audit_update(actor=actor, obj=volunteer, before=before, scope_path=_path(volunteer))
    to_status = Volunteer.Status.VETTED if passed else Volunteer.Status.REFUSED
    _record_status(actor, volunteer, to_status, vetted_on, "考察通过" if passed else notes)
    return volunteer


@transaction.atomic
def volunteer_reopen(*, actor: User, volunteer: Volunteer, reason: str) -> Volunteer:
    """A refusal recorded by mistake: the township (or the county) above the volunteer's
    association puts the application back to 待考察, with the reason; the refusal's notes and
    date stay in the status history and the audit trail. Refused when the person has applied
    again since (the new application is the one to vet)."""
    require(actor, "volunteer.edit")
    require_in_scope(actor, volunteer.association)
    home = actor.home_association
    if home is None or home.kind not in REOPENERS:
        raise NotAllowed(gettext("考察结论须由乡镇或县级计生协重新打开。"))
    volunteer = _lock(volunteer)
    if volunteer.status != Volunteer.Status.REFUSED:
        raise ServiceError(gettext("只有考察未通过的报名可以重新打开。"), field="status")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError(gettext("请填写重新打开的原因。"), field="reason")
    if duplicate_of(volunteer.id_number.reveal_unchecked(), exclude=volunteer.pk) is not None:
        raise ServiceError(
            gettext("此人已重新报名，请在新的报名上录入考察，不能重新打开这份报名。"),
            field="status",
        )
    before = snapshot(volunteer, ["vetting_notes", "interview_on", "vetted_on", "vetted_by"])
    volunteer.vetting_notes, volunteer.interview_on = "", None
    volunteer.vetted_on, volunteer.vetted_by = None, None
    volunteer.save(update_fields=["vetting_notes", "interview_on", "vetted_on", "vetted_by"])
    audit_update(
        actor=actor, obj=volunteer, before=before, scope_path=_path(volunteer), reason=reason
    )
    text = within(gettext("重新打开考察：%(reason)s") % {"reason": reason}, 300, field="reason")
    _record_status(actor, volunteer, Volunteer.Status.APPLIED, timezone.localdate(), text)
    return volunteer


@transaction.atomic
def agreement_sign(
    *,
    actor: User,
    volunteer: Volunteer,
    term_start: datetime.date,
    term_end: datetime.date,
    content: str,
    safety_measures: str,
    signed_on: datetime.date,
) -> Agreement:
    """契约: signing the first agreement registers a vetted volunteer (active); a later one
    renews the term of an active or suspended volunteer."""
    require(actor, "volunteer.edit")
    require_in_scope(actor, volunteer.association)
    volunteer = _lock(volunteer)
    allowed = (Volunteer.Status.VETTED, Volunteer.Status.ACTIVE, Volunteer.Status.SUSPENDED)
    if volunteer.status not in allowed:
        raise ServiceError(gettext("只有考察通过或在册的志愿者可以签订协议。"))
    if term_end <= term_start:
        raise ServiceError(gettext("协议到期日应晚于开始日。"), field="term_end")
    if (term_end - term_start).days > 366 * 5:
        raise ServiceError(gettext("协议期限不能超过五年。"), field="term_end")
    if signed_on > timezone.localdate():
        raise ServiceError(gettext("签订日期不能晚于今天。"), field="signed_on")
    agreement = Agreement(
        volunteer=volunteer,
        term_start=term_start,
        term_end=term_end,
        content=(content or "").strip(),
        safety_measures=(safety_measures or "").strip(),
        signed_on=signed_on,
        recorded_by=actor,
    )
    validate(agreement, exclude=["volunteer", "recorded_by"])
    agreement.save()
    audit_create(actor=actor, obj=agreement, scope_path=_path(volunteer))
    if volunteer.status == Volunteer.Status.VETTED:
        _record_status(actor, volunteer, Volunteer.Status.ACTIVE, signed_on, "签订志愿服务协议")
    return agreement


@transaction.atomic
def volunteer_change_status(
    *, actor: User, volunteer: Volunteer, to_status: str, reason: str, effective_date: datetime.date
) -> Volunteer:
    """Suspend, resume or let a volunteer leave, with the reason, the date and who."""
    require(actor, "volunteer.edit")
    require_in_scope(actor, volunteer.association)
    volunteer = _lock(volunteer)
    if to_status not in TRANSITIONS.get(volunteer.status, set()):
        current = Volunteer.Status(volunteer.status).label
        raise ServiceError(
            gettext("当前状态（%(status)s）不能变更为所选状态。") % {"status": current},
            field="to_status",
        )
    if (
        to_status == Volunteer.Status.ACTIVE
        and not volunteer.agreements.filter(term_end__gte=effective_date).exists()
    ):
        raise ServiceError(gettext("协议已到期，请先续签协议。"), field="to_status")
    _record_status(actor, volunteer, to_status, effective_date, reason)
    if to_status == Volunteer.Status.LEFT:
        for pairing in Pairing.objects.filter(volunteer=volunteer, end_date__isnull=True):
            _pairing_close(actor, pairing, effective_date)
    return volunteer


@transaction.atomic
def training_add(
    *,
    actor: User,
    volunteer: Volunteer,
    course: str,
    hours: Decimal,
    completed_on: datetime.date,
    certificate: str = "",
) -> Training:
    require(actor, "volunteer.edit")
    require_in_scope(actor, volunteer.association)
    hours = _hours(hours, limit=Decimal(1000), field="hours")
    if completed_on > timezone.localdate():
        raise ServiceError(gettext("完成日期不能晚于今天。"), field="completed_on")
    training = Training(
        volunteer=volunteer,
        course=(course or "").strip(),
        hours=hours,
        completed_on=completed_on,
        certificate=(certificate or "").strip(),
    )
    validate(training, exclude=["volunteer"])
    training.save()
    audit_create(actor=actor, obj=training, scope_path=_path(volunteer))
    return training


@transaction.atomic
def insurance_add(
    *,
    actor: User,
    volunteer: Volunteer,
    insurer: str,
    policy_number: str,
    valid_from: datetime.date,
    valid_to: datetime.date,
) -> Insurance:
    require(actor, "volunteer.edit")
    require_in_scope(actor, volunteer.association)
    if valid_to < valid_from:
        raise ServiceError(gettext("保险止期不能早于起期。"), field="valid_to")
    insurance = Insurance(
        volunteer=volunteer,
        insurer=(insurer or "").strip(),
        policy_number=(policy_number or "").strip(),
        valid_from=valid_from,
        valid_to=valid_to,
    )
    validate(insurance, exclude=["volunteer"])
    insurance.save()
    audit_create(actor=actor, obj=insurance, scope_path=_path(volunteer))
    return insurance


@transaction.atomic
def volunteer_link_account(*, actor: User, volunteer: Volunteer, user: User) -> Volunteer:
    """Link a volunteer's platform account (role 志愿者) so they can use the volunteer portal."""
    require(actor, "volunteer.edit")
    require_in_scope(actor, volunteer.association)
    if user.home_association is None:
        raise ServiceError(gettext("该账号没有所属协会。"), field="user")
    require_in_scope(actor, user.home_association)
    if not user.has_role(Role.VOLUNTEER) or not user.is_active:
        raise ServiceError(gettext("只能关联角色为“志愿者”的在用账号。"), field="user")
    if Volunteer.objects.filter(user=user).exclude(pk=volunteer.pk).exists():
        raise ServiceError(gettext("该账号已关联其他志愿者。"), field="user")
    before = snapshot(volunteer, ["user"])
    volunteer.user = user
    volunteer.save(update_fields=["user", "updated_at"])
    audit_update(actor=actor, obj=volunteer, before=before, scope_path=_path(volunteer))
    return volunteer
