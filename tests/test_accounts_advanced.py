"""高级设置 (/accounts/advanced/): the API tokens moved off the profile page, for the roles that
connect other systems (capability api.use: county administrators). Everyone else gets a 403 and
no link; the profile page shows no tokens any more."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from fpa.accounts import services
from fpa.accounts.models import ApiToken
from fpa.accounts.roles import CAPABILITIES, Role
from fpa.core.models import AuditEvent

ADVANCED = "/accounts/advanced/"
PROFILE = "/accounts/profile/"

pytestmark = pytest.mark.django_db


def test_only_the_county_administrator_holds_api_use():
    holders = {role for role, granted in CAPABILITIES.items() if "api.use" in granted}
    assert holders == {Role.COUNTY_ADMIN}


def test_anonymous_is_sent_to_sign_in(client, yongjing):
    response = client.get(ADVANCED)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/accounts/advanced/")
    assert client.post(ADVANCED, {"tk-name": "脚本"}).status_code == 302
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("persona", ["township", "village", "finance", "volunteer", "sysadmin"])
def test_other_roles_are_refused_and_see_no_link(request, client_for, persona):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    assert client.get(ADVANCED).status_code == 403
    assert client.post(ADVANCED, {"tk-name": "脚本"}).status_code == 403
    assert not ApiToken.objects.exists()
    profile = client.get(PROFILE)
    assert profile.status_code == 200
    body = profile.content.decode()
    assert ADVANCED not in body and "高级设置" not in body


def test_the_profile_shows_no_tokens_and_makes_none(client_for, county, township):
    services.token_issue(user=county, name="旧令牌")
    for user in (county, township):
        client = client_for(user)
        body = client.get(PROFILE).content.decode()
        assert "接口令牌" not in body and "令牌" not in body
        assert 'name="tk-name"' not in body and "旧令牌" not in body
        assert "修改密码" in body and "动态验证码" in body
        # The old token form posted to the profile creates nothing now.
        client.post(PROFILE, {"tk-name": "不该生成"})
    assert not ApiToken.objects.filter(name="不该生成").exists()
    # The county administrator reaches the tokens through the profile's 高级设置 tab.
    body = client_for(county).get(PROFILE).content.decode()
    assert f'href="{ADVANCED}"' in body and "高级设置" in body


def test_tokens_are_still_made_shown_once_and_revoked(client_for, county):
    client = client_for(county)
    page = client.get(ADVANCED)
    assert page.status_code == 200
    assert "没有令牌。" in page.content.decode()

    made = client.post(ADVANCED, {"tk-name": "对接省级平台"})
    assert made.status_code == 200
    token = ApiToken.objects.get(user=county)
    assert token.name == "对接省级平台" and token.revoked_at is None
    shown = re.search(r'<code class="user-select-all">([^<]+)</code>', made.content.decode())
    assert shown is not None
    plain = shown.group(1)
    assert plain.startswith(token.prefix)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN, actor=county).exists()
    # The plain token works with the API, and it is never shown again.
    api = Client().get("/api/v1/associations", headers={"Authorization": f"Bearer {plain}"})
    assert api.status_code == 200
    again = client.get(ADVANCED).content.decode()
    assert plain not in again and token.prefix in again and "对接省级平台" in again

    revoked = client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert revoked.status_code == 302 and revoked["Location"] == ADVANCED
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "已撤销" in client.get(ADVANCED).content.decode()


def test_a_bad_name_is_a_message_and_no_token(client_for, county):
    response = client_for(county).post(ADVANCED, {"tk-name": "长" * 101})
    assert response.status_code == 200
    body = response.content.decode()
    assert "is-invalid" in body and "invalid-feedback" in body
    assert not ApiToken.objects.exists()


def test_another_users_token_cannot_be_revoked_from_here(client_for, county, township):
    theirs, _ = services.token_issue(user=township)
    response = client_for(county).post(f"/accounts/tokens/{theirs.pk}/revoke/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    # Its owner, without api.use, may still revoke it and lands on the profile.
    own = client_for(township).post(f"/accounts/tokens/{theirs.pk}/revoke/")
    assert own.status_code == 302 and own["Location"] == PROFILE
    theirs.refresh_from_db()
    assert theirs.revoked_at is not None


def test_the_advanced_page_has_its_help(client_for, county):
    from fpa.core.help import guide

    body = client_for(county).get(ADVANCED).content.decode()
    assert f'href="{guide().anchors["接口令牌"].url}" data-fpa-help' in body
