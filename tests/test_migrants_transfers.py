"""A migrant's record moving between associations on the shared transfer mechanism
(fpa.core.transfers): a township offers it to another township, which declines, then accepts;
the record moves with its services once; a double accept, a receiver that already holds the same
person, another township and anonymous callers are refused and change nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from fpa.migrants import services
from fpa.migrants.models import Migrant, MigrantTransfer, ServiceRecord
from fpa.migrants.services import transfers
from fpa.organizations.models import Association
from tests.conftest import DAZHUANG, SHANGQUAN
from tests.migrants_helpers import id_for, kind, migrant
from tests.test_todo import todos

pytestmark = pytest.mark.django_db

LIST = reverse("migrants:transfers")


def assoc(code: str) -> Association:
    return Association.objects.get(code=code)


def detail_url(transfer: MigrantTransfer) -> str:
    return reverse("migrants:transfer_detail", args=[transfer.pk])


def test_offer_decline_then_accept_through_the_pages(client_for, township, township2):
    record = migrant(township, DAZHUANG)
    services.service_record(
        actor=township,
        migrant=record,
        kind=kind(),
        served_on=record.arrived_on,
        provider="村卫生室",
    )
    sender, receiver = client_for(township), client_for(township2)
    page = sender.get(reverse("migrants:detail", args=[record.pk])).content.decode()
    offer_url = reverse("migrants:transfer_offer", args=[record.pk])
    assert f'href="{offer_url}"' in page
    sender.post(offer_url, {"to_association": assoc(SHANGQUAN).pk, "reason": "到外镇务工"})
    transfer = MigrantTransfer.objects.get()
    # The receiver's to-do and list; the summary shows no ID number, no phone.
    link, count = todos(receiver)["migrants.transfers_incoming"]
    assert count == 1 and link.startswith(LIST)
    body = receiver.get(detail_url(transfer)).content.decode()
    assert "到外镇务工" in body and record.id_number.reveal_unchecked()[-4:] not in body
    assert record.phone.reveal_unchecked()[-4:] not in body
    full_name = str(record.name.reveal_unchecked())
    assert full_name not in body and full_name not in receiver.get(LIST).content.decode()
    receiver.post(detail_url(transfer), {"decision": "refuse", "reason": "不在本镇辖区"})
    assert MigrantTransfer.objects.get().status == "refused"
    assert Migrant.objects.get().association.code == DAZHUANG
    assert "不在本镇辖区" in sender.get(detail_url(transfer)).content.decode()
    # Offered again and accepted: the record and its service move, once.
    sender.post(offer_url, {"to_association": assoc(SHANGQUAN).pk, "reason": "到外镇务工"})
    again = MigrantTransfer.objects.get(status="requested")
    response = receiver.post(detail_url(again), {"decision": "accept"})
    assert response.status_code == 302
    moved = Migrant.objects.get()
    assert moved.association.code == SHANGQUAN
    assert ServiceRecord.objects.get().migrant_id == moved.pk
    # The sender no longer opens the record; the receiver does; both trails hold the move.
    assert sender.get(reverse("migrants:detail", args=[moved.pk])).status_code == 404
    assert receiver.get(reverse("migrants:detail", args=[moved.pk])).status_code == 200
    paths = set(
        AuditEvent.objects.filter(object_type="migrants.migrant").values_list(
            "scope_path", flat=True
        )
    )
    assert assoc(DAZHUANG).path in paths and assoc(SHANGQUAN).path in paths


def test_accepting_twice_is_refused_and_moves_once(township, township2):
    record = migrant(township, DAZHUANG)
    transfer = transfers.migrant_transfer_offer(
        actor=township, migrant=record, to_association=assoc(SHANGQUAN), reason="迁居"
    )
    stale = MigrantTransfer.objects.get(pk=transfer.pk)
    transfers.migrant_transfer_accept(actor=township2, transfer=transfer)
    with pytest.raises(ServiceError, match="该移交申请已处理"):
        transfers.migrant_transfer_accept(actor=township2, transfer=stale)
    with pytest.raises(ServiceError, match="该移交申请已处理"):
        transfers.migrant_transfer_cancel(actor=township, transfer=stale, reason="撤回")
    assert Migrant.objects.get().association.code == SHANGQUAN


def test_a_receiver_holding_the_same_person_is_refused(township, township2):
    number = id_for(35)
    record = migrant(township, DAZHUANG, id_number=number)
    migrant(township2, SHANGQUAN, id_number=number)
    transfer = transfers.migrant_transfer_offer(
        actor=township, migrant=record, to_association=assoc(SHANGQUAN), reason="迁居"
    )
    with pytest.raises(ServiceError, match="接收协会已登记此人"):
        transfers.migrant_transfer_accept(actor=township2, transfer=transfer)
    assert MigrantTransfer.objects.get().status == "requested"
    assert Migrant.objects.get(pk=record.pk).association.code == DAZHUANG


def test_refused_sides_roles_and_anonymous(client, client_for, township, township2, finance):
    record = migrant(township, DAZHUANG)
    # The receiver may not offer what it does not hold; the sender may not accept its own offer.
    with pytest.raises(NotAllowed):
        transfers.migrant_transfer_offer(
            actor=township2, migrant=record, to_association=assoc(SHANGQUAN), reason="迁居"
        )
    transfer = transfers.migrant_transfer_offer(
        actor=township, migrant=record, to_association=assoc(SHANGQUAN), reason="迁居"
    )
    with pytest.raises(NotAllowed):
        transfers.migrant_transfer_accept(actor=township, transfer=transfer)
    offer_url = reverse("migrants:transfer_offer", args=[record.pk])
    assert client_for(township2).get(offer_url).status_code == 404
    assert client_for(finance).get(detail_url(transfer)).status_code == 403
    assert client.get(LIST).status_code == 302  # to sign in
    assert MigrantTransfer.objects.get().status == "requested"
    assert Migrant.objects.get().association.code == DAZHUANG
