"""The inbox pages (消息通知): the list (filters, sort, keyset pages), one message, marking read,
and the choices per kind. Every signed-in account has an inbox ("account.self"); a message of
another account is "not found", like one that does not exist."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from fpa.accounts.requests import signed_in_user
from fpa.core.actions import form_action
from fpa.core.errors import ServiceError
from fpa.core.scope import scoped_view
from fpa.core.typing_aids import HtmxHttpRequest
from fpa.notifications import forms, kinds, selectors, services
from fpa.notifications.models import Message

SELF = "account.self"


def _message(request: HttpRequest, pk: int) -> Message:
    message = selectors.message_get(user=signed_in_user(request), pk=pk)
    if message is None:
        raise Http404(gettext("消息不存在。"))
    return message


def _back(request: HttpRequest) -> HttpResponse:
    """Back to the list the user came from (only a local address)."""
    target = request.POST.get("next") or ""
    local = target.startswith("/") and not target.startswith("//")
    if local and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:inbox")


@scoped_view(capability=SELF)
def inbox(request: HtmxHttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = forms.InboxFilterForm(request.GET or None, kinds=selectors.kinds_in_inbox(user=user))
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = selectors.inbox(
        user=user,
        filters=selectors.InboxFilters(state=data.get("state", ""), kind=data.get("kind", "")),
        sort=data.get("sort", ""),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    context = {
        "form": form,
        "page": page,
        "labels": {m.kind: kinds.label_of(m.kind) for m in page.items},
        "unread": selectors.unread_count(user=user),
        "kind": data.get("kind", ""),
    }
    template = "notifications/_rows.html" if request.htmx else "notifications/inbox.html"
    return render(request, template, context)


@scoped_view(capability=SELF)
def open_message(request: HttpRequest, pk: int) -> HttpResponse:
    """One message with its lines and link; opening it marks it read."""
    user = signed_in_user(request)
    message = _message(request, pk)
    services.message_mark_read(actor=user, message=message)
    lines = [
        {**line, "label": kinds.label_of(line["key"]) if line.get("key") else line.get("label")}
        for line in message.lines
        if isinstance(line, dict)
    ]
    context = {"message": message, "label": kinds.label_of(message.kind), "lines": lines}
    return render(request, "notifications/detail.html", context)


@require_POST
@scoped_view(capability=SELF)
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    services.message_mark_read(actor=signed_in_user(request), message=_message(request, pk))
    return _back(request)


@require_POST
@scoped_view(capability=SELF)
def mark_all_read(request: HttpRequest) -> HttpResponse:
    kind = (request.POST.get("kind") or "").strip()[:80]
    count = services.messages_mark_all_read(actor=signed_in_user(request), kind=kind)
    messages.success(request, gettext("已将 %(n)s 条消息标为已读。") % {"n": count})
    return _back(request)


@scoped_view(capability=SELF)
def preferences(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = forms.PreferencesForm(request.POST or None, rows=selectors.preferences_of(user=user))
    return form_action(
        request,
        form,
        call=lambda form: services.preferences_save(actor=user, choices=form.choices()),
        done=gettext("通知设置已保存。"),
        then="notifications:preferences",
        page=lambda: render(
            request,
            "notifications/preferences.html",
            {"form": form, "has_phone": bool(user.phone), "has_email": bool(user.email)},
        ),
        on_error=_on_error,
    )


def _on_error(form: forms.PreferencesForm, exc: ServiceError) -> None:
    form.add_error(None, exc.message)
