"""The member API at /api/v1/members: who may call it, what each caller sees, what is never sent,
decisions and transfers, structured errors, bad input and flat query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fpa.members.models import Member, Transfer
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, YANGUOXIA
from tests.members_helpers import apply, member, new_id_number
from tests.test_api import api_client, assert_error

pytestmark = pytest.mark.django_db
BASE = "/api/v1/members"


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, body, content_type="application/json")


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_list_is_scoped_and_masked(township, township2, village):
    number = new_id_number()
    mine = member(village, DAZHUANG, id_number=number, phone="13911112222")
    theirs = member(township2, SHANGQUAN)
    response = api_client(township).get(BASE)
    assert ids(response) == [mine.pk]
    item = response.json()["items"][0]
    assert item["id_number"] != number and "*" in item["id_number"]
    assert item["phone"] == "139****2222" and "birth_date" not in item
    assert item["card_number"] == f"{DAZHUANG}-00001" and item["birth_year"]
    assert number not in response.content.decode()
    assert ids(api_client(township2).get(BASE)) == [theirs.pk]


def test_another_township_gets_404_for_a_member(township2, village):
    one = member(village, DAZHUANG)
    client = api_client(township2)
    assert_error(client.get(f"{BASE}/{one.pk}"), 404, "not_found")
    assert_error(post(client, f"{BASE}/{one.pk}/approve", {}), 404, "not_found")
    assert_error(
        post(
            client,
            f"{BASE}/{one.pk}/status",
            {"status": "withdrawn", "effective_date": "2024-01-01", "reason": "越权"},
        ),
        404,
        "not_found",
    )
    one.refresh_from_db()
    assert one.status == "active"


@pytest.mark.parametrize("persona", ["volunteer", "finance", "auditor", "sysadmin"])
def test_other_roles_are_refused(persona, request, village):
    member(village, DAZHUANG)
    client = api_client(request.getfixturevalue(persona))
    assert_error(client.get(BASE), 403, "forbidden")
    assert_error(client.get(f"{BASE}/counts"), 403, "forbidden")


def test_anonymous_is_refused(client, village):
    one = member(village, DAZHUANG)
    assert_error(client.get(BASE), 401, "unauthenticated")
    assert_error(client.get(f"{BASE}/{one.pk}"), 401, "unauthenticated")
    assert_error(post(client, BASE, {}), 401, "unauthenticated")


def test_apply_then_approve(village, township):
    body = {
        "association": DAZHUANG,
        "kind": "resident",
        "name": "王五",
        "id_number": new_id_number("M"),
        "phone": "13900001111",
    }
    response = post(api_client(village), BASE, body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "pending" and created["sex"] == "M"
    response = post(api_client(township), f"{BASE}/{created['id']}/approve", {})
    assert response.status_code == 200
    assert response.json()["card_number"] == f"{DAZHUANG}-00001"
    assert response.json()["council_resolution"] == ""


def test_approve_records_the_council_decision_both_or_neither(village, township):
    body = {
        "association": DAZHUANG,
        "kind": "resident",
        "name": "赵六",
        "id_number": new_id_number("F"),
        "phone": "13900002222",
    }
    created = post(api_client(village), BASE, body).json()
    url = f"{BASE}/{created['id']}/approve"
    today = timezone.localdate().isoformat()
    # only one of the two: refused with the field named, nothing written
    assert_error(post(api_client(township), url, {"council_meeting_on": today}), 400, "invalid")
    assert api_client(township).get(f"{BASE}/{created['id']}").json()["status"] == "pending"
    response = post(
        api_client(township),
        url,
        {"council_meeting_on": today, "council_resolution": "刘计协理〔2026〕5号"},  # noqa: RUF001
    )
    assert response.status_code == 200, response.content
    member = response.json()
    assert member["status"] == "active" and member["council_meeting_on"] == today
    assert member["council_resolution"] == "刘计协理〔2026〕5号"  # noqa: RUF001
    assert member["approved_on"] == today


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"id_number": "11010519491231002Y"}, 400, "invalid"),
        ({"id_number": "NaN"}, 400, "invalid"),
        ({"id_number": "1e6"}, 400, "invalid"),
        ({"id_number": "9" * 40}, 422, "invalid"),
        ({"kind": "alien"}, 422, "invalid"),
        ({"name": ""}, 422, "invalid"),
        ({"name": "名" * 5000}, 422, "invalid"),
        ({"applied_on": "2999-01-01"}, 400, "invalid"),
        ({"applied_on": "not a date"}, 422, "invalid"),
        ({"association": SHANGQUAN}, 404, "not_found"),
        ({"association": "'; DROP TABLE x"}, 404, "not_found"),
    ],
)
def test_bad_applications_are_structured_errors(village, body, status, code):
    payload = {
        "association": DAZHUANG,
        "kind": "individual",
        "name": "赵六",
        "id_number": new_id_number(),
    }
    payload.update(body)
    error = assert_error(post(api_client(village), BASE, payload), status, code)
    assert error["message"]
    assert not Member.objects.exists()


def test_not_json_is_a_structured_error(village):
    response = api_client(village).post(BASE, "{not json", content_type="application/json")
    assert_error(response, 422, "invalid")


def test_duplicate_is_a_structured_error(village):
    number = new_id_number()
    member(village, DAZHUANG, id_number=number)
    body = {"association": DAZHUANG, "kind": "individual", "name": "重复", "id_number": number}
    error = assert_error(post(api_client(village), BASE, body), 400, "duplicate")
    assert error["fields"] == {"id_number": [error["message"]]}


def test_decisions_need_the_right_association(county, village):
    applied = apply(village, DAZHUANG)
    assert_error(post(api_client(county), f"{BASE}/{applied.pk}/approve", {}), 403, "forbidden")
    error = assert_error(
        post(api_client(village), f"{BASE}/{applied.pk}/reject", {"reason": ""}), 400, "invalid"
    )
    assert "原因" in error["message"]


def test_transfer_across_townships(village, township2):
    moving = member(village, DAZHUANG, address="大庄村秘密地址", phone="13955556666")
    response = post(
        api_client(village),
        f"{BASE}/{moving.pk}/transfer",
        {"to_association": SHANGQUAN, "reason": "迁居"},
    )
    assert response.status_code == 201, response.content
    transfer_id = response.json()["id"]
    receiver = api_client(township2)
    incoming = receiver.get(f"{BASE}/transfers").json()["incoming"]
    assert [t["id"] for t in incoming] == [transfer_id]
    assert incoming[0]["member_id"] is None  # the receiver gets no handle on the record
    text = receiver.get(f"{BASE}/transfers/{transfer_id}").content.decode()
    assert "秘密地址" not in text and "6666" not in text
    accepted = post(receiver, f"{BASE}/transfers/{transfer_id}/accept", {})
    assert accepted.status_code == 200
    assert accepted.json()["card_number"] == f"{SHANGQUAN}-00001"
    assert Transfer.objects.get().status == "accepted"
    assert_error(post(receiver, f"{BASE}/transfers/{transfer_id}/accept", {}), 400, "invalid")


def test_transfer_is_invisible_to_a_third_party(village, township2, county):

    moving = member(village, DAZHUANG)
    transfer = post(
        api_client(village),
        f"{BASE}/{moving.pk}/transfer",
        {"to_association": LIUJIAXIA, "reason": "迁居"},
    ).json()
    assert_error(api_client(township2).get(f"{BASE}/transfers/{transfer['id']}"), 404, "not_found")
    assert_error(
        post(api_client(township2), f"{BASE}/transfers/{transfer['id']}/accept", {}),
        404,
        "not_found",
    )


def test_transfer_to_an_unknown_code(village):
    moving = member(village, DAZHUANG)
    error = assert_error(
        post(
            api_client(village),
            f"{BASE}/{moving.pk}/transfer",
            {"to_association": "000", "reason": "迁居"},
        ),
        400,
        "invalid",
    )
    assert error["fields"] == {"to_association": [error["message"]]}


@pytest.mark.parametrize("member_id", ["0", "-1", str(2**63), "9" * 30, "abc"])
def test_forged_ids(village, member_id):
    response = api_client(village).get(f"{BASE}/{member_id}")
    assert response.status_code in {404, 422}
    assert response["Content-Type"].startswith("application/json")


def test_counts_roll_up(county, village, township2):
    member(village, DAZHUANG, kind="migrant", sex="M")
    member(township2, SHANGQUAN)
    data = api_client(county).get(f"{BASE}/counts").json()
    assert data["association"]["total"] == 2
    by_code = {row["code"]: row for row in data["children"]}
    assert by_code[LIUJIAXIA]["migrant"] == 1 and by_code[LIUJIAXIA]["male"] == 1
    assert by_code[YANGUOXIA]["total"] == 1
    assert_error(
        api_client(village).get(f"{BASE}/counts", {"association": YANGUOXIA}), 404, "not_found"
    )


def test_list_query_count_is_flat(village, django_assert_max_num_queries):
    client = api_client(village)
    for _ in range(3):
        member(village, DAZHUANG)
    client.get(BASE)
    with django_assert_max_num_queries(12) as small:
        assert len(ids(client.get(BASE))) == 3
    for _ in range(27):
        member(village, DAZHUANG)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(ids(client.get(BASE))) == 30


def test_status_change_by_api(village):
    one = member(village, DAZHUANG)
    today = timezone.localdate().isoformat()
    client = api_client(village)
    assert_error(
        post(
            client,
            f"{BASE}/{one.pk}/status",
            {"status": "transferred", "effective_date": today, "reason": "x"},
        ),
        422,
        "invalid",
    )
    response = post(
        client,
        f"{BASE}/{one.pk}/status",
        {"status": "deceased", "effective_date": today, "reason": "病故"},
    )
    assert response.json()["status"] == "deceased"
