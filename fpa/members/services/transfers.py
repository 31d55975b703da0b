"""Transfers of a member between associations: request, accept, refuse, cancel, through the shared
mechanism of `fpa.core.transfers` (the member's part: a new membership at the receiving side)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from fpa.core import transfers as engine
from fpa.core.errors import ServiceError
from fpa.members import tallies
from fpa.members.models import (
    Member,
    Transfer,
)
from fpa.members.services.common import (
    _apply_identity,
    _audit_create,
    _new_card,
    _require_holder,
    _set_status,
)
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

# --- transfers ------------------------------------------------------------------------------------


def _lock(pk: int) -> Member:
    return Member.objects.select_for_update().select_related("association").get(pk=pk)


def _offerable(member: Member) -> None:
    if member.status != Member.Status.ACTIVE:
        raise ServiceError(gettext("只有在册会员可以转会。"), field="member")


def _acceptable(member: Member) -> None:
    if member.status != Member.Status.ACTIVE:
        raise ServiceError(gettext("该会员已不在册，不能接收。"), field="member")


def _receiver(association: Association) -> None:
    _require_holder(association, field="to_association")


def _move(actor: User, transfer: Transfer, old: Member) -> Member:
    """A new membership at the receiving association with its own card number; the old one
    closed as transferred (both kept, linked)."""
    today = timezone.localdate()
    note = f"转会至{transfer.to_association.name}"
    _set_status(actor, old, Member.Status.TRANSFERRED, today, note, group=None)
    new = Member(
        association=transfer.to_association,
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
        **_new_card(transfer.to_association),
    )
    _apply_identity(new)
    new.save()
    _audit_create(actor, new)
    tallies.move(None, tallies.key_of(new))
    transfer.new_member = new
    return new


MEMBERS: engine.TransferKind[Transfer, Member] = engine.TransferKind(
    model=Transfer,
    subject_field="member",
    offer_capability="member.edit",
    accept_capability="member.approve",
    lock=_lock,
    check_offer=_offerable,
    check_accept=_acceptable,
    check_receiver=_receiver,
    on_accept=_move,
    accept_fields=("new_member",),
    texts=engine.TransferTexts(
        already_open=gettext_noop("该会员已有待接收的转会申请。"),
        decided=gettext_noop("该转会申请已处理。"),
        reason_missing=gettext_noop("请填写转会原因。"),
        same_association=gettext_noop("转入协会不能是会员现在所属的协会。"),
        moved_meanwhile=gettext_noop("该会员已不在转出协会，不能接收。"),
    ),
)


def transfer_request(
    *, actor: User, member: Member, to_association: Association, reason: str
) -> Transfer:
    """The sending association asks the receiving one (anywhere in the deployment) to take the
    member; nothing changes for the member until the receiving side accepts."""
    return engine.offer(
        MEMBERS, actor=actor, subject=member, to_association=to_association, reason=reason
    )


def transfer_accept(*, actor: User, transfer: Transfer) -> Member:
    """The receiving association takes the member: a new membership there with its own card
    number, the old one closed as transferred (both kept, linked)."""
    new: Member = engine.accept(MEMBERS, actor=actor, transfer=transfer)
    return new


def transfer_refuse(*, actor: User, transfer: Transfer, reason: str) -> Transfer:
    return engine.decline(MEMBERS, actor=actor, transfer=transfer, reason=reason)


def transfer_cancel(*, actor: User, transfer: Transfer, reason: str = "撤回") -> Transfer:
    return engine.cancel(MEMBERS, actor=actor, transfer=transfer, reason=reason)
