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
