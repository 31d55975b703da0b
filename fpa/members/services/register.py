"""A member from application through approval (with the card number) to changes and status."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core.audit import audit_update, diff, snapshot
from fpa.core.errors import NotAllowed, ServiceError, check_version, validate, within
from fpa.core.scope import require, require_in_scope
from fpa.members import tallies
from fpa.members.models import (
    Member,
    Transfer,
)
from fpa.members.rules import RESOLUTION_MAX
from fpa.members.services.common import (
    EDITABLE,
    REOPENERS,
    _apply_identity,
    _audit_create,
    _check_duplicate,
    _clean,
    _lock,
    _may_decide,
    _new_card,
    _path,
    _require_holder,
    _set_status,
)
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User


@transaction.atomic
def member_apply(
    *,
    actor: User,
    association: Association,
    kind: str,
    name: str,
    id_number: str | None = None,
    phone: str | None = None,
    address: str = "",
    contact_name: str = "",
    political_status: str = "",
    serves: str = "",
    applied_on: datetime.date | None = None,
) -> Member:
    """Record an application (入会申请) for the council of `association` to decide."""
    require(actor, "member.edit")
    require_in_scope(actor, association)
    _require_holder(association)
    member = Member(
        association=association,
        kind=kind,
        name=name,
        contact_name=contact_name,
        id_number=_clean(id_number, "id_number"),
        phone=_clean(phone, "phone"),
        address=address,
        political_status=(political_status or "").strip(),
        serves=(serves or "").strip(),
        applied_on=applied_on or timezone.localdate(),
    )
    validate(member, exclude=["id_number_hash", "phone_hash", "card_number"])
    if member.applied_on > timezone.localdate():
        raise ServiceError(gettext("申请日期不能晚于今天。"), field="applied_on")
    _apply_identity(member)
    _check_duplicate(member, actor)
    member.save()
    _audit_create(actor, member)
    return member


@transaction.atomic
def member_approve(
    *,
    actor: User,
    member: Member,
    approved_on: datetime.date | None = None,
    council_meeting_on: datetime.date | None = None,
    council_resolution: str = "",
) -> Member:
    """理事会审批: the application is approved and a member card (number and check code) is
    issued. The approval page records the council meeting date and the resolution number (both
    or neither; the date is then the approval date); an import of members approved long ago may
    leave them out."""
    locked = _lock(member)
    _may_decide(actor, locked.association)
    if locked.status != Member.Status.PENDING:
        raise ServiceError(gettext("只能审批待审批的申请。"), field="status")
    today = timezone.localdate()
    resolution = within((council_resolution or "").strip(), RESOLUTION_MAX, field="resolution")
    if bool(council_meeting_on) != bool(resolution):
        field = "council_resolution" if council_meeting_on else "council_meeting_on"
        raise ServiceError(gettext("请同时填写理事会会议日期和决议文号。"), field=field)
    if council_meeting_on is not None:
        if council_meeting_on > today or council_meeting_on < locked.applied_on:
            raise ServiceError(
                gettext("理事会会议日期应在申请日期与今天之间。"), field="council_meeting_on"
            )
        approved_on = approved_on or council_meeting_on
    day = approved_on or today
    if day > today or day < locked.applied_on:
        raise ServiceError(gettext("批准日期应在申请日期与今天之间。"), field="approved_on")
    reason = "理事会审批通过" + (f"（{resolution}）" if resolution else "")
    _set_status(
        actor,
        locked,
        Member.Status.ACTIVE,
        day,
        reason,
        **_new_card(locked.association),
        approved_on=day,
        approved_by=actor,
        council_meeting_on=council_meeting_on,
        council_resolution=resolution,
    )
    return locked


@transaction.atomic
def member_reject(*, actor: User, member: Member, reason: str) -> Member:
    locked = _lock(member)
    _may_decide(actor, locked.association)
    if locked.status != Member.Status.PENDING:
        raise ServiceError(gettext("只能审批待审批的申请。"), field="status")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError(gettext("请填写不予批准的原因。"), field="reason")
    _set_status(
        actor,
        locked,
        Member.Status.REJECTED,
        timezone.localdate(),
        reason,
        rejection_reason=within(reason, 300, field="reason"),
    )
    return locked


@transaction.atomic
def member_reopen(*, actor: User, member: Member, reason: str) -> Member:
    """A refusal recorded by mistake: the township (or the county) above puts the application
    back before the council (待审批), with the reason; the refusal stays in the status history
    and the audit trail. Refused when the person holds or seeks a membership again since."""
    require(actor, "member.approve")
    locked = _lock(member)
    require_in_scope(actor, locked.association)
    home = actor.home_association
    if home is None or home.kind not in REOPENERS:
        raise NotAllowed(gettext("未批准的入会申请须由乡镇或县级计生协重新打开。"))
    if locked.status != Member.Status.REJECTED:
        raise ServiceError(gettext("只有未批准的申请可以重新打开。"), field="status")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError(gettext("请填写重新打开的原因。"), field="reason")
    _check_duplicate(locked, actor)
    text = within(gettext("重新打开申请：%(reason)s") % {"reason": reason}, 300, field="reason")
    _set_status(
        actor, locked, Member.Status.PENDING, timezone.localdate(), text, rejection_reason=""
    )
    return locked


@transaction.atomic
def member_update(
    *, actor: User, member: Member, expected_version: int | None = None, **data: Any
) -> Member:
    require(actor, "member.edit")
    locked = _lock(member)
    require_in_scope(actor, locked.association)
    check_version(locked.version, expected_version)
    if locked.status not in Member.LIVE:
        raise ServiceError(gettext("该会员已不在册，不能修改。"))
    before_key = tallies.key_of(locked)
    before = snapshot(locked, (*EDITABLE, "version"))
    for key in EDITABLE:
        if key in data:
            setattr(locked, key, _clean(data[key], key))
    validate(locked, exclude=["id_number_hash", "phone_hash", "card_number"])
    _apply_identity(locked)
    _check_duplicate(locked, actor)
    if not diff({k: v for k, v in before.items() if k != "version"}, snapshot(locked, EDITABLE)):
        return locked
    locked.version += 1
    locked.save()
    tallies.move(before_key, tallies.key_of(locked))
    audit_update(actor=actor, obj=locked, before=before, scope_path=_path(locked))
    return locked


@transaction.atomic
def member_change_status(
    *, actor: User, member: Member, status: str, effective_date: datetime.date, reason: str
) -> Member:
    """Lapsed, withdrawn, deceased, or back to active: always with a reason, a date and who."""
    require(actor, "member.edit")
    locked = _lock(member)
    require_in_scope(actor, locked.association)
    if status not in Member.MANUAL:
        raise ServiceError(gettext("状态不正确。"), field="status")
    if locked.status not in (Member.Status.ACTIVE, Member.Status.LAPSED):
        raise ServiceError(gettext("只有在册或失效的会员可以变更状态。"), field="status")
    if status == locked.status:
        raise ServiceError(gettext("新状态与当前状态相同。"), field="status")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError(gettext("请填写状态变更的原因。"), field="reason")
    if effective_date > timezone.localdate():
        raise ServiceError(gettext("变更日期不能晚于今天。"), field="effective_date")
    if Transfer.objects.filter(member=locked, status=Transfer.Status.REQUESTED).exists():
        raise ServiceError(gettext("该会员有待接收的转会申请，请先撤回。"), field="status")
    _set_status(actor, locked, status, effective_date, reason)
    return locked
