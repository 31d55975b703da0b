"""Writes of the care mechanism: each checks the capability and scope through the module's
`CareSpec`, runs in one transaction and writes the audit trail.

Who may write: staff holding the spec's edit capability whose subtree holds the subject (and who
pass `spec.staff_may`), for everything; a current contact person of the subject, for the care
log and needs (not for assigning contacts).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core.actors import Actor
from fpa.core.audit import audit_create, audit_record, audit_update, snapshot
from fpa.core.care.selectors import handover_contacts
from fpa.core.care.spec import CareSpec
from fpa.core.errors import NotAllowed, ServiceError, validate, within
from fpa.core.models import AuditEvent
from fpa.core.scope import in_scope, require, require_in_scope, scope_path_of

LOG_BACK_DAYS = 366  # how far back a care record may be entered


def current_contact(spec: CareSpec, user: Any, subject: Any) -> Any:
    """The user's current contact row for `subject`, or None."""
    if getattr(user, "pk", None) is None:
        return None
    return (
        spec.contact_model.objects.filter(**spec.of(subject), user=user, end_date__isnull=True)
        .order_by("pk")
        .first()
    )


def staff_may_edit(spec: CareSpec, actor: Any, subject: Any) -> bool:
    return bool(
        actor.has_capability(spec.edit_capability)
        and in_scope(actor, subject.association)
        and spec.staff_may(actor, subject)
    )


def may_record(spec: CareSpec, actor: Actor, subject: Any) -> None:
    """Staff in scope, or a current contact person of the subject, may record care and needs."""
    if scope_path_of(actor) is None:
        raise NotAllowed(gettext("您的角色无权进行此操作。"))
    if staff_may_edit(spec, actor, subject):
        return
    if current_contact(spec, actor, subject) is not None:
        return
    raise NotAllowed(gettext(spec.may_not_log))


def _require_staff(spec: CareSpec, actor: Actor, subject: Any) -> None:
    require(actor, spec.edit_capability)
    require_in_scope(actor, subject.association)
    if not spec.staff_may(actor, subject):
        raise NotAllowed(gettext("您的角色无权进行此操作。"))


@transaction.atomic
def contact_assign(
    spec: CareSpec,
    *,
    actor: Actor,
    subject: Any,
    role: Any,
    name: str,
    start_date: datetime.date,
    user: Any = None,
    phone: str | None = None,
) -> Any:
    """A contact person for `subject` from `start_date`: an account of the platform or a name."""
    _require_staff(spec, actor, subject)
    if not spec.accepts_contacts(subject):
        raise ServiceError(gettext(spec.not_accepting))
    if user is not None and not user.is_active:
        raise ServiceError(gettext("该账号已停用。"), field="user")
    contact = spec.contact_model(
        **spec.of(subject),
        role=role,
        name=(name or (user.full_name if user else "")).strip(),
        user=user,
        phone=phone or None,
        start_date=start_date,
    )
    validate(contact, exclude=[spec.subject_field, "phone_hash"])
    contact.save()
    audit_create(actor=actor, obj=contact, scope_path=subject.association.path)
    return contact


@transaction.atomic
def contact_end(
    spec: CareSpec, *, actor: Actor, contact: Any, end_date: datetime.date, reason: str = ""
) -> Any:
    """End a current contact on `end_date`; `reason` (optional) goes on the audit row."""
    subject = getattr(contact, spec.subject_field)
    _require_staff(spec, actor, subject)
    if contact.end_date:
        raise ServiceError(gettext("该联系人已结束。"))
    if end_date < contact.start_date:
        raise ServiceError(gettext("结束日期不能早于开始日期。"), field="end_date")
    before = snapshot(contact, ["end_date"])
    contact.end_date = end_date
    contact.save(update_fields=["end_date", "updated_at"])
    audit_update(
        actor=actor,
        obj=contact,
        before=before,
        scope_path=subject.association.path,
        reason=(reason or "").strip(),
    )
    return contact


def check_occurred_on(occurred_on: datetime.date) -> None:
    today = timezone.localdate()
    if occurred_on > today:
        raise ServiceError(gettext("日期不能晚于今天。"), field="occurred_on")
    if occurred_on < today - datetime.timedelta(days=LOG_BACK_DAYS):
        raise ServiceError(gettext("只能补记一年以内的记录。"), field="occurred_on")


@transaction.atomic
def care_log(
    spec: CareSpec,
    *,
    actor: Actor,
    subject: Any,
    kind: Any,
    occurred_on: datetime.date,
    notes: str = "",
    clean: Callable[[], None] | None = None,
    **extra: Any,
) -> Any:
    """One care record (a visit, a call …) for `subject`; `extra` holds the module's own fields
    (the families' four services and five cares), which `clean` checks once the actor is allowed
    (it raises ServiceError)."""
    may_record(spec, actor, subject)
    if clean is not None:
        clean()
    check_occurred_on(occurred_on)
    record = spec.record_model(
        **spec.of(subject),
        kind=kind,
        occurred_on=occurred_on,
        contact=current_contact(spec, actor, subject),
        recorded_by=actor,
        notes=within((notes or "").strip(), 5000, field="notes"),
        **extra,
    )
    record.save()
    audit_create(actor=actor, obj=record, scope_path=subject.association.path)
    return record


