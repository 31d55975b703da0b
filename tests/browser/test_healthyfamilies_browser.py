"""The healthy-family pages in a real browser (the demo served by gunicorn, Debian's chromium): at
375 px (a phone) and 1366 px nothing scrolls sideways and the list's rows are cards on the
phone; the printed award list and the public list fit A4 portrait."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tests.browser.conftest import Server, login, print_to_pdf, sideways_overflow

pytestmark = pytest.mark.browser
THIS_YEAR = timezone.localdate().year
LAST_YEAR = THIS_YEAR - 1


def fits(page: Any, server: Server, path: str) -> list[str]:
    response = page.goto(server.url(path))
    assert response is not None and response.status == 200, (path, response and response.status)
    page.wait_for_load_state("networkidle")
    page.evaluate("document.querySelectorAll('main details').forEach(d => d.open = true)")
    return [f"{path}: {issue}" for issue in sideways_overflow(page)]


@pytest.mark.parametrize("width", [375, 1366])
def test_staff_pages_fit_a_phone_and_a_desktop(
    new_page: Any,
    app_server: Server,
    width: int,
) -> None:
    page, _ = new_page(viewport={"width": width, "height": 800})
    login(page, app_server, "demo-township", "/healthy-families/")
    first = page.locator("main table tbody tr a[href^='/healthy-families/']").first
    detail = first.get_attribute("href")
    assert detail
    problems: list[str] = []
    for path in (
        "/healthy-families/",
        "/healthy-families/?year=&status=nominated",
        detail,
        "/healthy-families/new/",
        f"/healthy-families/counts/?year={LAST_YEAR}",
        f"/healthy-families/awards/?year={LAST_YEAR}",
    ):
        problems += fits(page, app_server, path)
    assert problems == []
    if width == 375:
        page.goto(app_server.url("/healthy-families/?year="))
        row = page.locator("main table.table tbody tr").first
        assert row.evaluate("r => getComputedStyle(r).display") == "block"


@pytest.mark.parametrize("width", [375, 1366])
def test_public_pages_fit(new_page: Any, app_server: Server, width: int) -> None:
    page, _ = new_page(viewport={"width": width, "height": 800})
    problems = fits(page, app_server, "/healthy-families/public/")
    problems += fits(page, app_server, f"/healthy-families/public/622923/{LAST_YEAR}/")
    assert problems == []
    assert page.locator("#public-entries tbody tr").count() == 4


def test_the_award_list_and_the_public_list_print_on_a4(
    new_page: Any,
    app_server: Server,
) -> None:
    page, _ = new_page()
    login(page, app_server, "demo-county", f"/healthy-families/awards/?year={LAST_YEAR}")
    assert page.locator("#award-list tbody tr").count() == 4
    printout = print_to_pdf(page, save_as="healthy-families-awards.pdf")
    assert printout.orientation == "portrait" and printout.is_a4 and printout.cut == []
    assert printout.pages == 1
    page.goto(app_server.url(f"/healthy-families/public/622923/{LAST_YEAR}/"))
    printout = print_to_pdf(page, save_as="healthy-families-public.pdf")
    assert printout.is_a4 and printout.cut == [] and printout.pages == 1
