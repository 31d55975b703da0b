"""The HTTP API at /api/v1/. Deny by default: every operation needs a bearer token or a session
(with the second factor where the role requires it), and reads go through the same selectors as
the web pages."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from fpa.accounts.api_auth import BearerToken, Session, usable
from fpa.accounts.services import token_authenticate
from fpa.core.errors import ServiceError


def signed_in_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The API description is for signed-in users and token holders, like the API itself."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        user = getattr(request, "user", None)
        session_ok = user is not None and user.is_authenticated and usable(user)
        if not session_ok and (not token or token_authenticate(token) is None):
            return JsonResponse(
                {
                    "error": {
                        "code": "unauthenticated",
                        "message": "需要登录或有效的令牌。",
                        "fields": {},
                    }
                },
                status=401,
            )
        return view(request, *args, **kwargs)

    return wrapper


api = NinjaAPI(
    title="计生协综合服务平台 API",
    version="1",
    urls_namespace="api",
    auth=[BearerToken(), Session()],
    docs_url="/docs",
    openapi_url="/openapi.json",
    docs_decorator=signed_in_only,
)


def _error(request: HttpRequest, status: int, code: str, message: str, **extra: Any) -> Any:
    return api.create_response(
        request, {"error": {"code": code, "message": message, **extra}}, status=status
    )


@api.exception_handler(ServiceError)
def service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    fields = {exc.field: [exc.message]} if exc.field else {}
    return _error(request, exc.status, exc.code, exc.message, fields=fields)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        location = ".".join(str(part) for part in error.get("loc", ())[1:]) or "body"
        fields.setdefault(location, []).append(str(error.get("msg", "invalid")))
    return _error(request, 422, "invalid", "请求内容不符合要求。", fields=fields)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", "需要登录或有效的令牌。")


@api.exception_handler(ObjectDoesNotExist)
def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 404, "not_found", "记录不存在或不在您的管辖范围内。")


@api.exception_handler(Http404)
def http_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 404, "not_found", "记录不存在或不在您的管辖范围内。")


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 403, "forbidden", str(exc) or "无权进行此操作。")


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        # A body that is not JSON at all is as invalid as one of the wrong shape.
        fields = {"body": ["请求内容不是有效的 JSON。"]}
        return _error(request, 422, "invalid", "请求内容不符合要求。", fields=fields)
    if exc.status_code == 403 and str(exc) == "CSRF check Failed":
        # A session call without its CSRF token, or with a stale one (the session changed):
        # a client fetches the token again and retries (the field app does).
        return _error(request, 403, "csrf_failed", "请求校验已过期，请刷新后重试。", fields={})
    return _error(request, exc.status_code, "error", str(exc), fields={})


api.add_router("/auth", "fpa.accounts.api.router")
# The network's reads need "org.view", exactly as the pages do (not a volunteer, not 三员).
api.add_router(
    "/", "fpa.organizations.api.router", auth=[BearerToken("org.view"), Session("org.view")]
)
api.add_router("/", "fpa.families.api.router")
api.add_router("/", "fpa.fund.api.router")
# Members: "member.view", as the pages (staff of the association network, not a volunteer).
api.add_router(
    "/members", "fpa.members.api.router", auth=[BearerToken("member.view"), Session("member.view")]
)
# The volunteer's own portal first: /volunteers/me is not a volunteer id of the registry.
api.add_router("/", "fpa.volunteers.api.portal_router")
api.add_router("/", "fpa.volunteers.api.router")
# Activities, sites, campaigns, the pool and their figures: "activity.view", as the pages.
api.add_router("/", "fpa.activities.api.router")
api.add_router("/", "fpa.insurance.api.router")
api.add_router("/", "fpa.migrants.api.router")
api.add_router("/", "fpa.leftbehind.api.router")
api.add_router("/", "fpa.rights.api.router")
api.add_router("/", "fpa.reports.api.router")
api.add_router("/", "fpa.notifications.api.router")
api.add_router("/", "fpa.dashboard.api.router")  # the overview (驾驶舱); auth on the router
# The reform task book ("task.view") and the key-work assessment ("assessment.view"), as the
# pages; each step checks the capability of its page, then the services their rules.
api.add_router("/", "fpa.tasks.api.router")
api.add_router("/", "fpa.assessment.api.router")
api.add_router("/", "fpa.field.api.router")  # the offline field app
