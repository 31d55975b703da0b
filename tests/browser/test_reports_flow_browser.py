"""Issue 15's report flow in a real browser, on the demo (fpa/reports/demo.py leaves 刘家峡镇's
monthly report for last month as a draft): the township submits it; the county finds it in
下级上报 and returns it with a reason; the township sees the reason, resubmits; the county
accepts; a later visit dated in that month does not change the accepted figures but shows in the
comparison with the live figures. The pages fit a phone and print on A4."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from fpa.reports.fields import MONTH, last_complete
from tests.browser.conftest import ARTIFACTS, Server, login, sideways_overflow

pytestmark = pytest.mark.browser
LIUJIAXIA = "622923100"
REASON = "帮扶记录与台账不一致，请核对后重报"


def path_of(page: Any) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url).split("?")[0]


def status_of(page: Any) -> str:
    return str(page.locator("#status").get_attribute("data-status"))


def visits_cell(page: Any, cls: str = "value") -> str:
    return str(page.locator(f'tr[data-key="families.care_records"] td.{cls}').inner_text())


def test_submit_return_resubmit_accept_and_the_diff(new_page: Any, app_server: Server) -> None:
    period = last_complete(MONTH, timezone.localdate())
    # 1. the township opens its draft and submits it
    township, recorder = new_page({"width": 1366, "height": 900})
    login(township, app_server, "demo-township", "/reports/")
    row = township.locator("#own-reports tbody tr", has_text="特殊家庭帮扶月报").first
    with township.expect_navigation():
        row.locator("a", has_text="打开").click()
    report_url = path_of(township)
    assert re.fullmatch(r"/reports/\d+/", report_url), township.url
    assert status_of(township) == "draft"
    with township.expect_navigation():
        township.click("#submit-report")
    assert status_of(township) == "submitted", township.inner_text("main")

    # 2. the county finds it in 下级上报 and returns it with a reason
    county, _ = new_page({"width": 1366, "height": 900})
    login(county, app_server, "demo-county", "/reports/below/")
    county.goto(app_server.url(f"/reports/below/?kind=monthly_special&period={period.key}"))
    line = county.locator(f'#below-list tr[data-code="{LIUJIAXIA}"]')
    assert line.locator("td.status").get_attribute("data-status") == "submitted"
    with county.expect_navigation():
        line.locator("a").click()
    assert path_of(county) == report_url
    county.fill("#id_reason", REASON)
    county.once("dialog", lambda dialog: dialog.accept())  # 确定退回吗？
    with county.expect_navigation():
        county.click("#send-back")
    assert status_of(county) == "returned"

    # 3. the township sees the reason (in its inbox, on its home page and on the report) and
    # resubmits
    township.goto(app_server.url("/"))
    assert REASON in township.inner_text("main")
    assert township.locator("#nav-unread").count() == 1  # the inbox badge
    township.goto(app_server.url("/notifications/?state=unread"))
    returned = township.locator("main [data-message]", has_text=REASON)
    assert returned.count() == 1, township.inner_text("main")
    assert "特殊家庭帮扶月报" in returned.inner_text()
    township.goto(app_server.url(report_url))
    assert REASON in township.locator("#return-reason").inner_text()
    with township.expect_navigation():
        township.click("#submit-report")
    assert status_of(township) == "submitted"

    # 4. the county accepts
    county.goto(app_server.url(report_url))
    county.once("dialog", lambda dialog: dialog.accept())  # 确定审核通过吗？
    with county.expect_navigation():
        county.click("#accept")
    assert status_of(county) == "accepted"
    accepted = visits_cell(county)
    steps = county.locator("#steps li").all_inner_texts()
    assert len(steps) == 4 and REASON in steps[1], steps

    # 5. a later visit, dated in the reported month, to a family of the township
    township.goto(app_server.url(f"/families/?code={LIUJIAXIA}"))
    href = township.eval_on_selector_all(
        "main a[href]",
        "links => links.map(a => a.getAttribute('href')).find(h => /^\\/families\\/\\d+\\/$/.test(h))",
    )
    assert href, "no family in the township's list"
    township.goto(app_server.url(f"{href}care/new/"))
    value = township.eval_on_selector(
        "#id_kind", "s => [...s.options].find(o => o.text.includes('日常走访'))?.value ?? null"
    )
    township.select_option("#id_kind", value=value)
    township.fill("#id_occurred_on", period.first.isoformat())
    with township.expect_navigation():
        township.locator("main form button[type=submit]").last.click()
    assert "/care/new/" not in township.url, township.inner_text("main")

    # 6. the accepted figures do not move; the comparison shows the change
    county.goto(app_server.url(report_url))
    assert visits_cell(county) == accepted
    assert "已变化" not in county.inner_text("main")
    with county.expect_navigation():
        county.click("#compare-live")
    assert "（已变化）" in visits_cell(county, "live")
    assert visits_cell(county) == accepted
    county.screenshot(path=str(ARTIFACTS / "reports-diff.png"), full_page=True)
    assert recorder.console_errors == []


@pytest.mark.parametrize(
    "path", ["/reports/", "/reports/below/?kind=monthly_special", "/reports/archive/"]
)
def test_the_report_pages_fit_a_phone(new_page: Any, app_server: Server, path: str) -> None:
    page, recorder = new_page({"width": 375, "height": 800})
    login(page, app_server, "demo-county", path)
    response = page.goto(app_server.url(path))
    assert response is not None and response.status == 200
    page.wait_for_load_state("networkidle")
    assert sideways_overflow(page) == []
    assert recorder.console_errors == []
