"""The rights API at /api/v1/rights/cases: who may call it, what each caller sees (masked, no
claim), receipt, follow-up, closure and satisfaction through the services, structured errors
documented in OpenAPI, bad input, keyset pages and flat query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fpa.rights.models import Case
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, YANGUOXIA
from tests.rights_helpers import ago, case, closed, family
from tests.test_api import api_client, assert_error

pytestmark = pytest.mark.django_db

BASE = "/api/v1/rights/cases"


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, body, content_type="application/json")


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def body(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "association": DAZHUANG,
        "kind": "medical",
        "channel": "call",
        "received_on": timezone.localdate().isoformat(),
        "claim": "大病医疗救助咨询",
        "person_name": "周玉兰",
        "phone": "13900001111",
    }
    data.update(extra)
    return data


def test_anonymous_gets_401(client, yongjing):
    assert_error(client.get(BASE), 401, "unauthenticated")
    assert_error(post(client, BASE, body()), 401, "unauthenticated")


@pytest.mark.parametrize("persona", ["finance", "auditor", "volunteer", "sysadmin"])
def test_other_roles_get_403(request, village, persona):
    made = case(village, DAZHUANG)
    client = api_client(request.getfixturevalue(persona))
    assert_error(client.get(BASE), 403, "forbidden")
    assert_error(client.get(f"{BASE}/{made.pk}"), 403, "forbidden")
    assert_error(post(client, BASE, body()), 403, "forbidden")
    assert Case.objects.count() == 1


def test_list_and_detail_are_scoped_and_masked(village, township, township2):
    mine = case(village, DAZHUANG, person_name="本村甲", phone="13912345678")
    theirs = case(township2, SHANGQUAN)
    assert ids(api_client(township).get(BASE)) == [mine.pk]
    assert ids(api_client(township2).get(BASE)) == [theirs.pk]
    assert_error(api_client(township2).get(f"{BASE}/{mine.pk}"), 404, "not_found")
    assert_error(api_client(township).get(f"{BASE}/{2**70}"), 404, "not_found")
    assert_error(api_client(township).get(f"{BASE}?association={YANGUOXIA}"), 404, "not_found")
    detail = api_client(township).get(f"{BASE}/{mine.pk}")
    assert detail.status_code == 200
    data = detail.json()
    assert data["person_name"] != "本村甲" and "****" in data["phone"]
    assert "claim" not in data and "扶助金未到账" not in detail.content.decode()
    assert [s["action"] for s in data["steps"]] == ["received"]


def test_the_filters(village, township):
    late = case(village, DAZHUANG, received_on=ago(20), deadline=ago(1), kind_code="medical")
    done = closed(village, case(village, DAZHUANG))
    other = case(township, LIUJIAXIA)
    client = api_client(township)
    assert ids(client.get(f"{BASE}?overdue=true")) == [late.pk]
    assert ids(client.get(f"{BASE}?status=closed")) == [done.pk]
    assert sorted(ids(client.get(f"{BASE}?status=open"))) == sorted([late.pk, other.pk])
    assert ids(client.get(f"{BASE}?kind=medical")) == [late.pk]
    assert sorted(ids(client.get(f"{BASE}?association={DAZHUANG}"))) == sorted([late.pk, done.pk])
    assert_error(client.get(f"{BASE}?status=nonsense"), 422, "invalid")


def test_a_case_is_received_followed_up_closed_and_rated(village, township):
    owner = family(village, DAZHUANG, name="何玉珍")
    client = api_client(village)
    created = post(client, BASE, body(family_id=owner.pk, person_name=""))
    assert created.status_code == 201, created.content
    data = created.json()
    made = Case.objects.get(pk=data["id"])
    assert made.family == owner and made.person_name.reveal_unchecked() == "何玉珍"
    assert data["deadline"] == (timezone.localdate() + timezone.timedelta(days=10)).isoformat()
    today = timezone.localdate().isoformat()
    town = api_client(township)
    response = post(town, f"{BASE}/{made.pk}/follow-ups", {"on": today, "note": "已联系医院"})
    assert response.status_code == 200 and response.json()["status"] == "in_progress"
    # satisfaction before closing, closing without a result: structured errors, nothing changed
    early = post(town, f"{BASE}/{made.pk}/satisfaction", {"satisfaction": "satisfied"})
    assert_error(early, 409, "state")  # the case's state: 409 on every step
    error = assert_error(
        post(town, f"{BASE}/{made.pk}/close", {"result": "", "closed_on": today}), 400, "invalid"
    )
    assert "result" in error["fields"]
    stale = post(
        town, f"{BASE}/{made.pk}/close", {"result": "已救助", "closed_on": today, "version": 1}
    )
    assert_error(stale, 409, "conflict")
    response = post(
        town, f"{BASE}/{made.pk}/close", {"result": "已申请大病救助", "closed_on": today}
    )
    assert response.status_code == 200 and response.json()["on_time"] is True
    response = post(client, f"{BASE}/{made.pk}/satisfaction", {"satisfaction": "satisfied"})
    assert response.status_code == 200 and response.json()["satisfaction"] == "satisfied"
    # a closed case takes no more follow-ups
    after = post(town, f"{BASE}/{made.pk}/follow-ups", {"on": today, "note": "再跟进"})
    assert_error(after, 409, "closed")
    assert made.steps.count() == 4


def test_every_step_from_the_wrong_state_is_a_409_and_changes_nothing(village, township):
    """Follow-up, close and satisfaction answer a step the case's state does not allow as
    refer and reopen do: 409 with the service's code and message; bad values stay 400."""
    done = closed(village, case(village, DAZHUANG))
    today = timezone.localdate().isoformat()
    town = api_client(township)
    rated = post(town, f"{BASE}/{done.pk}/satisfaction", {"satisfaction": "fairly"})
    assert rated.status_code == 200, rated.content
    done.refresh_from_db()
    before = (done.version, done.steps.count(), done.result, done.closed_on)
    refused = {
        "follow-ups": ({"on": today, "note": "再跟进"}, "closed"),
        "close": ({"result": "再次办结", "closed_on": today}, "closed"),
        "refer": ({"department": "县民政局"}, "closed"),
        "satisfaction": ({"satisfaction": "satisfied"}, "state"),  # rated once per closure
        "reopen": ({"reason": "还是不满意"}, "state"),  # only a dissatisfied person's case
    }
    for step, (payload, code) in refused.items():
        error = assert_error(post(town, f"{BASE}/{done.pk}/{step}", payload), 409, code)
        assert error["message"], step
    done.refresh_from_db()
    assert (done.version, done.steps.count(), done.result, done.closed_on) == before
    assert done.satisfaction == "fairly" and done.status == Case.Status.CLOSED
    # a bad value on an open case is still a 400 on its field, not a 409
    open_case = case(village, DAZHUANG)
    error = assert_error(
        post(town, f"{BASE}/{open_case.pk}/follow-ups", {"on": today, "note": ""}), 400, "invalid"
    )
    assert "note" in error["fields"]


