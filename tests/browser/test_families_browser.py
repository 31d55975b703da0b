"""End to end in headless Chromium: a special family registered, given a contact and visited by
大庄村's officer, counted on 刘家峡镇's coverage page, and refused to 盐锅峡镇.

The server is the real app (gunicorn, WhiteNoise, demo data with its synthetic families); see
conftest.py. Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import datetime
import io
import re

import pytest
from PIL import Image

from fpa.core.idnumbers import synthesize
from tests.browser.conftest import ARTIFACTS, login

pytestmark = pytest.mark.browser

LIUJIAXIA = "622923100"
MOTHER = "马秀兰"
CHILD = "马小军"
# Synthetic and valid: born 1956 (over 49, the payment age); demo mothers are born from 1958 on.
MOTHER_ID = synthesize("622923", datetime.date(1956, 2, 14), 2 * 321)
CHECK_ERROR = "身份证号码校验位不正确，请核对。"
PHONE = {"width": 375, "height": 812}


def wrong_check_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def visit_photo() -> bytes:
    image = Image.new("RGB", (800, 600), (120, 170, 220))
    image.paste((176, 48, 58), (300, 200, 500, 400))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def coverage_totals(page, server) -> tuple[int, int]:
    """(families, families with a contact) in the 合计 row of 刘家峡镇's coverage page."""
    page.goto(server.url(f"/families/coverage/?code={LIUJIAXIA}"))
    assert "刘家峡镇" in page.locator("h1").inner_text()
    total = page.locator("table tfoot tr").first
    assert total.locator("td").first.inner_text() == "合计"
    families = int(total.locator("td").nth(1).locator("a").first.inner_text())
    contacts = int(total.locator("td").nth(2).locator("a").first.inner_text())
    return families, contacts


