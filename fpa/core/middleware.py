from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from fpa.core import context


def client_ip(request: HttpRequest) -> str | None:
    # Behind a reverse proxy, configure it to set REMOTE_ADDR (e.g. gunicorn --forwarded-allow-ips)
    # rather than trusting a client-supplied X-Forwarded-For here.
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Make the client IP available to the audit trail for the length of the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = context.set_current(context.RequestInfo(ip=client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            context.reset(token)
