from __future__ import annotations

import functools
from typing import Any, NamedTuple

from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
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
    ("cadre.view", gettext_noop("干部联系点"), "cadres:overview", "org"),
    ("task.view", gettext_noop("任务书"), "tasks:list", "org"),
    ("assessment.view", gettext_noop("考核"), "assessment:list", "org"),
    ("overview.view", gettext_noop("改革评估"), "dashboard:evaluation", "org"),
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
    ("ledger.witnesses", gettext_noop("账本见证人"), "transparency:witness_admin", "admin"),
    ("roles.manage", gettext_noop("角色与范围"), "accounts:role_list", "admin"),
)
CAPABILITIES = frozenset(entry[0] for entry in MENU)


class MenuEntry(NamedTuple):
    label: str
    url: str
    group: str  # a GROUPS key, or "" for an entry of its own


@functools.lru_cache(maxsize=256)
def menu_for(granted: frozenset[str], language: str | None, prefix: str) -> tuple[MenuEntry, ...]:
    """The entries `granted` allows, in `language`: the same for every
    user with the same capabilities, so it is built once per worker, not per request. `language`
    and `prefix` (the script prefix, which `reverse` reads) are part of the key, not otherwise
    used."""
    return tuple(
        MenuEntry(_(label), reverse(name), group)
        for capability, label, name, group in MENU
        if capability in granted
    )


def _active(entries: tuple[MenuEntry, ...], path: str) -> str:
    """The address of the entry whose address is the longest prefix of this page
    (/families/coverage/ is 覆盖率, not 特殊家庭 as well), or ""."""
    best = ""
    for _label, url, _group in entries:
        if len(url) > len(best) and path.startswith(url):
            best = url
    return best


@functools.lru_cache(maxsize=1024)
def menu_html(entries: tuple[MenuEntry, ...], active: str, language: str | None) -> str:
    """The bar's entries as HTML (the `<li>`s of `<ul class="navbar-nav me-auto">`), each group
    a dropdown, a group of one entry shown as the entry, `active` marked. Written once per
    (entries, current entry, language) per worker: the menu is the same for every user with the
    same capabilities, and rendering it with the template engine cost about a third of a list
    page. `language` is part of the key for the group labels."""
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    by_key: dict[str, list[tuple[str, str]]] = {}
    for label, url, key in entries:
        if key and key in by_key:
            by_key[key].append((label, url))
            continue
        items = [(label, url)]
        groups.append((key, items))
        if key:
            by_key[key] = items
    out = []
    for key, items in groups:
        if len(items) == 1:
            label, url = items[0]
            out.append(f'<li class="nav-item">{_entry("nav-link", label, url, active)}</li>')
            continue
        marked = " active" if any(url == active for _label, url in items) else ""
        entries_html = "\n".join(
            f"<li>{_entry('dropdown-item', label, url, active)}</li>" for label, url in items
        )
        out.append(
            '<li class="nav-item dropdown">\n'
            f'<a class="nav-link dropdown-toggle{marked}" href="#" role="button" '
            f'data-bs-toggle="dropdown" aria-expanded="false" data-fpa-menu="{escape(key)}">'
            f"{escape(_(GROUPS[key]))}</a>\n"
            f'<ul class="dropdown-menu">\n{entries_html}\n</ul>\n</li>'
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every text above is escaped


def _entry(css: str, label: str, url: str, active: str) -> str:
    if url == active:
        return (
            f'<a class="{css} active" href="{escape(url)}" aria-current="page">{escape(label)}</a>'
        )
    return f'<a class="{css}" href="{escape(url)}">{escape(label)}</a>'


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The module menu, limited to what the user's roles allow: `nav_items` (MenuEntry, the home
    page's shortcuts) and `nav_menu`, the bar's entries as HTML (menu_html), the current module
    marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": (), "nav_menu": ""}
    granted = user.capabilities & CAPABILITIES
    language = get_language()
    entries = menu_for(granted, language, get_script_prefix())
    return {
        "nav_items": entries,
        "nav_menu": menu_html(entries, _active(entries, request.path), language),
    }
