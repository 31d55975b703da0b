from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language as django_set_language

from fpa.core.forms import DateInput
from fpa.core.models import AuditEvent
from fpa.core.scope import public_view, scoped_view
from fpa.core.selectors import audit_search


@public_view
def set_language(request: HttpRequest) -> HttpResponse:
    return django_set_language(request)


@public_view
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. Never touches the database."""
    return JsonResponse({"status": "ok"})


@public_view
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness for a load balancer: 200 when every check passes, else 503. Each check's status
    only ("ok" or "fail"), never personal data or error text."""
    from fpa.core.health import readiness

    checks = readiness()
    ready = all(value == "ok" for value in checks.values())
    response = JsonResponse({"status": "ok" if ready else "fail", "checks": checks})
    response.status_code = 200 if ready else 503
    response["Cache-Control"] = "no-store"
    return response


class AuditFilterForm(forms.Form):
    q = forms.CharField(label=_("账号/对象"), required=False, max_length=100)
    action = forms.ChoiceField(
        label=_("操作"), required=False, choices=[("", _("全部")), *AuditEvent.Action.choices]
    )
    date_from = forms.DateField(label=_("开始日期"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=DateInput())


@scoped_view(capability="audit.view")
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        filters = {
            "query": form.cleaned_data["q"].strip(),
            "action": form.cleaned_data["action"],
            "date_from": form.cleaned_data["date_from"],
            "date_to": form.cleaned_data["date_to"],
        }
    page = audit_search(
        user=request.user,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        descending=True,
        **filters,
    )
    return render(request, "core/audit_list.html", {"form": form, "page": page})


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": str(status), "message": message}}, status=status)
    return render(request, "core/error.html", {"title": title, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, gettext("请求有误"), gettext("提交的内容无法处理，请返回重试。"))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else gettext("您无权访问此页面。")
    return _error(request, 403, gettext("无权访问"), message)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request, 404, gettext("未找到"), gettext("页面或记录不存在，或不在您的管辖范围内。")
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, gettext("系统错误"), gettext("系统出现错误，已记录。请稍后重试。"))


@public_view
def favicon(request: HttpRequest) -> HttpResponse:
    return redirect(static("fpa/favicon.svg"), permanent=True)
