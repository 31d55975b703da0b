"""/api/v1/volunteers: scope, masking, matching, hours and the portal; refused callers."""

from __future__ import annotations

import json

import pytest

from fpa.accounts.services import token_issue
from fpa.volunteers import services
from fpa.volunteers.models import HoursRecord
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN
from tests.volunteers_helpers import active, apply, service


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=user)[1]}"}


@pytest.fixture
def people(yongjing, township, township2):
    return {
        "mine": active(township, DAZHUANG, name="本镇甲", skills=("counselling",)),
        "child": apply(DAZHUANG, name="王小明", age=12),
        "theirs": active(township2, SHANGQUAN, name="外镇乙"),
    }


def test_list_is_scoped_and_masked(client, people, township, django_assert_max_num_queries):
    response = client.get("/api/v1/volunteers", **bearer(township))
    assert response.status_code == 200
    items = response.json()["items"]
    names = {i["name"] for i in items}
    assert names == {"本镇甲", "王**"}
    mine = next(i for i in items if i["name"] == "本镇甲")
    volunteer = people["mine"]
    assert mine["id_number"] == volunteer.id_number.masked
    assert mine["phone"] == volunteer.phone.masked
    assert mine["skills"] == ["心理咨询"] and mine["age"] >= 29
    body = response.content.decode()
    assert volunteer.id_number.reveal_unchecked() not in body
    assert volunteer.phone.reveal_unchecked() not in body
    assert "birth_date" not in body and "王小明" not in body
    child = next(i for i in items if i["name"] == "王**")
    assert child["age"] is None and child["minor"] is True


def test_list_queries_do_not_grow(client, yongjing, township):
    headers = bearer(township)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/volunteers", **headers).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(3):
        active(township, DAZHUANG, skills=("nursing",))
    count()  # the token's first use is recorded once
    few = count()
    for _ in range(27):
        active(township, DAZHUANG, skills=("nursing", "legal_aid"))
    assert count() == few


def test_foreign_volunteer_is_404_and_bad_ids_are_clean_errors(client, people, township):
    headers = bearer(township)
    theirs = people["theirs"]
    response = client.get(f"/api/v1/volunteers/{theirs.pk}", **headers)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert client.get(f"/api/v1/volunteers/{2**70}", **headers).status_code in {404, 422}
    assert client.get("/api/v1/volunteers", {"size": "1e6"}, **headers).status_code == 422
    assert (
        client.get("/api/v1/volunteers", {"association": "622923101"}, **headers).status_code == 404
    )


def test_other_roles_and_anonymous_are_refused(client, people, finance, volunteer):
    assert client.get("/api/v1/volunteers").status_code == 401
    response = client.get("/api/v1/volunteers", **bearer(finance))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert client.get("/api/v1/volunteers", **bearer(volunteer)).status_code == 403
    assert client.get("/api/v1/volunteers/me", **bearer(finance)).status_code == 403


def test_hours_recorded_over_the_api(client, people, township, township2):
    task = service(township, LIUJIAXIA)
    url = f"/api/v1/volunteers/services/{task.pk}/hours"
    payload = {"volunteer_id": people["mine"].pk, "hours": "2.5"}
    for bad in (
        {"volunteer_id": people["mine"].pk, "hours": "NaN"},
        {"volunteer_id": people["mine"].pk, "hours": 1e6},
        {"volunteer_id": people["theirs"].pk, "hours": 2},
    ):
        response = client.post(
            url, json.dumps(bad), content_type="application/json", **bearer(township)
        )
        assert response.status_code in {404, 422}, (bad, response.content)
    response = client.post(
        url, json.dumps(payload), content_type="application/json", **bearer(township2)
    )
    assert response.status_code == 404
    assert not HoursRecord.objects.exists()
    response = client.post(
        url, json.dumps(payload), content_type="application/json", **bearer(township)
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "confirmed"


def test_suggestions_over_the_api(client, people, township):
    task = service(township, LIUJIAXIA, days_ago=-2)
    response = client.get(
        "/api/v1/volunteers/suggestions",
        {"service": task.pk, "skills": ["counselling"], "when": ["weekends"]},
        **bearer(township),
    )
    assert response.status_code == 200
    rows = response.json()
    assert [r["name"] for r in rows] == ["本镇甲"]
    assert rows[0]["reason"].startswith("同乡镇（街道）；具备所需技能：心理咨询")
    missing = client.get("/api/v1/volunteers/suggestions", **bearer(township))
    assert missing.status_code == 400
    assert missing.json()["error"]["fields"] == {"need": [missing.json()["error"]["message"]]}
    bad = client.get(
        "/api/v1/volunteers/suggestions",
        {"when": "midnight", "service": task.pk},
        **bearer(township),
    )
    assert bad.status_code == 422


def test_portal_api_shows_own_data_and_takes_hours(client, people, township, volunteer):
    me = people["mine"]
    services.volunteer_link_account(actor=township, volunteer=me, user=volunteer)
    task = service(township, LIUJIAXIA, title="本人任务")
    assignment = services.assignment_create(actor=township, service=task, volunteer=me)
    other = services.assignment_create(
        actor=township,
        service=service(township, LIUJIAXIA, title="别人的"),
        volunteer=active(township, DAZHUANG),
    )
    headers = bearer(volunteer)
    response = client.get("/api/v1/volunteers/me", **headers)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["name"] == "本镇甲" and [t["service_title"] for t in data["tasks"]] == ["本人任务"]
    response = client.post(
        "/api/v1/volunteers/me/hours",
        json.dumps({"assignment_id": other.pk, "hours": "1"}),
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 404
    response = client.post(
        "/api/v1/volunteers/me/hours",
        json.dumps({"assignment_id": assignment.pk, "hours": "1.5"}),
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 201
    assert response.json()["status"] == "submitted"
    # A volunteer reads nothing of the registry.
    assert client.get(f"/api/v1/volunteers/{me.pk}", **headers).status_code == 403
