"""Yearly re-registration (会员重新登记): start, confirm, close."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core.audit import audit_create, audit_record
from fpa.core.errors import ServiceError, validate
from fpa.core.models import AuditEvent
from fpa.core.scope import require, require_in_scope
from fpa.members.models import (
    Confirmation,
    Member,
    Reregistration,
)
from fpa.members.services.common import _lock, _set_status
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

# --- re-registration ------------------------------------------------------------------------------


@transaction.atomic
def reregistration_start(
    *,
    actor: User,
    association: Association,
    name: str,
    start_date: datetime.date,
    end_date: datetime.date,
) -> Reregistration:
    require(actor, "member.edit")
    require_in_scope(actor, association)
    campaign = Reregistration(
        association=association,
        name=(name or "").strip(),
        start_date=start_date,
        end_date=end_date,
        created_by=actor,
    )
    validate(campaign, exclude=["created_by"])
    if end_date < start_date:
        raise ServiceError(gettext("截止日期不能早于开始日期。"), field="end_date")
    if (end_date - start_date).days > 366:
        raise ServiceError(gettext("重新登记期限不能超过一年。"), field="end_date")
    campaign.save()
    audit_create(actor=actor, obj=campaign, scope_path=association.path)
    return campaign


@transaction.atomic
def reregistration_confirm(
    *, actor: User, campaign: Reregistration, member: Member, on: datetime.date | None = None
) -> Confirmation:
    """The member confirms their membership in the campaign (recorded by staff)."""
    require(actor, "member.edit")
    require_in_scope(actor, member.association)
    if not member.association.is_under(campaign.association):
        raise ServiceError(gettext("该会员不在此次重新登记的范围内。"), field="member")
    if campaign.closed_on:
        raise ServiceError(gettext("此次重新登记已结束。"), field="campaign")
    day = on or timezone.localdate()
    if not campaign.start_date <= day <= campaign.end_date:
        raise ServiceError(gettext("确认日期不在重新登记期间内。"), field="on")
    if member.status != Member.Status.ACTIVE:
        raise ServiceError(gettext("只有在册会员可以确认重新登记。"), field="member")
    confirmation, created = Confirmation.objects.get_or_create(
        campaign=campaign, member=member, defaults={"confirmed_on": day, "recorded_by": actor}
    )
    if not created:
        raise ServiceError(gettext("该会员已确认。"), field="member")
    audit_create(actor=actor, obj=confirmation, scope_path=member.association.path)
    return confirmation


@transaction.atomic
def reregistration_close(*, actor: User, campaign: Reregistration) -> int:
    """After the end date: every active member of the subtree (in the actor's scope) who did not
    confirm lapses, with the campaign as the reason. Returns how many lapsed."""
    require(actor, "member.edit")
    require_in_scope(actor, campaign.association)
    locked = Reregistration.objects.select_for_update().get(pk=campaign.pk)
    if locked.closed_on:
        raise ServiceError(gettext("此次重新登记已结束。"))
    if timezone.localdate() <= locked.end_date:
        raise ServiceError(gettext("截止日期之后才能结束重新登记。"))
    missing = (
        Member.objects.visible_to(actor)
        .filter(association__path__under=locked.association.path, status=Member.Status.ACTIVE)
        .exclude(confirmations__campaign=locked)
        .order_by("pk")
    )
    lapsed = 0
    reason = f"未参加{locked.name}"
    for pk in list(missing.values_list("pk", flat=True)):
        member = _lock(Member(pk=pk))
        if member.status == Member.Status.ACTIVE:
            _set_status(actor, member, Member.Status.LAPSED, locked.end_date, reason)
            lapsed += 1
    locked.closed_on = timezone.localdate()
    locked.save(update_fields=["closed_on", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=locked,
        changes={"closed_on": [None, str(locked.closed_on)], "lapsed": [None, lapsed]},
        scope_path=locked.association.path,
    )
    return lapsed
