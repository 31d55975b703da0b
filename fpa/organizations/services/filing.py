"""Filing (备案) of who runs each association: submit, accept, return."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core import events
from fpa.core.audit import (
    audit_create,
    audit_update,
    snapshot,
)
from fpa.core.errors import NotAllowed, ServiceError, validate, within
from fpa.core.scope import require, require_in_scope
from fpa.organizations.models import (
    Association,
    Filing,
    StaffMember,
)

if TYPE_CHECKING:
    from fpa.accounts.models import User

# --- filing (备案) ----------------------------------------------------------------------------


@transaction.atomic
def filing_submit(
    *, actor: User, association: Association, person: StaffMember, note: str = ""
) -> Filing:
    """A lower association files the person who presides over its daily work with its parent."""
    require(actor, "filing.submit")
    require_in_scope(actor, association)
    if association.parent_id is None:
        raise ServiceError(gettext("该协会没有上级协会，无需备案。"))
    if person.association_id != association.pk or not person.is_current_on():
        raise ServiceError(gettext("备案人须为本协会在任的工作人员。"), field="person")
    if Filing.objects.filter(association=association, status=Filing.Status.SUBMITTED).exists():
        raise ServiceError(gettext("已有待审核的备案，请等待上级审核后再报送。"))
    filing = Filing(
        association=association, person=person, note=(note or "").strip(), submitted_by=actor
    )
    validate(filing)
    filing.save()
    audit_create(actor=actor, obj=filing, scope_path=association.path)
    return filing


def _require_reviewer(actor: User, filing: Filing) -> None:
    require(actor, "filing.review")
    home = actor.home_association
    if home is None or filing.association.parent_id != home.pk:
        raise NotAllowed(gettext("只有上一级协会可以审核此备案。"))
    if filing.submitted_by_id == actor.pk:
        raise NotAllowed(gettext("不能审核自己报送的备案。"))


@transaction.atomic
def filing_accept(*, actor: User, filing: Filing) -> Filing:
    filing = Filing.objects.select_for_update().select_related("association").get(pk=filing.pk)
    _require_reviewer(actor, filing)
    if filing.status != Filing.Status.SUBMITTED:
        raise ServiceError(gettext("该备案已审核，不能重复审核。"), code="conflict")
    previous = Filing.objects.filter(association=filing.association, status=Filing.Status.ACCEPTED)
    for old in previous:
        before = snapshot(old, ["status"])
        old.status = Filing.Status.SUPERSEDED
        old.save(update_fields=["status", "updated_at"])
        audit_update(actor=actor, obj=old, before=before, scope_path=filing.association.path)
    before = snapshot(filing, ["status", "reviewed_by", "reviewed_at"])
    filing.status = Filing.Status.ACCEPTED
    filing.reviewed_by = actor
    filing.reviewed_at = timezone.now()
    filing.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
    audit_update(actor=actor, obj=filing, before=before, scope_path=filing.association.path)
    return filing


@transaction.atomic
def filing_return(*, actor: User, filing: Filing, reason: str) -> Filing:
    filing = Filing.objects.select_for_update().select_related("association").get(pk=filing.pk)
    _require_reviewer(actor, filing)
    if filing.status != Filing.Status.SUBMITTED:
        raise ServiceError(gettext("该备案已审核，不能重复审核。"), code="conflict")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError(gettext("退回备案须写明原因。"), field="return_reason")
    before = snapshot(filing, ["status", "reviewed_by", "reviewed_at", "return_reason"])
    filing.status = Filing.Status.RETURNED
    filing.reviewed_by = actor
    filing.reviewed_at = timezone.now()
    filing.return_reason = within(reason, 300, field="reason")
    filing.save(
        update_fields=["status", "reviewed_by", "reviewed_at", "return_reason", "updated_at"]
    )
    audit_update(
        actor=actor, obj=filing, before=before, scope_path=filing.association.path, reason=reason
    )
    events.publish(
        "organizations.filing_returned",
        recipients=[filing.submitted_by_id],
        title=gettext("%(association)s 的备案被退回") % {"association": filing.association.name},
        url=reverse("organizations:detail", args=[filing.association.code]),
        reason=filing.return_reason,
    )
    return filing
