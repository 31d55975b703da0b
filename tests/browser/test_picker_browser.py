"""The association picker in the browser: the township cascade and the pinyin search narrow a
long list (app.js, fpa/organizations/pickers.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, Server, login

pytestmark = pytest.mark.browser

LIUJIAXIA_PATH = "/62/6229/622923/622923100/"
YANGUOXIA_PATH = "/62/6229/622923/622923101/"
VISIBLE = "sel => Array.from(sel.options).filter(o => !o.hidden && o.dataset.path).map(o => o.dataset.path)"


def test_the_cascade_and_the_search_narrow_the_county_list(
    new_page: Any, app_server: Server
) -> None:
    page, _ = new_page(viewport={"width": 375, "height": 800})
    login(page, app_server, "demo-county", "/families/")
    reloads: list[str] = []
    page.on("request", lambda r: reloads.append(r.url) if "/families/?" in r.url else None)
    select = page.locator("select[name=code]")
    everything = select.evaluate(VISIBLE)
    assert len(everything) > 100
    tools = page.locator(".fpa-picker-tools")
    # the cascade: a township keeps its own units only
    tools.locator("select").select_option(YANGUOXIA_PATH)
    kept = select.evaluate(VISIBLE)
    assert kept and all(path.startswith(YANGUOXIA_PATH) for path in kept)
    assert len(kept) < len(everything)
    # back to all townships, then the pinyin initials of 刘家峡镇
    tools.locator("select").select_option("")
    tools.locator("input[type=search]").fill("ljxz")
    found = select.evaluate(VISIBLE)
    assert found and all(path.startswith(LIUJIAXIA_PATH) for path in found)
    page.screenshot(path=str(ARTIFACTS / "picker-search-phone.png"))
    # a single match is chosen, and the filter submits it
    tools.locator("input[type=search]").fill("ljxz dzc")
    assert select.evaluate(VISIBLE) == [LIUJIAXIA_PATH + "622923100201/"]
    assert select.input_value() == "622923100201"
    page.locator("main form button[type=submit]").first.click()
    # the filter form is htmx: the list and the address change without a page load
    page.wait_for_url("**code=622923100201**")
    # the cascade and the search box never reloaded the list by themselves: only the chosen unit
    assert reloads and all("code=622923100201" in url for url in reloads)


def test_a_township_user_is_not_offered_other_townships(new_page: Any, app_server: Server) -> None:
    page, _ = new_page()
    login(page, app_server, "demo-township", "/families/")
    paths = page.locator("select[name=code]").evaluate(VISIBLE)
    assert paths and all(path.startswith(LIUJIAXIA_PATH) for path in paths)
