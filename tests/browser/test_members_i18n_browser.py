"""The member pages and the public volunteer application form in English on a phone (375 px):
screenshots in test-artifacts/, and no sideways scrolling from the longer English strings."""

from __future__ import annotations

import re

from tests.browser.conftest import ARTIFACTS, login

PHONE = {"width": 375, "height": 812}
CJK = re.compile(r"[\u4e00-\u9fff]")


def no_horizontal_scroll(page, width: int) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_member_pages_in_english_on_a_phone(new_page, app_server):
    page, _ = new_page(viewport=PHONE)
    login(page, app_server, "demo-township", next_path="/members/")
    assert page.locator("h1").inner_text() == "会员"  # Chinese is the default
    with page.expect_navigation():
        page.select_option("footer select[name=language]", "en")
    assert page.locator("h1").inner_text() == "Members"
    page.screenshot(path=str(ARTIFACTS / "members-list-en-phone.png"), full_page=True)
    assert no_horizontal_scroll(page, PHONE["width"])
    with page.expect_navigation():
        page.locator("#rows table tbody a").first.click()
    assert page.get_by_text("Member card number").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "members-detail-en-phone.png"), full_page=True)
    assert no_horizontal_scroll(page, PHONE["width"])
    page.goto(app_server.url("/members/composition/"))
    assert page.locator("h1").inner_text().startswith("Congress and council composition")
    page.screenshot(path=str(ARTIFACTS / "members-composition-en-phone.png"), full_page=True)
    assert no_horizontal_scroll(page, PHONE["width"])


def test_volunteer_application_form_in_english_on_a_phone(new_page, app_server):
    page, _ = new_page(viewport=PHONE)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": app_server.origin}])
    page.goto(app_server.url("/volunteers/apply/"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Volunteer application"
    with page.expect_navigation():
        page.get_by_role("button", name="Submit application").click()
    errors = " ".join(page.locator(".invalid-feedback").all_inner_texts())
    assert "This field is required." in errors and not CJK.search(errors)
    page.screenshot(path=str(ARTIFACTS / "volunteers-apply-en-phone.png"), full_page=True)
    assert no_horizontal_scroll(page, PHONE["width"])
