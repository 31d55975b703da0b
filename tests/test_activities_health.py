"""Sensitive health follow-ups (PIPL art. 28): who sees a record, masked everywhere, every reveal
audited with a reason, encrypted at rest, and the refusals."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from fpa.accounts.roles import Role
from fpa.activities import services
from fpa.activities.models import HealthCase
from fpa.core.errors import ServiceError
from fpa.core.models import AuditEvent
from tests.activities_helpers import assoc, plan
from tests.conftest import DAZHUANG, make_user

pytestmark = pytest.mark.django_db
NAME = "马秀兰"
PHONE = "13987654321"
DETAILS = "孕前检查提示地中海贫血携带，建议夫妻双方到州妇幼保健院做遗传咨询"


def case(actor: Any, **extra: Any) -> HealthCase:
    data: dict[str, Any] = {
        "association": assoc(DAZHUANG),
        "kind": HealthCase.Kind.GENETIC,
        "person_name": NAME,
        "phone": PHONE,
        "details": DETAILS,
        "follow_up_on": timezone.localdate() + datetime.timedelta(days=14),
    }
    data.update(extra)
    return services.case_create(actor=actor, **data)


def test_the_list_and_the_page_show_masked_values_only(client_for: Any, village: Any) -> None:
    one = case(village)
    client = client_for(village)
    for url in ("/activities/health/", f"/activities/health/{one.pk}/"):
        body = client.get(url).content.decode()
        assert "马**" in body
        assert NAME not in body and PHONE not in body and "地中海贫血" not in body
    assert "139****4321" in client.get(f"/activities/health/{one.pk}/").content.decode()


def test_values_are_encrypted_at_rest(village: Any) -> None:
    one = case(village)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT person_name, details FROM activities_healthcase WHERE id = %s", [one.pk]
        )
        stored = " ".join(cursor.fetchone())
    assert NAME not in stored and "地中海贫血" not in stored


def test_who_sees_a_record(
    client_for: Any, village: Any, township: Any, township2: Any, county: Any, auditor: Any
) -> None:
    one = case(village)
    url = f"/activities/health/{one.pk}/"
    assert client_for(township).get(url).status_code == 200  # a superior with health.sensitive
    assert client_for(county).get(url).status_code == 200
    assert client_for(township2).get(url).status_code == 404  # another township
    assert client_for(auditor).get(url).status_code == 404  # no health.sensitive, not the creator
    colleague = make_user("colleague", DAZHUANG, Role.VILLAGE_STAFF)
    assert client_for(colleague).get(url).status_code == 404  # same village, not the recorder
    assert "马**" not in client_for(colleague).get("/activities/health/?status=").content.decode()


def test_refused_roles_and_anonymous(
    client: Any, client_for: Any, finance: Any, village: Any
) -> None:
    one = case(village)
    assert client_for(finance).get("/activities/health/").status_code == 403
    response = client.get(f"/activities/health/{one.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(f"/activities/health/{one.pk}/reveal/person_name/", {"reason": "随访"})
    assert response.status_code == 302


def test_a_reveal_needs_a_reason_and_is_audited(
    client_for: Any, village: Any, township: Any
) -> None:
    one = case(village)
    client = client_for(township)
    url = f"/activities/health/{one.pk}/reveal/details/"
    assert client.post(url, {"reason": ""}).status_code == 400
    response = client.post(url, {"reason": "安排遗传咨询转介"})
    assert response.status_code == 200 and "地中海贫血" in response.content.decode()
    event = AuditEvent.objects.get(action=AuditEvent.Action.REVEAL, object_id=str(one.pk))
    assert event.reason == "安排遗传咨询转介" and event.actor == township
    assert "地中海贫血" not in str(event.changes)
    assert (
        client.post(f"/activities/health/{one.pk}/reveal/kind/", {"reason": "x查看"}).status_code
        == 404
    )


def test_follow_up_closes_and_reopen_needs_a_reason(client_for: Any, village: Any) -> None:
    one = case(village)
    client = client_for(village)
    today = timezone.localdate().isoformat()
    response = client.post(
        f"/activities/health/{one.pk}/follow-up/", {"on": today, "note": "已到州妇幼保健院咨询"}
    )
    assert response.status_code == 302
    one.refresh_from_db()
    assert one.status == HealthCase.Status.CLOSED and one.follow_ups.count() == 1
    assert "已到州妇幼" not in client.get(f"/activities/health/{one.pk}/").content.decode()
    url = f"/activities/health/{one.pk}/reveal/follow_ups/"
    assert client.post(url, {"reason": ""}).status_code == 400
    response = client.post(url, {"reason": "核对随访情况"})
    assert response.status_code == 200 and "已到州妇幼保健院咨询" in response.content.decode()
    note = one.follow_ups.get()
    event = AuditEvent.objects.get(action=AuditEvent.Action.REVEAL, object_id=str(note.pk))
    assert event.reason == "核对随访情况" and event.changes == {"field": "note"}
    with pytest.raises(ServiceError):
        services.follow_up_add(
            actor=village, case=one, on=timezone.localdate(), note="再次随访情况", next_on=None
        )
    response = client.post(f"/activities/health/{one.pk}/reopen/", {"reason": ""})
    assert response.status_code == 200
    client.post(f"/activities/health/{one.pk}/reopen/", {"reason": "复查结果未出"})
    one.refresh_from_db()
    assert one.status == HealthCase.Status.OPEN


def test_bad_input_changes_nothing(client_for: Any, village: Any, township2: Any) -> None:
    with pytest.raises(ServiceError, match="一年后"):
        case(village, follow_up_on=timezone.localdate() + datetime.timedelta(days=800))
    with pytest.raises(ServiceError):
        case(village, person_name="马\u202e兰")
    with pytest.raises(ServiceError):
        case(village, phone="12345")
    with pytest.raises(ServiceError):
        case(township2)  # another township's village
    other = plan(township2, "622923101")
    with pytest.raises(ServiceError):
        case(village, activity=other)
    response = client_for(village).post(
        "/activities/health/new/",
        {
            "association": assoc(DAZHUANG).pk,
            "kind": "genetic",
            "person_name": NAME,
            "details": "短",
            "follow_up_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200
    assert not HealthCase.objects.exists()


def test_a_record_made_from_an_activity_page(client_for: Any, village: Any) -> None:
    activity = plan(village, DAZHUANG, category="health", theme="eugenics")
    client = client_for(village)
    response = client.post(
        f"/activities/health/new/?activity={activity.pk}",
        {
            "association": assoc(DAZHUANG).pk,
            "kind": "pre_pregnancy",
            "person_name": "李梅",
            "details": "孕前检查血糖偏高，需复查",
            "follow_up_on": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert HealthCase.objects.get().activity == activity
    assert client.get(f"/activities/health/new/?activity={2**40}").status_code == 404
