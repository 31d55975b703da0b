"""Issue 13's flow in a real browser, as the people do it: the county sets the 5·29 campaign; a
township plans an activity at its 会员之家 under the campaign, opens the phone sign-in; a phone
(375 px, no account) signs in by the QR link; the organiser sees the count, marks the activity
held and sends its summary up as a highlight; the county sees the campaign's progress move; a
sibling township cannot open the activity."""

from __future__ import annotations

import datetime
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.browser.conftest import ARTIFACTS, Server, login

pytestmark = pytest.mark.browser
LIUJIAXIA = "622923100"


def choose(page: Any, selector: str, text: str) -> None:
    """Select the first option whose text contains `text`."""
    value = page.eval_on_selector(
        selector, "(s, t) => [...s.options].find(o => o.text.includes(t))?.value ?? null", text
    )
    assert value, (selector, text)
    page.select_option(selector, value=value)


def progress_of(page: Any, server: Server, campaign_url: str) -> str:
    page.goto(server.url(campaign_url))
    row = page.locator("main table tr", has_text="刘家峡镇").first
    return row.inner_text()


def test_campaign_plan_sign_in_hold_and_progress(new_page: Any, app_server: Server) -> None:
    today = timezone.localdate()
    title = f"{today.year}年5·29会员活动日（浏览器流程）"
    # 1. the county sets the campaign: every township at least one activity
    county, _ = new_page({"width": 1366, "height": 900})
    login(county, app_server, "demo-county", "/activities/campaigns/new/")
    county.goto(app_server.url("/activities/campaigns/new/"))
    county.fill("#id_title", title)
    county.fill("#id_starts_on", (today - datetime.timedelta(days=3)).isoformat())
    county.fill("#id_ends_on", (today + datetime.timedelta(days=30)).isoformat())
    with county.expect_navigation():
        county.locator("main form button[type=submit]").last.click()
    campaign_url = re.sub(r"^https?://[^/]+", "", county.url)
    assert re.fullmatch(r"/activities/campaigns/\d+/", campaign_url), county.url
    assert "0" in progress_of(county, app_server, campaign_url)

    # 2. the township plans an activity at its 会员之家, under the campaign, started just now
    township, _ = new_page({"width": 1366, "height": 900})
    login(township, app_server, "demo-township", "/activities/new/")
    township.goto(app_server.url("/activities/new/"))
    choose(township, "#id_association", "刘家峡镇")
    township.fill("#id_title", "5·29会员活动日宣传咨询")
    choose(township, "#id_category", "宣传教育")
    choose(township, "#id_campaign", title)
    # the form reads a datetime-local value in the platform's time zone (TIME_ZONE)
    start = datetime.datetime.now(ZoneInfo("Asia/Shanghai")) - datetime.timedelta(minutes=10)
    township.fill("#id_starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    township.fill("#id_ends_at", (start + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    choose(township, "#id_site", "会员之家")
    with township.expect_navigation():
        township.locator("main form button[type=submit]").last.click()
    activity_url = re.sub(r"^https?://[^/]+", "", township.url)
    assert re.fullmatch(r"/activities/\d+/", activity_url), township.inner_text("main")[:500]

    # 3. the organiser opens the sign-in and shows the QR code
    with township.expect_navigation():
        township.get_by_role("button", name="开放签到").click()
    with township.expect_navigation():
        township.get_by_role("link", name="签到二维码与签到名单").click()
    assert township.locator("main img").count() >= 1  # the QR code, made by the server
    signin_url = township.inner_text("#signin-url").strip()
    assert "/activities/s/" in signin_url

    # 4. a phone signs in without an account
    phone, _ = new_page({"width": 375, "height": 800})
    phone.goto(signin_url)
    phone.fill("#id_name", "参加群众")
    phone.fill("#id_phone", "13912340529")
    phone.check("#id_agree")
    with phone.expect_navigation():
        phone.locator("#signin-form button[type=submit]").click()
    assert "签到" in phone.inner_text("main")
    phone.screenshot(path=str(ARTIFACTS / "activity-signin-phone.png"))

    # 5. the organiser sees the count (the fragment polls), then marks the activity held: the
    #    sign-in is the default of the counts
    township.reload()
    assert "1" in township.inner_text("main")
    township.goto(app_server.url(activity_url))
    # the organiser closes the sign-in: the phone's page now refuses, the count stays
    with township.expect_navigation():
        township.get_by_role("button", name="关闭签到").click()
    phone.goto(signin_url)
    assert phone.locator("#signin-closed").is_visible()
    assert phone.locator("#signin-form").count() == 0
    township.fill("#id_members", "20")
    with township.expect_navigation():
        township.get_by_role("button", name="标记为已开展").click()
    assert "已开展" in township.inner_text("main")
    township.fill("#id_summary", "在会员之家开展5·29宣传咨询，发放资料，现场答疑。")
    township.check("#id_highlight")
    with township.expect_navigation():
        township.get_by_role("button", name="保存总结").click()
    assert "已总结" in township.inner_text("main")

    # 6. the county sees the campaign's progress and the highlight
    line = progress_of(county, app_server, campaign_url)
    assert re.search(r"\b1\b", line), line
    county.screenshot(path=str(ARTIFACTS / "activity-campaign-progress.png"), full_page=True)
    county.goto(app_server.url("/activities/highlights/"))
    assert "5·29会员活动日宣传咨询" in county.inner_text("main")

    # 7. a sibling township cannot open it
    sibling, _ = new_page({"width": 1366, "height": 900})
    login(sibling, app_server, "demo-township2")
    response = sibling.goto(app_server.url(activity_url))
    assert response is not None and response.status == 404
    assert "5·29会员活动日宣传咨询" not in sibling.content()
