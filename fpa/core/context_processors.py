from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The module menu, limited to what the user's roles allow."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    entries = [
        ("org.view", _("协会网络"), "organizations:tree"),
        ("org.view", _("工作人员"), "organizations:staff_list"),
        ("org.view", _("备案"), "organizations:filing_list"),
        ("org.view", _("代表与理事构成"), "organizations:composition"),
        ("audit.view", _("审计日志"), "core:audit_list"),
        ("accounts.manage", _("账号管理"), "accounts:user_list"),
        ("roles.manage", _("角色与范围"), "accounts:role_list"),
    ]
    items = [
        {"label": label, "url": reverse(name), "active": request.path.startswith(reverse(name))}
        for capability, label, name in entries
        if user.has_capability(capability)
    ]
    return {"nav_items": items}
