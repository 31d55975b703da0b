"""A special family moving house to another association (跨协会移交), through the shared mechanism
of `fpa.core.transfers`: offer, accept, decline, cancel.

On acceptance the family's association becomes the receiver (its people, care log, needs,
supports and photos follow: they hang on the family), its address becomes the new one when the
sender gave it, and the sending side's current contact persons end: they no longer serve it.
Its open needs change hands (`engine.hand_over_open_needs`): an owner who can no longer open the
moved family (the sending side's staff and contacts) is cleared for the receiver to assign;
closed needs stay as they were.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from fpa.core import transfers as engine
from fpa.core.audit import audit_record, audit_update, snapshot
from fpa.core.errors import ServiceError
from fpa.core.models import AuditEvent
from fpa.families.models import Contact, Family, FamilyTransfer, Need
from fpa.families.services.common import FAMILY_HOLDERS

if TYPE_CHECKING:
    from fpa.accounts.models import User
    from fpa.organizations.models import Association

NOT_HOLDER = gettext_noop("接收协会须为在用的乡镇、村（社区）或流动人口计生协。")
ADDRESS_MAX = 200


def _lock(pk: int) -> Family:
    return Family.objects.select_for_update().select_related("association").get(pk=pk)


def _offerable(family: Family) -> None:
    if family.status != Family.Status.ACTIVE:
        raise ServiceError(gettext("只有在册家庭可以移交。"), field="family")


def _acceptable(family: Family) -> None:
    if family.status != Family.Status.ACTIVE:
        raise ServiceError(gettext("该家庭已不在册，不能接收。"), field="family")


def _remember_address(transfer: FamilyTransfer, family: Family) -> None:
    transfer.from_address = family.address


def _end_contacts(actor: User, family: Family, on: datetime.date, scope_path: str) -> int:
    """The sending side's current contacts end on the day of the move (none before it began),
    audited in the sending subtree. Returns how many ended."""
    current = Contact.objects.filter(family=family, end_date__isnull=True)
    ended = list(current.order_by("pk").values_list("pk", flat=True))
    if not ended:
        return 0
    current.filter(start_date__lte=on).update(end_date=on)
    current.filter(start_date__gt=on).update(end_date=F("start_date"))
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        object_type="families.contact",
        object_repr="家庭移交，结束转出方联系人",
        changes={
            "contacts_ended": [None, ended],
            "family": [None, family.pk],
            "end_date": [None, str(on)],
        },
        scope_path=scope_path,
    )
    return len(ended)


def _move(actor: User, transfer: FamilyTransfer, family: Family) -> Family:
    """The family now belongs to the receiver: one audit row in each subtree."""
    old_path = family.association.path
    before = snapshot(family, ["association", "address", "version"])
    family.association = transfer.to_association
    if transfer.to_address:
        family.address = transfer.to_address
    family.version += 1
    family.save(update_fields=["association", "address", "version", "updated_at"])
    why = gettext("跨协会移交：%(reason)s") % {"reason": transfer.reason}
    audit_update(actor=actor, obj=family, before=before, scope_path=old_path, reason=why)
    audit_update(
        actor=actor,
        obj=family,
        before=before,
        scope_path=transfer.to_association.path,
        reason=why,
    )
    transfer.contacts_ended = _end_contacts(actor, family, timezone.localdate(), old_path)
    engine.hand_over_open_needs(
        actor,
        transfer,
        Need.objects.filter(family=family),
        may_own=lambda owner: _may_own(owner, family),
    )
    return family


def _may_own(owner: User, family: Family) -> bool:
    """The care mechanism's rule for a need's owner (`fpa.core.care.services.need_raise`): an
    account that can open the family, read after the move."""
    return Family.objects.visible_to(owner).filter(pk=family.pk).exists()


FAMILIES: engine.TransferKind[FamilyTransfer, Family] = engine.TransferKind(
    model=FamilyTransfer,
    subject_field="family",
    offer_capability="family.edit",
    accept_capability="family.edit",
    lock=_lock,
    check_offer=_offerable,
    check_accept=_acceptable,
    check_receiver=engine.holder_check(FAMILY_HOLDERS, NOT_HOLDER),
    on_offer=_remember_address,
    on_accept=_move,
    accept_fields=("contacts_ended",),
    texts=engine.TransferTexts(
        already_open=gettext_noop("该家庭已有待接收的移交申请。"),
        decided=gettext_noop("该移交申请已处理。"),
        reason_missing=gettext_noop("请填写移交原因。"),
        same_association=gettext_noop("接收协会不能是该家庭现在所属的协会。"),
        moved_meanwhile=gettext_noop("该家庭已不在转出协会，不能接收。"),
    ),
)


def family_transfer_offer(
    *,
    actor: User,
    family: Family,
    to_association: Association,
    reason: str,
    to_address: str = "",
) -> FamilyTransfer:
    """The association holding the family offers it to another one (anywhere in the deployment)
    with the reason and, when known, the new address; nothing changes until the receiver
    accepts."""
    address = engine.one_line(to_address, field="to_address", limit=ADDRESS_MAX)
    transfer: FamilyTransfer = engine.offer(
        FAMILIES,
        actor=actor,
        subject=family,
        to_association=to_association,
        reason=reason,
        to_address=address,
    )
    return transfer


def family_transfer_accept(*, actor: User, transfer: FamilyTransfer) -> Family:
    family: Family = engine.accept(FAMILIES, actor=actor, transfer=transfer)
    return family


def family_transfer_decline(
    *, actor: User, transfer: FamilyTransfer, reason: str
) -> FamilyTransfer:
    return engine.decline(FAMILIES, actor=actor, transfer=transfer, reason=reason)


def family_transfer_cancel(*, actor: User, transfer: FamilyTransfer, reason: str) -> FamilyTransfer:
    return engine.cancel(FAMILIES, actor=actor, transfer=transfer, reason=reason)
