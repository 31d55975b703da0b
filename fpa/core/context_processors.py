from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

# (capability, label msgid, URL name): the module menu, in order.
MENU = (
    ("org.view", gettext_noop("协会网络"), "organizations:tree"),
    ("org.view", gettext_noop("工作人员"), "organizations:staff_list"),
    ("org.view", gettext_noop("备案"), "organizations:filing_list"),
    ("org.view", gettext_noop("代表与理事构成"), "organizations:composition"),
    ("family.view", gettext_noop("特殊家庭"), "families:list"),
    ("family.view", gettext_noop("覆盖率"), "families:coverage"),
    ("fund.view", gettext_noop("关怀基金"), "fund:home"),
    ("member.view", gettext_noop("会员"), "members:list"),
    ("volunteer.view", gettext_noop("志愿者"), "volunteers:list"),
    ("volunteer.portal", gettext_noop("我的志愿服务"), "volunteers:portal"),
    ("audit.view", gettext_noop("审计日志"), "core:audit_list"),
    ("accounts.manage", gettext_noop("账号管理"), "accounts:user_list"),
    ("roles.manage", gettext_noop("角色与范围"), "accounts:role_list"),
)
CAPABILITIES = tuple(dict.fromkeys(capability for capability, _label, _name in MENU))


@functools.lru_cache(maxsize=256)
def menu_for(
    granted: frozenset[str], language: str | None, prefix: str
) -> tuple[tuple[str, str], ...]:
    """(label, URL) of the entries `granted` allows, in `language`: the same for every user with
    the same capabilities, so it is built once per worker, not per request. `language` and
    `prefix` (the script prefix, which `reverse` reads) are part of the key, not otherwise used."""
    return tuple(
        (_(label), reverse(name)) for capability, label, name in MENU if capability in granted
    )


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The module menu, limited to what the user's roles allow."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    granted = frozenset(c for c in CAPABILITIES if user.has_capability(c))
    entries = menu_for(granted, get_language(), get_script_prefix())
    items: list[dict[str, Any]] = [
        {"label": label, "url": url, "active": False} for label, url in entries
    ]
    # The entry whose address is the longest prefix of this page (/families/coverage/ is 覆盖率,
    # not 特殊家庭 as well).
    matches = [item for item in items if request.path.startswith(item["url"])]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return {"nav_items": items}
