"""Transfers of a member between associations: request, accept, refuse, cancel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core.audit import audit_create, audit_record, audit_update, snapshot
from fpa.core.errors import ServiceError, within
from fpa.core.models import AuditEvent
from fpa.core.scope import require, require_in_scope
from fpa.members import tallies
from fpa.members.models import (
    Member,
    Transfer,
)
from fpa.members.services.common import (
    _apply_identity,
    _audit_create,
    _lock,
    _next_card,
    _require_holder,
    _set_status,
)
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

# --- transfers ------------------------------------------------------------------------------------


@transaction.atomic
def transfer_request(
    *, actor: User, member: Member, to_association: Association, reason: str
) -> Transfer:
    """The sending association asks the receiving one (anywhere in the deployment) to take the
    member; nothing changes for the member until the receiving side accepts."""
    require(actor, "member.edit")
    locked = _lock(member)
    require_in_scope(actor, locked.association)
    if locked.status != Member.Status.ACTIVE:
        raise ServiceError(gettext("只有在册会员可以转会。"), field="member")
    _require_holder(to_association, field="to_association")
    if to_association.pk == locked.association_id:
        raise ServiceError(gettext("转入协会不能是会员现在所属的协会。"), field="to_association")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError(gettext("请填写转会原因。"), field="reason")
    if Transfer.objects.filter(member=locked, status=Transfer.Status.REQUESTED).exists():
        raise ServiceError(gettext("该会员已有待接收的转会申请。"), field="member")
    transfer = Transfer(
        member=locked,
        from_association=locked.association,
        to_association=to_association,
        reason=within(reason, 300, field="reason"),
        requested_by=actor,
        requested_on=timezone.localdate(),
    )
    try:
        with transaction.atomic():
            transfer.save()
    except IntegrityError as exc:
        raise ServiceError(gettext("该会员已有待接收的转会申请。"), field="member") from exc
    audit_create(actor=actor, obj=transfer, scope_path=locked.association.path)
    _audit_incoming(actor, transfer, "create")
    return transfer


def _audit_incoming(actor: User, transfer: Transfer, what: str) -> None:
    """The receiving subtree's auditors see the request too (without the member's personal data)."""
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE if what != "create" else AuditEvent.Action.CREATE,
        obj=transfer,
        changes={
            "status": [None, transfer.status],
            "to_association": [None, transfer.to_association.code],
        },
        scope_path=transfer.to_association.path,
    )


def _lock_transfer(transfer: Transfer) -> Transfer:
    return (
        Transfer.objects.select_for_update()
        .select_related("member__association", "from_association", "to_association")
        .get(pk=transfer.pk)
    )


@transaction.atomic
def transfer_accept(*, actor: User, transfer: Transfer) -> Member:
    """The receiving association takes the member: a new membership there with its own card
    number, the old one closed as transferred (both kept, linked)."""
    require(actor, "member.approve")
    locked = _lock_transfer(transfer)
    require_in_scope(actor, locked.to_association)
    if locked.status != Transfer.Status.REQUESTED:
        raise ServiceError(gettext("该转会申请已处理。"), field="status")
    _require_holder(locked.to_association, field="to_association")
    old = _lock(locked.member)
    if old.status != Member.Status.ACTIVE:
        raise ServiceError(gettext("该会员已不在册，不能接收。"), field="member")
    today = timezone.localdate()
    note = f"转会至{locked.to_association.name}"
    _set_status(actor, old, Member.Status.TRANSFERRED, today, note, group=None)
    new = Member(
        association=locked.to_association,
        kind=old.kind,
        status=Member.Status.ACTIVE,
        name=old.name,
        contact_name=old.contact_name,
        id_number=old.id_number,
        phone=old.phone,
        address=old.address,
        political_status=old.political_status,
        serves=old.serves,
        applied_on=old.applied_on,
        approved_on=today,
        approved_by=actor,
        transferred_from=old,
        card_number=_next_card(locked.to_association),
    )
    _apply_identity(new)
    new.save()
    _audit_create(actor, new)
    tallies.move(None, tallies.key_of(new))
    before = snapshot(locked, ["status", "decided_on", "new_member"])
    locked.status = Transfer.Status.ACCEPTED
    locked.decided_by, locked.decided_on, locked.new_member = actor, today, new
    locked.save(update_fields=["status", "decided_by", "decided_on", "new_member", "updated_at"])
    audit_update(actor=actor, obj=locked, before=before, scope_path=locked.from_association.path)
    _audit_incoming(actor, locked, "accept")
    return new


@transaction.atomic
def transfer_refuse(*, actor: User, transfer: Transfer, reason: str) -> Transfer:
    require(actor, "member.approve")
    locked = _lock_transfer(transfer)
    require_in_scope(actor, locked.to_association)
    return _close_transfer(
        actor, locked, Transfer.Status.REFUSED, reason, gettext("请填写拒绝接收的原因。")
    )


@transaction.atomic
def transfer_cancel(*, actor: User, transfer: Transfer, reason: str = "撤回") -> Transfer:
    require(actor, "member.edit")
    locked = _lock_transfer(transfer)
    require_in_scope(actor, locked.from_association)
    return _close_transfer(
        actor, locked, Transfer.Status.CANCELLED, reason, gettext("请填写撤回原因。")
    )


def _close_transfer(
    actor: User, transfer: Transfer, status: str, reason: str, missing: str
) -> Transfer:
    if transfer.status != Transfer.Status.REQUESTED:
        raise ServiceError(gettext("该转会申请已处理。"), field="status")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError(missing, field="reason")
    before = snapshot(transfer, ["status", "decided_on", "refusal_reason"])
    transfer.status = status
    transfer.decided_by, transfer.decided_on = actor, timezone.localdate()
    transfer.refusal_reason = within(reason, 300, field="reason")
    transfer.save(
        update_fields=["status", "decided_by", "decided_on", "refusal_reason", "updated_at"]
    )
    audit_update(
        actor=actor, obj=transfer, before=before, scope_path=transfer.from_association.path
    )
    _audit_incoming(actor, transfer, "close")
    return transfer