def test_bad_input_is_refused_with_the_field(village, township2):
    client = api_client(village)
    error = assert_error(post(client, BASE, body(phone="12")), 400, "invalid")
    assert "phone" in error["fields"]
    assert_error(post(client, BASE, body(kind="nonsense")), 400, "invalid")
    assert_error(post(client, BASE, body(channel="fax")), 422, "invalid")
    assert_error(post(client, BASE, body(association=YANGUOXIA)), 404, "not_found")
    foreign = family(township2, SHANGQUAN)
    assert_error(post(client, BASE, body(family_id=foreign.pk)), 404, "not_found")
    assert Case.objects.count() == 0


def test_keyset_pages_and_flat_query_counts(
    village, township, django_assert_max_num_queries, django_assert_num_queries
):
    for _ in range(3):
        case(village, DAZHUANG)
    client = api_client(township)
    first = client.get(BASE, {"size": 2}).json()
    assert len(first["items"]) == 2 and first["next"]
    rest = client.get(BASE, {"size": 2, "after": first["next"]}).json()
    assert len(rest["items"]) == 1 and rest["next"] is None

    def grow() -> None:
        owner = family(village, DAZHUANG)
        for _ in range(10):
            case(village, DAZHUANG, family=owner, kind_code="elderly")

    assert client.get(BASE, {"size": 100}).status_code == 200  # warm: the token's last use
    with django_assert_max_num_queries(8) as small:
        assert client.get(BASE, {"size": 100}).status_code == 200
    grow()
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(BASE, {"size": 100})
    assert len(response.json()["items"]) == 13


def test_openapi_documents_the_operations_and_their_errors(township):
    paths = api_client(township).get("/api/v1/openapi.json").json()["paths"]
    close = paths["/api/v1/rights/cases/{case_id}/close"]["post"]["responses"]
    assert {"200", "400", "401", "403", "404", "409", "422"} <= set(close)
    assert "/api/v1/rights/cases" in paths
