"""How an API request is authenticated: a bearer token or the browser session (with the second
factor where the role needs it), each for one capability. The app routers use these classes;
`fpa.api` (the NinjaAPI that composes them) is imported by none of them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja.security import APIKeyCookie, HttpBearer

from fpa.accounts.requests import otp_verified
from fpa.accounts.services import token_authenticate


def usable(user: Any) -> bool:
    if not user.is_active:
        return False
    if settings.FPA_REQUIRE_OTP and user.needs_otp:
        return otp_verified(user)
    return True


def capable(user: Any, capability: str | None) -> Any:
    """The same capability the web pages declare: a known user without it is refused (403)."""
    if capability is not None and not user.has_capability(capability):
        raise PermissionDenied(gettext("您的角色无权进行此操作。"))
    return user


class BearerToken(HttpBearer):
    def __init__(self, capability: str | None = None) -> None:
        super().__init__()
        self.capability = capability

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is None:
            return None
        request.user = user  # a token is issued only after the second factor, when one is needed
        return capable(user, self.capability)


class Session(APIKeyCookie):
    """The browser session, with CSRF checks on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self, capability: str | None = None) -> None:
        super().__init__()
        self.capability = capability

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and usable(user):
            return capable(user, self.capability)
        return None
