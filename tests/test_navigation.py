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


def menu(client: Client, url: str) -> list[tuple[str, bool]]:
    html = client.get(url).content.decode()
    block = html.split('<ul class="navbar-nav me-auto">', 1)[1].split("</ul>", 1)[0]
    return [
        (label, " active" in classes)
        for classes, label in re.findall(
            r'<a class="nav-link([^"]*)" href="[^"]+">([^<]+)</a>', block
        )
    ]


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
