"""三留守 in headless Chromium on the demo (fpa/leftbehind/demo.py): a village officer, on a
375 px phone, opens the elderly man she looks after, logs a home visit and sees it in the care
log; the list and the person's page do not scroll sideways on a phone.

The browser fixtures are tests/browser/conftest.py's (the served demo, Chromium)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tests.browser.conftest import ARTIFACTS, Server, login, sideways_overflow

pytestmark = pytest.mark.browser


def test_a_village_officer_logs_a_visit_on_a_phone(new_page: Any, app_server: Server) -> None:
    page, recorder = new_page(viewport={"width": 375, "height": 800})
    login(page, app_server, "demo-village", "/left-behind/mine/")
    # her own list: the elderly man, overdue for a call; not the child's name
    mine = page.locator("#mine")
    assert "马福元" in mine.inner_text()
    assert sideways_overflow(page) == []
    mine.locator("a", has_text="马福元").first.click()
    page.wait_for_load_state("networkidle")
    assert "/left-behind/" in page.url
    assert sideways_overflow(page) == []
    detail = page.url
    page.locator("#log-care").click()
    page.select_option("#id_kind", label="日常走访")
    page.fill("#id_occurred_on", timezone.localdate().isoformat())
    page.fill("#id_notes", "手机记录：入户送去降压药，老人精神好。")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    assert page.url == detail
    log = page.locator("#care-log")
    assert "手机记录：入户送去降压药" in log.inner_text()
    assert "日常走访" in log.inner_text()
    assert sideways_overflow(page) == []
    page.screenshot(path=str(ARTIFACTS / "phone-leftbehind-care.png"), full_page=True)
    # the list fits the phone too, and the village officer sees no child's record
    page.goto(app_server.url("/left-behind/"))
    page.wait_for_load_state("networkidle")
    assert sideways_overflow(page) == []
    assert "马小花" not in page.content()
    assert recorder.console_errors == []
