"""End to end in headless Chromium: finance records a donation, prints its receipt, the public
page shows it, and the receipt's entry verifies against the signed checkpoint with the
standalone verifier (tools/verify_ledger.py) run against the live server.

The server is the real app (gunicorn, WhiteNoise, the demo fund); see conftest.py.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import urllib.request

import pytest

from tests.browser.conftest import ARTIFACTS, ROOT, login

pytestmark = pytest.mark.browser

DONOR = "浏览器测试爱心商贸有限公司"
PHONE = {"width": 375, "height": 812}


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_donation_receipt_public_page_and_proof(new_page, app_server):
    page, recorder = new_page()
    login(page, app_server, "demo-finance", "/fund/donations/new/")
    # A bad amount first: a Chinese message, nothing recorded.
    page.goto(app_server.url("/fund/donations/new/"))
    page.fill("#id_donor_name", DONOR)
    page.select_option("#id_donor_kind", "enterprise")
    page.select_option("#id_form", "cash")
    page.select_option("#id_channel", "bank")
    page.fill("#id_amount", "1e6")
    page.check("#id_publish_name")
    page.click("main form button[type=submit]")
    assert "金额格式不正确" in page.inner_text("main")
    page.fill("#id_amount", "666.66")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/receipt/" in page.url
    receipt = page.inner_text("#receipt-number")
    assert re.fullmatch(r"YJ-\d{4}-\d{6}", receipt)
    assert "陆佰陆拾陆元陆角陆分" in page.inner_text("main")
    index = int(page.inner_text("#leaf-index"))
    verify_url = page.get_attribute("#verify-url", "href")
    shot(page, "fund-receipt")

    # Anyone, not signed in, on a phone.
    public, public_recorder = new_page(viewport=PHONE)
    public.goto(app_server.url("/fund/public/"))
    assert "永靖县生育关怀基金" in public.inner_text("h1")
    public.wait_for_function("() => document.querySelector('#fund-chart canvas') !== null")
    assert public.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    shot(public, "fund-public-home-phone")
    public.click("text=捐赠公示")
    row = public.locator("tr", has_text=receipt)
    assert DONOR in row.inner_text() and "666.66" in row.inner_text()
    shot(public, "fund-public-donations-phone")
    public.goto(verify_url)
    assert "该票据已入账" in public.inner_text("main")
    assert public.inner_text("#leaf-index") == str(index)

    # The proof endpoint: the leaf is this donation, with its receipt number.
    proof_url = public.get_attribute("#proof-link", "href")
    with urllib.request.urlopen(proof_url, timeout=10) as response:
        proof = json.load(response)
    document = json.loads(base64.b64decode(proof["data"]))
    assert document["receipt"] == receipt
    assert document["kind"] == "donation"
    assert {line["credit"] for line in document["lines"]} >= {"666.66"}
    assert proof["checkpoint"] is not None

    # The standalone verifier (only Python and cryptography) checks the whole log and this leaf.
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "verify_ledger.py"),
            app_server.url("/ledger/"),
            "--leaf",
            str(index),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert recorder.errors == [] or all(status == 200 for status, _ in recorder.errors)
    assert public_recorder.errors == []


def test_public_grant_page_identifies_nobody_and_takes_an_objection(new_page, app_server):
    page, _ = new_page(viewport=PHONE)
    page.goto(app_server.url("/fund/public/"))
    page.click("text=公示期内")
    link = page.locator("a", has_text="提出异议").first
    with page.expect_navigation():
        link.click()
    body = page.inner_text("main")
    assert "乡镇" in body and "大庄" not in body and "申请帮扶" not in body
    page.fill("#id_o-text", "请核实（浏览器测试）")
    with page.expect_navigation():
        page.click("text=提交异议")
    assert "感谢您的监督" in page.inner_text("main")
    shot(page, "fund-public-grant-phone")


def _run_in_server(app_server, code: str) -> str:
    """Run Python in the browser server's own environment (its database), as `manage.py shell`."""
    from tests.browser.conftest import _server_env

    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=_server_env(app_server.log.parent),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _confirm(page, action) -> str:
    """Click through a data-fpa-confirm question, accepting it; returns its text."""
    asked: list[str] = []

    def answer(dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", answer)
    with page.expect_navigation():
        action()
    assert asked, "no confirmation was asked"
    return asked[0]


def test_notice_then_pay_with_an_objection_holding_the_payment(new_page, app_server):
    """Notice first (the default order): the village applies, the township reviews, the county
    approves and the notice opens; anyone objects on the public grant page; finance cannot pay
    during the notice, nor after it while the objection is unanswered; the county answers; finance
    pays and the grant is closed at once. The notice's end is set in the server's database (the
    server runs in real time; the date rule itself is tested with the clock in
    tests/test_fund_notice.py)."""
    village, _ = new_page()
    login(village, app_server, "demo-village", "/fund/grants/new/")
    village.goto(app_server.url("/fund/grants/new/"))
    village.select_option("#id_target", "family")
    village.select_option("#id_family", index=1)
    village.select_option("#id_category", index=1)
    village.fill("#id_amount", "520")
    village.fill("#id_purpose", "（浏览器测试）住院慰问")
    with village.expect_navigation():
        village.click("main form button[type=submit]")
    detail = village.url
    number = re.search(r"YJZ-\d{4}-\d{5}", village.inner_text("h1")).group(0)

    township, _ = new_page()
    login(township, app_server, "demo-township", detail)
    township.check("input[name=decision][value=approve]")
    asked = _confirm(township, lambda: township.click("text=提交意见"))
    assert "通过则转县级审批" in asked

    county, _ = new_page()
    login(county, app_server, "demo-county", detail)
    county.check("input[name=decision][value=approve]")
    asked = _confirm(county, lambda: county.click("text=提交意见"))
    assert "立即在公开页公示 7 天" in asked and "异议均已答复后由财务支付" in asked
    assert "公示中（待支付）" in county.inner_text("h1")
    assert "已批准，公示已开始" in county.inner_text("main")
    shot(county, "fund-grant-notice")

    # Anyone, on a phone: the grant is in its notice, not paid yet; an objection is raised.
    public, _ = new_page(viewport=PHONE)
    public.goto(app_server.url(f"/fund/public/622923/grants/{number}/"))
    body = public.inner_text("main")
    assert "待支付" in body and "（浏览器测试）" not in body and "住院" not in body
    public.fill("#id_o-text", "请核实该户情况（浏览器测试异议）")
    with public.expect_navigation():
        public.click("text=提交异议")
    assert "感谢您的监督" in public.inner_text("main")
    shot(public, "fund-public-grant-notice-phone")

    # Finance: no payment during the notice; the page says why.
    finance, _ = new_page()
    login(finance, app_server, "demo-finance", detail)
    assert finance.locator("text=确认支付").count() == 0
    assert "公示期满后方可支付" in finance.inner_text("[data-next-step-reason]")

    # The notice ends (set in the server's database): the unanswered objection still holds it.
    _run_in_server(
        app_server,
        "import datetime\n"
        "from django.utils import timezone\n"
        "from fpa.fund.models import Grant\n"
        f"Grant.objects.filter(number={number!r}).update("
        "notice_until=timezone.localdate() - datetime.timedelta(days=1))",
    )
    finance.reload()
    assert finance.locator("text=确认支付").count() == 0
    assert "异议尚未答复，答复后方可支付" in finance.inner_text("[data-next-step-reason]")
    assert "暂缓支付" in finance.inner_text("main")
    shot(finance, "fund-grant-held-by-objection")

    # The county answers the objection on the supervision page.
    county.goto(app_server.url("/fund/feedback/?open=1"))
    item = county.locator(".list-group-item", has_text="浏览器测试异议")
    item.locator("textarea[name=reply]").fill("经核实，该户符合资助条件。")
    assert "公开" in _confirm(county, lambda: item.locator("text=答复并公开").click())

    # Finance pays; the confirmation says the notice is over and the grant can be closed.
    finance.reload()
    asked = _confirm(finance, lambda: finance.click("text=确认支付"))
    assert "520" in asked and "公示期已满，支付后即可办结" in asked
    assert "已支付，待办结" in finance.inner_text("h1")
    history = finance.inner_text("[data-grant-history]")
    for step in ("提交申请", "乡镇审核", "县级审批", "公示", "财务支付"):
        assert step in history

    # The county closes it at once (the notice already ran).
    county.goto(detail)
    asked = _confirm(county, lambda: county.click("main form button:has-text('办结')"))
    assert "归档" in asked
    assert "已办结" in county.inner_text("h1")
    shot(county, "fund-grant-closed")
    public.goto(app_server.url(f"/fund/public/622923/grants/{number}/"))
    body = public.inner_text("main")
    assert "支付日期" in body and "待支付" not in body and "提出异议" not in body
