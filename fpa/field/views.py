"""Ending a phone's offline work from the web pages: its user (我的账号 → 外勤设备, "清除这台手机")
or an account administrator of the subtree (账号 → 外勤设备, a lost phone). The phone is told on
its next call and wipes what it holds."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from fpa.accounts.requests import signed_in_user
from fpa.core.errors import ServiceError
from fpa.core.scope import scoped_view
from fpa.field import selectors, services
from fpa.field.models import Device


@require_POST
@scoped_view(capability="account.self")
def device_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    try:
        device = selectors.device_get(user=user, pk=pk)
    except Device.DoesNotExist as missing:
        raise Http404 from missing
    try:
        services.device_end(actor=user, device=device)
    except ServiceError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, gettext("已注销这台设备的离线数据，它下次联网时会清除本机数据。"))
    if device.user_id == user.pk:
        return redirect("accounts:profile")
    return redirect("accounts:user_edit", pk=device.user_id)
