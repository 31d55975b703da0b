"""The shared transfer mechanism (fpa.core.transfers) through the special families' kind: offer,
accept, decline, cancel; both sides acting at once; scope, roles and anonymous callers refused;
both audit trails; the selectors of each side."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from fpa.core import transfers as engine
from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from fpa.families import services as family_services
from fpa.families.models import CareRecord, Contact, Family, FamilyTransfer, Need, Person
from fpa.families.services import transfers
from fpa.families.services.transfers import FAMILIES
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, YANGUOXIA, make_user
from tests.transfers_helpers import assoc, family_in, offer

pytestmark = pytest.mark.django_db


def audit_paths(obj: object, action: str | None = None) -> list[str]:
    rows = AuditEvent.objects.filter(
        object_type=obj._meta.label_lower,  # type: ignore[attr-defined]
        object_id=str(obj.pk),  # type: ignore[attr-defined]
    )
    if action:
        rows = rows.filter(action=action)
    return sorted(rows.values_list("scope_path", flat=True))


def fresh(transfer: FamilyTransfer) -> FamilyTransfer:
    return FamilyTransfer.objects.get(pk=transfer.pk)


# --- offer ----------------------------------------------------------------------------------------


def test_an_offer_changes_nothing_for_the_family_and_both_sides_see_it(township, township2):
    family = family_in(township, DAZHUANG)
    transfer = offer(township, family, SHANGQUAN, to_address="新村一组3号")
    # The family stays where it is, with its contact person.
    family.refresh_from_db()
    assert family.association.code == DAZHUANG and family.status == "active"
    assert Contact.objects.filter(family=family, end_date__isnull=True).count() == 1
    assert transfer.status == "requested" and transfer.from_address == "原村三组12号"
    assert transfer.requested_by == township and transfer.to_address == "新村一组3号"
    # Both subtrees' audit trails hold the offer.
    assert audit_paths(transfer, AuditEvent.Action.CREATE) == sorted(
        [assoc(DAZHUANG).path, assoc(SHANGQUAN).path]
    )
    incoming = engine.transfer_lists(FAMILIES, user=township2)
    assert [t.pk for t in incoming["incoming"]] == [transfer.pk] and not incoming["outgoing"]
    outgoing = engine.transfer_lists(FAMILIES, user=township)
    assert [t.pk for t in outgoing["outgoing"]] == [transfer.pk] and not outgoing["incoming"]
    assert engine.incoming_count(FAMILIES, user=township2) == 1
    assert engine.incoming_count(FAMILIES, user=township) == 0
    # The receiving township does not see the family itself before it accepts.
    assert not Family.objects.visible_to(township2).filter(pk=family.pk).exists()


@pytest.mark.parametrize(
    ("to_code", "reason", "message"),
    [
        (DAZHUANG, "搬迁", "接收协会不能是该家庭现在所属的协会"),
        ("622923", "搬迁", "接收协会须为在用的乡镇、村（社区）或流动人口计生协"),
        (SHANGQUAN, " ", "请填写移交原因"),
        (SHANGQUAN, "搬迁\x00", "控制字符"),
        (SHANGQUAN, "长" * 301, "最多300个字"),
    ],
)
def test_offer_rules(township, to_code, reason, message):
    family = family_in(township, DAZHUANG)
    with pytest.raises(ServiceError, match=message):
        offer(township, family, to_code, reason=reason)
    assert not FamilyTransfer.objects.exists()
    assert not AuditEvent.objects.filter(object_type="families.familytransfer").exists()


def test_only_an_active_family_may_be_offered(township):
    family = family_in(township, DAZHUANG)
    family_services.family_change_status(
        actor=township,
        family=family,
        status="cancelled",
        effective_date=timezone.localdate(),
        reason="核实注销",
    )
    with pytest.raises(ServiceError, match="只有在册家庭可以移交"):
        offer(township, family, SHANGQUAN)


def test_one_waiting_offer_per_family(township):
    family = family_in(township, DAZHUANG)
    first = offer(township, family, SHANGQUAN)
    with pytest.raises(ServiceError, match="该家庭已有待接收的移交申请"):
        offer(township, family, YANGUOXIA)
    # The database refuses it too, whoever bypasses the service.
    with pytest.raises(IntegrityError), transaction.atomic():
        FamilyTransfer.objects.create(
            family=family,
            from_association=first.from_association,
            to_association=assoc(YANGUOXIA),
            reason="绕过服务",
            requested_by=township,
            requested_on=timezone.localdate(),
        )
    # Once decided, a new offer may be made.
    transfers.family_transfer_cancel(actor=township, transfer=first, reason="地址写错")
    assert offer(township, family, YANGUOXIA).status == "requested"


def test_an_offer_is_refused_outside_the_scope_and_for_other_roles(
    township, township2, village, finance, auditor, volunteer
):
    family = family_in(township, DAZHUANG)
    with pytest.raises(NotAllowed, match="不在您的管辖范围内"):
        offer(township2, family, SHANGQUAN)
    for persona in (finance, auditor, volunteer, AnonymousUser()):
        with pytest.raises(NotAllowed, match="无权"):
            offer(persona, family, SHANGQUAN)
    assert not FamilyTransfer.objects.exists()
    # A village may offer its own family.
    assert offer(village, family, SHANGQUAN).from_association.code == DAZHUANG


# --- accept ---------------------------------------------------------------------------------------


def test_accepting_moves_the_family_with_its_history(township, township2):
    family = family_in(township, DAZHUANG)
    people = set(family.people.values_list("pk", flat=True))
    care = set(CareRecord.objects.filter(family=family).values_list("pk", flat=True))
    needs = set(Need.objects.filter(family=family).values_list("pk", flat=True))
    transfer = offer(township, family, SHANGQUAN, to_address="新村一组3号")
    moved = transfers.family_transfer_accept(actor=township2, transfer=transfer)
    # The family now belongs to the receiver, at the new address, with everything it had.
    assert moved.pk == family.pk and moved.association.code == SHANGQUAN
    family.refresh_from_db()
    assert family.association.code == SHANGQUAN and family.address == "新村一组3号"
    assert family.version == 2 and family.status == "active"
    assert set(Person.objects.filter(family=family).values_list("pk", flat=True)) == people
    assert set(CareRecord.objects.filter(family=family).values_list("pk", flat=True)) == care
    assert set(Need.objects.filter(family=family).values_list("pk", flat=True)) == needs
    assert Family.objects.count() == 1
    # The sending side's contact persons ended: they no longer serve it.
    assert not Contact.objects.filter(family=family, end_date__isnull=True).exists()
    transfer = fresh(transfer)
    assert transfer.status == "accepted" and transfer.contacts_ended == 1
    assert transfer.decided_by == township2 and transfer.decided_on == timezone.localdate()
    # Scope: the sender no longer sees the family, the receiver does; both see the transfer.
    assert not Family.objects.visible_to(township).filter(pk=family.pk).exists()
    assert Family.objects.visible_to(township2).filter(pk=family.pk).exists()
    assert not CareRecord.objects.visible_to(township).filter(family=family).exists()
    for user in (township, township2):
        assert engine.transfer_get(FAMILIES, user=user, pk=transfer.pk) == transfer
    # Both audit trails show the acceptance and the move.
    sending, receiving = assoc(DAZHUANG).path, assoc(SHANGQUAN).path
    assert audit_paths(transfer, AuditEvent.Action.UPDATE) == sorted([sending, receiving])
    assert audit_paths(family, AuditEvent.Action.UPDATE) == sorted([sending, receiving])
    moved_row = AuditEvent.objects.filter(object_type="families.family", scope_path=sending).get(
        action=AuditEvent.Action.UPDATE
    )
    assert moved_row.changes["association"] == [assoc(DAZHUANG).pk, assoc(SHANGQUAN).pk]
    assert "搬迁新居" in moved_row.reason
    assert AuditEvent.objects.filter(
        object_type="families.contact", scope_path=sending, object_repr__contains="移交"
    ).exists()


def test_accepting_twice_is_refused_and_moves_nothing_twice(township, township2):
    family = family_in(township, DAZHUANG)
    transfer = offer(township, family, SHANGQUAN)
    stale = fresh(transfer)  # the second click, loaded before the first one's accept
    transfers.family_transfer_accept(actor=township2, transfer=transfer)
    updates = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).count()
    with pytest.raises(ServiceError, match="该移交申请已处理"):
        transfers.family_transfer_accept(actor=township2, transfer=stale)
    with pytest.raises(ServiceError, match="该移交申请已处理"):
        transfers.family_transfer_accept(actor=township2, transfer=transfer)
    family.refresh_from_db()
    assert family.version == 2 and family.association.code == SHANGQUAN
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).count() == updates


def test_accept_and_cancel_at_once_one_wins(township, township2):
    # Given both sides opened the waiting transfer,
    family = family_in(township, DAZHUANG)
    transfer = offer(township, family, SHANGQUAN)
    receivers_copy, senders_copy = fresh(transfer), fresh(transfer)
    # when the sender withdraws first,
    transfers.family_transfer_cancel(actor=township, transfer=senders_copy, reason="家庭不搬了")
    # then the receiver's accept, from its stale copy, is refused and the family stays.
    with pytest.raises(ServiceError, match="该移交申请已处理"):
        transfers.family_transfer_accept(actor=township2, transfer=receivers_copy)
    family.refresh_from_db()
    assert family.association.code == DAZHUANG and family.version == 1
    assert fresh(transfer).status == "cancelled"
    assert Contact.objects.filter(family=family, end_date__isnull=True).count() == 1


def test_accept_then_a_stale_cancel_or_decline_is_refused(township, township2):
    family = family_in(township, DAZHUANG)
    transfer = offer(township, family, SHANGQUAN)
    senders_copy, second_receiver = fresh(transfer), fresh(transfer)
    transfers.family_transfer_accept(actor=township2, transfer=transfer)
    with pytest.raises(ServiceError, match="该移交申请已处理"):
        transfers.family_transfer_cancel(actor=township, transfer=senders_copy, reason="撤回")
    with pytest.raises(ServiceError, match="该移交申请已处理"):
        transfers.family_transfer_decline(actor=township2, transfer=second_receiver, reason="不收")
    assert fresh(transfer).status == "accepted" and fresh(transfer).refusal_reason == ""


def test_the_engine_claims_the_transfer_with_a_conditional_update(township, township2):
    """Even past the status check (a database without row locks), the conditional UPDATE
    refuses a transfer another session decided in the meantime."""
    family = family_in(township, DAZHUANG)
    transfer = offer(township, family, SHANGQUAN)
    FamilyTransfer.objects.filter(pk=transfer.pk).update(status="cancelled")
    with pytest.raises(ServiceError, match="该移交申请已处理"), transaction.atomic():
        engine._claim(FAMILIES, transfer, engine.TransferStatus.ACCEPTED, township2)
    assert fresh(transfer).status == "cancelled"


def test_a_family_changed_meanwhile_is_not_taken(township, township2):
    family = family_in(township, DAZHUANG)
    transfer = offer(township, family, SHANGQUAN)
    family_services.family_change_status(
        actor=township,
        family=family,
        status="deceased",
        effective_date=timezone.localdate(),
        reason="夫妻均已亡故",
    )
    with pytest.raises(ServiceError, match="该家庭已不在册"):
        transfers.family_transfer_accept(actor=township2, transfer=transfer)
    assert fresh(transfer).status == "requested"
    # Moved by other means (an edit of the register): the offer no longer holds.
    Family.objects.filter(pk=family.pk).update(status="active", association=assoc(LIUJIAXIA))
    with pytest.raises(ServiceError, match="该家庭已不在转出协会"):
        transfers.family_transfer_accept(actor=township2, transfer=transfer)


def test_only_the_receiving_side_may_accept_or_decline(
    township, township2, village, finance, auditor, volunteer
):
    family = family_in(township, DAZHUANG)
    transfer = offer(township, family, SHANGQUAN)
    for actor in (township, village):  # the sender's subtree
        with pytest.raises(NotAllowed, match="不在您的管辖范围内"):
            transfers.family_transfer_accept(actor=actor, transfer=transfer)
        with pytest.raises(NotAllowed, match="不在您的管辖范围内"):
            transfers.family_transfer_decline(actor=actor, transfer=transfer, reason="越权拒绝")
    for persona in (finance, auditor, volunteer, AnonymousUser()):
        with pytest.raises(NotAllowed, match="无权"):
            transfers.family_transfer_accept(actor=persona, transfer=transfer)
    # The receiver may not withdraw the sender's offer.
    with pytest.raises(NotAllowed, match="不在您的管辖范围内"):
        transfers.family_transfer_cancel(actor=township2, transfer=transfer, reason="越权撤回")
    assert fresh(transfer).status == "requested"


def test_a_third_township_sees_nothing(township, township2, yongjing):
    third = make_user("township3", "622923102", "township_staff")
    family = family_in(township, DAZHUANG)
    transfer = offer(township, family, SHANGQUAN)
    assert engine.transfer_lists(FAMILIES, user=third) == {
        "incoming": [],
        "outgoing": [],
        "done": [],
    }
    with pytest.raises(FamilyTransfer.DoesNotExist):
        engine.transfer_get(FAMILIES, user=third, pk=transfer.pk)
    assert engine.transfer_history(FAMILIES, user=third, subject=family) == []
    assert engine.transfer_lists(FAMILIES, user=AnonymousUser())["incoming"] == []
    with pytest.raises(NotAllowed):
        transfers.family_transfer_accept(actor=third, transfer=transfer)


# --- decline and cancel ---------------------------------------------------------------------------


def test_declining_needs_a_reason_and_the_family_stays(township, township2):
    family = family_in(township, DAZHUANG)
    transfer = offer(township, family, SHANGQUAN)
    with pytest.raises(ServiceError, match="请填写拒绝接收的原因"):
        transfers.family_transfer_decline(actor=township2, transfer=transfer, reason="")
    assert fresh(transfer).status == "requested"
    transfers.family_transfer_decline(actor=township2, transfer=transfer, reason="查无此户")
    transfer = fresh(transfer)
    assert transfer.status == "refused" and transfer.refusal_reason == "查无此户"
    family.refresh_from_db()
    assert family.association.code == DAZHUANG and family.version == 1
    assert Contact.objects.filter(family=family, end_date__isnull=True).count() == 1
    # The sender sees the outcome among the decided ones, and in the family's history.
    assert [t.pk for t in engine.transfer_lists(FAMILIES, user=township)["done"]] == [transfer.pk]
    history = engine.transfer_history(FAMILIES, user=township, subject=family)
    assert [(t.status, t.refusal_reason) for t in history] == [("refused", "查无此户")]
    assert audit_paths(transfer, AuditEvent.Action.UPDATE) == sorted(
        [assoc(DAZHUANG).path, assoc(SHANGQUAN).path]
    )


def test_offered_again_after_a_decline_and_accepted(township, township2):
    family = family_in(township, DAZHUANG)
    first = offer(township, family, SHANGQUAN)
    transfers.family_transfer_decline(actor=township2, transfer=first, reason="地址不在本村")
    second = offer(township, family, SHANGQUAN, reason="地址已核实")
    transfers.family_transfer_accept(actor=township2, transfer=second)
    history = engine.transfer_history(FAMILIES, user=township2, subject=family)
    assert [t.status for t in history] == ["accepted", "refused"]
