"""The reports API at /api/v1/reports: who may call it, list and read (figures, the live
comparison), open, submit, return, accept through the services; refused: anonymous (401),
another role (403), another township's report (404), a village accepting its own report (403),
a submit after acceptance (409); bad input as structured errors, nothing changed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fpa.reports.kinds import WARMTH
from fpa.reports.models import Report
from tests.conftest import DAZHUANG
from tests.reports_helpers import family, submitted, visit
from tests.test_api import api_client, assert_error

pytestmark = pytest.mark.django_db

BASE = "/api/v1/reports"


def post(client: Client, path: str, body: Any | None = None) -> Any:
    return client.post(path, body or {}, content_type="application/json")


@pytest.fixture
def filed(township) -> Report:
    visit(township, family(township, DAZHUANG))
    return submitted(township)


def test_anonymous_gets_401(client, filed) -> None:
    assert_error(client.get(BASE), 401, "unauthenticated")
    assert_error(client.get(f"{BASE}/{filed.pk}"), 401, "unauthenticated")
    assert_error(post(client, f"{BASE}/{filed.pk}/accept"), 401, "unauthenticated")


@pytest.mark.parametrize("persona", ["finance", "volunteer", "sysadmin"])
def test_other_roles_get_403(request, filed, persona) -> None:
    client = api_client(request.getfixturevalue(persona))
    assert_error(client.get(BASE), 403, "forbidden")
    assert_error(post(client, f"{BASE}/{filed.pk}/accept"), 403, "forbidden")
    assert Report.objects.get(pk=filed.pk).status == "submitted"


def test_another_townships_report_is_not_found(township2, filed) -> None:
    client = api_client(township2)
    assert client.get(BASE).json()["items"] == []
    assert client.get(f"{BASE}/{filed.pk}").status_code == 404
    assert post(client, f"{BASE}/{filed.pk}/return", {"reason": "越权"}).status_code == 404
    assert Report.objects.get(pk=filed.pk).status == "submitted"


def test_list_and_read_a_report_with_its_figures(county, filed) -> None:
    client = api_client(county)
    items = client.get(BASE, {"kind": "monthly_special"}).json()["items"]
    assert [(i["id"], i["status"], i["association_code"]) for i in items] == [
        (filed.pk, "submitted", "622923100")
    ]
    detail = client.get(f"{BASE}/{filed.pk}").json()
    figures = {f["key"]: f for f in detail["figures"]}
    assert figures["families.care_records"]["value"] == "1.00"
    assert figures["families.care_records"]["derived"] is True
    assert figures["families.care_records"]["records"] == 1


def test_return_then_accept_and_a_submit_after_acceptance_conflicts(
    county, township, filed
) -> None:
    client = api_client(county)
    assert_error(post(client, f"{BASE}/{filed.pk}/return", {"reason": " "}), 400, "invalid")
    returned = post(client, f"{BASE}/{filed.pk}/return", {"reason": "请核对走访数"})
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    assert returned.json()["reason"] == "请核对走访数"
    mine = api_client(township)
    again = post(mine, f"{BASE}/{filed.pk}/submit", {"values": {}})
    assert again.status_code == 200 and again.json()["status"] == "submitted"
    accepted = post(client, f"{BASE}/{filed.pk}/accept", {})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert_error(post(mine, f"{BASE}/{filed.pk}/submit", {"values": {}}), 409, "conflict")
    assert_error(post(client, f"{BASE}/{filed.pk}/accept", {}), 409, "conflict")


def test_a_village_cannot_accept_its_own_report(village) -> None:
    report = submitted(village)
    # the village holds no report.review; a township holding it may not accept its own either
    assert_error(post(api_client(village), f"{BASE}/{report.pk}/accept"), 403, "forbidden")
    assert Report.objects.get(pk=report.pk).status == "submitted"


def test_open_and_submit_hand_figures_with_structured_errors(township) -> None:
    client = api_client(township)
    assert_error(post(client, BASE, {"kind": "nope"}), 400, "invalid")
    assert_error(post(client, BASE, {"kind": WARMTH.key, "period": "2026-13"}), 400, "invalid")
    made = post(client, BASE, {"kind": WARMTH.key})
    assert made.status_code == 201
    pk = made.json()["id"]
    bad = post(client, f"{BASE}/{pk}/submit", {"values": {"warmth.events": "x"}})
    error = assert_error(bad, 400, "invalid")
    assert "应为数字" in error["message"]
    missing = assert_error(post(client, f"{BASE}/{pk}/submit", {"values": {}}), 400, "invalid")
    assert "未填写" in missing["message"]
    values = {key: "3" for key in WARMTH.keys}
    done = post(client, f"{BASE}/{pk}/submit", {"values": values})
    assert done.status_code == 200 and done.json()["status"] == "submitted"
