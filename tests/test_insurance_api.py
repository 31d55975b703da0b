"""The insurance API at /api/v1/insurance: who may call it, what each caller sees (masked), a
claim reported and decided through the services, documented errors and flat query counts."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from fpa.insurance.models import Claim
from tests.conftest import DAZHUANG, SHANGQUAN
from tests.insurance_helpers import enrol, family, parent, policy_year, report, today
from tests.test_api import api_client, assert_error

pytestmark = pytest.mark.django_db
BASE = "/api/v1/insurance"


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, body, content_type="application/json")


@pytest.fixture
def world(county, township, township2, village):
    year = policy_year(county)
    ours = enrol(village, year, parent(family(village, DAZHUANG)))
    theirs = enrol(township2, year, parent(family(township2, SHANGQUAN)))
    return {"year": year, "ours": ours, "theirs": theirs, "claim": report(village, ours)}


def test_products_and_years_are_listed(world, township):
    client = api_client(township)
    products = client.get(f"{BASE}/products").json()
    assert [p["name"] for p in products] == ["计生家庭意外伤害保险"]
    years = client.get(f"{BASE}/years").json()
    assert years[0]["fund_share"] == "60.00" and years[0]["grant_status"] is None


def test_roster_is_scoped_and_masked(world, township, county):
    url = f"{BASE}/years/{world['year'].pk}/enrolments"
    items = api_client(township).get(url).json()["items"]
    assert [i["id"] for i in items] == [world["ours"].pk]
    assert "*" in items[0]["id_number_masked"] and items[0]["name_masked"] != "张桂兰"
    assert len(api_client(county).get(url).json()["items"]) == 2
    assert_error(api_client(township).get(f"{url}?association={SHANGQUAN}"), 404, "not_found")


def test_claims_are_scoped(world, township, township2):
    assert [c["id"] for c in api_client(township).get(f"{BASE}/claims").json()["items"]] == [
        world["claim"].pk
    ]
    assert api_client(township2).get(f"{BASE}/claims").json()["items"] == []
    assert_error(api_client(township2).get(f"{BASE}/claims/{world['claim'].pk}"), 404, "not_found")
    assert_error(api_client(township).get(f"{BASE}/claims/{2**70}"), 404, "not_found")


def test_report_and_decide_a_claim(world, village):
    client = api_client(village)
    body = {
        "enrolment_id": world["ours"].pk,
        "event_on": today().isoformat(),
        "kind": "death",
        "description": "病故",
    }
    created = post(client, f"{BASE}/claims", body)
    assert created.status_code == 201, created.content
    claim_id = created.json()["id"]
    assert created.json()["care_record_id"] is not None
    step = post(client, f"{BASE}/claims/{claim_id}/steps", {"action": "submit"})
    assert step.json()["status"] == "submitted"
    paid = post(
        client, f"{BASE}/claims/{claim_id}/steps", {"action": "paid", "amount_paid": "20000"}
    )
    assert paid.json()["status"] == "paid" and paid.json()["amount_paid"] == "20000.00"
    figures = client.get(
        f"{BASE}/figures", {"first": today().isoformat(), "last": today().isoformat()}
    ).json()
    assert figures["cases"] == 2 and figures["amount"] == "20000.00"


def test_claim_refusals_are_structured(world, village, township2, auditor):
    client = api_client(village)
    body = {
        "enrolment_id": world["ours"].pk,
        "event_on": (world["year"].starts_on - datetime.timedelta(days=1)).isoformat(),
        "kind": "accident",
        "description": "摔伤",
    }
    assert_error(post(client, f"{BASE}/claims", body), 400, "invalid")
    foreign = {**body, "enrolment_id": world["theirs"].pk, "event_on": today().isoformat()}
    assert_error(post(client, f"{BASE}/claims", foreign), 404, "not_found")
    ours = {**body, "event_on": today().isoformat()}
    assert_error(post(api_client(auditor), f"{BASE}/claims", ours), 403, "forbidden")
    assert post(client, f"{BASE}/claims", {**ours, "kind": "cat"}).status_code == 422
    step = post(client, f"{BASE}/claims/{world['claim'].pk}/steps", {"action": "close"})
    assert_error(step, 400, "invalid")
    stale = post(
        client, f"{BASE}/claims/{world['claim'].pk}/steps", {"action": "submit", "version": 9}
    )
    assert_error(stale, 409, "conflict")
    assert Claim.objects.count() == 1


@pytest.mark.parametrize("persona", ["volunteer", "finance", "sysadmin"])
def test_roles_without_insurance_view_are_refused(request, world, persona):
    user = request.getfixturevalue(persona)
    assert_error(api_client(user).get(f"{BASE}/claims"), 403, "forbidden")


def test_anonymous_gets_401(client, world):
    assert_error(client.get(f"{BASE}/claims"), 401, "unauthenticated")


def test_claim_list_query_count_is_flat(
    world, county, village, django_assert_max_num_queries, django_assert_num_queries
):
    client = api_client(county)
    client.get(f"{BASE}/claims")
    with django_assert_max_num_queries(12) as small:
        assert client.get(f"{BASE}/claims").status_code == 200
    for _ in range(3):
        report(village, enrol(village, world["year"], parent(family(village, DAZHUANG))))
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(f"{BASE}/claims")
    assert len(response.json()["items"]) == 4
