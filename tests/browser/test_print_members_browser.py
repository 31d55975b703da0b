"""Printing the member card and the volunteer certificate on A4, each printed to PDF by Chromium
(page size and count read from the PDF, nothing past the printable width), with the QR code that
opens its public check; and the online member application end to end: a citizen applies on a
phone (375 px), 刘家峡镇 approves it with the council meeting date and the resolution number, and
the citizen's status page says approved.

The server is the real app (gunicorn, WhiteNoise, demo data); see conftest.py."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone

from fpa.core.idnumbers import synthesize
from fpa.core.qr import qr_data_uri
from tests.browser.conftest import ARTIFACTS, Server, login, print_to_pdf, sideways_overflow

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
NAME = "网申会员甲"
ID_NUMBER = synthesize("622923", datetime.date(1988, 6, 15), 2 * 321)
DOCUMENT = "刘计协理〔2026〕12号"  # noqa: RUF001 (the brackets of a document number)


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _qr_opens(page: Any, server: Server, selector: str) -> str:
    """The check path the QR code of `selector` stands for, after checking that the image is
    exactly the QR code of this server's absolute URL of that path (the same text draws the
    same code), and that the path answers."""
    image = page.locator(selector)
    assert image.is_visible()
    path = image.get_attribute("data-check-path")
    assert path, "the QR image names its check path"
    assert image.get_attribute("src") == qr_data_uri(server.url(path))
    return path


def _an_active_member_path(page: Any, server: Server) -> str:
    page.goto(server.url("/members/?status=active"))
    href = page.locator("main table a[href^='/members/']").first.get_attribute("href")
    assert href and re.fullmatch(r"/members/\d+/", href), href
    return href


def test_the_member_card_prints_one_card_per_a4_page_with_its_check(
    new_page: Any, app_server: Server
) -> None:
    page, _ = new_page()
    login(page, app_server, "demo-township", "/members/")
    member_path = _an_active_member_path(page, app_server)
    page.goto(app_server.url(member_path))
    card_number = page.locator("#card-number").inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="打印会员证").click()
    assert page.url == app_server.url(member_path + "card/")
    card = page.locator("#member-card").bounding_box()
    assert card is not None  # the real size on screen: 85.6 x 54 mm at 96 px per inch
    assert abs(card["width"] - 85.6 / 25.4 * 96) < 2 and abs(card["height"] - 54 / 25.4 * 96) < 2
    assert page.locator("#card-number").inner_text() == card_number
    check_path = _qr_opens(page, app_server, "#card-qr")
    for photo in (False, True):
        if photo:
            page.goto(app_server.url(member_path + "card/?photo=1"))
            assert page.locator("#photo-box").is_visible()
        printout = print_to_pdf(page, save_as=f"member-card{'-photo' if photo else ''}.pdf")
        assert printout.orientation == "portrait"
        assert printout.is_a4, printout.media_box
        assert printout.cut == []
        assert printout.pages == 1
    # the QR code opens the public check: valid, a masked name, nothing else
    visitor, _ = new_page(viewport=PHONE)
    visitor.goto(app_server.url(check_path))
    text = visitor.locator("main").inner_text()
    assert "该会员证有效" in text and "在册" in text
    assert re.search(r"[\u4e00-\u9fff]\*+", visitor.locator("#check-name").inner_text())
    assert card_number not in text
    assert sideways_overflow(visitor) == []
    shot(visitor, "member-card-check-phone")


def test_the_volunteer_certificate_prints_on_a4_with_the_qr_of_its_check(
    new_page: Any, app_server: Server
) -> None:
    page, _ = new_page()
    login(page, app_server, "demo-township", "/volunteers/certificates/1/")  # the demo's one
    assert page.locator("#certificate").is_visible()
    code = page.locator("#code").inner_text()
    check_path = _qr_opens(page, app_server, "#certificate-qr")
    assert code in check_path.replace("%2D", "-")
    printout = print_to_pdf(page, save_as="volunteer-certificate.pdf")
    assert printout.is_a4, printout.media_box
    assert printout.cut == []
    assert printout.pages == 1
    visitor, _ = new_page(viewport=PHONE)
    visitor.goto(app_server.url(check_path))
    assert "真实有效" in visitor.locator("#verified").inner_text()


def test_a_citizen_applies_online_on_a_phone_and_the_township_approves(
    new_page: Any, app_server: Server
) -> None:
    # The citizen starts at the front door on a phone.
    citizen, _ = new_page(viewport=PHONE)
    citizen.goto(app_server.url("/"))
    with citizen.expect_navigation():
        citizen.get_by_role("link", name="我要入会").click()
    assert citizen.locator("h1").inner_text() == "计生协入会申请"
    assert "入会申请同意书" in citizen.locator("main").inner_text()
    assert sideways_overflow(citizen) == []
    options = citizen.locator("#id_association option").all_inner_texts()
    village = next(o for o in options if o.startswith("刘家峡镇 · 大庄村"))
    citizen.select_option("#id_association", label=village)
    citizen.select_option("#id_kind", "individual")
    citizen.fill("#id_name", NAME)
    citizen.fill("#id_id_number", ID_NUMBER[:17] + ("0" if ID_NUMBER[17] != "0" else "1"))
    citizen.fill("#id_phone", "13811112222")
    citizen.check("#id_agree")
    with citizen.expect_navigation():
        citizen.get_by_role("button", name="提交申请").click()
    assert "校验位" in citizen.locator("main").inner_text()  # a mistyped number, explained
    citizen.fill("#id_id_number", ID_NUMBER)
    citizen.fill("#id_phone", "13811112222")
    if not citizen.is_checked("#id_agree"):
        citizen.check("#id_agree")
    with citizen.expect_navigation():
        citizen.get_by_role("button", name="提交申请").click()
    assert "入会申请已提交" in citizen.locator("#joined").inner_text()
    reference = citizen.locator("#reference").inner_text().strip()
    assert re.fullmatch(r"([A-HJ-NP-Z2-9]{4}-){3}[A-HJ-NP-Z2-9]{4}", reference), reference
    assert ID_NUMBER not in citizen.content()
    assert sideways_overflow(citizen) == []
    shot(citizen, "member-online-01-applied-phone")
    with citizen.expect_navigation():
        citizen.get_by_role("link", name="查看审批进度").click()
    assert "待审批" in citizen.locator("#application-status").inner_text()
    assert NAME not in citizen.locator("main").inner_text()  # a masked name only
    status_url = citizen.url

    # 刘家峡镇 records the council's decision on the pending page: date and resolution number.
    township, _ = new_page()
    login(township, app_server, "demo-township", "/members/pending/")
    row = township.locator("tr", has_text=NAME)
    assert "网上申请" in row.inner_text()
    row.locator("input[name=council_resolution]").fill(DOCUMENT)
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept()

    township.once("dialog", answer)
    with township.expect_navigation():
        row.get_by_role("button", name="批准").click()
    assert asked and "编发会员证号" in asked[0]
    assert re.fullmatch(re.escape(app_server.url("/members/")) + r"\d+/", township.url)
    assert township.locator("#member-status").inner_text() == "在册"
    assert township.locator("#council-resolution").inner_text() == DOCUMENT
    today = timezone.localdate().isoformat()
    assert township.locator("#council-meeting").inner_text() == today
    assert re.fullmatch(r"622923100201-\d{5}", township.locator("#card-number").inner_text())
    shot(township, "member-online-02-approved")

    # The citizen's status page now says approved.
    citizen.goto(status_url)
    assert "已批准入会" in citizen.locator("#application-status").inner_text()
