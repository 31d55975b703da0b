"""Print views on A4: each printed to PDF by Chromium, its page size and count read from the PDF,
and nothing passing the printable width (fpa/static/fpa/print.css). The content is checked
through the DOM as printed (print media emulated).

The demo data (fpa/families/demo.py, fpa/fund/demo.py): eight families in the register, six in
刘家峡镇 and two in 盐锅峡镇; every bereaved and disabled-child family qualifies for the special
assistance (mothers born 1958-1975, children dead or disabled at grade 1-3), each with a mother
and a father: 刘家峡镇 pays five families (ten people), the county seven (fourteen).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import Server, login, print_to_pdf, sideways_overflow

pytestmark = pytest.mark.browser

FULL_PHONE = re.compile(r"(?<!\d)1\d{10}(?!\d)")
MASKED_PHONE = re.compile(r"^1\d{2}\*{4}\d{4}$")
MASKED_NAME = re.compile(r"^\S\*+$")


def texts(page: Any, selector: str) -> list[str]:
    return [t.strip() for t in page.locator(selector).all_inner_texts()]


def printed_visible(page: Any, selector: str) -> bool:
    """Whether `selector` shows on paper (print media), whatever it does on screen."""
    page.emulate_media(media="print")
    try:
        return page.locator(selector).first.is_visible()
    finally:
        page.emulate_media(media="screen")


def assert_one_landscape_page(printout: Any) -> None:
    assert printout.orientation == "landscape"
    assert printout.is_a4, printout.media_box
    assert printout.cut == []
    assert printout.pages == 1


# --- the contact roster ---------------------------------------------------------------------------


def test_contact_roster_county_sees_contacts_phones_in_full(
    new_page: Any, app_server: Server
) -> None:
    page, _ = new_page()
    login(page, app_server, "demo-county", "/families/roster/")
    # The demo's 8 families at least: a browser test that ran before on the same server (the
    # family registration) may have added one; every row is checked below whatever the count.
    families = page.locator("table.roster tbody tr").count()
    assert families >= 8
    headers = texts(page, "table.roster thead th")
    assert headers[-1] == "联系人及电话" and "户主电话" in headers
    contacts = texts(page, "table.roster .roster-contact")
    assert len(contacts) >= families
    full = [c for c in contacts if FULL_PHONE.search(c)]
    assert full, contacts  # the contact persons' work phones, in full
    assert not any("*" in c for c in contacts)
    heads = texts(page, "table.roster .roster-head-phone .revealed")
    assert len(heads) >= 8 and all(MASKED_PHONE.match(h) for h in heads), heads
    assert printed_visible(page, ".fpa-signatures")
    printout = print_to_pdf(page, save_as="roster-county.pdf")
    assert_one_landscape_page(printout)


def test_contact_roster_other_personas(new_page: Any, app_server: Server) -> None:
    # 大庄村's staff: only the village's four families; the phones of its contacts that have one.
    page, _ = new_page()
    login(page, app_server, "demo-village", "/families/roster/")
    assert page.locator("table.roster tbody tr").count() >= 4  # the demo's four, perhaps one more
    heads = texts(page, "table.roster .roster-head-phone .revealed")
    assert all(MASKED_PHONE.match(h) for h in heads), heads
    assert "盐锅峡" not in page.inner_text("main")
    printout = print_to_pdf(page, save_as="roster-village.pdf")
    assert_one_landscape_page(printout)
    # Finance holds neither family.view nor personal.reveal: no roster, no phone.
    other, _ = new_page()
    login(other, app_server, "demo-finance", "/fund/")
    response = other.goto(app_server.url("/families/roster/"))
    assert response is not None and response.status == 403
    assert other.locator("table.roster").count() == 0
    assert not FULL_PHONE.search(other.content())


# --- the monthly report ---------------------------------------------------------------------------


def test_monthly_report_prints_every_column_on_landscape_a4(
    new_page: Any, app_server: Server
) -> None:
    page, _ = new_page()
    login(page, app_server, "demo-county", "/families/monthly/")
    # The right-hand column spans both header rows: the first row's last cell.
    header = page.locator("table.report-table thead tr").first.locator("th").all_inner_texts()
    assert header[-1].strip() == "月末未办结诉求"
    assert page.locator("table.report-table tbody tr").last.inner_text().startswith("合计")
    main = page.inner_text("main")
    assert re.search(r"填报单位：永靖县\S*", main) and re.search(r"报告期：\d{4}年\d{1,2}月", main)
    assert printed_visible(page, ".fpa-signatures")
    assert not printed_visible(page, "form.no-print")
    printout = print_to_pdf(page, save_as="monthly-report.pdf")
    assert_one_landscape_page(printout)
    roster = page.locator("a", has_text="特别扶助金发放花名册")
    assert roster.count() == 1 and "/families/payments/?code=622923" in (
        roster.get_attribute("href") or ""
    )


# --- the special-assistance payment roster --------------------------------------------------------


def test_payment_roster_masked_then_revealed(new_page: Any, app_server: Server) -> None:
    page, _ = new_page()
    login(page, app_server, "demo-township", "/families/payments/")
    rows = page.locator("table.fpa-payment-roster tbody tr:not(.roster-total)")
    payees = rows.count()
    assert payees >= 10  # the demo's five families, mother and father (others may add some)
    header = texts(page, "table.fpa-payment-roster thead th")
    assert header[-1] == "签字" and "金额（元）" in header
    names = texts(page, "table.fpa-payment-roster .payee-name")
    assert len(names) == payees and all(MASKED_NAME.match(n) for n in names), names
    amounts = [
        float(t) for t in texts(page, "table.fpa-payment-roster tbody tr td:nth-child(8)")[:payees]
    ]
    assert float(page.inner_text("#roster-total")) == pytest.approx(sum(amounts))
    assert printed_visible(page, ".fpa-signatures")
    assert not printed_visible(page, "#reveal-names")
    printout = print_to_pdf(page, save_as="payment-roster.pdf")
    assert printout.orientation == "portrait"
    assert printout.is_a4, printout.media_box
    assert printout.cut == []
    assert printout.pages == 1
    # Full names with a reason (audited): printed the same way.
    page.fill("#id_reason", "打印本月发放花名册")
    with page.expect_navigation():
        page.click("#reveal-names button[name=reveal]")
    names = texts(page, "table.fpa-payment-roster .payee-name")
    assert len(names) == payees and not any("*" in n for n in names), names
    printout = print_to_pdf(page, save_as="payment-roster-names.pdf")
    assert printout.cut == [] and printout.pages == 1


def test_payment_roster_of_the_county(new_page: Any, app_server: Server) -> None:
    page, _ = new_page()
    login(page, app_server, "demo-county", "/families/payments/")
    assert page.locator("table.fpa-payment-roster tbody tr:not(.roster-total)").count() >= 14
    printout = print_to_pdf(page, save_as="payment-roster-county.pdf")
    assert printout.orientation == "portrait" and printout.is_a4
    assert printout.cut == [] and printout.pages == 1
    # On a phone the page does not scroll sideways (the table becomes cards).
    phone, _ = new_page(viewport={"width": 375, "height": 812})
    login(phone, app_server, "demo-county", "/families/payments/")
    assert sideways_overflow(phone) == []
    # Another township's roster is refused.
    other, _ = new_page()
    login(other, app_server, "demo-township2", "/families/")
    response = other.goto(app_server.url("/families/payments/?code=622923100"))
    assert response is not None and response.status == 404
    assert other.locator("table.fpa-payment-roster").count() == 0


# --- the donation receipt -------------------------------------------------------------------------


def test_donation_receipt_prints_on_one_portrait_page_with_its_qr_code(
    new_page: Any, app_server: Server
) -> None:
    page, _ = new_page()
    login(page, app_server, "demo-finance", "/fund/donations/")
    with page.expect_navigation():
        page.locator("main table a", has_text="票据").first.click()
    assert "/receipt/" in page.url
    number = page.inner_text("#receipt-number")
    qr = page.locator("#receipt-qr")
    check_path = qr.get_attribute("data-check-path") or ""
    # The code opens the public page of the receipt's journal entry (issue 18, item 6).
    assert re.fullmatch(r"/fund/public/622923/entries/\d+/", check_path), check_path
    assert (qr.get_attribute("src") or "").startswith("data:image/svg+xml;base64,")
    assert page.evaluate("() => document.getElementById('receipt-qr').naturalWidth") > 0
    assert printed_visible(page, "#receipt-qr")
    printout = print_to_pdf(page, save_as="receipt.pdf")
    assert printout.orientation == "portrait"
    assert printout.is_a4, printout.media_box
    assert printout.cut == []
    assert printout.pages == 1
    # The code's address is the public check of this receipt, open without signing in.
    public, _ = new_page()
    response = public.goto(app_server.url(check_path))
    assert response is not None and response.status == 200
    assert number in public.inner_text("main")
