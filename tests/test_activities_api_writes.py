"""The activities API completed: 青春健康同伴社 listed and read; experts and campaigns created
and changed over /api/v1/activities through the same services as the pages (audited, versioned),
with structured errors and the refusals (another township, another county, a role that may not,
anonymous, bad input), documented in OpenAPI."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fpa.activities import services
from fpa.activities.models import Campaign, Expert, PeerClub
from fpa.core.models import AuditEvent
from fpa.organizations.models import Association
from tests.activities_helpers import assoc
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, YANGUOXIA, another_county
from tests.test_api import api_client, assert_error

pytestmark = pytest.mark.django_db
BASE = "/api/v1/activities"
TODAY = timezone.localdate()


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, body, content_type="application/json")


@pytest.fixture
def other_county(yongjing: Association) -> Any:
    """A user of another county (a second county association beside Yongjing)."""
    return another_county(yongjing)


def club(actor: Any, code: str, school: str, **data: Any) -> PeerClub:
    return services.peer_club_add(actor=actor, association=assoc(code), school=school, **data)


def expert_body(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "association": LIUJIAXIA,
        "name": "王医生",
        "organisation": "永靖县妇幼保健院",
        "title": "主治医师",
        "specialties": ["reproductive", "youth_trainer"],
        "qualifications": "青春健康师资培训证书（2024）",
        "phone": "13912345678",
    }
    body.update(extra)
    return body


def campaign_body(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "association": "622923",
        "title": "5·29会员活动日",
        "theme": "may29",
        "starts_on": (TODAY - datetime.timedelta(days=3)).isoformat(),
        "ends_on": (TODAY + datetime.timedelta(days=20)).isoformat(),
        "description": "每个乡镇至少开展一次活动。",
        "targets": [{"association": LIUJIAXIA, "activities": 2}],
    }
    body.update(extra)
    return body


# --- peer clubs -------------------------------------------------------------------------------


def test_peer_clubs_are_listed_and_read_in_scope(
    township: Any, township2: Any, county: Any, other_county: Any
) -> None:
    mine = club(township, LIUJIAXIA, "刘家峡中学", members=30)
    village_club = club(township, DAZHUANG, "大庄小学", members=12)
    theirs = club(township2, YANGUOXIA, "盐锅峡中学")
    client = api_client(township)
    body = client.get(f"{BASE}/clubs").json()
    assert [c["id"] for c in body["items"]] == [mine.pk, village_club.pk]
    assert body["items"][0]["members"] == 30 and body["items"][0]["association_code"] == LIUJIAXIA
    detail = client.get(f"{BASE}/clubs/{mine.pk}")
    assert detail.status_code == 200 and detail.json()["school"] == "刘家峡中学"
    assert_error(client.get(f"{BASE}/clubs/{theirs.pk}"), 404, "not_found")
    assert_error(client.get(f"{BASE}/clubs/{2**70}"), 404, "not_found")
    assert_error(client.get(f"{BASE}/clubs?association={YANGUOXIA}"), 404, "not_found")
    under = client.get(f"{BASE}/clubs?association={DAZHUANG}").json()["items"]
    assert [c["id"] for c in under] == [village_club.pk]
    everything = api_client(county).get(f"{BASE}/clubs").json()["items"]
    assert {c["id"] for c in everything} == {mine.pk, village_club.pk, theirs.pk}
    assert api_client(other_county).get(f"{BASE}/clubs").json()["items"] == []
    assert_error(api_client(other_county).get(f"{BASE}/clubs/{mine.pk}"), 404, "not_found")


def test_peer_club_filters_pages_and_bad_input(
    township: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(12):
        club(township, LIUJIAXIA, f"学校{n:02d}")
    closed = club(township, LIUJIAXIA, "已停办学校")
    services.peer_club_update(actor=township, club=closed, active=False)
    client = api_client(township)
    client.get(f"{BASE}/clubs")  # warm: the token's last use is recorded once
    with django_assert_max_num_queries(8):
        first = client.get(f"{BASE}/clubs?size=5").json()
    assert len(first["items"]) == 5 and first["next"]
    second = client.get(f"{BASE}/clubs?size=5&after={first['next']}").json()
    assert not {c["id"] for c in first["items"]} & {c["id"] for c in second["items"]}
    inactive = client.get(f"{BASE}/clubs?state=inactive").json()["items"]
    assert [c["id"] for c in inactive] == [closed.pk]
    assert len(client.get(f"{BASE}/clubs?state=&size=100").json()["items"]) == 13
    assert len(client.get(f"{BASE}/clubs?q=学校0&size=100").json()["items"]) == 10
    assert_error(client.get(f"{BASE}/clubs?size=0"), 422, "invalid")
    assert_error(client.get(f"{BASE}/clubs?state=gone"), 422, "invalid")


@pytest.mark.parametrize("persona", ["volunteer", "finance", "sysadmin"])
def test_peer_clubs_refuse_other_roles(persona: str, request: Any, township: Any) -> None:
    one = club(township, LIUJIAXIA, "刘家峡中学")
    client = api_client(request.getfixturevalue(persona))
    assert_error(client.get(f"{BASE}/clubs"), 403, "forbidden")
    assert_error(client.get(f"{BASE}/clubs/{one.pk}"), 403, "forbidden")


# --- experts ------------------------------------------------------------------------------------


def test_an_expert_is_added_and_changed_through_the_service(township: Any) -> None:
    client = api_client(township)
    response = post(client, f"{BASE}/experts", expert_body())
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["phone"] == "139****5678" and created["version"] == 1
    assert sorted(created["specialties"]) == ["reproductive", "youth_trainer"]
    expert = Expert.objects.get(pk=created["id"])
    assert expert.phone is not None and expert.phone.reveal_unchecked() == "13912345678"
    assert AuditEvent.objects.filter(object_type="activities.expert", action="create").exists()
    url = f"{BASE}/experts/{expert.pk}"
    assert client.get(url).json()["qualifications"] == "青春健康师资培训证书（2024）"
    response = post(
        client, url, {"version": 1, "title": "副主任医师", "specialties": ["psychology"]}
    )
    assert response.status_code == 200, response.content
    changed = response.json()
    assert changed["title"] == "副主任医师" and changed["specialties"] == ["psychology"]
    assert changed["name"] == "王医生" and changed["phone"] == "139****5678"  # not sent: kept
    assert changed["version"] == 2
    response = post(client, url, {"phone": "", "active": False})
    assert response.json()["phone"] == "" and response.json()["active"] is False
    assert_error(post(client, url, {"version": 1, "title": "x"}), 409, "conflict")
    events = AuditEvent.objects.filter(object_type="activities.expert", action="update")
    assert events.count() == 2


def test_expert_writes_refuse_bad_input_with_structured_errors(township: Any) -> None:
    client = api_client(township)
    error = assert_error(
        post(client, f"{BASE}/experts", expert_body(specialties=["nope"])), 400, "invalid"
    )
    assert "specialties" in error["fields"]
    assert_error(post(client, f"{BASE}/experts", expert_body(specialties=[])), 422, "invalid")
    assert_error(post(client, f"{BASE}/experts", expert_body(name="")), 422, "invalid")
    error = assert_error(
        post(client, f"{BASE}/experts", expert_body(phone="12345")), 400, "invalid"
    )
    assert "phone" in error["fields"]
    assert not Expert.objects.exists()
    expert = services.expert_add(
        actor=township,
        association=assoc(LIUJIAXIA),
        specialties=_specialties("legal"),
        name="李律师",
    )
    url = f"{BASE}/experts/{expert.pk}"
    error = assert_error(post(client, url, {"name": None}), 400, "invalid")
    assert "name" in error["fields"]
    assert_error(post(client, url, {"specialties": []}), 422, "invalid")
    assert_error(post(client, url, {"version": "one"}), 422, "invalid")
    expert.refresh_from_db()
    assert expert.name == "李律师" and expert.version == 1


def _specialties(*codes: str) -> Any:
    from fpa.activities.models import Specialty

    return Specialty.objects.filter(code__in=codes)


def test_expert_writes_are_refused_out_of_scope_and_to_other_roles(
    township: Any,
    township2: Any,
    other_county: Any,
    auditor: Any,
    client: Client,
) -> None:
    expert = services.expert_add(
        actor=township,
        association=assoc(LIUJIAXIA),
        specialties=_specialties("legal"),
        name="李律师",
    )
    assert_error(post(api_client(township2), f"{BASE}/experts", expert_body()), 404, "not_found")
    assert_error(post(api_client(other_county), f"{BASE}/experts", expert_body()), 404, "not_found")
    assert_error(post(api_client(auditor), f"{BASE}/experts", expert_body()), 403, "forbidden")
    assert_error(post(client, f"{BASE}/experts", expert_body()), 401, "unauthenticated")
    url = f"{BASE}/experts/{expert.pk}"
    assert_error(post(api_client(township2), url, {"name": "改名"}), 404, "not_found")
    assert_error(post(api_client(other_county), url, {"name": "改名"}), 404, "not_found")
    assert_error(post(api_client(auditor), url, {"name": "改名"}), 403, "forbidden")
    assert_error(post(client, url, {"name": "改名"}), 401, "unauthenticated")
    assert_error(api_client(township2).get(url), 404, "not_found")
    assert Expert.objects.count() == 1
    expert.refresh_from_db()
    assert expert.name == "李律师" and expert.version == 1


# --- campaigns ----------------------------------------------------------------------------------


def test_a_campaign_is_set_and_changed_through_the_service(county: Any, township: Any) -> None:
    client = api_client(county)
    response = post(client, f"{BASE}/campaigns", campaign_body())
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["theme"] == "may29"
    assert [(p["association_code"], p["wanted"]) for p in created["progress"]] == [(LIUJIAXIA, 2)]
    campaign = Campaign.objects.get(pk=created["id"])
    assert AuditEvent.objects.filter(object_type="activities.campaign", action="create").exists()
    assert [c["id"] for c in api_client(township).get(f"{BASE}/campaigns").json()] == [campaign.pk]
    url = f"{BASE}/campaigns/{campaign.pk}"
    response = post(
        client,
        url,
        {
            "version": 1,
            "title": "2026年5·29会员活动日",
            "theme": "",
            "targets": [
                {"association": LIUJIAXIA, "activities": 1},
                {"association": YANGUOXIA, "activities": 3},
            ],
        },
    )
    assert response.status_code == 200, response.content
    changed = response.json()
    assert changed["title"] == "2026年5·29会员活动日" and changed["theme"] is None
    assert changed["description"] == "每个乡镇至少开展一次活动。"  # not sent: kept
    assert sorted((p["association_code"], p["wanted"]) for p in changed["progress"]) == [
        (LIUJIAXIA, 1),
        (YANGUOXIA, 3),
    ]
    assert_error(post(client, url, {"version": 1, "title": "再改"}), 409, "conflict")
    default = post(client, f"{BASE}/campaigns", campaign_body(targets=[], theme=""))
    assert default.status_code == 201
    assert len(default.json()["progress"]) == assoc("622923").children.count()


def test_campaign_writes_refuse_bad_input_with_structured_errors(county: Any) -> None:
    client = api_client(county)
    bad_dates = campaign_body(
        starts_on=TODAY.isoformat(), ends_on=(TODAY - datetime.timedelta(days=1)).isoformat()
    )
    error = assert_error(post(client, f"{BASE}/campaigns", bad_dates), 400, "invalid")
    assert "ends_on" in error["fields"]
    error = assert_error(
        post(client, f"{BASE}/campaigns", campaign_body(targets=[{"association": "622923"}])),
        400,
        "invalid",
    )
    assert "targets" in error["fields"]
    error = assert_error(
        post(client, f"{BASE}/campaigns", campaign_body(theme="nope")), 400, "invalid"
    )
    assert "theme" in error["fields"]
    assert_error(post(client, f"{BASE}/campaigns", campaign_body(starts_on="soon")), 422, "invalid")
    assert_error(
        post(
            client,
            f"{BASE}/campaigns",
            campaign_body(targets=[{"association": LIUJIAXIA, "activities": 0}]),
        ),
        422,
        "invalid",
    )
    assert not Campaign.objects.exists()


def test_campaign_writes_are_refused_out_of_scope_and_to_other_roles(
    county: Any,
    township: Any,
    township2: Any,
    village: Any,
    other_county: Any,
    client: Client,
) -> None:
    campaign = services.campaign_create(
        actor=county,
        association=assoc("622923"),
        title="5·29会员活动日",
        starts_on=TODAY,
        ends_on=TODAY + datetime.timedelta(days=10),
    )
    url = f"{BASE}/campaigns/{campaign.pk}"
    # A township sees the county's campaign but may not change it, nor set one for the county.
    assert_error(post(api_client(township), url, {"title": "改"}), 403, "forbidden")
    assert_error(post(api_client(township), f"{BASE}/campaigns", campaign_body()), 404, "not_found")
    # Its own campaign may not target another township's villages.
    own = campaign_body(association=LIUJIAXIA, targets=[{"association": SHANGQUAN}])
    assert_error(post(api_client(township), f"{BASE}/campaigns", own), 404, "not_found")
    # A village may not set campaigns, even for its own association.
    for_itself = campaign_body(association=DAZHUANG, targets=[])
    assert_error(post(api_client(village), f"{BASE}/campaigns", for_itself), 403, "forbidden")
    assert_error(post(api_client(village), url, {"title": "改"}), 403, "forbidden")
    assert_error(post(api_client(other_county), url, {"title": "改"}), 404, "not_found")
    assert_error(api_client(other_county).get(url), 404, "not_found")
    assert_error(
        post(api_client(other_county), f"{BASE}/campaigns", campaign_body()), 404, "not_found"
    )
    assert_error(post(client, f"{BASE}/campaigns", campaign_body()), 401, "unauthenticated")
    assert_error(post(client, url, {"title": "改"}), 401, "unauthenticated")
    assert_error(api_client(township2).get(f"{BASE}/campaigns/{2**70}"), 404, "not_found")
    campaign.refresh_from_db()
    assert campaign.title == "5·29会员活动日" and campaign.version == 1
    assert Campaign.objects.count() == 1


def test_openapi_documents_the_new_operations_and_their_errors(township: Any) -> None:
    paths = api_client(township).get("/api/v1/openapi.json").json()["paths"]
    for path, method in (
        ("/api/v1/activities/clubs", "get"),
        ("/api/v1/activities/clubs/{club_id}", "get"),
        ("/api/v1/activities/experts", "post"),
        ("/api/v1/activities/experts/{expert_id}", "post"),
        ("/api/v1/activities/campaigns", "post"),
        ("/api/v1/activities/campaigns/{campaign_id}", "post"),
        ("/api/v1/activities/{activity_id}/fund", "post"),
    ):
        responses = paths[path][method]["responses"]
        assert {"400", "401", "403", "404", "422"} <= set(responses), path
