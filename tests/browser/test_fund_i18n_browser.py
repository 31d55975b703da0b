"""The care fund in English on a phone: the public fund home (anyone, not signed in) and the
printable receipt (finance), screenshots in test-artifacts/, no sideways scrolling from the longer
English strings, and the amount in Chinese capitals kept on the English receipt."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ARTIFACTS, login

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
CAPITALS = re.compile(r"[零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整]+")


def no_horizontal_scroll(page, width: int) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth") <= width


def english(page) -> None:
    with page.expect_navigation():
        page.select_option("footer select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"


def test_public_fund_home_in_english_on_a_phone(new_page, app_server):
    page, _ = new_page(viewport=PHONE)
    page.goto(app_server.url("/fund/public/"))
    assert "信息公开" in page.inner_text("h1")  # Chinese is the default
    english(page)
    assert "Public disclosure" in page.inner_text("h1")
    main = page.inner_text("main")
    for phrase in ("Current balance", "Last 12 months by month (yuan)", "Check the ledger"):
        assert phrase in main, phrase
    page.wait_for_function("() => document.querySelector('#fund-chart canvas') !== null")
    page.screenshot(path=str(ARTIFACTS / "fund-public-home-en-phone.png"), full_page=True)
    assert no_horizontal_scroll(page, PHONE["width"])
    page.get_by_role("link", name="Donations").click()
    page.wait_for_load_state()
    # on a phone each donation is a card: the column's name labels each row's cell
    labels = page.locator("main table tbody td").evaluate_all(
        "cells => cells.map(c => c.dataset.label)"
    )
    assert "Receipt number" in labels, labels
    assert no_horizontal_scroll(page, PHONE["width"])


def test_receipt_in_english_on_a_phone(new_page, app_server):
    page, _ = new_page(viewport=PHONE)
    login(page, app_server, "demo-finance", "/fund/donations/")
    english(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Receipt").first.click()
    assert "/receipt/" in page.url
    main = page.inner_text("main")
    assert "donation receipt" in main and "How to verify" in main
    row = page.locator("tr", has_text="Amount in words (Chinese capitals)")
    assert CAPITALS.search(row.inner_text()), row.inner_text()  # the legal form stays Chinese
    page.screenshot(path=str(ARTIFACTS / "fund-receipt-en-phone.png"), full_page=True)
    assert no_horizontal_scroll(page, PHONE["width"])
