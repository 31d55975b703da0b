"""The field app's service worker syncs on its own (issue 17): 大庄村's volunteer records a visit
offline, and a need raised in that visit; the app's window is gone when the network comes
back, and the browser's Background Sync event (fired here through the DevTools protocol, as
Chromium fires it when the network returns) makes the service worker send both; the township's
desktop sees the visit and the need linked to it, and the app's next start finds its queue
empty. A phone that has not reached the server for the idle limit wipes itself at its start,
with no network.

The server is the real app (gunicorn, WhiteNoise, demo data); see conftest.py.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    Server,
    login,
    serve,
    sideways_overflow,
)
from tests.browser.test_field_app_browser import (
    DUMP,
    PHONE,
    log_visit,
    open_app,
    queue_count,
    shot,
)

pytestmark = pytest.mark.browser

NEED = "走访中提出：希望帮忙联系县医院复查"
NOTES = "后台同步的走访：老人腿脚不便"


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of its own (the test adds records to the demo volunteer's family)."""
    with serve(tmp_path_factory) as server:
        yield server


def fire_background_sync(page: Any, origin: str) -> None:
    """Chromium's Background Sync event for the app's registration, as the browser fires it when
    the network comes back."""
    cdp = page.context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while not any(r["scopeURL"].endswith("/field/") for r in registrations):
        assert time.monotonic() < deadline, registrations
        page.wait_for_timeout(100)
    [registration] = [
        r for r in registrations if r["scopeURL"].endswith("/field/") and not r["isDeleted"]
    ][:1]
    cdp.send(
        "ServiceWorker.dispatchSyncEvent",
        {
            "origin": origin,
            "registrationId": registration["registrationId"],
            "tag": "fpa-field-sync",
            "lastChance": False,
        },
    )


def test_the_service_worker_syncs_on_its_own_and_a_need_keeps_its_visit(
    new_page: Any, app_server: Server
) -> None:
    phone, _ = new_page(viewport=PHONE)
    open_app(phone, app_server, worker=True)
    first = phone.locator("[data-family]").first
    family = int(first.get_attribute("data-family"))

    desk, _ = new_page()
    login(desk, app_server, "demo-township")
    desk.goto(app_server.url(f"/families/{family}/"))
    cares_before = desk.locator("li[id^=care-]").count()
    assert desk.get_by_text(NEED).count() == 0

    # Offline: a visit, and from its card in the queue a need raised during it.
    phone.context.set_offline(True)
    phone.reload()
    phone.locator(f"[data-family='{family}']").click()
    phone.wait_for_selector("#fpa-needs")
    log_visit(phone, NOTES, service="visit")
    visit_card = phone.locator("[data-key]", has_text=NOTES)
    visit_key = visit_card.get_attribute("data-key")
    visit_card.locator(".fpa-raise-here").click()
    phone.wait_for_selector("#need-form")
    assert phone.locator("#need-visit").input_value() == visit_key
    assert sideways_overflow(phone) == []
    phone.fill("#need-description", NEED)
    phone.click("#need-form button[type=submit]")
    phone.wait_for_selector("#fpa-needs")
    need_card = phone.locator("[data-key]", has_text=NEED)
    assert "走访中提出" in need_card.inner_text()
    assert "等所属走访同步后再发送" in need_card.inner_text()
    assert queue_count(phone) == "2"
    shot(phone, "field-app-need-in-visit")
    stored = phone.evaluate(DUMP)
    assert not any(NEED in text or NOTES in text for text in stored["text"])

    # The app's window goes (the tab moves on) before the network comes back; the browser's
    # Background Sync event wakes the service worker, which syncs with no window of the app.
    phone.goto("about:blank")
    phone.context.set_offline(False)
    fire_background_sync(phone, app_server.origin)
    deadline = time.monotonic() + 30
    while True:
        desk.goto(app_server.url(f"/families/{family}/"))
        if desk.locator(".need-raised-in").count():
            break
        assert time.monotonic() < deadline, "the service worker did not sync"
        desk.wait_for_timeout(500)
    assert desk.locator("li[id^=care-]").count() == cares_before + 1
    link = desk.locator("div.border", has_text=NEED).locator(".need-raised-in")
    assert "走访中提出" in link.inner_text()
    # the link leads to the visit just synced: the newest care record of the family, by today
    care = desk.locator(str(link.get_attribute("href")))
    assert care.count() == 1
    assert "日常走访" in care.inner_text()

    # The app's next start: nothing waits, the new need is in the downloaded work.
    phone.goto(app_server.url("/field/"))
    phone.wait_for_selector("body[data-ready=yes]")
    assert queue_count(phone) == ""
    phone.goto(app_server.url(f"/field/#/family/{family}"))
    phone.wait_for_selector("#fpa-needs")
    assert NEED in phone.inner_text("#fpa-needs")


