"""The special-families pages in English on a phone, as a township officer switches the language
in the footer: the family page and the import page with a dry-run report, screenshots in
test-artifacts/, and no sideways scrolling from the longer English strings."""

from __future__ import annotations

import re

from tests.browser.conftest import ARTIFACTS, login

PHONE = {"width": 375, "height": 812}
CJK = re.compile(r"[\u4e00-\u9fff]")


def no_horizontal_scroll(page, width: int) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_family_and_import_pages_in_english_on_a_phone(new_page, app_server, tmp_path):
    page, _ = new_page(viewport=PHONE)
    login(page, app_server, "demo-township", next_path="/families/")
    assert page.locator("h1").inner_text() == "计生特殊家庭"  # Chinese is the default
    with page.expect_navigation():
        page.select_option("footer select[name=language]", "en")
    assert page.locator("h1").inner_text() == "Special families"
    assert page.locator("html").get_attribute("lang") == "en"

    with page.expect_navigation():
        page.locator("#rows table tbody a").first.click()
    assert page.locator("h1").inner_text().startswith("Family of ")
    for heading in ("Family members", "Special-assistance payment", "Contact persons", "Support"):
        assert page.get_by_role("heading", name=heading).count() == 1, heading
    page.screenshot(path=str(ARTIFACTS / "families-detail-en-phone.png"), full_page=True)
    assert no_horizontal_scroll(page, PHONE["width"])

    page.goto(app_server.url("/families/import/"))
    assert page.locator("h1").inner_text() == "Import special families"
    bad = tmp_path / "families.xlsx"
    bad.write_bytes(b"this is not a workbook")
    page.set_input_files("input[name=file]", str(bad))
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and check").click()
    report = page.locator(".alert-danger").inner_text()
    assert "nothing was written" in report
    assert "not an Excel workbook" in report
    assert not CJK.search(report)
    assert no_horizontal_scroll(page, PHONE["width"])
    page.screenshot(path=str(ARTIFACTS / "families-import-en-phone.png"), full_page=True)