@transaction.atomic
def need_raise(
    spec: CareSpec,
    *,
    actor: Actor,
    subject: Any,
    description: str,
    owner: Any = None,
    due_date: datetime.date | None = None,
    raised_in: Any = None,
) -> Any:
    """A need of `subject`, with an owner who can open the subject and a deadline."""
    may_record(spec, actor, subject)
    description = (description or "").strip()
    if len(description) < 2:
        raise ServiceError(gettext("请填写诉求内容。"), field="description")
    if raised_in is not None and getattr(raised_in, spec.id_field()) != subject.pk:
        raise ServiceError(gettext(spec.record_elsewhere), field="raised_in")
    # The owner must be able to open the subject and act on the need: staff whose subtree holds
    # it (a finance or audit account at the county does not), or one of its contact persons.
    if owner is not None and not (
        owner.is_active
        and spec.subject_model.objects.visible_to(owner).filter(pk=subject.pk).exists()
    ):
        raise ServiceError(gettext(spec.owner_out_of_scope), field="owner")
    need = spec.need_model(
        **spec.of(subject),
        raised_in=raised_in,
        description=within(description, 500, field="description"),
        owner=owner,
        due_date=due_date,
    )
    need.save()
    audit_create(actor=actor, obj=need, scope_path=subject.association.path)
    return need


@transaction.atomic
def need_update(spec: CareSpec, *, actor: Actor, need: Any, status: str, result: str = "") -> Any:
    """A need's new status; resolving or closing it needs the result."""
    locked = (
        spec.need_model.objects.select_for_update()
        .select_related(f"{spec.subject_field}__association")
        .get(pk=need.pk)
    )
    subject = getattr(locked, spec.subject_field)
    may_record(spec, actor, subject)
    statuses = spec.need_model.Status
    if status not in statuses.values:
        raise ServiceError(gettext("状态不正确。"), field="status")
    result = (result or "").strip()
    if status in (statuses.RESOLVED, statuses.CLOSED) and len(result) < 2:
        raise ServiceError(gettext("办结时请填写办理结果。"), field="result")
    before = snapshot(locked, ["status", "result", "closed_on"])
    locked.status = status
    locked.result = within(result, 500, field="result")
    locked.closed_on = timezone.localdate() if not locked.is_open else None
    locked.save(update_fields=["status", "result", "closed_on", "updated_at"])
    audit_update(actor=actor, obj=locked, before=before, scope_path=subject.association.path)
    return locked


@transaction.atomic
def contacts_hand_over(
    spec: CareSpec,
    *,
    actor: Actor,
    from_user: Any,
    to_user: Any,
    on: datetime.date,
    to_name: str = "",
    reason: str = "",
    subjects_key: str = "subjects",
) -> list[Any]:
    """A contact person leaves: every subject they look after in the actor's subtree moves to
    the successor (an account of the actor's subtree, or a name) in one transaction: each
    current contact ends on `on` and a new one, of the same role, starts that day. All or
    nothing: one subject the actor may not act on (`spec.staff_may`) refuses the whole
    handover. One audit row names the subjects (under `subjects_key`), both people, the new
    contacts and the reason. Returns the contacts that ended."""
    require(actor, spec.edit_capability)
    path = scope_path_of(actor)
    if path is None or actor.home_association is None:
        raise NotAllowed(gettext("您的角色无权进行此操作。"))
    if to_user is not None and not to_user.is_active:
        raise ServiceError(gettext("接替人账号已停用。"), field="to_user")
    if to_user is not None and to_user.pk == from_user.pk:
        raise ServiceError(gettext("接替人不能是本人。"), field="to_user")
    if to_user is not None and not (
        to_user.home_association is not None and in_scope(actor, to_user.home_association)
    ):
        raise ServiceError(gettext("所选账号不存在或不在您的管辖范围内。"), field="to_user")
    to_name = (to_name or "").strip() or (
        (to_user.full_name or to_user.username) if to_user is not None else ""
    )
    if not to_name:
        raise ServiceError(gettext("请指定接替人（平台账号或姓名）。"), field="to_user")
    current = list(handover_contacts(spec, actor=actor, from_user=from_user).select_for_update())
    if not current:
        raise ServiceError(gettext(spec.nothing_to_hand_over))
    for contact in current:
        if not spec.staff_may(actor, getattr(contact, spec.subject_field)):
            raise NotAllowed(gettext(spec.staff_may_not))
        if on < contact.start_date:
            raise ServiceError(gettext("交接日期不能早于原联系开始日期。"), field="on")
    spec.contact_model.objects.filter(pk__in=[c.pk for c in current]).update(end_date=on)
    created = spec.contact_model.objects.bulk_create(
        [
            spec.contact_model(
                **spec.of(getattr(c, spec.subject_field)),
                role=c.role,
                name=to_name[:50],
                user=to_user,
                start_date=on,
            )
            for c in current
        ]
    )
    key = spec.id_field()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        object_type=spec.contact_model._meta.label_lower,
        object_repr=f"联系人交接 {from_user} → {to_user or to_name}",
        changes={
            subjects_key: [None, [getattr(c, key) for c in current]],
            "from_user": [from_user.pk, None],
            "to_user": [None, to_user.pk if to_user else None],
            "new_contacts": [None, [c.pk for c in created]],
        },
        scope_path=actor.home_association.path,
        reason=(reason or "").strip(),
    )
    return current
