"""End to end in headless Chromium, on a phone: 刘家峡镇 offers one of its special families to
盐锅峡镇's 上铨村 (the family moves house), 盐锅峡镇 reads only the summary and declines with a
reason, 刘家峡镇 sees the reason and offers again, 盐锅峡镇 accepts and holds the family; 刘家峡镇
no longer opens it but still reads the outcome.

The server is the real app (gunicorn, WhiteNoise, demo data); see conftest.py. Screenshots go to
test-artifacts/ (gitignored).
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ARTIFACTS, login, sideways_overflow

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
RECEIVER = "上铨村"
NEW_ADDRESS = "上铨村四社9号"


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def offer(page, app_server, family_path: str, reason: str) -> str:
    page.goto(app_server.url(family_path))
    with page.expect_navigation():
        page.locator("#family-transfer").click()
    assert page.locator("h1").inner_text().startswith("移交：")
    options = page.locator("#id_to_association option").all_inner_texts()
    page.select_option("#id_to_association", label=next(o for o in options if RECEIVER in o))
    page.fill("#id_reason", reason)
    page.fill("#id_to_address", NEW_ADDRESS)
    assert sideways_overflow(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name="发出移交申请").click()
    transfer_path = page.url.removeprefix(app_server.origin)
    assert re.fullmatch(r"/families/transfers/\d+/", transfer_path), transfer_path
    assert page.locator("#transfer-status").inner_text() == "待接收"
    return transfer_path


def test_offer_declined_then_offered_again_and_accepted(new_page, app_server):
    # 刘家峡镇 opens one of its families on a phone and offers it to 上铨村 (another township).
    township, _ = new_page(viewport=PHONE)
    login(township, app_server, "demo-township", next_path="/families/")
    links = township.eval_on_selector_all(
        "main a[href^='/families/']", "links => links.map(a => a.getAttribute('href'))"
    )
    family_path = next(h for h in links if re.fullmatch(r"/families/\d+/", h))
    township.goto(app_server.url(family_path))
    head = township.locator("h1").inner_text().split(" 家庭")[0].strip()
    first = offer(township, app_server, family_path, "搬迁到上铨村居住")
    shot(township, "transfers-01-offered-phone")

    # 盐锅峡镇 sees it waiting, reads the summary only, and declines with a reason.
    other, _ = new_page(viewport=PHONE)
    login(other, app_server, "demo-township2", next_path="/families/transfers/")
    with other.expect_navigation():
        other.get_by_role("link", name=head).first.click()
    assert other.url == app_server.url(first)
    text = other.locator("main").inner_text()
    assert head in text and NEW_ADDRESS in text and "搬迁到上铨村居住" in text
    assert sideways_overflow(other) == []
    assert other.goto(app_server.url(family_path)).status == 404  # not its family yet
    other.goto(app_server.url(first))
    other.fill("#id_reason", "户籍尚未迁入本村")
    other.once("dialog", lambda dialog: dialog.accept())
    with other.expect_navigation():
        other.get_by_role("button", name="拒绝").click()
    assert other.locator("#transfer-status").inner_text() == "已拒绝"
    shot(other, "transfers-02-declined-phone")

    # 刘家峡镇 reads the reason (the family is still its own) and offers again.
    township.goto(app_server.url(first))
    assert township.locator("#transfer-refusal").inner_text() == "户籍尚未迁入本村"
    township.goto(app_server.url(family_path))
    assert "户籍尚未迁入本村" in township.locator("#transfers").inner_text()
    second = offer(township, app_server, family_path, "户籍已迁入上铨村")

    # 盐锅峡镇 accepts: the family's page opens, now in 上铨村, with the new address.
    other.goto(app_server.url(second))
    other.once("dialog", lambda dialog: dialog.accept())  # accepting cannot be undone
    with other.expect_navigation():
        other.get_by_role("button", name="接收").click()
    assert other.url == app_server.url(family_path)
    main = other.locator("main").inner_text()
    assert "已接收" in main and RECEIVER in main and NEW_ADDRESS in main
    assert sideways_overflow(other) == []
    shot(other, "transfers-03-accepted-phone")

    # 刘家峡镇 no longer opens the family, but reads the outcome.
    assert township.goto(app_server.url(family_path)).status == 404
    township.goto(app_server.url(second))
    assert township.locator("#transfer-status").inner_text() == "已接收"
    shot(township, "transfers-04-outcome-phone")
