from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext

from fpa.accounts.requests import otp_verified

LOGIN_AT = "fpa_login_at"
# When the session's expiry was last pushed forward (time.time()). The session row is written
# when this is older than FPA_SESSION_REFRESH_SECONDS, not on every request.
TOUCHED_AT = "fpa_touched_at"


class SessionLifetimeMiddleware:
    """End a session that is older than the absolute lifetime, however active it has been, and
    keep the idle timeout sliding without writing the session on every request.

    The idle timeout is the session's expiry (SESSION_COOKIE_AGE after its last save). Activity
    pushes it forward, but at most once every FPA_SESSION_REFRESH_SECONDS: a request whose
    session was saved less than that long ago writes nothing. A session therefore ends between
    SESSION_COOKIE_AGE - FPA_SESSION_REFRESH_SECONDS and SESSION_COOKIE_AGE after the last
    request; never later than the idle timeout.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(LOGIN_AT)
            if started is None or time.time() - started > settings.FPA_SESSION_ABSOLUTE_SECONDS:
                logout(request)
                if request.path.startswith("/api/"):
                    # The API then answers 401 JSON unless a bearer token authenticates.
                    return self.get_response(request)
                messages.info(request, gettext("登录已超过有效期，请重新登录。"))
                return redirect(reverse("accounts:login"))
        response = self.get_response(request)
        _refresh_expiry(request)
        return response


def _refresh_expiry(request: HttpRequest) -> None:
    """Mark the session modified (SessionMiddleware then saves it with a new expiry) when it is
    about to be saved anyway or when its last save is older than the refresh interval."""
    session = getattr(request, "session", None)
    if session is None or not session.accessed:
        return  # not read by this request (e.g. a public page without sign-in): leave it alone
    touched = session.get(TOUCHED_AT)  # loads it first: an expired session row drops its key
    if session.is_empty():
        return  # no session, expired, or flushed (logout): nothing to keep alive
    now = time.time()
    if (
        session.modified
        or touched is None
        or not 0 <= now - touched < settings.FPA_SESSION_REFRESH_SECONDS
    ):
        session[TOUCHED_AT] = now


class OTPEnforcementMiddleware:
    """Users whose roles require a second factor can reach only the second-factor pages until
    they have passed it in this session."""

    allowed = ("accounts:otp_verify", "accounts:otp_setup", "accounts:logout", "core:set_language")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: object, view_args: object, view_kwargs: object
    ) -> HttpResponse | None:
        user = request.user
        if not (settings.FPA_REQUIRE_OTP and user.is_authenticated and user.needs_otp):
            return None
        if otp_verified(user):
            return None
        match = request.resolver_match
        if match is None or match.view_name in self.allowed or match.namespace == "api":
            return None
        return redirect(
            reverse("accounts:otp_verify") + "?" + urlencode({"next": request.get_full_path()})
        )
