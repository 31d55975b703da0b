"""Special-family transfers over /api/v1/families/transfers: offer, lists, detail, accept,
refuse, cancel; what each side reads; structured errors for refused callers and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fpa.families.models import Family, FamilyTransfer
from tests.conftest import DAZHUANG, SHANGQUAN, make_user
from tests.test_api import api_client, assert_error
from tests.transfers_helpers import MOTHER, family_in, offer

pytestmark = pytest.mark.django_db

BASE = "/api/v1/families"


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, body, content_type="application/json")


def test_offer_decline_offer_again_accept(township, township2):
    family = family_in(township, DAZHUANG)
    person = family.people.get(role="mother")
    sender, receiver = api_client(township), api_client(township2)
    response = post(
        sender,
        f"{BASE}/{family.pk}/transfer",
        {"to_association": SHANGQUAN, "reason": "搬迁", "to_address": "新村一组3号"},
    )
    assert response.status_code == 201, response.content
    item = response.json()
    assert item["status"] == "requested" and item["family_id"] == family.pk
    assert item["from_address"] == "原村三组12号" and item["to_association"] == SHANGQUAN
    # The receiver: in its incoming list, without a handle on the family or its numbers.
    lists = receiver.get(f"{BASE}/transfers").json()
    assert [t["id"] for t in lists["incoming"]] == [item["id"]] and lists["outgoing"] == []
    seen = receiver.get(f"{BASE}/transfers/{item['id']}")
    assert seen.json()["family_id"] is None and seen.json()["from_address"] is None
    assert seen.json()["head_name"] == MOTHER and seen.json()["to_address"] == "新村一组3号"
    text = seen.content.decode()
    assert person.phone.reveal_unchecked()[-4:] not in text
    assert person.id_number.reveal_unchecked()[-4:] not in text
    # Refuse without a reason, then with one.
    error = assert_error(
        post(receiver, f"{BASE}/transfers/{item['id']}/refuse", {"reason": ""}), 400, "invalid"
    )
    assert error["fields"] == {"reason": ["请填写拒绝接收的原因。"]}
    refused = post(receiver, f"{BASE}/transfers/{item['id']}/refuse", {"reason": "查无此户"})
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    assert sender.get(f"{BASE}/transfers/{item['id']}").json()["refusal_reason"] == "查无此户"
    # Offered again and accepted: the receiver gets the family, the sender loses it.
    again = post(
        sender, f"{BASE}/{family.pk}/transfer", {"to_association": SHANGQUAN, "reason": "已核实"}
    ).json()
    accepted = post(receiver, f"{BASE}/transfers/{again['id']}/accept", {})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["family_id"] == family.pk and accepted.json()["contacts_ended"] == 1
    assert receiver.get(f"{BASE}/{family.pk}").json()["association_code"] == SHANGQUAN
    assert_error(sender.get(f"{BASE}/{family.pk}"), 404, "not_found")
    outcome = sender.get(f"{BASE}/transfers/{again['id']}").json()
    assert outcome["status"] == "accepted" and outcome["family_id"] is None
    # Accepting twice: a structured refusal, nothing moved twice.
    error = assert_error(
        post(receiver, f"{BASE}/transfers/{again['id']}/accept", {}), 400, "invalid"
    )
    assert error["message"] == "该移交申请已处理。"
    assert Family.objects.get().version == 2


def test_the_sender_cancels(township):
    family = family_in(township, DAZHUANG)
    transfer = offer(township, family, SHANGQUAN)
    response = post(
        api_client(township), f"{BASE}/transfers/{transfer.pk}/cancel", {"reason": "不搬了"}
    )
    assert response.status_code == 200 and response.json()["status"] == "cancelled"


def test_refused_callers(client, township, township2, village, finance, auditor, volunteer):
    family = family_in(township, DAZHUANG)
    transfer = offer(township, family, SHANGQUAN)
    third = api_client(make_user("township3", "622923102", "township_staff"))
    # Another township: 404 for the transfer and the family, like an id that does not exist.
    assert_error(third.get(f"{BASE}/transfers/{transfer.pk}"), 404, "not_found")
    assert_error(post(third, f"{BASE}/transfers/{transfer.pk}/accept", {}), 404, "not_found")
    assert third.get(f"{BASE}/transfers").json() == {"incoming": [], "outgoing": []}
    body = {"to_association": SHANGQUAN, "reason": "越权"}
    assert_error(post(third, f"{BASE}/{family.pk}/transfer", body), 404, "not_found")
    assert_error(
        post(api_client(township2), f"{BASE}/{family.pk}/transfer", body), 404, "not_found"
    )
    # The sending side may not accept, the receiving side may not cancel.
    for user in (township, village):
        assert_error(
            post(api_client(user), f"{BASE}/transfers/{transfer.pk}/accept", {}), 403, "forbidden"
        )
    assert_error(
        post(api_client(township2), f"{BASE}/transfers/{transfer.pk}/cancel", {"reason": "越权"}),
        403,
        "forbidden",
    )
    # Roles without family.view; anonymous callers.
    for user in (finance, auditor, volunteer):
        assert_error(api_client(user).get(f"{BASE}/transfers"), 403, "forbidden")
    assert_error(client.get(f"{BASE}/transfers"), 401, "unauthenticated")
    assert_error(post(client, f"{BASE}/transfers/{transfer.pk}/accept", {}), 401, "unauthenticated")
    assert FamilyTransfer.objects.get().status == "requested"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"to_association": "999999999999", "reason": "搬迁"}, 400, "to_association"),
        ({"to_association": "622923", "reason": "搬迁"}, 400, "to_association"),
        ({"to_association": DAZHUANG, "reason": "搬迁"}, 400, "to_association"),
        ({"to_association": SHANGQUAN, "reason": " "}, 400, "reason"),
        ({"to_association": SHANGQUAN, "reason": "搬迁", "to_address": "\x07"}, 400, "to_address"),
        ({"to_association": SHANGQUAN}, 422, "reason"),
        ({"to_association": SHANGQUAN, "reason": "长" * 301}, 422, "reason"),
        ({"to_association": ["x"], "reason": "搬迁"}, 422, "to_association"),
    ],
)
def test_bad_offers(township, body, status, field):
    family = family_in(township, DAZHUANG)
    response = post(api_client(township), f"{BASE}/{family.pk}/transfer", body)
    error = assert_error(response, status, "invalid")
    assert any(key.endswith(field) for key in error["fields"]), error
    assert not FamilyTransfer.objects.exists()


@pytest.mark.parametrize(
    ("transfer_id", "status", "code"),
    [
        ("0", 404, "not_found"),
        ("-1", 404, "not_found"),
        (str(2**63), 404, "not_found"),
        ("abc", 422, "invalid"),
    ],
)
def test_bad_ids(township, transfer_id, status, code):
    assert_error(api_client(township).get(f"{BASE}/transfers/{transfer_id}"), status, code)
    assert_error(
        post(api_client(township), f"{BASE}/transfers/{transfer_id}/accept", {}), status, code
    )
