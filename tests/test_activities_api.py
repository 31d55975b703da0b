"""The activities API at /api/v1/activities: who may call it, what each caller sees, plan and
hold and summary through the services, structured errors documented in OpenAPI, bad input and
flat query counts."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fpa.activities import services
from fpa.activities.models import Activity, Site
from tests.activities_helpers import assoc, held, plan, when
from tests.conftest import DAZHUANG, LIUJIAXIA, YANGUOXIA
from tests.test_api import api_client, assert_error

pytestmark = pytest.mark.django_db
BASE = "/api/v1/activities"
YEAR = timezone.localdate().year


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, body, content_type="application/json")


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def plan_body(**extra: Any) -> dict[str, Any]:
    start, end = when(-1)
    body: dict[str, Any] = {
        "association": DAZHUANG,
        "title": "青春健康进校园",
        "category": "youth",
        "theme": "youth_health",
        "setting": "school",
        "starts_at": start.isoformat(),
        "ends_at": end.isoformat(),
        "place": "大庄小学",
    }
    body.update(extra)
    return body


def test_list_and_detail_are_scoped(village: Any, township: Any, township2: Any) -> None:
    mine = plan(village, DAZHUANG)
    theirs = plan(township2, YANGUOXIA)
    assert ids(api_client(township).get(BASE)) == [mine.pk]
    assert ids(api_client(township2).get(BASE)) == [theirs.pk]
    assert_error(api_client(township2).get(f"{BASE}/{mine.pk}"), 404, "not_found")
    assert_error(api_client(township).get(f"{BASE}/{2**70}"), 404, "not_found")
    assert_error(api_client(township).get(f"{BASE}?association={YANGUOXIA}"), 404, "not_found")


@pytest.mark.parametrize("persona", ["volunteer", "finance", "sysadmin"])
def test_other_roles_are_refused(persona: str, request: Any, village: Any) -> None:
    plan(village, DAZHUANG)
    client = api_client(request.getfixturevalue(persona))
    assert_error(client.get(BASE), 403, "forbidden")
    assert_error(client.get(f"{BASE}/figures"), 403, "forbidden")


def test_anonymous_is_refused(client: Client) -> None:
    assert_error(client.get(BASE), 401, "unauthenticated")
    assert_error(post(client, BASE, plan_body()), 401, "unauthenticated")


def test_the_auditor_reads_but_does_not_write(auditor: Any, village: Any) -> None:
    one = plan(village, DAZHUANG)
    client = api_client(auditor)
    assert ids(client.get(BASE)) == [one.pk]
    assert_error(post(client, BASE, plan_body()), 403, "forbidden")
    assert not Activity.objects.exclude(pk=one.pk).exists()


def test_plan_hold_summarise_and_the_figures(village: Any, county: Any) -> None:
    client = api_client(village)
    response = post(client, BASE, plan_body())
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "planned" and created["association_code"] == DAZHUANG
    pk = created["id"]
    response = post(
        client,
        f"{BASE}/{pk}/hold",
        {"participants": {"youth": 40, "others": 2}, "materials": 50, "version": 1},
    )
    assert response.status_code == 200, response.content
    assert response.json()["participants_total"] == 42
    response = post(
        client,
        f"{BASE}/{pk}/summary",
        {"summary": "青春健康课堂两节，学生反响良好。", "highlight": True},
    )
    assert response.json()["status"] == "summarised" and response.json()["highlight"]
    figures = api_client(county).get(f"{BASE}/figures?year={YEAR}").json()
    assert figures[0]["association_code"] == "622923"
    values = {(f["figure"], f["dimension"]): f["value"] for f in figures[0]["figures"]}
    assert values[("activities", "youth")] == 1 and values[("people", "youth")] == 42
    assert values[("highlights", "youth")] == 1
    by_child = api_client(county).get(f"{BASE}/figures?by_child=true").json()
    assert [line["association_code"] for line in by_child if line["figures"]] == [LIUJIAXIA]


def test_bad_input_is_refused_with_structured_errors(village: Any) -> None:
    client = api_client(village)
    start, _end = when(-1)
    error = assert_error(
        post(client, BASE, plan_body(ends_at=(start - datetime.timedelta(hours=1)).isoformat())),
        400,
        "invalid",
    )
    assert "ends_at" in error["fields"]
    assert_error(post(client, BASE, plan_body(category="nope")), 400, "invalid")
    assert_error(post(client, BASE, plan_body(starts_at="tomorrow")), 422, "invalid")
    assert_error(post(client, BASE, plan_body(association=YANGUOXIA)), 404, "not_found")
    assert_error(post(client, BASE, plan_body(site_id=2**40)), 404, "not_found")
    assert_error(post(client, BASE, "{not json"), 422, "invalid")
    assert not Activity.objects.exists()
    one = plan(village, DAZHUANG)
    error = assert_error(
        post(client, f"{BASE}/{one.pk}/hold", {"participants": {"aliens": 3}}), 400, "invalid"
    )
    assert "participants" in error["fields"]
    assert_error(
        post(client, f"{BASE}/{one.pk}/hold", {"participants": {"youth": -3}}), 400, "invalid"
    )
    assert_error(
        post(client, f"{BASE}/{one.pk}/hold", {"participants": {"youth": 3}, "version": 9}),
        409,
        "conflict",
    )
    one.refresh_from_db()
    assert one.status == "planned"


def test_a_village_cannot_approve(village: Any, township: Any) -> None:
    one = plan(village, DAZHUANG)
    assert_error(post(api_client(village), f"{BASE}/{one.pk}/approve", {}), 403, "forbidden")
    response = post(api_client(township), f"{BASE}/{one.pk}/approve", {})
    assert response.status_code == 200 and response.json()["status"] == "approved"


def test_sites_campaigns_and_experts(township: Any, county: Any, village: Any) -> None:
    client = api_client(township)
    response = post(
        client,
        f"{BASE}/sites",
        {
            "association": LIUJIAXIA,
            "kind": "member_home",
            "name": "刘家峡镇会员之家",
            "status": "open",
            "opened_on": "2025-05-29",
            "contact_phone": "13912345678",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["contact_phone"] == "139****5678"
    assert [s["id"] for s in client.get(f"{BASE}/sites").json()["items"]] == [response.json()["id"]]
    assert_error(
        post(
            client,
            f"{BASE}/sites",
            {"association": LIUJIAXIA, "kind": "member_home", "name": "x", "status": "open"},
        ),
        400,
        "invalid",
    )
    assert Site.objects.count() == 1
    assert_error(client.get(f"{BASE}/sites/{2**40}"), 404, "not_found")
    campaign = services.campaign_create(
        actor=county,
        association=assoc("622923"),
        title="5·29会员活动日",
        starts_on=timezone.localdate() - datetime.timedelta(days=5),
        ends_on=timezone.localdate() + datetime.timedelta(days=5),
    )
    held(village, DAZHUANG, campaign=campaign)
    detail = client.get(f"{BASE}/campaigns/{campaign.pk}").json()
    assert [(p["association_code"], p["held"], p["done"]) for p in detail["progress"]] == [
        (LIUJIAXIA, 1, True)
    ]
    assert [c["id"] for c in api_client(village).get(f"{BASE}/campaigns").json()] == [campaign.pk]


def test_the_list_does_not_grow_queries(
    village: Any, township: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(25):
        plan(village, DAZHUANG)
    client = api_client(township)
    client.get(BASE)
    with django_assert_max_num_queries(8):
        assert len(ids(client.get(f"{BASE}?size=100"))) == 25


def test_openapi_documents_the_operations_and_their_errors(township: Any) -> None:
    paths = api_client(township).get("/api/v1/openapi.json").json()["paths"]
    hold = paths["/api/v1/activities/{activity_id}/hold"]["post"]["responses"]
    assert {"200", "400", "401", "403", "404", "409", "422"} <= set(hold)
    assert "/api/v1/activities/figures" in paths and "/api/v1/activities/sites" in paths
