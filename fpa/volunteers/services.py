"""Writes for volunteers: application, vetting, agreement, status, trainings, insurance, teams,
services and hours, certificates and pairings. Atomic and audited."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext

from fpa.accounts.roles import Role
from fpa.core import idnumbers
from fpa.core.audit import audit_create, audit_record, audit_update, changed_since, snapshot
from fpa.core.errors import NotAllowed, ServiceError, check_version, validate
from fpa.core.models import AuditEvent
from fpa.core.protected import blind_index
from fpa.core.scope import require, require_in_scope, scope_path_of
from fpa.families import services as family_services
from fpa.families.models import CareKind, ContactRole, Family
from fpa.organizations.models import Association
from fpa.volunteers import rules
from fpa.volunteers.models import (
    Agreement,
    Assignment,
    Certificate,
    ConsentText,
    HoursRecord,
    Insurance,
    Pairing,
    Service,
    Skill,
    StatusChange,
    Team,
    Training,
    Volunteer,
)

HOLDERS = (Association.Kind.VILLAGE, Association.Kind.TOWNSHIP, Association.Kind.COUNTY)
PROFILE_FIELDS = ("name", "phone", "address", "occupation", "on_weekdays", "on_weekends")
PROFILE_FIELDS += ("in_evenings", "guardian_name", "guardian_relation", "guardian_phone")
PROFILE_FIELDS += ("guardian_consent_on",)
# What each status may become through volunteer_change_status (vetting and agreements have their
# own services).
TRANSITIONS = {
    Volunteer.Status.ACTIVE: {Volunteer.Status.SUSPENDED, Volunteer.Status.LEFT},
    Volunteer.Status.SUSPENDED: {Volunteer.Status.ACTIVE, Volunteer.Status.LEFT},
    Volunteer.Status.APPLIED: {Volunteer.Status.LEFT},
    Volunteer.Status.VETTED: {Volunteer.Status.LEFT},
}
PAIRING_ROLE = "member_or_volunteer"
PAIRING_CARE_KIND = "volunteer_service"
TEAM_LEVELS = {
    Team.Level.CORPS: (Association.Kind.COUNTY,),
    Team.Level.BRIGADE: (Association.Kind.TOWNSHIP,),
    Team.Level.SQUADRON: (Association.Kind.TOWNSHIP, Association.Kind.VILLAGE),
    Team.Level.SQUAD: (Association.Kind.VILLAGE,),
}


def _path(volunteer: Volunteer) -> str:
    return volunteer.association.path


def current_consent() -> ConsentText:
    consent = ConsentText.objects.order_by("-version").first()
    if consent is None:
        raise ServiceError(gettext("尚未设置报名同意书，暂不能报名。"))
    return consent


def duplicate_of(id_number: str, *, exclude: int | None = None) -> Volunteer | None:
    digest = blind_index("id_number", id_number)
    found = Volunteer.objects.filter(id_number_hash=digest)
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
    other = duplicate_of(volunteer.id_number.reveal_unchecked(), exclude=volunteer.pk)
    if other is not None:
        raise ServiceError(
            gettext(
                "该身份证号码已报名或登记为志愿者，不能重复报名；如需修改信息请联系所在计生协。"
            ),
            field="id_number",
            code="duplicate",
        )


def _clean_text(value: Any, limit: int) -> str:
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


@transaction.atomic
def volunteer_apply(
    *,
    actor: Any = None,
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
    consent = current_consent()
    if consent_version != consent.version:
        raise ServiceError(gettext("同意书已更新，请阅读最新版本后重新勾选同意。"), field="consent")
    today = timezone.localdate()
    volunteer = Volunteer(
        association=association,
        name=_clean_text(name, 50),
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


def _changed(volunteer: Volunteer, version: int | None) -> None:
    check_version(volunteer.version, version, changed_since(volunteer, version or 0))


def _lock(volunteer: Volunteer) -> Volunteer:
    return Volunteer.objects.select_for_update().select_related("association").get(pk=volunteer.pk)


@transaction.atomic
def volunteer_update(
    *,
    actor: Any,
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


def _record_status(
    actor: Any, volunteer: Volunteer, to_status: str, on: datetime.date, reason: str
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
        reason=reason[:300],
        recorded_by=actor,
    )
    volunteer.status = to_status
    volunteer.version += 1
    volunteer.save(update_fields=["status", "version", "updated_at"])
    audit_update(
        actor=actor, obj=volunteer, before=before, scope_path=_path(volunteer), reason=reason
    )


@transaction.atomic
def volunteer_vet(
    *,
    actor: Any,
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
    volunteer.vetting_notes = notes[:5000]
    volunteer.interview_on = interview_on
    volunteer.vetted_on = vetted_on
    volunteer.vetted_by = actor
    volunteer.save(update_fields=["vetting_notes", "interview_on", "vetted_on", "vetted_by"])
    audit_update(actor=actor, obj=volunteer, before=before, scope_path=_path(volunteer))
    to_status = Volunteer.Status.VETTED if passed else Volunteer.Status.REFUSED
    _record_status(actor, volunteer, to_status, vetted_on, "考察通过" if passed else notes)
    return volunteer


@transaction.atomic
def agreement_sign(
    *,
    actor: Any,
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
    *, actor: Any, volunteer: Volunteer, to_status: str, reason: str, effective_date: datetime.date
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
    actor: Any,
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
    actor: Any,
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
def volunteer_link_account(*, actor: Any, volunteer: Volunteer, user: Any) -> Volunteer:
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


# --- teams ----------------------------------------------------------------------------------------


@transaction.atomic
def team_create(*, actor: Any, association: Association, level: str, name: str) -> Team:
    require(actor, "volunteer.edit")
    require_in_scope(actor, association)
    if level not in TEAM_LEVELS:
        raise ServiceError(gettext("请选择队伍级别。"), field="level")
    if association.kind not in TEAM_LEVELS[level]:
        kinds = "、".join(str(Association.Kind(k).label) for k in TEAM_LEVELS[level])
        label = Team.Level(level).label
        raise ServiceError(
            gettext("%(level)s应设在%(kinds)s。") % {"level": label, "kinds": kinds},
            field="association",
        )
    team = Team(association=association, level=level, name=(name or "").strip())
    validate(team)
    team.save()
    audit_create(actor=actor, obj=team, scope_path=association.path)
    return team


@transaction.atomic
def team_add_member(*, actor: Any, team: Team, volunteer: Volunteer, leader: bool = False) -> Team:
    require(actor, "volunteer.edit")
    require_in_scope(actor, team.association)
    require_in_scope(actor, volunteer.association)
    if not volunteer.association.path.startswith(team.association.path):
        raise ServiceError(gettext("只能吸收本队所在协会辖区内的志愿者。"), field="volunteer")
    if volunteer.status != Volunteer.Status.ACTIVE:
        raise ServiceError(gettext("只有在册服务的志愿者可以加入队伍。"), field="volunteer")
    team.members.add(volunteer)
    before = snapshot(team, ["leader"])
    if leader:
        team.leader = volunteer
        team.save(update_fields=["leader", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=team,
        changes={
            "members": [None, volunteer.pk],
            **({"leader": [before["leader"], volunteer.pk]} if leader else {}),
        },
        scope_path=team.association.path,
    )
    return team


# --- services and hours ---------------------------------------------------------------------------


def _hours(value: Any, *, limit: Decimal = rules.MAX_HOURS_PER_RECORD, field: str) -> Decimal:
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ServiceError(gettext("时长应填写数字。"), field=field) from exc
    if not hours.is_finite() or hours <= 0:
        raise ServiceError(gettext("时长应大于0。"), field=field)
    if hours > limit:
        raise ServiceError(gettext("时长不能超过%(limit)s小时。") % {"limit": limit}, field=field)
    if hours != hours.quantize(Decimal("0.1")):
        raise ServiceError(gettext("时长最多保留一位小数。"), field=field)
    return hours.quantize(Decimal("0.1"))


@transaction.atomic
def service_create(
    *,
    actor: Any,
    association: Association,
    title: str,
    date: datetime.date,
    hours: Any,
    risky: bool = False,
    description: str = "",
    skills: Iterable[Skill] = (),
    need: Any = None,
) -> Service:
    require(actor, "volunteer.edit")
    require_in_scope(actor, association)
    if need is not None:
        require_in_scope(actor, need.family.association)
    service = Service(
        association=association,
        title=(title or "").strip(),
        date=date,
        hours=_hours(hours, field="hours"),
        risky=bool(risky),
        description=(description or "").strip(),
        need=need,
    )
    validate(service, exclude=["skills"])
    service.save()
    service.skills.set(list(skills))
    audit_create(actor=actor, obj=service, scope_path=association.path)
    return service


def insured_on(volunteer: Volunteer, day: datetime.date) -> bool:
    return volunteer.insurances.filter(valid_from__lte=day, valid_to__gte=day).exists()


def _check_insured(service: Service, volunteer: Volunteer) -> None:
    if service.risky and not insured_on(volunteer, service.date):
        raise ServiceError(
            gettext("该服务有风险，%(name)s在%(date)s没有有效的意外保险，请先登记保险。")
            % {"name": volunteer.display_name, "date": service.date},
            field="volunteer",
            code="uninsured",
        )


@transaction.atomic
def assignment_create(*, actor: Any, service: Service, volunteer: Volunteer) -> Assignment:
    """Assign a volunteer to a service (a task). Risky service needs valid insurance that day."""
    require(actor, "volunteer.edit")
    require_in_scope(actor, service.association)
    require_in_scope(actor, volunteer.association)
    if volunteer.status != Volunteer.Status.ACTIVE:
        raise ServiceError(gettext("只能安排在册服务的志愿者。"), field="volunteer")
    _check_insured(service, volunteer)
    if Assignment.objects.filter(service=service, volunteer=volunteer).exists():
        raise ServiceError(gettext("该志愿者已在此服务中。"), field="volunteer")
    assignment = Assignment.objects.create(service=service, volunteer=volunteer, assigned_by=actor)
    audit_create(actor=actor, obj=assignment, scope_path=_path(volunteer))
    return assignment


def _hours_row(
    actor: Any, service: Service, volunteer: Volunteer, hours: Any, note: str
) -> HoursRecord:
    if service.date > timezone.localdate():
        raise ServiceError(gettext("服务尚未开展，不能登记时长。"), field="service")
    if HoursRecord.objects.filter(service=service, volunteer=volunteer).exists():
        raise ServiceError(gettext("该志愿者在此服务中的时长已登记。"), field="service")
    return HoursRecord(
        service=service,
        volunteer=volunteer,
        hours=_hours(hours, field="hours"),
        note=(note or "").strip()[:300],
        submitted_by=actor,
    )


@transaction.atomic
def hours_record(
    *, actor: Any, service: Service, volunteer: Volunteer, hours: Any, note: str = ""
) -> HoursRecord:
    """The organising association records hours: confirmed at once."""
    require(actor, "volunteer.edit")
    require_in_scope(actor, service.association)
    require_in_scope(actor, volunteer.association)
    if not Assignment.objects.filter(service=service, volunteer=volunteer).exists():
        assignment_create(actor=actor, service=service, volunteer=volunteer)
    _check_insured(service, volunteer)
    record = _hours_row(actor, service, volunteer, hours, note)
    record.status = HoursRecord.Status.CONFIRMED
    record.confirmed_by = actor
    record.confirmed_at = timezone.now()
    record.save()
    audit_create(actor=actor, obj=record, scope_path=_path(volunteer))
    return record


@transaction.atomic
def hours_submit(*, actor: Any, assignment: Assignment, hours: Any, note: str = "") -> HoursRecord:
    """A volunteer submits their own hours for a task; the organiser confirms them."""
    require(actor, "volunteer.portal")
    volunteer = assignment.volunteer
    if volunteer.user_id != actor.pk:
        raise NotAllowed(gettext("只能为本人的服务任务申报时长。"))
    record = _hours_row(actor, assignment.service, volunteer, hours, note)
    record.save()
    audit_create(actor=actor, obj=record, scope_path=_path(volunteer))
    return record


@transaction.atomic
def hours_confirm(*, actor: Any, record: HoursRecord, confirm: bool) -> HoursRecord:
    require(actor, "volunteer.edit")
    record = HoursRecord.objects.select_for_update().get(pk=record.pk)
    require_in_scope(actor, record.service.association)
    if record.status != HoursRecord.Status.SUBMITTED:
        raise ServiceError(gettext("该时长已处理。"))
    if confirm:
        _check_insured(record.service, record.volunteer)
    before = snapshot(record, ["status", "confirmed_by", "confirmed_at"])
    record.status = HoursRecord.Status.CONFIRMED if confirm else HoursRecord.Status.REJECTED
    record.confirmed_by = actor
    record.confirmed_at = timezone.now()
    record.save(update_fields=["status", "confirmed_by", "confirmed_at", "updated_at"])
    audit_update(actor=actor, obj=record, before=before, scope_path=_path(record.volunteer))
    return record


def confirmed_hours(volunteer: Volunteer) -> Decimal:
    total = volunteer.hours_records.filter(status=HoursRecord.Status.CONFIRMED).aggregate(
        total=Sum("hours")
    )["total"]
    return total or Decimal("0")


@transaction.atomic
def certificate_issue(*, actor: Any, volunteer: Volunteer) -> Certificate:
    """A certificate of the confirmed hours to date, issued by the actor's association."""
    require(actor, "volunteer.edit")
    require_in_scope(actor, volunteer.association)
    hours = confirmed_hours(volunteer)
    if hours <= 0:
        raise ServiceError(gettext("该志愿者还没有已确认的服务时长，不能出具证明。"))
    certificate = Certificate(
        volunteer=volunteer,
        code=rules.new_code(),
        hours=hours,
        stars=rules.stars_for(hours),
        issuer=actor.home_association,
        issued_on=timezone.localdate(),
        issued_by=actor,
    )
    certificate.save()
    audit_create(actor=actor, obj=certificate, scope_path=_path(volunteer))
    return certificate


