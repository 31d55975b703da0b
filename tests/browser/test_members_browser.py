"""End to end in headless Chromium: 大庄村's officer records an application, 刘家峡镇 approves
it and the card number shows, 刘家峡镇 asks 盐锅峡镇's 上泉村 to take the member, and 盐锅峡镇
(another township) sees only the request's fields, accepts, and the member has a new card there.

The server is the real app (gunicorn, WhiteNoise, demo data); see conftest.py. Screenshots go to
test-artifacts/ (gitignored).
"""

from __future__ import annotations

import datetime
import re

import pytest

from fpa.core.idnumbers import synthesize
from tests.browser.conftest import ARTIFACTS, login

pytestmark = pytest.mark.browser

DAZHUANG = "622923100201"
SHANGQUAN = "622923101201"
NAME = "马会员"
ID_NUMBER = synthesize("622923", datetime.date(1979, 3, 8), 2 * 417)
ADDRESS = "大庄村七社8号"
PHONE = {"width": 375, "height": 812}


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_apply_approve_card_then_transfer_accepted_by_another_township(new_page, app_server):
    # The village officer records the application, first with a mistyped ID number.
    page, _ = new_page()
    login(page, app_server, "demo-village", next_path="/members/apply/")
    assert page.locator("h1").inner_text() == "入会申请"
    options = page.locator("#id_association option").all_inner_texts()
    page.select_option("#id_association", label=next(o for o in options if "大庄村" in o))
    page.select_option("#id_kind", "individual")
    page.fill("#id_name", NAME)
    page.fill("#id_id_number", ID_NUMBER[:17] + ("0" if ID_NUMBER[17] != "0" else "1"))
    page.fill("#id_phone", "13900005555")
    page.fill("#id_address", ADDRESS)
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    field = page.locator("#id_id_number")
    assert "is-invalid" in (field.get_attribute("class") or "")
    assert "校验位" in page.locator("main").inner_text()
    field.fill(ID_NUMBER)
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    match = re.fullmatch(re.escape(app_server.url("/members/")) + r"(\d+)/", page.url)
    assert match, page.url
    member_path = f"/members/{match.group(1)}/"
    assert page.locator("#member-status").inner_text() == "待审批"
    assert ID_NUMBER not in page.content()
    shot(page, "members-01-applied")

    # The township (the village's parent) records the council's approval: a card number shows.
    township, _ = new_page()
    login(township, app_server, "demo-township", next_path="/members/pending/")
    row = township.locator("tr", has_text=NAME)
    # Approving cannot be taken back: the page asks first, and a "no" sends nothing.
    asked: list[str] = []

    def answer(dialog, accept: bool) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    # the council's meeting (today, prefilled) and its resolution number are required
    resolution = "刘计协理〔2026〕3号"  # noqa: RUF001 (the official bracket of a document number)
    row.locator("input[name=council_resolution]").fill(resolution)
    township.once("dialog", lambda dialog: answer(dialog, False))
    row.get_by_role("button", name="批准").click()
    township.wait_for_timeout(300)
    assert township.url == app_server.url("/members/pending/")
    assert "编发会员证号" in asked[0]
    township.once("dialog", lambda dialog: answer(dialog, True))
    with township.expect_navigation():
        row.get_by_role("button", name="批准").click()
    assert len(asked) == 2
    assert township.url == app_server.url(member_path)
    card = township.locator("#card-number").inner_text()
    assert re.fullmatch(rf"{DAZHUANG}-\d{{5}}", card), card
    assert f"会员证号 {card}" in township.locator("main").inner_text()
    assert township.locator("#member-status").inner_text() == "在册"
    shot(township, "members-02-approved")

    # The township asks 上泉村 (盐锅峡镇) to take the member.
    with township.expect_navigation():
        township.get_by_role("link", name="转会").click()
    township.fill("#id_to_code", SHANGQUAN)
    township.fill("#id_reason", "随子女迁居上泉村")
    with township.expect_navigation():
        township.get_by_role("button", name="保存").click()
    transfer_path = township.url.removeprefix(app_server.origin)
    assert re.fullmatch(r"/members/transfers/\d+/", transfer_path), transfer_path
    assert township.locator("#transfer-status").inner_text() == "待接收"

    # 盐锅峡镇 sees the incoming request with the needed fields only, not the member's record.
    other, _ = new_page(viewport=PHONE)
    login(other, app_server, "demo-township2", next_path="/members/transfers/")
    with other.expect_navigation():
        other.get_by_role("link", name=NAME).first.click()
    assert other.url == app_server.url(transfer_path)
    text = other.locator("main").inner_text()
    assert NAME in text and "随子女迁居上泉村" in text
    assert ADDRESS not in other.content() and "5555" not in other.content()
    assert other.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    shot(other, "members-03-incoming-phone")
    response = other.goto(app_server.url(member_path))
    assert response.status == 404
    other.goto(app_server.url(transfer_path))
    other.once("dialog", lambda dialog: dialog.accept())  # accepting cannot be undone
    with other.expect_navigation():
        other.get_by_role("button", name="接收").click()
    new_card = other.locator("#card-number").inner_text()
    assert re.fullmatch(rf"{SHANGQUAN}-\d{{5}}", new_card), new_card
    assert other.locator("#member-status").inner_text() == "在册"
    shot(other, "members-04-accepted-phone")

    # Back in 刘家峡镇 the old membership shows as transferred, with its history.
    township.goto(app_server.url(member_path))
    assert township.locator("#member-status").inner_text() == "已转出"
    assert "转会至" in township.locator("main").inner_text()


def test_counts_and_composition_pages_on_a_phone(new_page, app_server):
    page, _ = new_page(viewport=PHONE)
    login(page, app_server, "demo-township", next_path="/members/counts/")
    assert page.locator("h1").inner_text() == "会员统计：刘家峡镇计生协"
    total = int(page.locator("#counts tfoot td[data-total]").inner_text())
    assert total >= 20  # the demo members of 刘家峡镇
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "members-05-counts-phone")
    page.goto(app_server.url("/members/composition/?year=2025"))
    text = page.locator("main").inner_text()
    assert "理事会理事（2025年末，括号内为2024年末）" in text
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "members-06-composition-phone")
    page.fill("#id_year", "\uff13\uff10\uff12\uff15")
    with page.expect_navigation():
        page.get_by_role("button", name="查看").click()
    assert "年份应为四位数字" in page.locator("main").inner_text()
