"""What every page carries around its content, written in Python once per worker where it is the
same for many requests (bench/RESULTS.md, "The page chrome in Python"): the stylesheets and
scripts (`{% page_assets %}`), the module menu (`menu_html`), the footer's language form
(`{% language_form %}`), a list's action buttons (the "fragments" cache). Each keeps the markup
and the per-request parts (the page's CSRF token, the page's address, the current entry)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import caches
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.test import Client, RequestFactory

from fpa.core.context_processors import menu_html
from fpa.core.templatetags.fpa import PAGE_ASSETS
from fpa.families.forms import FamilyFilterForm

pytestmark = pytest.mark.django_db


def test_the_assets_are_the_static_files_addresses(client_for: Any, township: Any) -> None:
    html = client_for(township).get("/families/").content.decode()
    head = html.split("</head>", 1)[0]
    for _kind, path, _extra in PAGE_ASSETS:
        assert f'="{static(path)}"' in head, path
    assert head.count("<script src=") == 3 and head.count("<link rel=") == 4
    assert '<link rel="stylesheet" href="' + static("fpa/print.css") + '" media="print">' in head


def test_the_language_form_posts_back_to_this_page_with_the_pages_token(
    client_for: Any, township: Any
) -> None:
    client = client_for(township)
    html = client.get("/families/", {"q": '"><script>x</script>'}).content.decode()
    footer = html.split("<footer", 1)[1]
    token = re.search(r'"X-CSRFToken": "([^"]+)"', html)
    assert token is not None
    assert f'name="csrfmiddlewaretoken" value="{token.group(1)}"' in footer
    assert "<script>x</script>" not in html  # the address is escaped, never raw markup
    assert 'name="next" type="hidden" value="/families/?q=%22%3E%3Cscript%3Ex%3C%2Fscript%3E"' in (
        footer
    )
    assert '<option value="zh-hans" selected>' in footer
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/families/").content.decode().split("<footer", 1)[1]
    assert '<option value="en" selected>' in english and 'value="zh-hans" selected' not in english
    # The form works: it sets the language and goes back to the page.
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/families/"})
    assert response.status_code == 302 and response["Location"] == "/families/"


def test_the_menu_is_written_once_per_capability_set_page_and_language(
    client_for: Any, township: Any, township2: Any, village: Any
) -> None:
    menu_html.cache_clear()
    first = client_for(township).get("/families/").content.decode()
    assert menu_html.cache_info().misses == 1
    second = client_for(township2).get("/families/").content.decode()  # same roles, same page
    assert menu_html.cache_info().hits == 1 and menu_html.cache_info().misses == 1
    pattern = r'<ul class="navbar-nav me-auto">.*?\n      </ul>'
    menu = re.search(pattern, first, re.S)
    assert menu is not None and menu.group(0) == re.search(pattern, second, re.S).group(0)  # type: ignore[union-attr]
    assert 'class="dropdown-item active" href="/families/" aria-current="page"' in menu.group(0)
    # Another page marks another entry; another capability set gets its own menu.
    coverage = client_for(township).get("/families/coverage/").content.decode()
    assert 'class="dropdown-item active" href="/families/coverage/"' in coverage
    client_for(village).get("/families/")
    assert menu_html.cache_info().misses == 3


def test_the_list_buttons_follow_the_users_rights_and_language(
    client_for: Any, township: Any, rf: RequestFactory
) -> None:
    caches["fragments"].clear()
    assert "登记家庭" in client_for(township).get("/families/").content.decode()
    # Every role that lists families may also edit them, so the right is varied here by hand: a
    # page without it never gets the buttons kept for a page with it.
    request = rf.get("/families/")
    request.user = township
    page = {"rows": [], "page": None, "areas": [], "form": FamilyFilterForm()}
    without = render_to_string("families/list.html", {**page, "can_edit": False}, request)
    assert "登记家庭" not in without and "Excel导入" not in without and "覆盖率" in without
    again = render_to_string("families/list.html", {**page, "can_edit": True}, request)
    assert "登记家庭" in again and "Excel导入" in again
    client = client_for(township)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/families/").content.decode()
    assert "登记家庭" not in english and "Excel导出" not in english


def test_anonymous_visitors_get_no_menu_but_the_language_form(client: Client) -> None:
    html = client.get("/accounts/login/").content.decode()
    assert '<ul class="navbar-nav me-auto">' not in html and "data-fpa-menu" not in html
    assert 'name="language"' in html.split("<footer", 1)[1]
    assert client.get("/families/").status_code == 302  # the list itself is refused
