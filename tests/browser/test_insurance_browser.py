"""Insurance in headless Chromium on the demo (fpa/insurance/demo.py): the county enrols every
special-family parent of the county by rule (preview, confirm, the background job) and the
coverage page's insured count moves; a village worker reports a claim for an insured parent and
the family's care log shows 保险理赔. The pages fit a phone (375 px) with nothing scrolling
sideways.

The browser fixtures are tests/browser/conftest.py's (the served demo, Chromium)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import Server, login, sideways_overflow

pytestmark = pytest.mark.browser


def insured_total(page: Any, server: Server) -> int:
    """The 保险 cell of the 合计 row of the county's coverage page."""
    page.goto(server.url("/families/coverage/"))
    total = page.locator("table tfoot tr").first
    assert total.locator("td").first.inner_text() == "合计"
    return int(total.locator("td").nth(5).locator("a").first.inner_text())


def first_year(page: Any, server: Server) -> str:
    page.goto(server.url("/insurance/"))
    return str(page.locator(".product table tbody a").first.get_attribute("href"))


def test_county_enrols_by_rule_and_the_coverage_moves(new_page: Any, app_server: Server) -> None:
    page, recorder = new_page()
    login(page, app_server, "demo-county", "/families/coverage/")
    before = insured_total(page, app_server)
    year = first_year(page, app_server)
    page.goto(app_server.url(year + "rule/"))
    page.select_option("#id_source", "parents")
    page.click("#preview-button")
    added = int(page.locator("#count-added").inner_text())
    assert added > 0
    page.click("#confirm-button")
    page.wait_for_url(re.compile(r".*/jobs/\d+/"))
    page.wait_for_selector("text=已完成", timeout=60_000)
    after = insured_total(page, app_server)
    assert after > before
    # The same rule again adds nobody.
    page.goto(app_server.url(year + "rule/?source=parents&active_only=on"))
    assert int(page.locator("#count-added").inner_text()) == 0
    assert recorder.console_errors == []


def test_village_reports_a_claim_and_the_care_log_shows_it(
    new_page: Any, app_server: Server
) -> None:
    page, recorder = new_page(viewport={"width": 375, "height": 800})
    login(page, app_server, "demo-village", "/insurance/")
    year = first_year(page, app_server)
    page.goto(app_server.url(year + "?status=enrolled"))
    assert sideways_overflow(page) == []
    page.locator("#roster tbody a").first.click()
    page.wait_for_selector("#report-claim")
    page.click("#report-claim")
    page.select_option("#id_kind", "hospital")
    page.fill("#id_description", "（浏览器测试）住院治疗")
    page.click("form[novalidate] button[type=submit]")
    page.wait_for_url(re.compile(r".*/insurance/claims/\d+/"))
    assert "已报案" in page.locator("#status").inner_text()
    assert sideways_overflow(page) == []
    page.click("text=已记入家庭关怀记录（保险理赔）")
    page.wait_for_url(re.compile(r".*/families/\d+/"))
    assert page.locator("text=保险理赔").count() >= 1
    assert recorder.console_errors == []


def test_the_county_pages_fit_a_phone(new_page: Any, app_server: Server) -> None:
    page, recorder = new_page(viewport={"width": 375, "height": 800})
    login(page, app_server, "demo-county", "/insurance/")
    year = first_year(page, app_server)
    problems = []
    for path in (
        "/insurance/",
        year,
        year + "rule/?source=parents&active_only=on&sex=F&age_min=48",
        "/insurance/claims/?state=all",
        "/insurance/claims/?state=overdue",
    ):
        response = page.goto(app_server.url(path))
        assert response is not None and response.status == 200, path
        problems += [f"{path}: {issue}" for issue in sideways_overflow(page)]
    assert problems == []
    assert page.locator("#claims tbody tr").count() >= 1  # the demo's overdue claim
    assert recorder.console_errors == []
