"""Rights cases in headless Chromium on the demo (fpa/rights/demo.py), as the people do it: a
village officer receives a claim on a 375 px phone (nothing scrolls sideways); the township
follows it up and closes it; the figures page counts it and clicks through to it; the receipt
prints on A4 portrait with nothing cut; a sibling township cannot open the case.

The browser fixtures are tests/browser/conftest.py's (the served demo, Chromium)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, Server, login, print_to_pdf, sideways_overflow

pytestmark = pytest.mark.browser


def choose(page: Any, selector: str, text: str) -> None:
    """Select the first option whose text contains `text`."""
    value = page.eval_on_selector(
        selector, "(s, t) => [...s.options].find(o => o.text.includes(t))?.value ?? null", text
    )
    assert value, (selector, text)
    page.select_option(selector, value=value)


def test_receive_on_a_phone_follow_up_close_and_count(new_page: Any, app_server: Server) -> None:
    # 1. the village officer receives a claim on a phone
    phone, recorder = new_page({"width": 375, "height": 800})
    login(phone, app_server, "demo-village", "/rights/")
    phone.goto(app_server.url("/rights/"))
    assert sideways_overflow(phone) == []
    with phone.expect_navigation():
        phone.click("#receive-link")
    assert sideways_overflow(phone) == []
    choose(phone, "#id_kind", "医疗")
    choose(phone, "#id_channel", "来访")
    phone.fill("#id_person_name", "浏览器测试当事人")
    phone.fill("#id_phone", "13670009999")
    phone.fill("#id_claim", "（浏览器测试）住院费用报销咨询，请求帮助申请医疗救助。")
    with phone.expect_navigation():
        phone.locator("main form button[type=submit]").last.click()
    case_url = re.sub(r"^https?://[^/]+", "", phone.url)
    assert re.fullmatch(r"/rights/\d+/", case_url), phone.inner_text("main")[:500]
    number = phone.inner_text("h1").split()[1]
    assert phone.inner_text("#status").strip() == "受理"
    assert "浏览器测试当事人" not in phone.inner_text("main")  # masked
    assert sideways_overflow(phone) == []
    phone.screenshot(path=str(ARTIFACTS / "phone-rights-case.png"), full_page=True)
    assert recorder.console_errors == []

    # 2. the township follows it up and closes it
    town, _ = new_page({"width": 1366, "height": 900})
    login(town, app_server, "demo-township", case_url)
    town.goto(app_server.url(case_url))
    town.fill("#follow-up #id_note", "（浏览器测试）已联系镇卫生院，协助准备救助申请材料。")
    with town.expect_navigation():
        town.locator("#follow-up button[type=submit]").click()
    assert town.inner_text("#status").strip() == "办理中"
    assert "已联系镇卫生院" in town.inner_text("#steps")
    with town.expect_navigation():
        town.click("#close-link")
    town.fill("#id_result", "（浏览器测试）已申请医疗救助并获批。")
    asked: list[str] = []
    town.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    with town.expect_navigation():
        town.locator("main form button[type=submit]").last.click()
    assert town.inner_text("#status").strip() == "办结"
    assert asked and "确定办结吗" in asked[0]  # closing asked first and said what follows
    assert "已申请医疗救助并获批" in town.inner_text("#result")

    # 3. the figures page counts it, and its number clicks through to the case
    town.goto(app_server.url("/rights/figures/"))
    assert int(town.inner_text("#fig-closed")) >= 1
    with town.expect_navigation():
        town.click("#fig-closed")
    assert number in town.inner_text("#cases")

    # 4. the receipt prints on A4 portrait with nothing cut, without the claim
    town.goto(app_server.url(case_url + "receipt/"))
    assert "住院费用" not in town.inner_text("main")
    printout = print_to_pdf(town, save_as="rights-receipt.pdf")
    assert printout.orientation == "portrait" and printout.is_a4, printout.media_box
    assert printout.cut == []

    # 5. a sibling township cannot open it
    other, _ = new_page({"width": 1366, "height": 900})
    login(other, app_server, "demo-township2", "/rights/")
    response = other.goto(app_server.url(case_url))
    assert response is not None and response.status == 404


@pytest.mark.parametrize("width", [375, 1366])
def test_the_pages_fit_a_phone_and_a_desktop(new_page: Any, app_server: Server, width: int) -> None:
    page, recorder = new_page({"width": width, "height": 800})
    login(page, app_server, "demo-township", "/rights/")
    page.goto(app_server.url("/rights/?sort=deadline"))
    detail = page.locator("#cases tbody tr a").first.get_attribute("href")
    problems = []
    for path in ("/rights/", "/rights/?overdue=1", "/rights/figures/", "/rights/kinds/", detail):
        response = page.goto(app_server.url(path))
        assert response is not None and response.status == 200, path
        problems += [f"{width}px {path}: {issue}" for issue in sideways_overflow(page)]
    assert problems == []
    assert recorder.console_errors == []
