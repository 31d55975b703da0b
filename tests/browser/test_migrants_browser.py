"""The migrant pages in headless Chromium on the demo (fpa/migrants/demo.py): at 375 px (a phone)
and 1366 px nothing scrolls sideways; a village officer registers a migrant on a phone and finds
them in the list.

The browser fixtures are tests/browser/conftest.py's (the served demo, Chromium)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from fpa.core.idnumbers import synthesize
from tests.browser.conftest import ARTIFACTS, Server, login, sideways_overflow

pytestmark = pytest.mark.browser

PAGES = [
    "/migrants/",
    "/migrants/?direction=inflow&sort=arrival",
    "/migrants/new/",
    "/migrants/counts/",
    "/migrants/enterprises/",
]


@pytest.mark.parametrize("width", [375, 1366])
def test_the_pages_fit_a_phone_and_a_desktop(new_page: Any, app_server: Server, width: int):
    page, recorder = new_page(viewport={"width": width, "height": 800})
    login(page, app_server, "demo-township")
    paths = list(PAGES)
    page.goto(app_server.url("/migrants/"))
    paths.append(page.locator("#migrants tbody tr a").first.get_attribute("href"))
    page.goto(app_server.url("/migrants/enterprises/?demonstration=1"))
    paths.append(page.locator("#enterprises tbody tr a").first.get_attribute("href"))
    problems = []
    for path in paths:
        response = page.goto(app_server.url(path))
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
        page.evaluate("document.querySelectorAll('main details').forEach(d => d.open = true)")
        problems += [f"{width}px {path}: {issue}" for issue in sideways_overflow(page)]
    assert problems == []
    assert recorder.console_errors == []


def test_a_village_officer_registers_a_migrant_on_a_phone(new_page: Any, app_server: Server):
    page, recorder = new_page(viewport={"width": 375, "height": 800})
    login(page, app_server, "demo-village", "/migrants/")
    before = page.locator("#migrants tbody tr a").count()
    page.click("#new-migrant")
    page.wait_for_url("**/migrants/new/")
    page.select_option("#id_direction", "inflow")
    page.fill("#id_name", "浏览器测试流入人员")
    page.fill("#id_id_number", synthesize("510104", datetime.date(1990, 4, 5), 77))
    page.fill("#id_phone", "13600007777")
    page.fill("#id_origin_code", "510104")
    page.fill("#id_workplace", "大庄村某合作社")
    page.screenshot(path=str(ARTIFACTS / "phone-migrant-new.png"), full_page=True)
    page.click("main form[method=post] button.btn-primary")
    page.wait_for_url("**/migrants/*/")
    assert "四川省" in page.locator("main").inner_text()
    assert "浏览器测试流入人员" not in page.content()  # the name masked
    detail = page.url.removeprefix(app_server.url(""))
    page.goto(app_server.url("/migrants/"))
    links = page.locator("#migrants tbody tr a")
    assert links.count() == before + 1
    hrefs = links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert any(detail.endswith(h.lstrip("/")) for h in hrefs), (detail, hrefs)
    assert sideways_overflow(page) == []
    assert recorder.console_errors == []
