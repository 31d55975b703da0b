from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

# The menu's groups (label msgid), in order: a group the user has a single entry of is shown as that
# entry alone; entries without a group stand alone.
GROUPS = {
    "org": gettext_noop("组织"),
    "care": gettext_noop("家庭关怀"),
    "people": gettext_noop("会员与志愿者"),
    "services": gettext_noop("活动与服务"),
    "reports": gettext_noop("上报"),
    "admin": gettext_noop("系统"),
}
# (capability, label msgid, URL name, group key or ""): the module menu, in order.
MENU = (
    ("overview.view", gettext_noop("驾驶舱"), "dashboard:overview", ""),
    ("org.view", gettext_noop("协会网络"), "organizations:tree", "org"),
    ("org.view", gettext_noop("工作人员"), "organizations:staff_list", "org"),
    ("org.view", gettext_noop("备案"), "organizations:filing_list", "org"),
    ("org.view", gettext_noop("代表与理事构成"), "organizations:composition", "org"),
    ("family.view", gettext_noop("特殊家庭"), "families:list", "care"),
    ("family.view", gettext_noop("覆盖率"), "families:coverage", "care"),
    ("family.view", gettext_noop("特殊家庭移交"), "families:transfers", "care"),
    ("insurance.view", gettext_noop("计生保险"), "insurance:products", "care"),
    ("insurance.view", gettext_noop("保险理赔"), "insurance:claims", "care"),
    ("leftbehind.view", gettext_noop("三留守关爱"), "leftbehind:list", "care"),
    ("rights.view", gettext_noop("权益维护"), "rights:list", "care"),
    ("fund.view", gettext_noop("关怀基金"), "fund:home", ""),
    ("member.view", gettext_noop("会员"), "members:list", "people"),
    ("volunteer.view", gettext_noop("志愿者"), "volunteers:list", "people"),
    ("volunteer.portal", gettext_noop("我的志愿服务"), "volunteers:portal", ""),
    ("activity.view", gettext_noop("活动与阵地"), "activities:list", "services"),
    ("childcare.view", gettext_noop("托育机构"), "childcare:list", "services"),
    ("activity.view", gettext_noop("健康家庭"), "healthyfamilies:list", "services"),
    ("migrant.view", gettext_noop("流动人口"), "migrants:list", "services"),
    ("migrant.view", gettext_noop("企业协会"), "migrants:enterprises", "services"),
    ("migrant.view", gettext_noop("流动人口移交"), "migrants:transfers", "services"),
    ("report.view", gettext_noop("本级上报"), "reports:own", "reports"),
    ("report.review", gettext_noop("下级上报"), "reports:below", "reports"),
    ("report.view", gettext_noop("归档"), "reports:archive", "reports"),
    ("report.kinds", gettext_noop("自定义报表与截止日期"), "reports:kinds", "reports"),
    ("audit.view", gettext_noop("审计日志"), "core:audit_list", "admin"),
    ("accounts.manage", gettext_noop("账号管理"), "accounts:user_list", "admin"),
    ("roles.manage", gettext_noop("角色与范围"), "accounts:role_list", "admin"),
)
CAPABILITIES = tuple(dict.fromkeys(entry[0] for entry in MENU))


@functools.lru_cache(maxsize=256)
def menu_for(
    granted: frozenset[str], language: str | None, prefix: str
) -> tuple[tuple[str, str, str], ...]:
    """(label, URL, group key) of the entries `granted` allows, in `language`: the same for every
    user with the same capabilities, so it is built once per worker, not per request. `language`
    and `prefix` (the script prefix, which `reverse` reads) are part of the key, not otherwise
    used."""
    return tuple(
        (_(label), reverse(name), group)
        for capability, label, name, group in MENU
        if capability in granted
    )


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The module menu, limited to what the user's roles allow: `nav_items` flat (the home page's
    shortcuts) and `nav_groups` for the bar, each group with its entries (a group of one entry is
    shown as the entry)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_groups": []}
    granted = frozenset(c for c in CAPABILITIES if user.has_capability(c))
    entries = menu_for(granted, get_language(), get_script_prefix())
    items: list[dict[str, Any]] = [
        {"label": label, "url": url, "group": group, "active": False}
        for label, url, group in entries
    ]
    # The entry whose address is the longest prefix of this page (/families/coverage/ is 覆盖率,
    # not 特殊家庭 as well).
    matches = [item for item in items if request.path.startswith(item["url"])]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    groups: list[dict[str, Any]] = []
    by_key: dict[str, dict[str, Any]] = {}
    for item in items:
        key = item["group"]
        if key and key in by_key:
            by_key[key]["items"].append(item)
            continue
        group = {"key": key, "label": _(GROUPS[key]) if key else item["label"], "items": [item]}
        groups.append(group)
        if key:
            by_key[key] = group
    for group in groups:
        group["active"] = any(item["active"] for item in group["items"])
    return {"nav_items": items, "nav_groups": groups}
