"""End to end in headless Chromium, on a phone: 刘家峡镇 offers one of its migrants' records to
盐锅峡镇's 上铨村 (the person moved there), 盐锅峡镇 reads only the masked summary and declines
with a reason, 刘家峡镇 reads the reason and offers again, 盐锅峡镇 accepts and holds the record;
刘家峡镇 no longer opens it but still reads the outcome (fpa.core.transfers, migrants' kind).

The server is the real app (gunicorn, WhiteNoise, demo data); see conftest.py.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ARTIFACTS, login, sideways_overflow

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
RECEIVER = "上铨村"


def offer(page, app_server, migrant_path: str, reason: str) -> str:
    page.goto(app_server.url(migrant_path))
    with page.expect_navigation():
        page.locator("#migrant-transfer").click()
    assert page.locator("h1").inner_text().startswith("移交：")
    options = page.locator("#id_to_association option").all_inner_texts()
    page.select_option("#id_to_association", label=next(o for o in options if RECEIVER in o))
    page.fill("#id_reason", reason)
    assert sideways_overflow(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name="发出移交申请").click()
    transfer_path = page.url.removeprefix(app_server.origin)
    assert re.fullmatch(r"/migrants/transfers/\d+/", transfer_path), transfer_path
    assert page.locator("#transfer-status").inner_text() == "待接收"
    return transfer_path


def test_a_migrant_offered_declined_then_accepted(new_page, app_server):
    township, _ = new_page(viewport=PHONE)
    login(township, app_server, "demo-township", next_path="/migrants/")
    links = township.eval_on_selector_all(
        "main a[href^='/migrants/']", "links => links.map(a => a.getAttribute('href'))"
    )
    migrant_path = next(h for h in links if re.fullmatch(r"/migrants/\d+/", h))
    first = offer(township, app_server, migrant_path, "到上铨村务工居住")

    # 盐锅峡镇 sees it waiting on its to-do, reads the masked summary, and declines.
    other, _ = new_page(viewport=PHONE)
    login(other, app_server, "demo-township2", next_path="/")
    with other.expect_navigation():
        other.locator("[data-todo='migrants.transfers_incoming'] a").click()
    assert other.url.startswith(app_server.url("/migrants/transfers/"))
    other.goto(app_server.url(first))
    text = other.locator("main").inner_text()
    assert "到上铨村务工居住" in text and "*" in text  # the name is masked
    assert sideways_overflow(other) == []
    assert other.goto(app_server.url(migrant_path)).status == 404  # not its record yet
    other.goto(app_server.url(first))
    other.fill("#id_reason", "本人尚未到本村居住")
    other.once("dialog", lambda dialog: dialog.accept())
    with other.expect_navigation():
        other.get_by_role("button", name="拒绝").click()
    assert other.locator("#transfer-status").inner_text() == "已拒绝"

    # 刘家峡镇 reads the reason on the record's page (still its own) and offers again.
    township.goto(app_server.url(migrant_path))
    assert "本人尚未到本村居住" in township.locator("#transfers").inner_text()
    second = offer(township, app_server, migrant_path, "已到上铨村居住")

    # 盐锅峡镇 accepts: the record's page opens, now registered in 上铨村.
    other.goto(app_server.url(second))
    other.once("dialog", lambda dialog: dialog.accept())  # accepting cannot be undone
    with other.expect_navigation():
        other.get_by_role("button", name="接收").click()
    assert other.url == app_server.url(migrant_path)
    assert RECEIVER in other.locator("main").inner_text()
    assert sideways_overflow(other) == []
    other.screenshot(path=str(ARTIFACTS / "migrants-transfer-accepted-phone.png"), full_page=True)

    # 刘家峡镇 no longer opens the record, but reads the outcome.
    assert township.goto(app_server.url(migrant_path)).status == 404
    township.goto(app_server.url(second))
    assert township.locator("#transfer-status").inner_text() == "已接收"
