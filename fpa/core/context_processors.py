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
        ("family.view", _("特殊家庭"), "families:list"),
        ("family.view", _("覆盖率"), "families:coverage"),
        ("fund.view", _("关怀基金"), "fund:home"),
        ("member.view", _("会员"), "members:list"),
        ("volunteer.view", _("志愿者"), "volunteers:list"),
        ("volunteer.portal", _("我的志愿服务"), "volunteers:portal"),
        ("audit.view", _("审计日志"), "core:audit_list"),
        ("accounts.manage", _("账号管理"), "accounts:user_list"),
        ("roles.manage", _("角色与范围"), "accounts:role_list"),
    ]
    items = [
        {"label": label, "url": reverse(name), "active": False}
        for capability, label, name in entries
        if user.has_capability(capability)
    ]
    # The entry whose address is the longest prefix of this page (/families/coverage/ is 覆盖率,
    # not 特殊家庭 as well).
    matches = [item for item in items if request.path.startswith(item["url"])]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return {"nav_items": items}
