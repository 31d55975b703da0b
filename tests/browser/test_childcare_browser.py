"""The childcare pages in headless Chromium on the demo (fpa/childcare/demo.py): at 375 px (a
phone) and 1366 px nothing scrolls sideways and every list is cards on the phone; the inspection
record and the institution's page print on A4 portrait with nothing cut.

The browser fixtures are tests/browser/conftest.py's (the served demo, Chromium)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, Server, login, print_to_pdf, sideways_overflow

pytestmark = pytest.mark.browser

PAGES = {
    "demo-county": ["/childcare/", "/childcare/problems/", "/childcare/checklist/"],
    "demo-township": [
        "/childcare/",
        "/childcare/?sort=capacity",
        "/childcare/problems/?state=overdue",
        "/childcare/new/",
    ],
    "demo-village": ["/childcare/"],
}


def _detail_and_record(page: Any, server: Server) -> tuple[str, str]:
    """The first institution with an inspection: its page and its inspection record."""
    page.goto(server.url("/childcare/?sort=name"))
    href = page.locator("#institutions tbody tr a").first.get_attribute("href")
    page.goto(server.url(href))
    record = page.locator("#inspections tbody a").first.get_attribute("href")
    return href, record


@pytest.mark.parametrize("width", [375, 1366])
@pytest.mark.parametrize("persona", sorted(PAGES))
def test_the_pages_fit_a_phone_and_a_desktop(
    new_page: Any,
    app_server: Server,
    persona: str,
    width: int,
) -> None:
    page, recorder = new_page(viewport={"width": width, "height": 800})
    login(page, app_server, persona)
    paths = list(PAGES[persona])
    if persona != "demo-village":
        paths += list(_detail_and_record(page, app_server))
        paths.append(paths[-2] + "inspect/")
    problems = []
    for path in paths:
        response = page.goto(app_server.url(path))
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
        page.evaluate("document.querySelectorAll('main details').forEach(d => d.open = true)")
        problems += [f"{width}px {path}: {issue}" for issue in sideways_overflow(page)]
    assert problems == []
    assert recorder.console_errors == []


def test_the_list_is_cards_on_a_phone(new_page: Any, app_server: Server) -> None:
    page, _ = new_page(viewport={"width": 375, "height": 800})
    login(page, app_server, "demo-township", "/childcare/")
    assert page.locator("#institutions thead").is_hidden()
    row = page.locator("#institutions tbody tr").first
    assert row.evaluate("r => getComputedStyle(r).display") == "block"
    labels = row.locator("td").evaluate_all("cells => cells.map(c => c.dataset.label)")
    assert "托位数" in labels and "状态" in labels, labels
    assert page.locator("#fig-capacity").inner_text().strip().isdigit()
    page.screenshot(path=str(ARTIFACTS / "phone-childcare-cards.png"), full_page=True)
    detail, _record = _detail_and_record(page, app_server)
    page.goto(app_server.url(detail + "inspect/"))
    page.screenshot(path=str(ARTIFACTS / "phone-childcare-inspect.png"), full_page=True)


def test_the_inspection_record_and_the_institution_print_on_a4(
    new_page: Any,
    app_server: Server,
) -> None:
    page, _ = new_page()
    login(page, app_server, "demo-township")
    detail, record = _detail_and_record(page, app_server)
    for path, name in ((record, "childcare-inspection.pdf"), (detail, "childcare-detail.pdf")):
        page.goto(app_server.url(path))
        printout = print_to_pdf(page, save_as=name)
        assert printout.orientation == "portrait" and printout.is_a4, printout.media_box
        assert printout.cut == [], (path, printout.cut)
        assert printout.pages >= 1
    page.goto(app_server.url(record))
    page.emulate_media(media="print")
    try:
        assert page.locator(".fpa-signatures").is_visible()  # signature lines on paper only
        assert page.locator("form").filter(has_text="登记问题").count() == 0 or (
            page.locator("form.no-print").first.is_hidden()
        )
    finally:
        page.emulate_media(media="screen")
