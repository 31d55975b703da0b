"""End to end in headless Chromium: a volunteer applies on the public form (phone), 刘家峡镇
vets and registers them with an agreement, records and confirms their hours, issues a certificate,
and an anonymous visitor verifies its code on the public page.

The server is the real app (gunicorn, WhiteNoise, demo data); see conftest.py. Screenshots go to
test-artifacts/ (gitignored).
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from fpa.core.idnumbers import synthesize
from tests.browser.conftest import ARTIFACTS, login

pytestmark = pytest.mark.browser

NAME = "柳志远"
ID_NUMBER = synthesize("622923", datetime.date(1990, 6, 18), 777)
PHONE = {"width": 375, "height": 812}


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def no_horizontal_scroll(page, width: int) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_apply_vet_register_hours_certificate_and_verify(new_page, app_server):
    # An applicant, not signed in, on a phone.
    public, _ = new_page(viewport=PHONE)
    public.goto(app_server.url("/volunteers/apply/"))
    assert public.locator("h1").inner_text() == "计生协志愿者报名"
    assert "报名同意书（第1版）" in public.inner_text("main")
    public.select_option("#id_association", label="刘家峡镇 · 大庄村委会")
    public.fill("#id_name", NAME)
    public.fill("#id_id_number", ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1"))
    public.fill("#id_phone", "13655559876")
    public.get_by_label("心理咨询", exact=True).check()
    public.check("#id_on_weekends")
    public.check("#id_agree")
    shot(public, "volunteer-apply-phone")
    assert no_horizontal_scroll(public, PHONE["width"])
    with public.expect_navigation():
        public.click("main form button[type=submit]")
    assert "身份证号码校验位不正确" in public.inner_text("main")
    public.fill("#id_id_number", ID_NUMBER)
    public.check("#id_agree")
    with public.expect_navigation():
        public.click("main form button[type=submit]")
    assert "报名已提交" in public.inner_text("main")
    shot(public, "volunteer-applied-phone")

    # 刘家峡镇 vets the application and signs the agreement.
    page, recorder = new_page()
    login(page, app_server, "demo-township", next_path="/volunteers/?status=applied")
    page.click(f"text={NAME}")
    assert "已报名待考察" in page.locator("#status").inner_text()
    page.click("text=录入考察")
    page.select_option("#id_passed", "1")
    page.fill("#id_notes", "面谈：有心理咨询师证书，时间充裕。")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "考察通过待签约" in page.locator("#status").inner_text()
    page.click("text=签订协议")
    page.fill("#id_content", "结对陪伴计生特殊家庭，每月两次。")
    page.fill("#id_safety_measures", "岗前培训；两人同行；投保意外险。")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "在册服务" in page.locator("#status").inner_text()
    volunteer_url = page.url

    # A service that took place yesterday; the organiser records and confirms the hours.
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    page.goto(app_server.url("/volunteers/services/new/"))
    page.select_option("#id_association", label="刘家峡镇计生协")
    page.fill("#id_title", "陪伴失独老人就医")
    page.fill("#id_date", yesterday)
    page.fill("#id_hours", "5")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "陪伴失独老人就医" in page.locator("h1").inner_text()
    hours_form = page.locator("form[action$='/hours/']")
    option = hours_form.locator("#id_volunteer option", has_text=NAME)
    hours_form.locator("#id_volunteer").select_option(option.get_attribute("value"))
    hours_form.locator("#id_hours").fill("5")
    with page.expect_navigation():
        hours_form.locator("button[type=submit]").click()
    assert "已登记并确认服务时长" in page.inner_text("main")
    assert "已确认" in page.locator("table").inner_text()

    # The certificate, printable, with its verification code.
    page.goto(volunteer_url)
    with page.expect_navigation():
        page.click("text=出具服务证明")
    certificate = page.locator("#certificate")
    assert NAME in certificate.inner_text() and "5.0" in certificate.inner_text()
    code = page.locator("#code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", code)
    shot(page, "volunteer-certificate")
    page.emulate_media(media="print")
    assert page.locator("nav.navbar").is_hidden()
    shot(page, "volunteer-certificate-print")
    assert recorder.errors == []

    # Anyone verifies the code: name, hours, stars and issuer, nothing else.
    checker, _ = new_page(viewport=PHONE)
    checker.goto(app_server.url("/volunteers/verify/"))
    checker.fill("input[name=code]", code.lower().replace("-", " "))
    with checker.expect_navigation():
        checker.click("main form button[type=submit]")
    verified = checker.locator("#verified").inner_text()
    assert "真实有效" in verified and NAME in verified and "5.0 小时" in verified
    assert "刘家峡镇计生协" in verified
    body = checker.inner_text("main")
    assert "13655559876" not in body and "655****9876" not in body and ID_NUMBER[-4:] not in body
    shot(checker, "volunteer-verify-phone")
    assert no_horizontal_scroll(checker, PHONE["width"])


def test_the_sibling_township_cannot_open_the_volunteer(new_page, app_server):
    page, _ = new_page()
    login(page, app_server, "demo-township2", next_path="/volunteers/")
    assert NAME not in page.inner_text("main")
    assert "刘家峡" not in page.inner_text("main")


def test_demo_volunteer_portal(new_page, app_server):
    page, recorder = new_page(viewport=PHONE)
    login(page, app_server, "demo-volunteer", next_path="/volunteers/me/")
    assert page.locator("h1").inner_text() == "我的志愿服务"
    text = page.inner_text("main")
    assert "我的任务" in text and "春节走访慰问" in text and "待确认" in text
    shot(page, "volunteer-portal-phone")
    assert no_horizontal_scroll(page, PHONE["width"])
    response = page.goto(app_server.url("/volunteers/"))
    assert response.status == 403
    recorder.errors.clear()
