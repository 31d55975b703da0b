"""The activity pages in a real browser: at 375 px (a phone) and 1366 px nothing scrolls sideways,
the plan form and the folded steps included; the hold form's live total folds full-width digits;
the list and an activity's page print on A4 with nothing cut."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, Server, login, print_to_pdf, sideways_overflow

pytestmark = pytest.mark.browser


def _check(page: Any, server: Server, path: str) -> list[str]:
    response = page.goto(server.url(path))
    assert response is not None and response.status == 200, path
    page.wait_for_load_state("networkidle")
    problems = [f"{path}: {i}" for i in sideways_overflow(page)]
    page.evaluate("document.querySelectorAll('main details').forEach(d => d.open = true)")
    problems += [f"{path} (unfolded): {i}" for i in sideways_overflow(page)]
    return problems


@pytest.mark.parametrize("width", [375, 1366])
def test_activity_pages_fit(new_page: Any, app_server: Server, width: int) -> None:
    page, recorder = new_page({"width": width, "height": 800})
    login(page, app_server, "demo-township")
    problems = _check(page, app_server, "/activities/")
    links = page.eval_on_selector_all(
        "main table tbody tr a[href^='/activities/']", "els => els.map(e => e.getAttribute('href'))"
    )
    assert len(links) >= 6
    page.screenshot(path=str(ARTIFACTS / f"activities-list-{width}.png"), full_page=True)
    page.goto(app_server.url(links[0]))
    page.screenshot(path=str(ARTIFACTS / f"activity-detail-{width}.png"), full_page=True)
    for path in links[:10]:
        problems += _check(page, app_server, path)
    for path in ("/activities/new/", "/activities/highlights/", "/activities/?sort=participants"):
        problems += _check(page, app_server, path)
    assert problems == []
    assert recorder.console_errors == []


def test_live_total_and_print(new_page: Any, app_server: Server) -> None:
    page, recorder = new_page({"width": 375, "height": 800})
    login(page, app_server, "demo-township2")
    page.goto(app_server.url("/activities/?todo=hold"))
    href = page.locator("main table tbody tr a[href^='/activities/']").first.get_attribute("href")
    page.goto(app_server.url(href + "hold/"))
    page.fill("#id_members", "\uff11\uff12")  # full-width 12, as an input method types it
    page.fill("#id_youth", "8")
    assert page.inner_text("[data-fpa-participants-total]") == "20"
    assert recorder.console_errors == []
    page, _recorder = new_page({"width": 1280, "height": 800})
    login(page, app_server, "demo-township")
    page.goto(app_server.url("/activities/"))
    printout = print_to_pdf(page, "activities-list.pdf")
    assert printout.is_a4 and printout.cut == [], printout
    href = page.locator("main table tbody tr a[href^='/activities/']").first.get_attribute("href")
    page.goto(app_server.url(href))
    printout = print_to_pdf(page, "activity-detail.pdf")
    assert printout.is_a4 and printout.cut == [], printout
