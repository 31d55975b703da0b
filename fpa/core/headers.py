"""Response headers for a platform that shows personal data: one middleware, every response.

* ``Content-Security-Policy``: scripts and styles only from this server's own files, no inline
  script, style or event handler (templates pass data to scripts through ``json_script`` elements
  and ``data-`` attributes; see docs/architecture.md, "No inline script"), images from the server
  or ``data:`` URIs (the TOTP QR code), no plugins, no framing, forms post only here.
* ``Permissions-Policy``: every powerful feature the pages do not use is denied (the care-photo
  upload is a plain file input and needs no camera permission).
* ``Cache-Control: no-store`` (Django's ``add_never_cache_headers``) on every response that may
  carry personal data: anything answering a request with a session cookie or an Authorization
  header (every signed-in user sends one of them), every view not declared ``@public_view``
  (staff pages, the API, errors, unknown URLs), and any response that sets a cookie. Public pages
  seen anonymously (the care fund's public pages, the ledger) and static files keep whatever
  caching their view chose. The test is on the request's cookie rather than on ``request.user``
  so that an anonymous public page costs no session read.

``Referrer-Policy`` is Django's ``SecurityMiddleware`` (``SECURE_REFERRER_POLICY``).

Django 5.2 has no CSP support (Django 6.0 does); the policy here is one fixed string without
nonces, so a few lines do it without a dependency.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from fpa.core.scope import declaration_of

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


def may_be_cached(request: HttpRequest, response: HttpResponse) -> bool:
    """True only for what carries no personal data: static files, and public views asked for
    without credentials, answered without setting a cookie."""
    if request.path.startswith(settings.STATIC_URL):
        return True
    if response.cookies:
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
        return False
    match = getattr(request, "resolver_match", None)
    declaration = declaration_of(match.func) if match is not None else None
    return declaration is not None and declaration.public


def stored_nowhere(response: HttpResponse) -> bool:
    """The view already forbade storing it (e.g. the care photos' ``private, no-store``)."""
    directives = response.get("Cache-Control", "").lower().replace(" ", "").split(",")
    return "no-store" in directives


class SecurityHeadersMiddleware:
    """Placed before WhiteNoise so static files get the policy headers too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response["Permissions-Policy"] = PERMISSIONS_POLICY
        if not may_be_cached(request, response) and not stored_nowhere(response):
            add_never_cache_headers(response)
        return response
