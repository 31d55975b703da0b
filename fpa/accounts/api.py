from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext
from django_otp import match_token
from ninja import Router, Schema, Status

from fpa.accounts.requests import signed_in_user
from fpa.accounts.selectors import own_token
from fpa.accounts.services import token_issue, token_revoke
from fpa.core.errors import NotAllowed, ServiceError

router = Router(tags=["auth"])


class TokenRequest(Schema):
    username: str
    password: str
    otp: str | None = None
    name: str = ""


class TokenOut(Schema):
    token: str
    expires_at: datetime.datetime


@router.post("/token", auth=None, response=TokenOut)
def token_create(request: HttpRequest, payload: TokenRequest) -> dict:
    """Exchange a username and password (and a TOTP code where the role requires one) for a
    bearer token. Failures count towards the same lockout as the sign-in page."""
    user = authenticate(request, username=payload.username[:150], password=payload.password[:200])
    if user is None:
        raise ServiceError(
            gettext("账号或密码不正确，或账号已被锁定。"), code="invalid_credentials"
        )
    needs_code = settings.FPA_REQUIRE_OTP and user.needs_otp
    if needs_code and (not payload.otp or match_token(user, payload.otp.strip()) is None):
        raise NotAllowed(gettext("该账号须提供有效的动态验证码（otp）。"))
    token, plain = token_issue(user=user, name=payload.name)
    return {"token": plain, "expires_at": token.expires_at}


@router.delete("/token", response={204: None})
def token_delete(request: HttpRequest) -> Status[None]:
    """Revoke the bearer token used for this request."""
    header = request.headers.get("Authorization", "")
    plain = header.split(" ", 1)[1].strip() if header.lower().startswith("bearer ") else ""
    token = own_token(user=signed_in_user(request), plain=plain)
    if token is None:
        raise ServiceError(gettext("只能撤销当前请求所用的令牌。"), code="no_token")
    token_revoke(user=signed_in_user(request), token=token)
    return Status(204, None)
