"""The module menu: only what the user's roles allow, the current module marked, in the user's
language; built once per capability set and language (fpa.core.context_processors.menu_for), so
one user's menu never leaks into another's."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from fpa.core.context_processors import menu_for

pytestmark = pytest.mark.django_db


ENTRY = re.compile(
    r'<a class="(?:nav-link|dropdown-item)([^"]*)" href="(?!#)[^"]+"(?: aria-current="page")?>'
    r"([^<]+)</a>"
)


def menu_block(client: Client, url: str) -> str:
    html = client.get(url).content.decode()
    return html.split('<ul class="navbar-nav me-auto">', 1)[1].split("\n      </ul>", 1)[0]


def menu(client: Client, url: str) -> list[tuple[str, bool]]:
    """The module entries (label, marked current), in the bar or inside its groups."""
    return [
        (label, " active" in classes) for classes, label in ENTRY.findall(menu_block(client, url))
    ]


def groups(client: Client, url: str) -> list[tuple[str, bool]]:
    """The bar's group toggles (label, marked current)."""
    found = re.findall(
        r'<a class="nav-link dropdown-toggle([^"]*)" href="#" role="button"[^>]*>([^<]+)</a>',
        menu_block(client, url),
    )
    return [(label, " active" in classes) for classes, label in found]


def test_each_role_sees_its_own_menu_and_the_current_module(
    client_for: Any, township: Any, finance: Any, sysadmin: Any
) -> None:
    menu_for.cache_clear()
    as_township = menu(client_for(township), "/families/coverage/")
    labels = [label for label, _active in as_township]
    assert "特殊家庭" in labels and "覆盖率" in labels and "账号管理" not in labels
    assert [label for label, active in as_township if active] == ["覆盖率"]  # the longest prefix
    as_finance = [label for label, _active in menu(client_for(finance), "/fund/")]
    assert "关怀基金" in as_finance and "特殊家庭" not in as_finance
    assert menu_for.cache_info().currsize == 2  # one entry per capability set
    again = menu(client_for(township), "/families/")  # from the cache: same entries, new marks
    assert [label for label, _a in again] == labels
    assert [label for label, active in again if active] == ["特殊家庭"]
    assert "账号管理" in [label for label, _a in menu(client_for(sysadmin), "/accounts/users/")]


def test_the_bar_groups_the_modules_and_marks_the_current_group(
    client_for: Any, county: Any, finance: Any
) -> None:
    client = client_for(county)
    assert [label for label, _a in groups(client, "/families/coverage/")][:2] == [
        "组织",
        "家庭关怀",
    ]
    assert [label for label, active in groups(client, "/families/coverage/") if active] == [
        "家庭关怀"
    ]
    assert [label for label, active in groups(client, "/fund/") if active] == []
    block = menu_block(client, "/families/")
    care = block.split('data-fpa-menu="care"', 1)[1].split("</ul>", 1)[0]
    assert ">特殊家庭</a>" in care and ">覆盖率</a>" in care and ">会员</a>" not in care
    assert 'class="dropdown-item active" href="/families/" aria-current="page"' in care
    # Finance: the network (a group) and the care fund, which belongs to no group (a plain entry).
    as_finance = client_for(finance)
    assert groups(as_finance, "/fund/") == [("组织", False)]
    assert '<a class="nav-link active" href="/fund/" aria-current="page">关怀基金</a>' in (
        menu_block(as_finance, "/fund/")
    )


def test_the_menu_follows_the_language(client_for: Any, township: Any) -> None:
    client = client_for(township)
    chinese = [label for label, _a in menu(client, "/families/")]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = [label for label, _a in menu(client, "/families/")]
    assert len(english) == len(chinese) and "特殊家庭" in chinese
    assert not any(re.search(r"[\u4e00-\u9fff]", label) for label in english), english


def test_anonymous_has_no_menu(client: Client) -> None:
    html = client.get("/accounts/login/").content.decode()
    assert '<ul class="navbar-nav me-auto">' not in html
