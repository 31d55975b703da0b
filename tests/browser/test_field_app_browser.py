"""The offline field app end to end in headless Chromium (issue 17): 大庄村's volunteer (a
contact person) signs in on a 375 px phone, opens /field/ and the work downloads (kept only as
ciphertext); with the network off the app starts from the service worker, and two visits (one
with a photo) and a need are recorded; back online they sync and 刘家峡镇's staff see them on
the family's page from a desktop. The staff then update the need while the phone updates it too:
the phone's update comes back as a conflict with both versions, and is submitted again on the
latest version. The app's sign-out leaves no database behind.

The server is the real app (gunicorn, WhiteNoise, demo data); see conftest.py.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image

from tests.browser.conftest import ARTIFACTS, Server, login, serve, sideways_overflow

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
NEED = "离线提出的诉求：修缮屋顶"

# Every record of every IndexedDB database of the origin, as text (ArrayBuffers decoded), and
# whether the data key can be read out.
DUMP = """async () => {
  const out = { databases: [], text: [], extractable: [] };
  for (const info of await indexedDB.databases()) {
    out.databases.push(info.name);
    const db = await new Promise((ok, no) => { const r = indexedDB.open(info.name); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
    for (const name of db.objectStoreNames) {
      const rows = await new Promise((ok) => { const r = db.transaction(name).objectStore(name).getAll(); r.onsuccess = () => ok(r.result); });
      for (const row of rows) {
        if (row instanceof CryptoKey) { out.extractable.push(row.extractable); continue; }
        const parts = [JSON.stringify(row)];
        if (row && row.ct) parts.push(new TextDecoder().decode(row.ct));
        out.text.push(parts.join(' '));
      }
    }
    db.close();
  }
  return out;
}"""


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of its own: the flows count the demo volunteer's families and end its phones,
    so they need the demo data as seeded, and the other browser tests keep theirs."""
    with serve(tmp_path_factory) as server:
        yield server


def photo_file() -> dict[str, Any]:
    image = Image.new("RGB", (2400, 1800), (120, 170, 220))
    image.paste((176, 48, 58), (900, 600, 1500, 1200))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return {"name": "visit.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def phone_day(page: Any, days: int) -> str:
    """The phone's date in `days` days (its own clock and time zone), as a date input takes it."""
    return str(
        page.evaluate(
            """(days) => { const d = new Date(Date.now() + days * 864e5);
            return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-'
              + String(d.getDate()).padStart(2, '0'); }""",
            days,
        )
    )


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def queue_count(page: Any) -> str:
    return str(page.locator("#fpa-queue-count").inner_text()).strip()


def log_visit(
    page: Any, notes: str, service: str | None = None, photo: bool = False, date: str = ""
) -> None:
    page.click("text=记录走访")
    page.wait_for_selector("#visit-form")
    page.select_option("#visit-kind", "routine_visit")
    if date:
        page.fill("#visit-date", date)
    if service:
        page.check(f"#services-{service}")
    page.fill("#visit-notes", notes)
    if photo:
        page.set_input_files("#visit-photos", files=[photo_file()])
    page.click("#visit-form button[type=submit]")
    page.wait_for_selector("#fpa-needs")


def open_app(phone: Any, server: Server, *, worker: bool = False) -> None:
    """demo-volunteer signs in to the field app on `phone`, which downloads the work; with
    `worker`, the service worker is ready too."""
    login(phone, server, "demo-volunteer", next_path="/field/")
    phone.wait_for_selector("body[data-ready=yes]")
    if worker:
        assert phone.evaluate("navigator.serviceWorker.ready.then(() => true)")


def care_rows(page: Any, server: Server, family: int) -> tuple[int, int]:
    page.goto(server.url(f"/families/{family}/"))
    return page.locator("li[id^=care-]").count(), page.locator(".care-photos img").count()


def test_offline_visits_sync_conflict_and_sign_out(new_page: Any, app_server: Server) -> None:
    phone, _ = new_page(viewport=PHONE)
    dialogs: list[str] = []
    phone.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    login(phone, app_server, "demo-volunteer", next_path="/field/")
    assert phone.url.endswith("/field/")
    phone.wait_for_selector("body[data-ready=yes]")
    first = phone.locator("[data-family]").first
    first.wait_for()
    family = int(first.get_attribute("data-family"))
    head = str(first.locator("h2").inner_text())
    assert phone.locator("[data-family]").count() == 2  # the volunteer's two families
    assert sideways_overflow(phone) == []
    assert phone.evaluate("navigator.serviceWorker.ready.then(() => true)")

    # At rest: only ciphertext, and a key that cannot be read out.
    stored = phone.evaluate(DUMP)
    assert stored["databases"] == ["fpa-field"]
    assert stored["extractable"] == [False]
    assert stored["text"] and not any(head in text for text in stored["text"])

    # The desktop view before: the family's care records.
    desk, _ = new_page()
    login(desk, app_server, "demo-township")
    cares_before, photos_before = care_rows(desk, app_server, family)

    # No network: the app starts from the service worker and works. (A CDP session to slow the
    # CPU down undoes Playwright's offline emulation in this Chromium, so the start is timed at
    # full speed.)
    phone.context.set_offline(True)
    started = time.perf_counter()
    phone.reload()
    phone.locator(f"[data-family='{family}']").wait_for()
    offline_start = time.perf_counter() - started
    assert phone.evaluate("navigator.onLine") is False
    assert "离线" in phone.locator("#fpa-net").inner_text()
    phone.click(f"[data-family='{family}']")
    phone.wait_for_selector("#fpa-needs")
    assert sideways_overflow(phone) == []
    # A home visit within the demo's festival campaign counts for it, and the form says so.
    phone.click("text=记录走访")
    phone.select_option("#visit-kind", "routine_visit")
    assert "暖心行动节日走访" in phone.inner_text("#visit-campaign")
    assert sideways_overflow(phone) == []
    phone.click("#visit-form >> text=取消")
    phone.wait_for_selector("#fpa-needs")
    log_visit(phone, "离线走访一：老人身体尚可", service="visit", photo=True)
    log_visit(phone, "离线走访二：送去米面油")
    phone.click("text=提出诉求")
    phone.fill("#need-description", NEED)
    phone.click("#need-form button[type=submit]")
    phone.wait_for_selector("#fpa-needs")
    # a visit dated in the future (the server refuses it) and one to discard
    later = phone_day(phone, 3)
    log_visit(phone, "离线走访三：日期写错了", date=later)
    log_visit(phone, "要放弃的走访")
    assert queue_count(phone) == "6"  # four visits, a photo, a need
    phone.goto(app_server.url("/field/#/queue"))
    phone.locator("[data-key]").first.wait_for()
    assert phone.locator("[data-key]").count() == 6
    # Before it leaves, an item can be discarded or changed.
    phone.locator("[data-key]", has_text="要放弃的走访").locator(".fpa-discard").click()
    phone.locator("[data-key]", has_text="离线走访二").locator(".fpa-edit").click()
    phone.fill("#visit-notes", "离线走访二：送去米面油和棉被")
    phone.click("#visit-form button[type=submit]")
    phone.wait_for_selector("#fpa-needs")
    assert queue_count(phone) == "5"
    phone.goto(app_server.url("/field/#/queue"))
    assert phone.locator("[data-key]", has_text="送去米面油和棉被").count() == 1
    assert phone.get_by_text("要放弃的走访").count() == 0
    shot(phone, "field-app-queue-offline")
    stored = phone.evaluate(DUMP)
    assert not any("离线走访" in text or NEED in text for text in stored["text"])

    # Back online: sync. The visit dated in the future is refused, with the reason.
    phone.context.set_offline(False)
    phone.click("#fpa-sync")
    refused = phone.locator("[data-state=refused]")
    refused.wait_for()
    phone.wait_for_function("() => document.getElementById('fpa-queue-count').textContent === '1'")
    assert "日期不能晚于今天" in refused.locator(".fpa-reason").inner_text()
    # Corrected and sent again.
    refused.locator(".fpa-edit").click()
    phone.fill("#visit-date", phone_day(phone, 0))
    phone.click("#visit-form button[type=submit]")
    phone.wait_for_selector("#fpa-needs")
    phone.click("#fpa-sync")
    phone.wait_for_function("() => document.getElementById('fpa-queue-count').textContent === ''")
    phone.wait_for_selector("#fpa-message.alert-success")
    phone.goto(app_server.url("/field/#/queue"))
    assert phone.locator("#fpa-queue-empty").count() == 1

    # The desktop sees the three visits, the photo and the need.
    cares_after, photos_after = care_rows(desk, app_server, family)
    assert cares_after == cares_before + 3
    assert photos_after == photos_before + 1
    assert desk.get_by_text(NEED).count() >= 1

    # The staff work on the need while the phone does too: a conflict, both versions shown.
    phone.goto(app_server.url(f"/field/#/family/{family}"))
    update = phone.locator("#fpa-needs li", has_text=NEED).locator("[data-need]")
    update.wait_for()
    need_id = int(update.get_attribute("data-need"))
    row = desk.locator(f"form[action='/families/needs/{need_id}/']")
    row.locator("select[name=status]").select_option("in_progress")
    row.locator("[name=result]").fill("已联系镇民政办")
    with desk.expect_navigation():
        row.locator("button[type=submit]").click()

    update.click()
    phone.select_option("#need-status", "resolved")
    phone.fill("#need-result", "屋顶已修好")
    phone.click("#need-update-form button[type=submit]")
    phone.wait_for_selector("#fpa-needs")
    phone.click("#fpa-sync")
    phone.goto(app_server.url("/field/#/queue"))
    conflict = phone.locator("[data-state=conflict]")
    conflict.wait_for()
    assert "屋顶已修好" in conflict.locator(".fpa-mine").inner_text()
    assert "已联系镇民政办" in conflict.locator(".fpa-current").inner_text()
    assert "办理中" in conflict.locator(".fpa-current").inner_text()
    shot(phone, "field-app-conflict")
    assert sideways_overflow(phone) == []
    conflict.locator(".fpa-resubmit").click()
    phone.wait_for_selector("#fpa-queue-empty")
    desk.goto(app_server.url(f"/families/{family}/"))
    assert desk.get_by_text("屋顶已修好").count() >= 1

    # The app's sign-out wipes the phone and signs out.
    phone.click(".fpa-field-menu summary")
    with phone.expect_navigation():
        phone.click("#fpa-logout")
    phone.wait_for_url("**/accounts/login/**")
    stored = phone.evaluate(DUMP)
    assert "fpa-field" not in stored["databases"]
    assert not any(head in text for text in stored["text"])
    assert dialogs == ["放弃这条记录？它不会同步。"]
    print(f"field app offline start: {offline_start * 1000:.0f} ms")
    assert offline_start < 5  # the target is 1 s; the test machine may be busy


def test_a_phone_ended_from_the_web_pages_wipes_itself(new_page: Any, app_server: Server) -> None:
    phone, _ = new_page(viewport=PHONE)
    open_app(phone, app_server)
    head = str(phone.locator("[data-family] h2").first.inner_text())
    assert any(phone.evaluate(DUMP)["text"])

    # The same person, on a computer: 我的账号 → 外勤设备 → 清除这台手机.
    desk, _ = new_page()
    desk.on("dialog", lambda dialog: dialog.accept())
    login(desk, app_server, "demo-volunteer", next_path="/accounts/profile/")
    with desk.expect_navigation():
        desk.get_by_role("button", name="清除这台手机").first.click()
    assert "已注销这台设备的离线数据" in desk.inner_text("main")

    # The phone's next call is answered 410: it wipes what it holds.
    phone.click("#fpa-sync")
    phone.wait_for_selector("#fpa-message.alert-danger")
    assert "已被注销" in phone.inner_text("#fpa-message")
    stored = phone.evaluate(DUMP)
    assert stored["extractable"] == []
    assert stored["text"] == []
    assert phone.get_by_text(head).count() == 0


def test_an_update_is_announced_and_applies_on_the_next_start_and_the_phone_is_wiped(
    new_page: Any, app_server: Server
) -> None:
    phone, _ = new_page(viewport=PHONE)
    open_app(phone, app_server, worker=True)
    phone.reload()  # now the page runs under the service worker
    phone.wait_for_selector("body[data-ready=yes]")
    assert phone.evaluate("navigator.serviceWorker.controller !== null")
    assert phone.locator("#fpa-update").is_hidden()

    # A new service worker (here: the same one at a new address, which the browser installs as
    # an update) is announced while the running one keeps the page.
    phone.evaluate("navigator.serviceWorker.register('/field/sw.js?v=2', {scope: '/field/'})")
    phone.wait_for_selector("#fpa-update:not([hidden])")
    assert "下次启动时生效" in phone.inner_text("#fpa-update")
    assert not phone.evaluate("navigator.serviceWorker.controller.scriptURL").endswith("?v=2")

    # The next start (every window of the app closed, then opened again) runs the new one.
    context = phone.context
    phone.close()
    again = context.new_page()
    again.goto(app_server.url("/field/"))
    again.wait_for_function(
        "() => navigator.serviceWorker.controller"
        " && navigator.serviceWorker.controller.scriptURL.endsWith('?v=2')"
    )
    again.wait_for_selector("body[data-ready=yes]")
    # (The app registers /field/sw.js again, which is an update from the test's "?v=2": its
    # banner here says nothing about the real, single-address case.)
    assert again.locator("[data-family]").count() == 2

    # 清除本机数据 (the app also asks the server to end the phone): nothing is left.
    again.on("dialog", lambda dialog: dialog.accept())
    again.click(".fpa-field-menu summary")
    again.click("#fpa-wipe")
    again.wait_for_selector("#fpa-message:not([hidden])")
    assert "本机数据已清除" in again.inner_text("#fpa-message")
    stored = again.evaluate(DUMP)
    assert stored["text"] == [] and stored["extractable"] == []
    assert again.locator("[data-family]").count() == 0


# The phone's own view of what it holds: every record of the data and queue stores, decrypted
# with the phone's (non-extractable, but usable) data key.
DECRYPTED = """async () => {
  const db = await new Promise((ok, no) => { const r = indexedDB.open('fpa-field'); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
  const all = (store) => new Promise((ok) => { const r = db.transaction(store).objectStore(store).getAll(); r.onsuccess = () => ok(r.result); });
  const key = (await all('meta')).find((row) => row instanceof CryptoKey);
  const out = [];
  for (const store of ['data', 'queue']) {
    for (const row of await all(store)) {
      const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: row.iv }, key, row.ct);
      out.push(new TextDecoder().decode(plain));
    }
  }
  db.close();
  return out;
}"""

KINDS = {"失独家庭", "伤残家庭", "手术并发症家庭"}


def test_a_sensitive_value_is_revealed_online_only_and_kept_nowhere(
    new_page: Any, app_server: Server
) -> None:
    """The demo volunteer is a contact of their families, so the family screen offers the
    reveal: the family's kind, asked for with a reason, is shown and stored nowhere; leaving the
    screen drops it; offline the button is disabled."""
    phone, _ = new_page(viewport=PHONE)
    open_app(phone, app_server)
    first = phone.locator("[data-family]").first
    first.wait_for()
    family = int(first.get_attribute("data-family"))
    first.click()
    card = phone.locator("#fpa-reveal")
    card.wait_for()
    assert "查看敏感信息" in card.inner_text()
    options = phone.locator("#reveal-what option").all_inner_texts()
    assert options[:2] == ["家庭类别", "家庭备注"]
    assert any("身份证号码" in o for o in options) and any("联系电话" in o for o in options)

    # A reason is required (two characters at least), before anything is asked.
    phone.select_option("#reveal-what", label="家庭类别")
    phone.fill("#reveal-reason", "看")
    phone.click("#reveal-go")
    assert "至少2个字" in phone.inner_text("#reveal-error")
    assert phone.locator("#reveal-shown").is_hidden()

    phone.fill("#reveal-reason", "入户核实家庭类别")
    phone.click("#reveal-go")
    phone.wait_for_selector("#reveal-shown:not([hidden])")
    kind = phone.inner_text("#reveal-value").strip()
    assert kind in KINDS
    assert "不保存在本机" in phone.inner_text("#reveal-shown")
    assert phone.locator("#reveal-error").is_hidden()
    assert sideways_overflow(phone) == []
    shot(phone, "field-app-reveal")

    # Kept nowhere: not in the database (as stored, or decrypted with the phone's key), not in
    # the app's work.
    stored = phone.evaluate(DUMP)
    assert stored["text"] and not any(kind in text for text in stored["text"])
    plain = phone.evaluate(DECRYPTED)
    assert any(f'"id":{family},' in text for text in plain)  # the work, decrypted
    assert not any(kind in text for text in plain)

    # Leaving the screen drops it.
    phone.goto(app_server.url("/field/#/"))
    phone.locator(f"[data-family='{family}']").click()
    phone.wait_for_selector("#fpa-reveal")
    assert phone.locator("#reveal-shown").is_hidden()
    assert phone.inner_text("#reveal-value") == ""
    assert kind not in phone.inner_text("main")

    # Offline: the button is disabled and the card says why.
    phone.context.set_offline(True)
    phone.wait_for_selector("#reveal-go[disabled]")
    assert phone.locator("#reveal-offline").is_visible()
    assert "需联网才能查看敏感信息" in phone.inner_text("#reveal-offline")
    phone.context.set_offline(False)
    phone.wait_for_selector("#reveal-go:not([disabled])")
    assert phone.locator("#reveal-offline").is_hidden()