def no_horizontal_scroll(page, width: int) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_register_assign_visit_then_coverage_and_the_sibling_refused(new_page, app_server):
    assert wrong_check_digit(MOTHER_ID) != MOTHER_ID

    # 刘家峡镇 before: the numbers of the demo families.
    township, township_log = new_page()
    login(township, app_server, "demo-township", next_path="/families/coverage/")
    families_before, contacts_before = coverage_totals(township, app_server)
    assert families_before >= 1 and contacts_before <= families_before

    # 大庄村's officer registers a family, first with a mistyped mother's ID number.
    page, recorder = new_page()
    login(page, app_server, "demo-village", next_path="/families/new/")
    assert page.locator("h1").inner_text() == "登记计生特殊家庭"
    page.select_option("#id_association", label="刘家峡镇计生协 · 大庄村委会计生协")
    page.select_option("#id_kind", "bereaved")
    page.fill("#id_address", "大庄村五社12号")
    page.fill("#id_mother_name", MOTHER)
    page.fill("#id_mother_id_number", wrong_check_digit(MOTHER_ID))
    page.fill("#id_mother_phone", "13900001234")
    page.fill("#id_child_name", CHILD)
    page.fill("#id_child_death_date", "2016-05-20")
    page.fill("#id_child_death_cause", "疾病")
    with page.expect_navigation():
        page.get_by_role("button", name="登记").click()
    assert page.url == app_server.url("/families/new/")
    assert "请更正下面标出的内容，尚未保存。" in page.locator("main").inner_text()
    field = page.locator("#id_mother_id_number")
    assert "is-invalid" in field.get_attribute("class")
    feedback = field.locator("xpath=following-sibling::div[contains(@class,'invalid-feedback')]")
    assert feedback.inner_text() == CHECK_ERROR
    assert feedback.is_visible()
    shot(page, "families-01-register-wrong-id")

    # Corrected: saved, and the family's page opens.
    field.fill(MOTHER_ID)
    with page.expect_navigation():
        page.get_by_role("button", name="登记").click()
    match = re.fullmatch(re.escape(app_server.url("/families/")) + r"(\d+)/", page.url)
    assert match, page.url
    family_path = f"/families/{match.group(1)}/"
    assert f"已登记 {MOTHER} 家庭。" in page.locator("main").inner_text()
    assert page.locator("h1").inner_text().startswith(f"{MOTHER} 家庭")
    assert "失独家庭" in page.locator("h1").inner_text()
    assert MOTHER_ID not in page.content()  # masked on the page
    assert "尚未落实联系人。" in page.locator("main").inner_text()

    # A contact: a village cadre, the demo volunteer's account if the picker offers it.
    with page.expect_navigation():
        page.get_by_role("link", name="指定联系人").click()
    page.select_option("#id_role", label="村干部联系人")
    volunteer = [
        text
        for text in page.locator("#id_user option").all_inner_texts()
        if text.startswith("志愿者（")
    ]
    if volunteer:
        page.select_option("#id_user", label=volunteer[0])
        contact_name = "志愿者"
    else:
        contact_name = "王建华"
        page.fill("#id_name", contact_name)
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    assert page.url == app_server.url(family_path)
    assert f"已指定联系人 {contact_name}（村干部联系人）。" in page.locator("main").inner_text()
    assert "尚未落实联系人。" not in page.locator("main").inner_text()

    # A visit (日常走访) with one of the four services and one of the five cares, and a photo.
    with page.expect_navigation():
        page.get_by_role("link", name="记录帮扶").click()
    page.select_option("#id_kind", label="日常走访")
    page.get_by_label("走访慰问", exact=True).check()
    page.get_by_label("走访慰问关怀", exact=True).check()
    page.fill("#id_notes", "母亲身体尚好，谈及子女时情绪低落。")
    page.set_input_files(
        "#id_photos", {"name": "走访.png", "mimeType": "image/png", "buffer": visit_photo()}
    )
    shot(page, "families-02-care-form")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    assert page.url == app_server.url(family_path)
    assert "帮扶记录已保存。" in page.locator("main").inner_text()
    entry = page.locator("ol.timeline li[id^=care-]").first
    assert "日常走访" in entry.inner_text()
    assert "走访慰问" in entry.inner_text() and "走访慰问关怀" in entry.inner_text()
    assert "谈及子女" not in page.content()  # sensitive notes stay hidden until revealed
    thumb = entry.locator("img")
    thumb.wait_for()
    assert thumb.evaluate("img => img.complete && img.naturalWidth") > 0
    photo_path = thumb.get_attribute("src")
    assert re.fullmatch(r"/families/photos/\d+/\?size=thumb", photo_path), photo_path

    # The family's page on a phone: no sideways scrolling.
    phone, phone_log = new_page(viewport=PHONE)
    login(phone, app_server, "demo-village", next_path=family_path)
    assert phone.url == app_server.url(family_path)
    phone.locator("ol.timeline li[id^=care-] img").first.wait_for()
    assert no_horizontal_scroll(phone, PHONE["width"])
    shot(phone, "families-03-family-phone")

    # 刘家峡镇 after: one more family, one more with a contact, and it is among them.
    families_after, contacts_after = coverage_totals(township, app_server)
    assert (families_after, contacts_after) == (families_before + 1, contacts_before + 1)
    township.locator("#coverage-chart canvas").wait_for()
    shot(township, "families-04-coverage-desktop")
    with township.expect_navigation():
        township.locator("table tfoot tr td").nth(2).locator("a").first.click()
    assert "measure=with_contacts" in township.url
    assert township.get_by_role("link", name=re.compile(MOTHER)).count() >= 1

    # 盐锅峡镇 types the family's address: the 404 page, nothing of the family.
    sibling, sibling_log = new_page()
    login(sibling, app_server, "demo-township2")
    response = sibling.goto(app_server.url(family_path))
    assert response.status == 404
    assert sibling.locator("h1").inner_text() == "未找到"
    assert MOTHER not in sibling.content()
    assert sibling.goto(app_server.url(photo_path)).status == 404
    shot(sibling, "families-05-sibling-refused")

    # Nothing came from outside the app, and only the sibling's two refusals failed.
    for log in (township_log, recorder, phone_log, sibling_log):
        assert log.foreign(app_server.origin) == []
    assert township_log.errors == recorder.errors == phone_log.errors == []
    assert [url for _, url in sibling_log.errors] == [
        app_server.url(family_path),
        app_server.url(photo_path),
    ]
    assert not recorder.console_errors
