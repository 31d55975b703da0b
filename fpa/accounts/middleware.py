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

LOGIN_AT = "fpa_login_at"


class SessionLifetimeMiddleware:
    """End a session that is older than the absolute lifetime, however active it has been.

    The idle timeout is the session cookie age, renewed on each request
    (SESSION_SAVE_EVERY_REQUEST).
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
                messages.info(request, "登录已超过有效期，请重新登录。")
                return redirect(reverse("accounts:login"))
        return self.get_response(request)


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
        if user.is_verified():
            return None
        match = request.resolver_match
        if match is None or match.view_name in self.allowed or match.namespace == "api":
            return None
        return redirect(
            reverse("accounts:otp_verify") + "?" + urlencode({"next": request.get_full_path()})
        )
