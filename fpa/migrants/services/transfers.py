"""A migrant's record moving to another association (跨协会移交), through the shared mechanism of
`fpa.core.transfers`: offer, accept, decline, cancel.

On acceptance the record's association becomes the receiver; its family members, services and
needs follow (they hang on the migrant); open needs change hands through
`engine.hand_over_open_needs` (an association or owner field of the needs model moves or is
cleared; a model with neither has nothing to hand over). A receiver that already holds a record
of the same person (same ID number) is refused: the two records are not merged behind anyone's
back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext, gettext_noop

from fpa.core import transfers as engine
from fpa.core.audit import audit_update, snapshot
from fpa.core.errors import ServiceError
from fpa.migrants.models import HOLDER_KINDS, Migrant, MigrantTransfer, Need
from fpa.migrants.services.needs import may_own

if TYPE_CHECKING:
    from fpa.accounts.models import User
    from fpa.organizations.models import Association

NOT_HOLDER = gettext_noop("接收协会须为在用的乡镇、村（社区）或企业、园区、商会、流动人口计生协。")


def _lock(pk: int) -> Migrant:
    return Migrant.objects.select_for_update(of=("self",)).select_related("association").get(pk=pk)


def _offerable(migrant: Migrant) -> None:
    if migrant.status != Migrant.Status.ACTIVE:
        raise ServiceError(gettext("只有在册的流动人口可以移交。"), field="migrant")


def _acceptable(migrant: Migrant) -> None:
    if migrant.status != Migrant.Status.ACTIVE:
        raise ServiceError(gettext("该流动人口已不在册，不能接收。"), field="migrant")


def _move(actor: User, transfer: MigrantTransfer, migrant: Migrant) -> Migrant:
    """The record now belongs to the receiver: one audit row in each subtree."""
    receiver = transfer.to_association
    if (
        migrant.id_number_hash
        and Migrant.objects.filter(association=receiver, id_number_hash=migrant.id_number_hash)
        .exclude(pk=migrant.pk)
        .exists()
    ):
        raise ServiceError(
            gettext("接收协会已登记此人（身份证号码相同），不能重复接收；请核对后拒绝此移交。"),
            field="migrant",
        )
    old_path = migrant.association.path
    before = snapshot(migrant, ["association", "version"])
    migrant.association = receiver
    migrant.version += 1
    migrant.save(update_fields=["association", "version", "updated_at"])
    why = gettext("跨协会移交：%(reason)s") % {"reason": transfer.reason}
    audit_update(actor=actor, obj=migrant, before=before, scope_path=old_path, reason=why)
    audit_update(actor=actor, obj=migrant, before=before, scope_path=receiver.path, reason=why)
    engine.hand_over_open_needs(
        actor,
        transfer,
        Need.objects.filter(migrant=migrant),
        may_own=lambda owner: may_own(owner, migrant),
    )
    return migrant


MIGRANTS: engine.TransferKind[MigrantTransfer, Migrant] = engine.TransferKind(
    model=MigrantTransfer,
    subject_field="migrant",
    offer_capability="migrant.edit",
    accept_capability="migrant.edit",
    lock=_lock,
    check_offer=_offerable,
    check_accept=_acceptable,
    check_receiver=engine.holder_check(HOLDER_KINDS, NOT_HOLDER),
    on_accept=_move,
    texts=engine.TransferTexts(
        already_open=gettext_noop("该流动人口已有待接收的移交申请。"),
        decided=gettext_noop("该移交申请已处理。"),
        reason_missing=gettext_noop("请填写移交原因。"),
        same_association=gettext_noop("接收协会不能是现在登记的协会。"),
        moved_meanwhile=gettext_noop("该流动人口已不在转出协会，不能接收。"),
    ),
)


def migrant_transfer_offer(
    *, actor: User, migrant: Migrant, to_association: Association, reason: str
) -> MigrantTransfer:
    """The association holding the record offers it to another one (anywhere in the
    deployment); nothing changes until the receiver accepts."""
    transfer: MigrantTransfer = engine.offer(
        MIGRANTS, actor=actor, subject=migrant, to_association=to_association, reason=reason
    )
    return transfer


def migrant_transfer_accept(*, actor: User, transfer: MigrantTransfer) -> Migrant:
    migrant: Migrant = engine.accept(MIGRANTS, actor=actor, transfer=transfer)
    return migrant


def migrant_transfer_decline(
    *, actor: User, transfer: MigrantTransfer, reason: str
) -> MigrantTransfer:
    return engine.decline(MIGRANTS, actor=actor, transfer=transfer, reason=reason)


def migrant_transfer_cancel(
    *, actor: User, transfer: MigrantTransfer, reason: str
) -> MigrantTransfer:
    return engine.cancel(MIGRANTS, actor=actor, transfer=transfer, reason=reason)
