"""Services, assignments, service hours (recorded, submitted, confirmed) and certificates."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core.audit import audit_create, audit_update, snapshot
from fpa.core.errors import NotAllowed, ServiceError, validate, within
from fpa.core.scope import require, require_in_scope
from fpa.organizations.models import Association
from fpa.volunteers import rules
from fpa.volunteers.models import (
    Assignment,
    Certificate,
    HoursRecord,
    Service,
    Skill,
    Volunteer,
)
from fpa.volunteers.selectors import confirmed_hours, insured_on
from fpa.volunteers.services.common import _path

if TYPE_CHECKING:
    from fpa.accounts.models import User
    from fpa.families.models import Need

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
    actor: User,
    association: Association,
    title: str,
    date: datetime.date,
    hours: Any,
    risky: bool = False,
    description: str = "",
    skills: Iterable[Skill] = (),
    need: Need | None = None,
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


def _check_insured(service: Service, volunteer: Volunteer) -> None:
    if service.risky and not insured_on(volunteer, service.date):
        raise ServiceError(
            gettext("该服务有风险，%(name)s在%(date)s没有有效的意外保险，请先登记保险。")
            % {"name": volunteer.display_name, "date": service.date},
            field="volunteer",
            code="uninsured",
        )


@transaction.atomic
def assignment_create(*, actor: User, service: Service, volunteer: Volunteer) -> Assignment:
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
    actor: User, service: Service, volunteer: Volunteer, hours: Any, note: str
) -> HoursRecord:
    if service.date > timezone.localdate():
        raise ServiceError(gettext("服务尚未开展，不能登记时长。"), field="service")
    if HoursRecord.objects.filter(service=service, volunteer=volunteer).exists():
        raise ServiceError(gettext("该志愿者在此服务中的时长已登记。"), field="service")
    return HoursRecord(
        service=service,
        volunteer=volunteer,
        hours=_hours(hours, field="hours"),
        note=within((note or "").strip(), 300, field="note"),
        submitted_by=actor,
    )


@transaction.atomic
def hours_record(
    *, actor: User, service: Service, volunteer: Volunteer, hours: Any, note: str = ""
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
def hours_submit(*, actor: User, assignment: Assignment, hours: Any, note: str = "") -> HoursRecord:
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
def hours_confirm(*, actor: User, record: HoursRecord, confirm: bool) -> HoursRecord:
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


@transaction.atomic
def certificate_issue(*, actor: User, volunteer: Volunteer) -> Certificate:
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
