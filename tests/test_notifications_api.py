"""The inbox API at /api/v1/notifications: the caller's own messages only, unread filter, mark
read, mark all read, the choices per kind; structured errors; flat query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fpa.notifications.models import Message, Preference
from tests.notifications_helpers import message_for
from tests.test_api import api_client, assert_error

pytestmark = pytest.mark.django_db

BASE = "/api/v1/notifications"


def post(client: Client, path: str, body: Any = None) -> Any:
    return client.post(path, body or {}, content_type="application/json")


def put(client: Client, path: str, body: Any) -> Any:
    return client.put(path, body, content_type="application/json")


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_anonymous_gets_401(client, yongjing):
    assert_error(client.get(BASE), 401, "unauthenticated")
    assert_error(post(client, f"{BASE}/read-all"), 401, "unauthenticated")
    assert_error(client.get(f"{BASE}/preferences"), 401, "unauthenticated")


def test_the_list_is_the_callers_own(township, township2, volunteer):
    mine = message_for(township)
    theirs = message_for(township2)
    assert ids(api_client(township).get(BASE)) == [mine.pk]
    assert ids(api_client(volunteer).get(BASE)) == []  # every role has an inbox
    client = api_client(township)
    assert_error(client.get(f"{BASE}/{theirs.pk}"), 404, "not_found")
    assert_error(post(client, f"{BASE}/{theirs.pk}/read"), 404, "not_found")
    assert_error(client.get(f"{BASE}/{2**70}"), 404, "not_found")
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_unread_filter_mark_read_and_read_all(township):
    first, second, third = (message_for(township) for _ in range(3))
    client = api_client(township)
    page = client.get(BASE, {"unread": "true"}).json()
    assert [m["id"] for m in page["items"]] == [third.pk, second.pk, first.pk]
    assert page["unread"] == 3
    marked = post(client, f"{BASE}/{first.pk}/read")
    assert marked.status_code == 200 and marked.json()["read"] is True
    assert ids(client.get(BASE, {"unread": "false"})) == [first.pk]
    assert ids(client.get(BASE, {"oldest_first": "true", "size": 1})) == [first.pk]
    done = post(client, f"{BASE}/read-all", {"kind": ""}).json()
    assert done == {"marked": 2, "unread": 0}
    assert Message.objects.of(township).unread().count() == 0


def test_detail_names_the_kind(township):
    message = message_for(township, kind="fund.grant_waiting", title="资助申请 X 等待您办理")
    got = api_client(township).get(f"{BASE}/{message.pk}").json()
    assert got["kind_label"] == "待您办理的资助申请" and got["read"] is False


def test_preferences_read_and_update(township):
    client = api_client(township)
    rows = {row["kind"]: row for row in client.get(f"{BASE}/preferences").json()}
    assert rows["fund.grant_waiting"]["sms"] is False
    assert rows["todo.organizations.filings_to_review"]["digest"] is True
    items = [{"kind": "fund.grant_waiting", "sms": True, "email": False, "digest": True}]
    updated = put(client, f"{BASE}/preferences", {"items": items})
    assert updated.status_code == 200
    row = next(r for r in updated.json() if r["kind"] == "fund.grant_waiting")
    assert (row["sms"], row["email"], row["digest"]) == (True, False, True)


def test_bad_preferences_change_nothing(township, volunteer):
    client = api_client(township)
    bad = [{"kind": "no.such", "sms": True, "email": False, "digest": False}]
    assert_error(put(client, f"{BASE}/preferences", {"items": bad}), 400, "invalid")
    # a to-do kind of a capability the volunteer does not hold
    theirs = [
        {"kind": "todo.organizations.filings_to_review", "sms": True, "email": 0, "digest": 0}
    ]
    assert_error(
        put(api_client(volunteer), f"{BASE}/preferences", {"items": theirs}), 400, "invalid"
    )
    assert put(client, f"{BASE}/preferences", {"items": "x"}).status_code == 422
    assert Preference.objects.count() == 0


def test_queries_do_not_grow_with_rows(township, django_assert_max_num_queries):
    client = api_client(township)
    message_for(township)
    with django_assert_max_num_queries(20) as few:
        assert client.get(BASE).status_code == 200
    for _ in range(20):
        message_for(township)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(ids(client.get(BASE))) == 21
