"""三留守 under /api/v1/left-behind/: scope, the children rule and masking; refused cases
(anonymous, another role, another township, a village officer asking for a child) with the
documented JSON errors; care and needs through the shared mechanism."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fpa.leftbehind.models import LeftBehindCare, LeftBehindNeed
from tests.conftest import DAZHUANG, SHANGQUAN
from tests.leftbehind_helpers import contact, need, person, visit
from tests.test_api import api_client, assert_error

BASE = "/api/v1/left-behind"


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, body, content_type="application/json")


@pytest.fixture
def people(township, township2):
    return {
        "elderly": person(township, DAZHUANG, name="马福元", phone="13687770009"),
        "child": person(township, DAZHUANG, kind="child", name="马小花"),
        "foreign": person(township2, SHANGQUAN, name="外镇老人"),
    }


def urls(pk: int) -> list[tuple[str, str]]:
    return [
        ("get", f"{BASE}/people"),
        ("get", f"{BASE}/people/{pk}"),
        ("get", f"{BASE}/people/{pk}/care"),
        ("post", f"{BASE}/people/{pk}/care"),
        ("get", f"{BASE}/people/{pk}/needs"),
        ("post", f"{BASE}/people/{pk}/needs"),
    ]


def call(client: Client, method: str, path: str) -> Any:
    if method == "get":
        return client.get(path)
    if path.endswith("/care"):
        body = {"kind": "routine_visit", "occurred_on": timezone.localdate().isoformat()}
    else:
        body = {"description": "希望上门"}
    return post(client, path, body)


def test_anonymous_gets_401(client, people):
    for method, path in urls(people["elderly"].pk):
        assert_error(call(client, method, path), 401, "unauthenticated")


@pytest.mark.parametrize("persona", ["finance", "auditor", "volunteer"])
def test_roles_without_the_capability_get_403(request, people, persona):
    client = api_client(request.getfixturevalue(persona))
    for method, path in urls(people["elderly"].pk):
        assert_error(call(client, method, path), 403, "forbidden")
    assert not LeftBehindCare.objects.exists()


def test_another_township_gets_404_and_changes_nothing(people, township2):
    client = api_client(township2)
    for method, path in urls(people["elderly"].pk)[1:]:
        assert_error(call(client, method, path), 404, "not_found")
    assert not LeftBehindCare.objects.exists() and not LeftBehindNeed.objects.exists()
    ids = [item["id"] for item in client.get(f"{BASE}/people").json()["items"]]
    assert ids == [people["foreign"].pk]


def test_a_village_officer_gets_404_for_a_child_they_do_not_look_after(people, township, village):
    client = api_client(village)
    for method, path in urls(people["child"].pk)[1:]:
        assert_error(call(client, method, path), 404, "not_found")
    listed = [item["id"] for item in client.get(f"{BASE}/people").json()["items"]]
    assert listed == [people["elderly"].pk]
    contact(township, people["child"], user=village)
    body = client.get(f"{BASE}/people/{people['child'].pk}").json()
    assert body["name"] == "马**" and body["is_child"] and body["age"] is None


def test_values_are_masked_and_children_names_too(people, township):
    client = api_client(township)
    items = {item["id"]: item for item in client.get(f"{BASE}/people").json()["items"]}
    assert items[people["elderly"].pk]["name"] == "马福元"
    assert items[people["child"].pk]["name"] == "马**"
    body = client.get(f"{BASE}/people/{people['elderly'].pk}").json()
    assert body["phone"] == "136****0009"
    assert "*" in body["id_number"] and body["address"] == "●●●●"
    assert "13687770009" not in client.get(f"{BASE}/people/{people['elderly'].pk}").content.decode()


def test_care_and_needs_round_trip(people, township, village):
    target = people["elderly"]
    contact(township, target, user=village)
    client = api_client(village)
    created = post(
        client,
        f"{BASE}/people/{target.pk}/care",
        {"kind": "phone_call", "occurred_on": timezone.localdate().isoformat(), "notes": "通话"},
    )
    assert created.status_code == 201 and created.json()["kind_name"] == "电话联系"
    listed = client.get(f"{BASE}/people/{target.pk}/care").json()["items"]
    assert [r["id"] for r in listed] == [created.json()["id"]]
    raised = post(client, f"{BASE}/people/{target.pk}/needs", {"description": "送药"})
    assert raised.status_code == 201
    pk = raised.json()["id"]
    refused = post(client, f"{BASE}/needs/{pk}", {"status": "resolved"})
    assert_error(refused, 400, "invalid")
    done = post(client, f"{BASE}/needs/{pk}", {"status": "resolved", "result": "已送到"})
    assert done.status_code == 200 and done.json()["status"] == "resolved"


def test_bad_input_is_a_structured_error(people, township):
    client = api_client(township)
    path = f"{BASE}/people/{people['elderly'].pk}/care"
    assert_error(post(client, path, {"kind": "nope", "occurred_on": "2020-01-01"}), 400, "invalid")
    assert_error(post(client, path, {"kind": "phone_call"}), 422, "invalid")
    future = {"kind": "phone_call", "occurred_on": "2999-01-01"}
    body = assert_error(post(client, path, future), 400, "invalid")
    assert "occurred_on" in body["fields"]
    assert not LeftBehindCare.objects.exists()
    assert_error(client.get(f"{BASE}/people/0"), 404, "not_found")


def test_the_list_filters_and_query_count(people, township, django_assert_max_num_queries):
    client = api_client(township)
    for _ in range(5):
        visit(township, person(township, DAZHUANG))
    need(township, people["elderly"])
    with django_assert_max_num_queries(12):
        response = client.get(f"{BASE}/people", {"kind": "elderly", "size": 50})
    assert len(response.json()["items"]) == 6
    child_only = client.get(f"{BASE}/people", {"kind": "child"}).json()["items"]
    assert [r["id"] for r in child_only] == [people["child"].pk]
    assert_error(client.get(f"{BASE}/people", {"association": SHANGQUAN}), 404, "not_found")
