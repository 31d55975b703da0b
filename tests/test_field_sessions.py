"""A field phone across sessions: sessions expire after half an hour idle, so a phone back from
the field is used from a new sign-in; the phone moves to that session (audited) and that
session's sign-out ends it. A phone that has not reached the server for IDLE_END is ended at
its next call. And a need raised during a visit offline is shown on the family's page linked to
that visit."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fpa.core.models import AuditEvent
from fpa.families.models import CareRecord, Need
from fpa.field import services
from fpa.field.models import Device
from tests.conftest import login
from tests.test_api import assert_error
from tests.test_field_api import care, made, on, sync
from tests.test_field_api import cared as cared  # a fixture, used by name

pytestmark = pytest.mark.django_db


def signed_in_phone(user: Any) -> tuple[Client, int]:
    """A browser session of `user` that registers a phone, as the app does."""
    browser = login(Client(), user)
    response = browser.post("/api/v1/field/devices", {"label": "手机"}, "application/json")
    assert response.status_code == 201, response.content
    return browser, response.json()["device"]["id"]


def session_hash(client: Client) -> str:
    return services.session_hash(client.session.session_key)


def test_a_new_sign_in_takes_the_phone_over_and_its_sign_out_ends_it(
    cared: Any, volunteer: Any
) -> None:
    first, device = signed_in_phone(volunteer)
    assert Device.objects.get(pk=device).session_hash == session_hash(first)
    # The first session expires in the field; back online, the user signs in again.
    second = login(Client(), volunteer)
    assert second.get("/api/v1/field/work", **on(second, device)).status_code == 200
    phone = Device.objects.get(pk=device)
    assert phone.session_hash == session_hash(second) != session_hash(first)
    moved = AuditEvent.objects.get(
        object_type="field.device", object_id=str(device), reason="重新登录后继续使用"
    )
    assert moved.actor_id == volunteer.pk
    # A second call from the same session moves nothing again.
    assert second.get("/api/v1/field/work", **on(second, device)).status_code == 200
    assert (
        AuditEvent.objects.filter(object_id=str(device), reason="重新登录后继续使用").count() == 1
    )
    # The old session's sign-out no longer ends the phone; the new one's does.
    first.post("/accounts/logout/")
    assert Device.objects.get(pk=device).ended_at is None
    second.post("/accounts/logout/")
    phone = Device.objects.get(pk=device)
    assert (phone.ended_why, phone.ended_by_id) == ("logout", volunteer.pk)
    assert_error(
        login(Client(), volunteer).get("/api/v1/field/work", **on(second, device)),
        410,
        "device_ended",
    )


def test_another_users_session_takes_no_phone_over(
    cared: Any, volunteer: Any, village: Any
) -> None:
    browser, device = signed_in_phone(volunteer)
    before = Device.objects.get(pk=device).session_hash
    other = login(Client(), village)
    assert_error(other.get("/api/v1/field/work", **on(other, device)), 410, "device_ended")
    assert Device.objects.get(pk=device).session_hash == before
    other.post("/accounts/logout/")
    assert Device.objects.get(pk=device).ended_at is None
    # Anonymous: refused before any phone is looked at.
    assert_error(Client().get("/api/v1/field/work", **on(browser, device)), 401, "unauthenticated")


def test_a_phone_idle_past_the_limit_is_ended_at_its_next_call(cared: Any, volunteer: Any) -> None:
    browser, device = signed_in_phone(volunteer)
    nearly = timezone.now() - services.IDLE_END + datetime.timedelta(hours=1)
    Device.objects.filter(pk=device).update(last_seen_at=nearly)
    assert browser.get("/api/v1/field/work", **on(browser, device)).status_code == 200
    # The call just now counts as seen: idle again from here.
    assert Device.objects.get(pk=device).last_seen_at > nearly
    past = timezone.now() - services.IDLE_END - datetime.timedelta(hours=1)
    Device.objects.filter(pk=device).update(last_seen_at=past)
    response = browser.post(
        "/api/v1/field/sync",
        {"changes": [care(cared["mine"])]},
        "application/json",
        **on(browser, device),
    )
    assert_error(response, 410, "device_ended")
    phone = Device.objects.get(pk=device)
    assert (phone.ended_why, phone.ended_by_id) == ("idle", None)
    assert phone.ended_at is not None
    assert not CareRecord.objects.exists()
    assert AuditEvent.objects.filter(object_id=str(device), reason="idle").count() == 1


def test_a_phone_never_synced_counts_from_its_registration(cared: Any, volunteer: Any) -> None:
    browser, device = signed_in_phone(volunteer)
    old = timezone.now() - services.IDLE_END - datetime.timedelta(days=1)
    Device.objects.filter(pk=device).update(created_at=old, last_seen_at=None)
    assert_error(browser.get("/api/v1/field/work", **on(browser, device)), 410, "device_ended")
    assert Device.objects.get(pk=device).ended_why == "idle"


def test_the_family_page_links_a_need_to_the_visit_it_was_raised_in(
    cared: Any, volunteer: Any
) -> None:
    browser, device = signed_in_phone(volunteer)
    family = cared["mine"]
    visit = care(family)
    raised = {
        "type": "need_raise",
        "key": str(uuid.uuid4()),
        "made_at": made(),
        "family": family.pk,
        "base_version": family.version,
        "description": "希望帮忙联系县医院复查",
        "visit_key": visit["key"],
    }
    unlinked = {
        **raised,
        "key": str(uuid.uuid4()),
        "description": "想了解保险理赔",
        "visit_key": None,
    }
    answers = sync(browser, device, visit, raised, unlinked)
    assert [a["outcome"] for a in answers] == ["applied"] * 3
    record = CareRecord.objects.get(pk=answers[0]["id"])
    assert Need.objects.get(pk=answers[1]["id"]).raised_in == record
    assert Need.objects.get(pk=answers[2]["id"]).raised_in is None
    page = browser.get(f"/families/{family.pk}/").content.decode()
    link = f'<a href="#care-{record.pk}" class="need-raised-in">{record.occurred_on:%Y-%m-%d} 走访中提出</a>'
    assert page.count(link) == 1
    assert f'id="care-{record.pk}"' in page


def test_a_session_call_without_its_csrf_token_is_refused_with_its_own_code(
    cared: Any, volunteer: Any
) -> None:
    """The field app fetches the token again on this code (core.js), and retries once."""
    browser = login(Client(enforce_csrf_checks=True), volunteer)
    for token in ({}, {"HTTP_X_CSRFTOKEN": "stale" * 8}):
        response = browser.post(
            "/api/v1/field/devices", {"label": "手机"}, "application/json", **token
        )
        assert_error(response, 403, "csrf_failed")
    assert not Device.objects.exists()
    token = browser.get("/field/session/").json()["csrf"]
    response = browser.post(
        "/api/v1/field/devices", {"label": "手机"}, "application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 201, response.content