def test_a_phone_idle_past_the_limit_wipes_itself_at_its_start(
    new_page: Any, app_server: Server
) -> None:
    phone, _ = new_page(viewport=PHONE)
    open_app(phone, app_server, worker=True)
    head = str(phone.locator("[data-family] h2").first.inner_text())
    days = int(phone.evaluate("document.body.dataset.idleDays"))
    assert days == 60
    # The server was last reached 61 days ago (as the phone's clock says).
    phone.evaluate(
        """(days) => new Promise((ok, no) => {
          const r = indexedDB.open('fpa-field');
          r.onsuccess = () => { const t = r.result.transaction('meta', 'readwrite');
            t.objectStore('meta').put(Date.now() - days * 864e5, 'seen');
            t.oncomplete = () => { r.result.close(); ok(); }; t.onerror = () => no(t.error); };
        })""",
        days + 1,
    )
    phone.context.set_offline(True)
    phone.reload()
    phone.wait_for_selector("body[data-ready=yes]")
    assert "超过60天没有同步" in phone.inner_text("#fpa-message")
    assert phone.get_by_text(head).count() == 0
    stored = phone.evaluate(DUMP)
    assert stored["text"] == [] and stored["extractable"] == []


def test_chromium_finds_the_app_installable(
    browser: Any, app_server: Server, tmp_path: Path
) -> None:
    """Chromium's own installability check (what makes Android's Chrome offer "安装应用"): the
    manifest parses, with a name, a start address in scope, icons of 192 and 512 px, and a
    service worker that controls the start address. Playwright's contexts are incognito, where
    nothing installs, so this one runs on a profile of its own."""
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=str(CHROMIUM),
        args=CHROMIUM_ARGS,
        headless=True,
        viewport=PHONE,
        locale="zh-CN",
    )
    try:
        phone = context.pages[0] if context.pages else context.new_page()
        open_app(phone, app_server, worker=True)
        phone.reload()
        phone.wait_for_selector("body[data-ready=yes]")
        cdp = context.new_cdp_session(phone)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["url"].endswith("/field/manifest.webmanifest")
        assert manifest["errors"] == []
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        # A page with no manifest is not installable: the check does not pass everything.
        phone.goto(app_server.url("/accounts/profile/"))
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert [e["errorId"] for e in errors] == ["no-manifest"]
    finally:
        context.close()


def test_a_sync_after_a_new_sign_in_fetches_the_new_token_and_goes_through(
    new_page: Any, app_server: Server
) -> None:
    """The app keeps the session's CSRF token from its start (a sync on a slow line saves a round
    trip). The session expires in the field and the user signs in again in another tab: the
    kept token is stale, the server answers "csrf_failed", and the app fetches the new token and
    sends the same changes again, once."""
    desk, _ = new_page()
    login(desk, app_server, "demo-township")
    phone, _ = new_page(viewport=PHONE)
    open_app(phone, app_server)
    family = int(phone.locator("[data-family]").first.get_attribute("data-family"))
    desk.goto(app_server.url(f"/families/{family}/"))
    cares_before = desk.locator("li[id^=care-]").count()
    phone.context.clear_cookies()  # the old session is gone
    other = phone.context.new_page()
    login(other, app_server, "demo-volunteer")
    other.close()
    # A visit recorded now is sent at once (Background Sync fires while online, and the open
    # window syncs): with the token kept from the app's start.
    seen = app_server.log.stat().st_size
    received: list[tuple[str, str, int]] = []
    phone.on(
        "response",
        lambda r: received.append((r.request.method, urlsplit(r.url).path, r.status)),
    )
    phone.locator(f"[data-family='{family}']").click()
    phone.wait_for_selector("#fpa-needs")
    log_visit(phone, "重新登录后同步的走访")
    phone.wait_for_selector("#fpa-queue-count:empty", state="attached")
    phone.wait_for_selector("#fpa-message.alert-success:has-text('同步完成')")
    # In the order the phone received them: the sync refused for its stale token, the new token,
    # the same sync again.
    calls = [c for c in received if c[1] in ("/api/v1/field/sync", "/field/session/")]
    assert calls == [
        ("POST", "/api/v1/field/sync", 403),
        ("GET", "/field/session/", 200),
        ("POST", "/api/v1/field/sync", 200),
    ], received
    # And what reached the server (gunicorn's access log, whose two workers write their lines in
    # the order they finish, so only the count is theirs to tell): the same three calls.
    log = app_server.log.read_bytes()[seen:].decode(errors="replace")
    served = re.findall(r'"(GET|POST) (/api/v1/field/sync|/field/session/) HTTP/1\.1" (\d+)', log)
    assert sorted((m, p, int(s)) for m, p, s in served) == sorted(calls), log[-3000:]
    desk.goto(app_server.url(f"/families/{family}/"))
    assert desk.locator("li[id^=care-]").count() == cares_before + 1