# --- pairings -------------------------------------------------------------------------------------


@transaction.atomic
def pairing_create(
    *,
    actor: Any,
    volunteer: Volunteer,
    family: Family,
    start_date: datetime.date,
    note: str = "",
) -> Pairing:
    """结对: the volunteer becomes a contact of the family (role 计生协会员或志愿者) and the care
    log records the pairing, both through the families services (which check family.edit and
    the family's scope again)."""
    require(actor, "volunteer.edit")
    require_in_scope(actor, volunteer.association)
    require_in_scope(actor, family.association)
    if volunteer.status != Volunteer.Status.ACTIVE:
        raise ServiceError(gettext("只有在册服务的志愿者可以结对。"), field="volunteer")
    if start_date > timezone.localdate():
        raise ServiceError(gettext("结对日期不能晚于今天。"), field="start_date")
    if Pairing.objects.filter(volunteer=volunteer, family=family, end_date__isnull=True).exists():
        raise ServiceError(gettext("该志愿者已与此家庭结对。"), field="family")
    # The contact is named, not given the volunteer's account: a pairing shows the volunteer
    # the family's name and village in the portal, not the family's file.
    contact = family_services.contact_assign(
        actor=actor,
        family=family,
        role=ContactRole.objects.get(code=PAIRING_ROLE),
        name=volunteer.name,
        phone=volunteer.phone.reveal_unchecked() if volunteer.phone else None,
        start_date=start_date,
    )
    pairing = Pairing.objects.create(
        volunteer=volunteer,
        family=family,
        contact=contact,
        start_date=start_date,
        note=(note or "").strip()[:300],
    )
    audit_create(actor=actor, obj=pairing, scope_path=_path(volunteer))
    day = max(start_date, timezone.localdate() - datetime.timedelta(days=365))
    family_services.care_log(
        actor=actor,
        family=family,
        kind=CareKind.objects.get(code=PAIRING_CARE_KIND),
        occurred_on=day,
        services=["volunteer"],
        cares=["pairing"],
        notes=f"志愿者{volunteer.display_name}结对。{pairing.note}".strip(),
    )
    return pairing


def _pairing_close(actor: Any, pairing: Pairing, end_date: datetime.date) -> None:
    if end_date < pairing.start_date:
        raise ServiceError(gettext("结束日期不能早于结对日期。"), field="end_date")
    before = snapshot(pairing, ["end_date"])
    pairing.end_date = end_date
    pairing.save(update_fields=["end_date", "updated_at"])
    audit_update(actor=actor, obj=pairing, before=before, scope_path=_path(pairing.volunteer))
    contact = pairing.contact
    if contact is not None and contact.end_date is None:
        family_services.contact_end(actor=actor, contact=contact, end_date=end_date)


@transaction.atomic
def pairing_end(*, actor: Any, pairing: Pairing, end_date: datetime.date) -> Pairing:
    require(actor, "volunteer.edit")
    require_in_scope(actor, pairing.volunteer.association)
    if pairing.end_date:
        raise ServiceError(gettext("该结对已结束。"))
    _pairing_close(actor, pairing, end_date)
    return pairing


def actor_path(actor: Any) -> str:
    path = scope_path_of(actor)
    if path is None:
        raise NotAllowed(gettext("您的角色无权进行此操作。"))
    return path
