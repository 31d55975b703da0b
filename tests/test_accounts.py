"""Accounts: sign-in, lockout, sessions, the second factor, password rules, 三员分立 and API tokens.

Everything is driven through the real sign-in page, the real views and the real API; set-up goes
through services only.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import time
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from fpa.accounts import services
from fpa.accounts.middleware import LOGIN_AT, SessionLifetimeMiddleware
from fpa.accounts.models import ApiToken, User
from fpa.accounts.roles import Role
from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from fpa.organizations.models import Association
from tests.conftest import LIUJIAXIA, PASSWORD, YANGUOXIA, make_user

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token"
LOCKED = "登录失败次数过多"


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def post_login(client: Client, username: str, password: str, **extra: str) -> Any:
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def api_token(client: Client, payload: Any, content_type: str = "application/json") -> Any:
    body = payload if isinstance(payload, str) else json.dumps(payload)
    return client.post(TOKEN, body, content_type=content_type)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def now() -> Any:
    """Freeze the clock at the present moment; `shift` it forward as the test needs."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


# --- sign-in page ------------------------------------------------------------------------------


def test_login_page_renders_for_anonymous(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_wrong_password_shows_chinese_message_and_stays_anonymous(client, township):
    response = post_login(client, "township", "Wrong-Passw0rd!")
    assert response.status_code == 200
    assert "账号或密码不正确。" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_unknown_user_gets_the_same_message(client, township):
    response = post_login(client, "nobody-here", PASSWORD)
    assert response.status_code == 200
    assert "账号或密码不正确。" in response.content.decode()


def test_success_rotates_the_session_key(client, township):
    session = client.session
    session["probe"] = "before-login"
    session.save()
    before = session.session_key
    response = post_login(client, "township", PASSWORD)
    assert response.status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.session["_auth_user_id"] == str(township.pk)
    assert client.session[LOGIN_AT] == pytest.approx(time.time(), abs=60)


def test_next_is_followed_inside_the_site(client, township):
    response = post_login(client, "township", PASSWORD, next="/org/list/")
    assert response.status_code == 302
    assert response["Location"] == "/org/list/"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/path", "http://testserver.evil.example/"],
)
def test_next_open_redirect_is_refused(client, township, target):
    response = post_login(client, "township", PASSWORD, next=target)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_signed_in_visit_to_login_page_with_foreign_next_goes_home(client_for, township):
    client = client_for(township)
    response = client.get(LOGIN, {"next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_anonymous_is_sent_to_login(client, yongjing):
    for url in ("/org/", "/accounts/profile/", "/accounts/users/", "/accounts/roles/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(LOGIN), url


def test_logout_requires_post_and_ends_session(client_for, township):
    client = client_for(township)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/org/").status_code == 302


# --- lockout -----------------------------------------------------------------------------------


def test_lockout_after_five_failures_then_cool_off(client, township, now):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert datetime.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    for _ in range(4):
        assert post_login(client, "township", "Wrong-Passw0rd!").status_code == 200
    fifth = post_login(client, "township", "Wrong-Passw0rd!")
    assert fifth.status_code == 429
    assert LOCKED in fifth.content.decode()

    now.shift(datetime.timedelta(minutes=1))
    refused = post_login(client, "township", PASSWORD)
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    now.shift(datetime.timedelta(minutes=14))
    assert post_login(client, "township", PASSWORD).status_code == 429
    # django-axes restarts the cool-off at every attempt made during the lockout
    # (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is left at its default, True).
    now.shift(datetime.timedelta(minutes=15, seconds=30))
    accepted = post_login(client, "township", PASSWORD)
    assert accepted.status_code == 302
    assert client.session["_auth_user_id"] == str(township.pk)


def test_lockout_is_per_username_and_ip(client, township, township2):
    for _ in range(5):
        post_login(client, "township", "Wrong-Passw0rd!")
    # Another account from the same address is not locked.
    assert post_login(Client(), "township2", PASSWORD).status_code == 302
    # The same account from another address is not locked either.
    other_ip = Client(REMOTE_ADDR="10.1.2.3")
    assert post_login(other_ip, "township", PASSWORD).status_code == 302
    # The locked pair stays locked.
    assert post_login(Client(), "township", PASSWORD).status_code == 429


def test_failed_api_logins_count_toward_the_lockout(client, township):
    for _ in range(4):
        response = api_token(client, {"username": "township", "password": "Wrong-Passw0rd!"})
        assert response.status_code == 400
    fifth = api_token(client, {"username": "township", "password": "Wrong-Passw0rd!"})
    assert fifth.status_code == 429
    assert fifth.json()["error"]["code"] == "locked"
    # The right password is refused now, through the API and through the sign-in page.
    right = api_token(client, {"username": "township", "password": PASSWORD})
    assert right.status_code == 429
    assert not ApiToken.objects.exists()
    assert post_login(Client(), "township", PASSWORD).status_code == 429


# --- lockout per address (password spraying) ---------------------------------------------------

ADDRESS_LOCKED = "该地址已暂停登录"
SPRAYED = ("township", "township2", "volunteer", "auditor")


def address_lockouts() -> Any:
    return AuditEvent.objects.filter(
        action=AuditEvent.Action.LOCKOUT, object_type="accounts.address"
    )


@pytest.fixture
def sprayed(township, township2, village, volunteer, auditor) -> None:
    """Five accounts; the first four are the ones sprayed."""


def test_spraying_locks_the_address(client, sprayed, now):
    """4 wrong passwords on each of 4 accounts from one address: the 10th failure locks the
    address; then the right password of a 5th account, or of a sprayed one, does not get in."""
    assert settings.FPA_LOCKOUT_IP_FAILURES == 10
    statuses = []
    for username in SPRAYED:
        for _ in range(4):
            statuses.append(post_login(client, username, "Wrong-Passw0rd!").status_code)
    assert statuses == [200] * 9 + [429] * 7
    locked = post_login(client, "village", PASSWORD)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert ADDRESS_LOCKED in page and "15分钟" in page
    assert "_auth_user_id" not in client.session
    assert post_login(Client(), "township", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    # One audit row for the lock, with the address.
    (event,) = address_lockouts()
    assert event.ip == "127.0.0.1" and event.object_repr == "127.0.0.1"
    assert event.actor is None
    assert event.changes == {"failures": [None, 10], "minutes": [None, 15]}
    # Other addresses are not locked, for the sprayed accounts either.
    elsewhere = Client(REMOTE_ADDR="10.1.2.3")
    assert post_login(elsewhere, "village", PASSWORD).status_code == 302
    assert post_login(Client(REMOTE_ADDR="10.1.2.4"), "township", PASSWORD).status_code == 302
    # The lock ends after the cool-off, without a second audit row.
    now.shift(datetime.timedelta(minutes=14))
    assert post_login(Client(), "village", PASSWORD).status_code == 429
    now.shift(datetime.timedelta(minutes=1, seconds=5))
    back = Client()
    assert post_login(back, "village", PASSWORD).status_code == 302
    assert back.session["_auth_user_id"] == str(User.objects.get(username="village").pk)
    assert address_lockouts().count() == 1


def test_unknown_user_names_count_towards_the_address(client, sprayed):
    for n in range(10):
        post_login(client, f"nobody{n}", "Wrong-Passw0rd!")
    assert post_login(client, "village", PASSWORD).status_code == 429
    assert address_lockouts().count() == 1


def test_a_success_does_not_clear_the_address_count(client, sprayed):
    for _ in range(2):
        for username in ("township", "township2", "volunteer", "auditor"):
            post_login(Client(), username, "Wrong-Passw0rd!")
    assert post_login(Client(), "village", PASSWORD).status_code == 302
    post_login(Client(), "nobody", "Wrong-Passw0rd!")
    assert post_login(Client(), "nobody", "Wrong-Passw0rd!").status_code == 429


def test_the_address_limit_is_configurable(client, sprayed, settings):
    settings.FPA_LOCKOUT_IP_FAILURES = 3
    for username in ("township", "township2"):
        post_login(client, username, "Wrong-Passw0rd!")
    assert post_login(client, "volunteer", "Wrong-Passw0rd!").status_code == 429
    settings.FPA_LOCKOUT_IP_FAILURES = 0  # off
    assert post_login(Client(), "village", PASSWORD).status_code == 302


def test_spraying_through_the_api_locks_the_address_for_both_paths(client, sprayed):
    for username in SPRAYED:
        for _ in range(2):
            api_token(client, {"username": username, "password": "Wrong-Passw0rd!"})
    for n in range(2):
        api_token(client, {"username": f"nobody{n}", "password": "Wrong-Passw0rd!"})
    right = api_token(client, {"username": "village", "password": PASSWORD})
    assert right.status_code == 429
    error = right.json()["error"]
    assert error["code"] == "address_locked"
    assert ADDRESS_LOCKED in error["message"]
    assert not ApiToken.objects.exists()
    # The sign-in page is closed to that address as well; another address may still get a token.
    assert ADDRESS_LOCKED in post_login(Client(), "village", PASSWORD).content.decode()
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert api_token(other, {"username": "village", "password": PASSWORD}).status_code == 200
    assert address_lockouts().count() == 1


def test_address_lock_message_in_english(client, sprayed):
    for n in range(10):
        post_login(client, f"nobody{n}", "Wrong-Passw0rd!")
    page = client.post(
        LOGIN, {"username": "village", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert page.status_code == 429
    assert "Too many failed sign-ins from your network address" in page.content.decode()


# --- sessions ----------------------------------------------------------------------------------


def test_idle_timeout_settings():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is False  # refreshed once a minute: test_sessions
    assert settings.FPA_SESSION_ABSOLUTE_SECONDS == 12 * 3600
    assert "fpa.accounts.middleware.SessionLifetimeMiddleware" in settings.MIDDLEWARE
    assert SessionLifetimeMiddleware  # the class the setting names exists


def test_activity_renews_the_session_and_idleness_ends_it(client_for, township, now):
    client = client_for(township)
    for _ in range(4):  # two hours of activity, one request every 29 minutes
        now.shift(datetime.timedelta(minutes=29))
        assert client.get("/org/").status_code == 200
    now.shift(datetime.timedelta(minutes=31))
    response = client.get("/org/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_absolute_lifetime_ends_an_active_session(client_for, township, now):
    """Active every 25 minutes (never idle) for 13 hours: the session ends just after 12 hours."""
    client = client_for(township)
    step = datetime.timedelta(minutes=25)
    elapsed = datetime.timedelta()
    while elapsed + step <= datetime.timedelta(hours=12):
        now.shift(step)
        elapsed += step
        assert client.get("/org/").status_code == 200, elapsed
    now.shift(step)
    response = client.get("/org/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
    page = client.get(LOGIN)
    assert "登录已超过有效期，请重新登录。" in page.content.decode()
    now.shift(datetime.timedelta(hours=13) - elapsed - step)
    assert client.get("/org/")["Location"].startswith(LOGIN)


def test_session_without_login_time_is_ended(client, township):
    client.force_login(township)
    session = client.session
    del session[LOGIN_AT]  # a session whose start is unknown is treated as too old
    session.save()
    response = client.get("/org/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"


# --- second factor -----------------------------------------------------------------------------


def test_county_admin_must_enrol_second_factor_before_anything(client, county, now):
    assert settings.FPA_REQUIRE_OTP is True
    response = post_login(client, "county", PASSWORD, next="/org/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/otp/setup/")

    blocked = client.get("/org/")
    assert blocked.status_code == 302
    assert blocked["Location"].startswith("/accounts/otp/verify/")
    # Without a device, the verify page sends on to enrolment.
    assert client.get(blocked["Location"])["Location"].startswith("/accounts/otp/setup/")
    # The API does not accept the half-signed-in session either.
    assert client.get("/api/v1/associations").status_code == 401

    page = client.get("/accounts/otp/setup/", {"next": "/org/"})
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=county, confirmed=False)
    assert base64.b32encode(device.bin_key).decode() in page.content.decode()

    wrong = client.post("/accounts/otp/setup/", {"token": "000000", "next": "/org/"})
    if code_for(device) != "000000":
        assert "验证码不正确" in wrong.content.decode()
    assert client.get("/org/").status_code == 302

    now.shift(datetime.timedelta(seconds=2))  # past the throttle that follows a wrong code
    done = client.post("/accounts/otp/setup/", {"token": code_for(device), "next": "/org/"})
    assert done.status_code == 302
    assert done["Location"] == "/org/"
    assert client.get("/org/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_enrolled_county_admin_verifies_with_a_code(client, county, now):
    device = TOTPDevice.objects.create(user=county, name="phone", confirmed=True)
    response = post_login(client, "county", PASSWORD)
    assert response["Location"].startswith("/accounts/otp/verify/")
    assert client.get("/org/").status_code == 302

    bad = client.post("/accounts/otp/verify/", {"token": "12345"})
    assert "请输入6位数字验证码。" in bad.content.decode()

    ok = client.post("/accounts/otp/verify/", {"token": code_for(device), "next": "/org/"})
    assert ok.status_code == 302
    assert ok["Location"] == "/org/"
    assert client.get("/org/").status_code == 200

    # A code is good once: a replay in a new session is refused.
    other = Client()
    post_login(other, "county", PASSWORD)
    replay = other.post("/accounts/otp/verify/", {"token": code_for(device)})
    assert replay.status_code == 200
    assert "验证码不正确或已过期。" in replay.content.decode()
    # The next time step gives a fresh code.
    now.shift(datetime.timedelta(seconds=30))
    assert other.post("/accounts/otp/verify/", {"token": code_for(device)}).status_code == 302


def test_password_alone_cannot_replace_an_enrolled_device(client, county):
    TOTPDevice.objects.create(user=county, name="phone", confirmed=True)
    post_login(client, "county", PASSWORD)
    response = client.get("/accounts/otp/setup/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/otp/verify/")
    assert not TOTPDevice.objects.filter(user=county, confirmed=False).exists()
    assert client.get("/accounts/profile/")["Location"].startswith("/accounts/otp/verify/")


def test_next_with_query_string_survives_the_second_factor(client, county):
    target = "/org/list/?q=ljx&kind=village"
    response = post_login(client, "county", PASSWORD, next=target)
    setup = response["Location"]
    assert setup.startswith("/accounts/otp/setup/")
    client.get(setup)
    device = TOTPDevice.objects.get(user=county, confirmed=False)
    page = client.get(setup)
    next_value = page.context["next"]
    done = client.post(setup, {"token": code_for(device), "next": next_value})
    assert done["Location"] == target


def test_township_staff_is_not_asked_for_a_second_factor(client, township):
    response = post_login(client, "township", PASSWORD, next="/org/")
    assert response["Location"] == "/org/"
    assert client.get("/org/").status_code == 200
    assert not TOTPDevice.objects.filter(user=township).exists()


def test_otp_pages_need_a_signed_in_user(client, yongjing):
    for url in ("/accounts/otp/setup/", "/accounts/otp/verify/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
    assert not TOTPDevice.objects.exists()


# --- password rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1!xyz", "密码长度太短"),
        ("7392018465173", "密码只包含数字。"),
        ("abcdefghijkmn", "至少三类"),
        ("abcdefghjk2345", "至少三类"),
    ],
)
def test_password_rules_give_chinese_errors(yongjing, password, message):
    with pytest.raises(ServiceError) as caught:
        services.user_create(
            actor=None,
            username="newbie",
            password=password,
            home_association=Association.objects.get(code=LIUJIAXIA),
        )
    assert message in caught.value.message
    assert caught.value.field == "password"
    assert not User.objects.filter(username="newbie").exists()


def test_password_change_on_profile_page(client_for, township):
    client = client_for(township)
    short = client.post(
        "/accounts/profile/",
        {"pw-old_password": PASSWORD, "pw-new_password": "Ab1!", "pw-new_password2": "Ab1!"},
    )
    assert short.status_code == 200
    assert "密码长度太短" in short.content.decode()
    wrong_old = client.post(
        "/accounts/profile/",
        {
            "pw-old_password": "not-it",
            "pw-new_password": "Brand-New-Pass9",
            "pw-new_password2": "Brand-New-Pass9",
        },
    )
    assert "原密码不正确。" in wrong_old.content.decode()
    township.refresh_from_db()
    assert township.check_password(PASSWORD)

    ok = client.post(
        "/accounts/profile/",
        {
            "pw-old_password": PASSWORD,
            "pw-new_password": "Brand-New-Pass9",
            "pw-new_password2": "Brand-New-Pass9",
        },
    )
    assert ok.status_code == 302
    township.refresh_from_db()
    assert township.check_password("Brand-New-Pass9")
    assert client.get("/org/").status_code == 200  # the session survives its own change


# --- 三员分立 -----------------------------------------------------------------------------------


def test_system_admin_cannot_be_combined_with_another_role(secadmin, township):
    for extra in (Role.TOWNSHIP_STAFF, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN):
        with pytest.raises(ServiceError) as caught:
            services.user_set_roles(actor=secadmin, user=township, roles=[Role.SYSTEM_ADMIN, extra])
        assert "三员分立" in caught.value.message
    township.refresh_from_db()
    assert township.role_codes == [Role.TOWNSHIP_STAFF]


def test_operator_cannot_create_a_combined_admin_either(yongjing):
    with pytest.raises(ServiceError, match="三员分立"):
        make_user_with_roles("mixed", [Role.AUDIT_ADMIN, Role.COUNTY_ADMIN])
    assert not User.objects.filter(username="mixed").exists()


def make_user_with_roles(username: str, roles: list[str]) -> User:
    return services.user_create(
        actor=None,
        username=username,
        password=PASSWORD,
        home_association=Association.objects.get(code="622923"),
        roles=roles,
    )


def test_security_admin_assigns_roles_through_the_page(client_for, secadmin, sysadmin):
    target = services.user_create(
        actor=sysadmin,
        username="newstaff",
        password=PASSWORD,
        full_name="新专干",
        home_association=Association.objects.get(code=LIUJIAXIA),
    )
    assert target.role_codes == []
    client = client_for(secadmin)
    assert client.get("/accounts/roles/").status_code == 200
    home = Association.objects.get(code=LIUJIAXIA)
    refused = client.post(
        f"/accounts/roles/{target.pk}/",
        {"home_association": home.pk, "roles": [Role.SYSTEM_ADMIN, Role.TOWNSHIP_STAFF]},
    )
    assert refused.status_code == 200
    assert "三员分立" in refused.content.decode()
    target = User.objects.get(pk=target.pk)
    assert target.role_codes == []

    ok = client.post(
        f"/accounts/roles/{target.pk}/",
        {"home_association": home.pk, "roles": [Role.TOWNSHIP_STAFF]},
    )
    assert ok.status_code == 302
    assert User.objects.get(pk=target.pk).role_codes == [Role.TOWNSHIP_STAFF]


def test_system_admin_cannot_assign_roles(client_for, sysadmin, township):
    client = client_for(sysadmin)
    assert client.get("/accounts/roles/").status_code == 403
    home = Association.objects.get(code=LIUJIAXIA)
    response = client.post(
        f"/accounts/roles/{township.pk}/",
        {"home_association": home.pk, "roles": [Role.COUNTY_ADMIN]},
    )
    assert response.status_code == 403
    with pytest.raises(NotAllowed):
        services.user_set_roles(actor=sysadmin, user=township, roles=[Role.COUNTY_ADMIN])
    assert User.objects.get(pk=township.pk).role_codes == [Role.TOWNSHIP_STAFF]


def test_business_roles_cannot_manage_accounts_or_roles(client_for, county, township):
    client = client_for(county)
    for url in ("/accounts/users/", "/accounts/users/new/", "/accounts/roles/"):
        assert client.get(url).status_code == 403, url
    assert client_for(township).get("/accounts/roles/").status_code == 403


def test_system_admin_creates_accounts_in_scope_without_roles(client_for, sysadmin):
    client = client_for(sysadmin)
    home = Association.objects.get(code=LIUJIAXIA)
    response = client.post(
        "/accounts/users/new/",
        {
            "username": "zhang.san",
            "full_name": "张三",
            "phone": "13900001111",
            "home_association": home.pk,
            "password": "Strong-Passw0rd",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="zhang.san")
    assert user.home_association == home
    assert user.role_codes == []
    assert str(user.phone) != "13900001111"  # shown masked


def test_system_admin_cannot_give_roles_when_creating(sysadmin):
    with pytest.raises(NotAllowed):
        services.user_create(
            actor=sysadmin,
            username="sneaky",
            password=PASSWORD,
            home_association=Association.objects.get(code=LIUJIAXIA),
            roles=[Role.COUNTY_ADMIN],
        )
    assert not User.objects.filter(username="sneaky").exists()


def test_township_system_admin_is_limited_to_its_subtree(client_for, yongjing):
    local_admin = make_user("sys-ljx", LIUJIAXIA, Role.SYSTEM_ADMIN)
    other = Association.objects.get(code=YANGUOXIA)
    with pytest.raises(NotAllowed):
        services.user_create(
            actor=local_admin, username="outside", password=PASSWORD, home_association=other
        )
    with pytest.raises(NotAllowed):
        services.user_create(
            actor=local_admin, username="nowhere", password=PASSWORD, home_association=None
        )
    client = client_for(local_admin)
    response = client.post(
        "/accounts/users/new/",
        {
            "username": "outside2",
            "full_name": "外镇",
            "home_association": other.pk,
            "password": "Strong-Passw0rd",
        },
    )
    assert response.status_code == 200
    assert "所选协会不存在或不在您的管辖范围内。" in response.content.decode()
    assert not User.objects.filter(username__in=["outside", "nowhere", "outside2"]).exists()
    # Accounts of the sibling township are invisible to it (404, not 403).
    stranger = make_user("stranger", YANGUOXIA, Role.TOWNSHIP_STAFF)
    assert client.get(f"/accounts/users/{stranger.pk}/").status_code == 404
    assert "stranger" not in client.get("/accounts/users/").content.decode()


def test_a_user_cannot_change_their_own_roles(client_for, secadmin):
    with pytest.raises(NotAllowed, match="不能修改自己的角色"):
        services.user_set_roles(actor=secadmin, user=secadmin, roles=[Role.SECURITY_ADMIN])
    client = client_for(secadmin)
    response = client.post(
        f"/accounts/roles/{secadmin.pk}/",
        {"home_association": secadmin.home_association.pk, "roles": [Role.AUDIT_ADMIN]},
    )
    assert response.status_code == 200
    assert "不能修改自己的角色与范围。" in response.content.decode()
    assert User.objects.get(pk=secadmin.pk).role_codes == [Role.SECURITY_ADMIN]


def test_createsuperuser_is_refused(yongjing):
    with pytest.raises(CommandError, match="三员分立"):
        call_command("createsuperuser")
    assert not User.objects.filter(is_superuser=True).exists()


# --- API tokens --------------------------------------------------------------------------------


def test_token_is_issued_used_as_bearer_and_stored_hashed(client, township):
    response = api_token(client, {"username": "township", "password": PASSWORD, "name": "脚本"})
    assert response.status_code == 200
    plain = response.json()["token"]
    stored = ApiToken.objects.get(user=township)
    assert stored.digest == hashlib.sha256(plain.encode()).hexdigest()
    assert plain not in {stored.digest, stored.prefix, stored.name}
    assert plain.startswith(stored.prefix) and len(stored.prefix) < len(plain)

    api = Client()
    listed = api.get("/api/v1/associations", headers=bearer(plain))
    assert listed.status_code == 200
    codes = {item["code"] for item in listed.json()["items"]}
    assert LIUJIAXIA in codes and YANGUOXIA not in codes
    assert api.get("/api/v1/associations", headers=bearer(plain + "x")).status_code == 401


def test_expired_token_gets_401_json(client, township, now):
    plain = api_token(client, {"username": "township", "password": PASSWORD}).json()["token"]
    now.shift(datetime.timedelta(days=settings.FPA_API_TOKEN_DAYS - 1))
    assert Client().get("/api/v1/associations", headers=bearer(plain)).status_code == 200
    now.shift(datetime.timedelta(days=2))
    response = Client().get("/api/v1/associations", headers=bearer(plain))
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "unauthenticated"


def test_revoked_token_gets_401_json(client, township):
    plain = api_token(client, {"username": "township", "password": PASSWORD}).json()["token"]
    api = Client()
    assert api.delete(TOKEN, headers=bearer(plain)).status_code == 204
    assert ApiToken.objects.get(user=township).revoked_at is not None
    response = api.get("/api/v1/associations", headers=bearer(plain))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert api.delete(TOKEN, headers=bearer(plain)).status_code == 401


def test_deactivated_user_token_stops_working(client, township, sysadmin):
    plain = api_token(client, {"username": "township", "password": PASSWORD}).json()["token"]
    services.user_update(
        actor=sysadmin, user=township, full_name="停用", phone=None, is_active=False
    )
    assert Client().get("/api/v1/associations", headers=bearer(plain)).status_code == 401


def test_token_revoke_from_profile_only_own(client_for, township, township2):
    token, _ = services.token_issue(user=township)
    other = client_for(township2)
    assert other.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    own = client_for(township)
    assert own.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_county_admin_needs_otp_for_a_token(client, county, now):
    device = TOTPDevice.objects.create(user=county, name="phone", confirmed=True)
    without = api_token(client, {"username": "county", "password": PASSWORD})
    assert without.status_code == 403
    assert without.json()["error"]["code"] == "forbidden"
    wrong = api_token(client, {"username": "county", "password": PASSWORD, "otp": "000000"})
    if code_for(device) != "000000":
        assert wrong.status_code == 403
    assert not ApiToken.objects.exists()
    now.shift(datetime.timedelta(seconds=2))  # past the throttle that follows a wrong code
    ok = api_token(client, {"username": "county", "password": PASSWORD, "otp": code_for(device)})
    assert ok.status_code == 200
    assert (
        Client().get("/api/v1/associations", headers=bearer(ok.json()["token"])).status_code == 200
    )


@pytest.mark.parametrize(
    "body",
    [
        '{"username": "township"',  # not JSON at all
        json.dumps({"username": "township"}),  # no password
        json.dumps({"username": ["township"], "password": PASSWORD}),  # wrong type
    ],
)
def test_bad_token_request_body_is_a_structured_422(client, township, body):
    response = api_token(client, body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["code"] == "invalid"
    assert error["fields"]
    assert not ApiToken.objects.exists()


def test_wrong_password_is_a_structured_400(client, township):
    response = api_token(client, {"username": "township", "password": "Wrong-Passw0rd!"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_credentials"
    assert "账号或密码不正确" in error["message"]
    assert error["fields"] == {}


def test_api_refuses_anonymous_and_unverified_sessions(client, county, township):
    response = client.get("/api/v1/associations")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    # A session that has not passed the second factor is not enough for the API.
    half = Client()
    half.force_login(county)
    session = half.session
    session[LOGIN_AT] = time.time()
    session.save()
    assert half.get("/api/v1/associations").status_code == 401
    # A complete browser session works.
    full = Client()
    post_login(full, "township", PASSWORD)
    assert full.get("/api/v1/associations").status_code == 200


# --- account list pages: the query count does not grow with the accounts shown ------------------


def _add_accounts(actor: User, count: int, start: int) -> None:
    for i in range(start, start + count):
        services.user_create(
            actor=actor,
            username=f"staff{i}",
            password=PASSWORD,
            full_name=f"人员{i}",
            home_association=Association.objects.get(code=LIUJIAXIA),
        )


@pytest.mark.parametrize(
    ("persona", "url"), [("sysadmin", "/accounts/users/"), ("secadmin", "/accounts/roles/")]
)
def test_account_lists_query_count_is_flat(
    request,
    client_for,
    sysadmin,
    persona,
    url,
    django_assert_max_num_queries,
    django_assert_num_queries,
):
    client = client_for(request.getfixturevalue(persona))
    _add_accounts(sysadmin, 3, 0)
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(30) as small:
        assert client.get(url).status_code == 200
    _add_accounts(sysadmin, 27, 3)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert "staff29" in response.content.decode()


def test_expired_session_on_the_api_gets_json_401_not_a_redirect(client_for, township, now):
    client = client_for(township)
    assert client.get("/api/v1/associations").status_code == 200
    now.shift(datetime.timedelta(hours=13))
    response = client.get("/api/v1/associations")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_the_account_page_saves_details_and_resets_the_password(client_for, sysadmin, township):
    client = client_for(sysadmin)
    url = f"/accounts/users/{township.pk}/"
    response = client.post(url, {"full_name": "刘家峡专干", "phone": "", "is_active": "on"})
    assert response.status_code == 302 and response["Location"] == "/accounts/users/"
    township.refresh_from_db()
    assert township.full_name == "刘家峡专干" and township.is_active
    # A weak new password is refused on its own form, and nothing changes.
    weak = client.post(url, {"reset-password": "short1"})
    assert weak.status_code == 200
    assert weak.content.decode().count('class="invalid-feedback d-block"') == 1
    township.refresh_from_db()
    assert township.check_password(PASSWORD)
    done = client.post(url, {"reset-password": "New-Passw0rd!x"})
    assert done.status_code == 302
    township.refresh_from_db()
    assert township.check_password("New-Passw0rd!x")
