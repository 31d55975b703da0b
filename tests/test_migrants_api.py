"""/api/v1/migrants and /api/v1/enterprises: scope and masking, filters and keyset pages,
create, update (version-safe), services, counts, profiles; refused cases (anonymous, another
role, another township, out-of-scope ids) with the documented JSON errors."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fpa.migrants.models import Migrant
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN
from tests.migrants_helpers import CHENGDU, enterprise, id_for, migrant, profile
from tests.test_api import api_client, assert_error

BASE = "/api/v1/migrants"


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, body, content_type="application/json")


@pytest.fixture
def people(township, township2):
    firm = enterprise(township, LIUJIAXIA, name="水电企业计生协")
    return {
        "firm": firm,
        "inflow": migrant(township, DAZHUANG, name="马明", employer=firm, origin_code=CHENGDU),
        "outflow": migrant(township, DAZHUANG, "outflow", name="王建军"),
        "foreign": migrant(township2, SHANGQUAN, name="外镇人员"),
    }


def test_anonymous_and_other_roles_are_refused(people, finance):
    pk = people["inflow"].pk
    for path in (BASE, f"{BASE}/{pk}", f"{BASE}/counts", "/api/v1/enterprises"):
        assert_error(Client().get(path), 401, "unauthenticated")
        assert_error(api_client(finance).get(path), 403, "forbidden")
    assert_error(post(Client(), BASE, {}), 401, "unauthenticated")


def test_another_township_gets_404s(people, township2):
    client = api_client(township2)
    pk = people["inflow"].pk
    assert_error(client.get(f"{BASE}/{pk}"), 404, "not_found")
    assert_error(post(client, f"{BASE}/{pk}", {"version": 1, "workplace": "x"}), 404, "not_found")
    body = {"kind": "other", "served_on": timezone.localdate().isoformat(), "provider": "x"}
    assert_error(post(client, f"{BASE}/{pk}/services", body), 404, "not_found")
    assert_error(client.get(f"/api/v1/enterprises/{people['firm'].code}"), 404, "not_found")
    assert_error(client.get(BASE, {"association": DAZHUANG}), 404, "not_found")
    assert client.get(BASE).json()["items"][0]["id"] == people["foreign"].pk


def test_list_masks_filters_and_pages(people, township):
    client = api_client(township)
    body = client.get(BASE).json()
    ids = {item["id"] for item in body["items"]}
    assert ids == {people["inflow"].pk, people["outflow"].pk}
    text = str(body)
    assert "马明" not in text and people["inflow"].id_number.reveal_unchecked() not in text
    item = next(i for i in body["items"] if i["id"] == people["inflow"].pk)
    assert item["origin_name"].startswith("四川省") and item["employer_code"] == people["firm"].code
    only = client.get(BASE, {"direction": "outflow"}).json()["items"]
    assert [i["id"] for i in only] == [people["outflow"].pk]
    first = client.get(BASE, {"size": 1}).json()
    assert first["next"] and len(first["items"]) == 1
    second = client.get(BASE, {"size": 1, "after": first["next"]}).json()
    assert second["items"][0]["id"] != first["items"][0]["id"]
    assert client.get(BASE, {"origin_province": "5"}).status_code == 422


def test_create_update_and_service(people, township):
    client = api_client(township)
    number = id_for(40)
    created = post(
        client,
        BASE,
        {
            "association": DAZHUANG,
            "direction": "inflow",
            "name": "马兰",
            "id_number": number,
            "origin_code": "622901",
            "employer": people["firm"].code,
        },
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["name"] != "马兰" and data["id_number"] != number
    assert data["origin_name"].endswith("临夏市")
    pk = data["id"]
    updated = post(client, f"{BASE}/{pk}", {"version": 1, "workplace": "新工地"})
    assert updated.status_code == 200 and updated.json()["version"] == 2
    assert_error(post(client, f"{BASE}/{pk}", {"version": 1, "workplace": "旧"}), 409, "conflict")
    service = post(
        client,
        f"{BASE}/{pk}/services",
        {
            "kind": "public_health",
            "served_on": timezone.localdate().isoformat(),
            "provider": "卫生院",
        },
    )
    assert service.status_code == 201 and service.json()["kind_name"] == "基本公共卫生服务"
    bad_kind = post(
        client,
        f"{BASE}/{pk}/services",
        {"kind": "nope", "served_on": timezone.localdate().isoformat(), "provider": "x"},
    )
    assert assert_error(bad_kind, 400, "invalid")["fields"]


def test_bad_input_is_a_structured_error_and_writes_nothing(people, township):
    client = api_client(township)
    before = Migrant.objects.count()
    body = {
        "association": DAZHUANG,
        "direction": "inflow",
        "name": "马兰",
        "id_number": "1",
        "origin_code": CHENGDU,
    }
    error = assert_error(post(client, BASE, body), 400, "invalid")
    assert "id_number" in error["fields"]
    body = {**body, "id_number": id_for(), "origin_code": "999999"}
    error = assert_error(post(client, BASE, body), 400, "unknown_division")
    assert "origin_code" in error["fields"]
    assert_error(post(client, BASE, {"direction": "inflow"}), 422, "invalid")
    assert Migrant.objects.count() == before


def test_counts_and_enterprises(people, township):
    client = api_client(township)
    counts = client.get(f"{BASE}/counts").json()
    assert counts["total"]["inflow"] == 1 and counts["total"]["outflow"] == 1
    assert {row["code"] for row in counts["rows"]} == {DAZHUANG}
    profile(township, people["firm"], firm_name="某水电公司")
    rows = client.get("/api/v1/enterprises").json()
    firm = next(r for r in rows if r["code"] == people["firm"].code)
    assert firm["firm_name"] == "某水电公司" and firm["migrants_working"] == 1
    assert firm["demonstration"] is True
    detail = client.get(f"/api/v1/enterprises/{people['firm'].code}").json()
    assert detail["members"]["total"] == 0 and detail["activities"] == 0
    assert_error(client.get(f"/api/v1/enterprises/{DAZHUANG}"), 404, "not_found")


def test_list_query_count_is_flat(people, township, django_assert_max_num_queries):
    client = api_client(township)
    client.get(BASE)
    with django_assert_max_num_queries(12) as few:
        assert client.get(BASE).status_code == 200
    for _ in range(6):
        migrant(township, DAZHUANG, employer=people["firm"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(BASE).status_code == 200
