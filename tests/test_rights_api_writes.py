"""Referral (转办) and reopening (重新办理) of rights cases over the API: the page's services and
state rules (a closed case is not referred, only a closed case rated dissatisfied is reopened:
409), the audit trail, and refused callers (anonymous, another role, another township)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fpa.core.models import AuditEvent
from fpa.rights import services
from fpa.rights.models import Case, Step
from tests.conftest import DAZHUANG, SHANGQUAN
from tests.rights_helpers import ago, case, closed
from tests.test_api import api_client, assert_error

pytestmark = pytest.mark.django_db
BASE = "/api/v1/rights/cases"


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, body, content_type="application/json")


def named(error: dict[str, Any], field: str) -> bool:
    """Whether the error names `field` (a service's field, or the body's "payload.<field>")."""
    return field in error["fields"] or f"payload.{field}" in error["fields"]


def updates(found: Case) -> int:
    return AuditEvent.objects.filter(
        object_type="rights.case", object_id=str(found.pk), action="update"
    ).count()


def dissatisfied(actor: Any, found: Case) -> Case:
    done = closed(actor, found)
    return services.case_rate(
        actor=actor, case=done, satisfaction=Case.Satisfaction.DISSATISFIED, rated_on=None
    )


def snapshot(found: Case) -> tuple[Any, ...]:
    row = Case.objects.get(pk=found.pk)
    return (row.status, row.department, row.referred_on, row.version, row.reopened, row.deadline)


# --- refer ----------------------------------------------------------------------------------


def test_village_refers_a_case_with_audit_and_timeline(village):
    made = case(village, DAZHUANG, received_on=ago(3))
    client = api_client(village)
    before = updates(made)
    body = {"department": "县卫生健康局", "referred_on": ago(1).isoformat(), "note": "医保报销"}

    response = post(client, f"{BASE}/{made.pk}/refer", {**body, "version": made.version})

    assert response.status_code == 200, response.content
    row = Case.objects.get(pk=made.pk)
    assert row.status == Case.Status.REFERRED
    assert (row.department, row.referred_on) == ("县卫生健康局", ago(1))
    assert row.version == made.version + 1
    assert updates(made) == before + 1
    step = Step.objects.filter(case=made, action=Step.Action.REFERRED).get()
    assert step.note == "县卫生健康局：医保报销" and step.by == village
    assert response.json()["department"] == "县卫生健康局"
    assert response.json()["steps"][-1]["action"] == "referred"


def test_referral_date_defaults_to_today(village):
    made = case(village, DAZHUANG)
    response = post(api_client(village), f"{BASE}/{made.pk}/refer", {"department": "镇司法所"})
    assert response.status_code == 200, response.content
    assert Case.objects.get(pk=made.pk).referred_on == timezone.localdate()


def test_a_closed_case_cannot_be_referred(village):
    made = closed(village, case(village, DAZHUANG))
    before = snapshot(made)
    response = post(api_client(village), f"{BASE}/{made.pk}/refer", {"department": "县民政局"})
    assert_error(response, 409, "closed")
    assert snapshot(made) == before


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"department": "局"}, 400, "invalid", "department"),
        ({"department": "县民政局", "referred_on": "2099-01-01"}, 400, "invalid", "referred_on"),
        ({"department": "县民政局", "referred_on": "2024-02-30"}, 422, "invalid", "referred_on"),
        ({"department": "县民政局", "version": 99}, 409, "conflict", None),
        ({"department": "x" * 101}, 422, "invalid", "department"),
        ({}, 422, "invalid", "department"),
    ],
)
def test_bad_referrals_change_nothing(village, body, status, code, field):
    made = case(village, DAZHUANG, received_on=ago(2))
    before = snapshot(made)
    error = assert_error(post(api_client(village), f"{BASE}/{made.pk}/refer", body), status, code)
    if field is not None:
        assert named(error, field)
    assert snapshot(made) == before


def test_referral_before_receipt_is_refused(village):
    made = case(village, DAZHUANG, received_on=ago(2))
    body = {"department": "县民政局", "referred_on": ago(5).isoformat()}
    error = assert_error(post(api_client(village), f"{BASE}/{made.pk}/refer", body), 400, "invalid")
    assert "referred_on" in error["fields"]
    assert Case.objects.get(pk=made.pk).status == Case.Status.RECEIVED


# --- reopen ---------------------------------------------------------------------------------


def test_a_dissatisfied_closed_case_is_reopened(village):
    made = dissatisfied(village, case(village, DAZHUANG))
    before = updates(made)
    deadline = timezone.localdate() + datetime.timedelta(days=10)
    body = {"reason": "当事人认为补发金额不足", "deadline": deadline.isoformat()}

    response = post(api_client(village), f"{BASE}/{made.pk}/reopen", body)

    assert response.status_code == 200, response.content
    row = Case.objects.get(pk=made.pk)
    assert row.status == Case.Status.REOPENED and row.reopened == 1
    assert row.deadline == deadline and row.closed_on is None and row.satisfaction == ""
    assert updates(made) == before + 1
    assert Step.objects.filter(case=made, action=Step.Action.REOPENED).get().note == body["reason"]
    assert response.json()["status"] == "reopened"


@pytest.mark.parametrize("state", ["open", "closed_not_rated", "closed_satisfied"])
def test_only_a_closed_dissatisfied_case_can_be_reopened(village, state):
    made = case(village, DAZHUANG)
    if state != "open":
        made = closed(village, made)
    if state == "closed_satisfied":
        made = services.case_rate(
            actor=village, case=made, satisfaction=Case.Satisfaction.SATISFIED, rated_on=None
        )
    before = snapshot(made)
    response = post(api_client(village), f"{BASE}/{made.pk}/reopen", {"reason": "再次申请"})
    assert_error(response, 409, "state")
    assert snapshot(made) == before


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"reason": "再"}, 400, "reason"),
        ({"reason": "金额不足", "deadline": ago(1).isoformat()}, 400, "deadline"),
        ({"reason": "金额不足", "deadline": "2099-12-31"}, 400, "deadline"),
        ({"deadline": "2030-01-01"}, 422, "reason"),
        ({"reason": "金额不足", "deadline": "明天"}, 422, "deadline"),
    ],
)
def test_bad_reopenings_change_nothing(village, body, status, field):
    made = dissatisfied(village, case(village, DAZHUANG))
    before = snapshot(made)
    error = assert_error(
        post(api_client(village), f"{BASE}/{made.pk}/reopen", body), status, "invalid"
    )
    assert named(error, field)
    assert snapshot(made) == before


# --- who may ----------------------------------------------------------------------------------


def test_another_township_gets_404(village, township2):
    made = case(village, DAZHUANG)
    rated = dissatisfied(village, case(village, DAZHUANG))
    client = api_client(township2)
    before = snapshot(made), snapshot(rated)
    assert_error(
        post(client, f"{BASE}/{made.pk}/refer", {"department": "县民政局"}), 404, "not_found"
    )
    assert_error(post(client, f"{BASE}/{rated.pk}/reopen", {"reason": "不满意"}), 404, "not_found")
    assert_error(
        post(client, f"{BASE}/{2**70}/refer", {"department": "县民政局"}), 404, "not_found"
    )
    assert (snapshot(made), snapshot(rated)) == before


def test_the_other_township_acts_on_its_own_cases(township2):
    """The 404 above is scope, not a broken route: the same caller refers its own case."""
    theirs = case(township2, SHANGQUAN)
    response = post(api_client(township2), f"{BASE}/{theirs.pk}/refer", {"department": "镇司法所"})
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("persona", ["auditor", "finance", "volunteer", "sysadmin"])
def test_roles_without_rights_edit_get_403(request, village, persona):
    made = case(village, DAZHUANG)
    rated = dissatisfied(village, case(village, DAZHUANG))
    client = api_client(request.getfixturevalue(persona))
    before = snapshot(made), snapshot(rated)
    assert_error(
        post(client, f"{BASE}/{made.pk}/refer", {"department": "县民政局"}), 403, "forbidden"
    )
    assert_error(post(client, f"{BASE}/{rated.pk}/reopen", {"reason": "不满意"}), 403, "forbidden")
    assert (snapshot(made), snapshot(rated)) == before


def test_anonymous_gets_401(client, village):
    made = case(village, DAZHUANG)
    assert_error(
        post(client, f"{BASE}/{made.pk}/refer", {"department": "县民政局"}), 401, "unauthenticated"
    )
    assert_error(
        post(client, f"{BASE}/{made.pk}/reopen", {"reason": "不满意"}), 401, "unauthenticated"
    )
    assert Case.objects.get(pk=made.pk).status == Case.Status.RECEIVED


def test_operations_are_documented(village):
    paths = api_client(village).get("/api/v1/openapi.json").json()["paths"]
    for path in (f"{BASE}/{{case_id}}/refer", f"{BASE}/{{case_id}}/reopen"):
        operation = paths[path]["post"]
        assert operation["summary"] and operation["description"]
        assert {"200", "400", "401", "403", "404", "409", "422"} <= set(operation["responses"])
