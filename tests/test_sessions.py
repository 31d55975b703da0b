"""Sessions: the idle timeout slides with activity without a database write on every request.

The session row is written when its expiry was last pushed forward more than
FPA_SESSION_REFRESH_SECONDS ago; the idle timeout (SESSION_COOKIE_AGE, FPA_IDLE_TIMEOUT_SECONDS)
and the absolute lifetime (FPA_SESSION_ABSOLUTE_SECONDS) still end the session.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fpa.accounts.middleware import TOUCHED_AT
from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"
PAGE = "/org/"


@pytest.fixture
def now() -> Any:
    """Freeze the clock at the present moment; `shift` it forward as the test needs."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def session_writes(client: Client, url: str = PAGE) -> tuple[Any, list[str]]:
    """GET `url`; return the response and the SQL statements that wrote the session table."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]
    return response, writes


def row(client: Client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def seconds(n: float) -> datetime.timedelta:
    return datetime.timedelta(seconds=n)


def test_settings() -> None:
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert settings.FPA_SESSION_REFRESH_SECONDS == 60
    assert settings.SESSION_COOKIE_AGE == 30 * 60  # FPA_IDLE_TIMEOUT_SECONDS' default
    assert settings.FPA_SESSION_REFRESH_SECONDS < settings.SESSION_COOKIE_AGE


def test_a_request_within_the_minute_does_not_write_the_session(client_for, township, now):
    client = client_for(township)  # signed in now: the session was just saved
    before = row(client)
    assert before.get_decoded()[TOUCHED_AT] == pytest.approx(timezone.now().timestamp())

    for _ in range(5):  # five requests over the next 59 seconds
        now.shift(seconds(11.8))
        response, writes = session_writes(client)
        assert response.status_code == 200
        assert writes == []
    after = row(client)
    assert after.expire_date == before.expire_date
    assert after.session_data == before.session_data


def test_a_session_without_a_refresh_time_is_written_once(client_for, township, now):
    """Sessions from before the change (no refresh time) are stamped on their next request."""
    client = client_for(township)
    session = client.session
    del session[TOUCHED_AT]
    session.save()
    response, writes = session_writes(client)
    assert response.status_code == 200 and len(writes) == 1
    assert row(client).get_decoded()[TOUCHED_AT] == pytest.approx(timezone.now().timestamp())
    assert session_writes(client)[1] == []


def test_a_request_after_the_minute_pushes_the_expiry_forward(client_for, township, now):
    client = client_for(township)
    client.get(PAGE)
    first = row(client).expire_date
    now.shift(seconds(settings.FPA_SESSION_REFRESH_SECONDS))
    response, writes = session_writes(client)
    assert response.status_code == 200
    assert len(writes) == 1 and writes[0].lstrip().upper().startswith("UPDATE")
    refreshed = row(client)
    assert refreshed.expire_date == first + seconds(settings.FPA_SESSION_REFRESH_SECONDS)
    assert refreshed.expire_date == timezone.now() + seconds(settings.SESSION_COOKIE_AGE)


def test_idle_timeout_ends_the_session_after_the_idle_time_and_not_before(
    client_for, township, now
):
    client = client_for(township)
    assert client.get(PAGE).status_code == 200  # expiry pushed forward now
    now.shift(seconds(settings.SESSION_COOKIE_AGE - 1))
    assert client.get(PAGE).status_code == 200  # idle one second short of the timeout
    now.shift(seconds(settings.SESSION_COOKIE_AGE))
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert not Session.objects.filter(
        session_key=client.cookies[settings.SESSION_COOKIE_NAME].value,
        expire_date__gt=timezone.now(),
    ).exists()


def test_requests_inside_the_minute_never_stretch_the_idle_timeout(client_for, township, now):
    """Activity that writes nothing cannot keep a session beyond the idle timeout counted from
    its last write; activity is still counted as such within the refresh interval."""
    client = client_for(township)
    assert client.get(PAGE).status_code == 200  # t = 0: written
    now.shift(seconds(settings.FPA_SESSION_REFRESH_SECONDS - 1))
    assert client.get(PAGE).status_code == 200  # t = 59 s: not written
    # Idle for the timeout less the refresh interval since the last request: still signed in.
    now.shift(seconds(settings.SESSION_COOKIE_AGE - settings.FPA_SESSION_REFRESH_SECONDS))
    assert client.get(PAGE).status_code == 200
    # That request wrote (over a minute since t = 0); idle for the whole timeout ends it.
    now.shift(seconds(settings.SESSION_COOKIE_AGE))
    assert client.get(PAGE)["Location"].startswith(LOGIN)


def test_idle_timeout_follows_the_setting(client_for, township, now, settings):
    settings.SESSION_COOKIE_AGE = 5 * 60
    client = client_for(township)
    for _ in range(6):  # active every 4 minutes for 24 minutes
        now.shift(datetime.timedelta(minutes=4))
        assert client.get(PAGE).status_code == 200
    now.shift(datetime.timedelta(minutes=5, seconds=1))
    assert client.get(PAGE)["Location"].startswith(LOGIN)


def test_absolute_lifetime_holds_for_requests_inside_the_minute(
    client_for, township, now, settings
):
    """A request every 20 s (most of them write nothing) cannot outlive the absolute lifetime."""
    settings.FPA_SESSION_ABSOLUTE_SECONDS = 5 * 60
    client = client_for(township)
    for _ in range(15):  # 300 s
        now.shift(seconds(20))
        assert client.get(PAGE).status_code == 200
    now.shift(seconds(20))
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session


def test_logout_is_immediate_and_not_undone_by_the_refresh(client_for, township, now):
    client = client_for(township)
    client.get(PAGE)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    now.shift(seconds(5))
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(PAGE)["Location"].startswith(LOGIN)


def test_an_anonymous_public_page_creates_no_session(client, yongjing):
    response, writes = session_writes(client, "/ledger/")
    assert response.status_code == 200
    assert writes == []
    assert not Session.objects.exists()


def test_the_sign_in_response_stamps_the_refresh_time(client, township, now):
    response = client.post(LOGIN, {"username": "township", "password": PASSWORD})
    assert response.status_code == 302
    assert row(client).get_decoded()[TOUCHED_AT] == pytest.approx(timezone.now().timestamp())
    now.shift(seconds(30))
    response, writes = session_writes(client)
    assert response.status_code == 200 and writes == []
