"""The pages of a special family's transfer between associations: the offer from the family's
page, the receiver's list and decision, the sender's outcome, the history panel; refused cases
(another township, the wrong side, other roles, anonymous) and bad input without a 500."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from fpa.families.models import Contact, Family, FamilyTransfer
from fpa.families.services import transfers
from tests.conftest import DAZHUANG, SHANGQUAN, make_user
from tests.test_todo import todos
from tests.transfers_helpers import MOTHER, assoc, family_in, offer

pytestmark = pytest.mark.django_db

LIST = reverse("families:transfers")


def detail_url(transfer: FamilyTransfer) -> str:
    return reverse("families:transfer_detail", args=[transfer.pk])


def offer_url(family: Family) -> str:
    return reverse("families:transfer_offer", args=[family.pk])


def family_url(family: Family) -> str:
    return reverse("families:detail", args=[family.pk])


def test_the_offer_form_lists_receivers_anywhere_but_the_familys_own(client_for, township):
    family = family_in(township, DAZHUANG)
    client = client_for(township)
    page = client.get(family_url(family)).content.decode()
    assert f'href="{offer_url(family)}"' in page  # the "移交" button
    body = client.get(offer_url(family)).content.decode()
    assert "data-fpa-picker" in body and 'name="to_address"' in body
    options = dict(re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', body))
    assert str(assoc(SHANGQUAN).pk) in options  # another township's village
    assert str(assoc(DAZHUANG).pk) not in options  # not where the family is
    assert str(assoc("622923").pk) not in options  # the county holds no families
    assert "本协会指定的联系人将结束联系" in body


def test_offer_through_the_page(client_for, township):
    family = family_in(township, DAZHUANG)
    response = client_for(township).post(
        offer_url(family),
        {"to_association": assoc(SHANGQUAN).pk, "reason": "搬迁", "to_address": "新村一组3号"},
    )
    transfer = FamilyTransfer.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(transfer)
    assert transfer.to_association.code == SHANGQUAN and transfer.to_address == "新村一组3号"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "搬迁"}, "这个字段是必填项"),
        ({"to_association": "999999999", "reason": "搬迁"}, "所选协会不存在或不能接收该家庭"),
        ({"to_association": "abc", "reason": "搬迁"}, "所选协会不存在或不能接收该家庭"),
        ({"to_association": "DAZHUANG", "reason": "搬迁"}, "所选协会不存在或不能接收该家庭"),
        ({"to_association": "SHANGQUAN", "reason": ""}, "这个字段是必填项"),
        ({"to_association": "SHANGQUAN", "reason": "搬迁", "to_address": "长" * 201}, "200"),
        ({"to_association": "SHANGQUAN", "reason": "搬迁\x01"}, "控制字符"),
    ],
)
def test_bad_offers_are_a_message_and_change_nothing(client_for, township, data, message):
    family = family_in(township, DAZHUANG)
    data = {
        k: (str(assoc(globals()[v]).pk) if v in ("DAZHUANG", "SHANGQUAN") else v)
        for k, v in data.items()
    }
    response = client_for(township).post(offer_url(family), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not FamilyTransfer.objects.exists()


def test_a_second_offer_while_one_waits_is_a_message(client_for, township):
    family = family_in(township, DAZHUANG)
    offer(township, family, SHANGQUAN)
    response = client_for(township).post(
        offer_url(family), {"to_association": assoc("622923101202").pk, "reason": "搬迁"}
    )
    assert response.status_code == 200
    assert "该家庭已有待接收的移交申请" in response.content.decode()
    assert FamilyTransfer.objects.count() == 1


def test_the_receiver_reads_a_summary_declines_then_accepts(client_for, township, township2):
    family = family_in(township, DAZHUANG)
    person = family.people.get(role="mother")
    transfer = offer(township, family, SHANGQUAN, to_address="新村一组3号")
    receiver = client_for(township2)
    # The incoming list and the summary: no ID number, no phone, no old address.
    listing = receiver.get(LIST).content.decode()
    assert detail_url(transfer) in listing and MOTHER in listing
    body = receiver.get(detail_url(transfer)).content.decode()
    assert MOTHER in body and "新村一组3号" in body and "失独家庭" in body
    assert "原村三组12号" not in body
    assert person.phone.reveal_unchecked()[-4:] not in body
    assert person.id_number.reveal_unchecked()[-4:] not in body
    assert f'href="{family_url(family)}"' not in body  # no handle on the family yet
    # Declining without a reason is a message; with one, the family stays.
    missing = receiver.post(detail_url(transfer), {"decision": "refuse", "reason": ""})
    assert missing.status_code == 200 and "请填写拒绝接收的原因" in missing.content.decode()
    assert FamilyTransfer.objects.get().status == "requested"
    receiver.post(detail_url(transfer), {"decision": "refuse", "reason": "地址不在本村"})
    assert FamilyTransfer.objects.get().status == "refused"
    # The sender sees the outcome on the transfer and on the family's page.
    sender = client_for(township)
    assert "地址不在本村" in sender.get(detail_url(transfer)).content.decode()
    page = sender.get(family_url(family)).content.decode()
    assert "移交记录" in page and "地址不在本村" in page
    # Offered again, accepted: the receiver lands on the family's page.
    again = offer(township, family, SHANGQUAN, reason="地址已核实")
    accepted = receiver.post(detail_url(again), {"decision": "accept"}, follow=True)
    assert accepted.redirect_chain[-1][0] == family_url(family)
    text = accepted.content.decode()
    assert "转出方的1名联系人已结束" in text, re.findall(r"alert[^>]*>([^<]*)", text)
    assert "移交记录" in text
    family.refresh_from_db()
    assert family.association.code == SHANGQUAN
    # The sender no longer opens the family, but still reads the transfer and its outcome.
    assert sender.get(family_url(family)).status_code == 404
    outcome = sender.get(detail_url(again)).content.decode()
    assert "已接收" in outcome and "已结束1名" in outcome
    assert f'href="{family_url(family)}"' not in outcome
    assert not Contact.objects.filter(family=family, end_date__isnull=True).exists()


def test_the_sender_withdraws(client_for, township):
    family = family_in(township, DAZHUANG)
    transfer = offer(township, family, SHANGQUAN)
    sender = client_for(township)
    body = sender.get(detail_url(transfer)).content.decode()
    assert 'value="cancel"' in body and 'value="accept"' not in body
    sender.post(detail_url(transfer), {"decision": "cancel"})
    assert FamilyTransfer.objects.get().status == "cancelled"
    # A decided transfer takes no more decisions: a message, not an error page.
    again = sender.post(detail_url(transfer), {"decision": "cancel"}, follow=True)
    assert again.status_code == 200 and "该移交申请已处理" in again.content.decode()


def test_refusals(client, client_for, township, township2, village, finance, auditor, volunteer):
    family = family_in(township, DAZHUANG)
    transfer = offer(township, family, SHANGQUAN)
    third = client_for(make_user("township3", "622923102", "township_staff"))
    # Another township: the transfer and the family do not exist for it.
    assert third.get(detail_url(transfer)).status_code == 404
    assert third.post(detail_url(transfer), {"decision": "accept"}).status_code == 404
    assert third.get(offer_url(family)).status_code == 404
    assert MOTHER not in third.get(LIST).content.decode()
    # The receiving township may not offer a family it does not hold.
    assert client_for(township2).get(offer_url(family)).status_code == 404
    # The sending side may not accept its own offer.
    for user in (township, village):
        response = client_for(user).post(detail_url(transfer), {"decision": "accept"})
        assert response.status_code == 403
    # Roles without the families' capabilities.
    for user in (finance, auditor, volunteer):
        for url in (LIST, detail_url(transfer), offer_url(family)):
            assert client_for(user).get(url).status_code == 403, (user, url)
    # Anonymous: to the sign-in page.
    for url in (LIST, detail_url(transfer), offer_url(family)):
        response = client.post(url, {"decision": "accept"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert FamilyTransfer.objects.get().status == "requested"
    family.refresh_from_db()
    assert family.association.code == DAZHUANG


def test_the_list_costs_the_same_queries_for_more_transfers(
    client_for, township, township2, django_assert_max_num_queries, django_assert_num_queries
):
    client = client_for(township2)
    offer(township, family_in(township, DAZHUANG), SHANGQUAN)
    client.get(LIST)  # warm the session
    with django_assert_max_num_queries(20) as few:
        assert client.get(LIST).status_code == 200
    for _ in range(4):
        offer(township, family_in(township, DAZHUANG), SHANGQUAN)
    declined = offer(township, family_in(township, DAZHUANG), SHANGQUAN)
    transfers.family_transfer_decline(actor=township2, transfer=declined, reason="不符")
    with django_assert_num_queries(len(few.captured_queries)):
        body = client.get(LIST).content.decode()
    assert body.count(MOTHER) == 6


def test_the_receiver_has_a_to_do_until_it_decides(client_for, township, township2):
    family = family_in(township, DAZHUANG)
    transfer = offer(township, family, SHANGQUAN)
    receiver = client_for(township2)
    assert todos(receiver)["families.transfers_incoming"] == (LIST, 1)
    assert "families.transfers_incoming" not in todos(client_for(township))  # the sender
    transfers.family_transfer_decline(actor=township2, transfer=transfer, reason="不符")
    assert "families.transfers_incoming" not in todos(receiver)
