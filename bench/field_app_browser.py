"""Figures for the field app (issue 17, deliverable 7), measured in headless Chromium against
the real app: `.venv/bin/python bench/field_app_browser.py [--runs N]`. A server of its own (the
browser tests' `serve`: migrated, demo data, gunicorn with 2 workers and the task worker, in a
temporary directory), where demo-volunteer looks after 50 families (the demo's 2 and 48 more):

- the work's download (the app's sync with nothing queued: GET /api/v1/field/work, decrypt,
  encrypt, store) on DevTools' "Slow 3G" network (2,000 ms round trip, 50 kB/s each way), and
  on the link that preset stands for (WebPageTest's "3G Slow": 400 ms round trip; DevTools
  multiplies it by 5 so that every request also pays a new connection's handshakes, while the
  app's download goes over the connection the page holds to the proxy in front, one round trip);
- the offline start (the shell from the service worker, the work decrypted, the list drawn);
- the sync of 100 visits recorded offline (one batch, then the download again);
- on a mid-range phone's CPU (DevTools' 4x CPU slowdown, Lighthouse's mobile profile): the
  offline start again, offline through the same DevTools session (a second session would undo
  Playwright's offline emulation; the page is checked to be offline), then 100 more visits and
  their sync on Slow 3G.

Each run uses a fresh browser context (nothing installed yet). Figures: bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    Server,
    _manage,
    _server_env,
    login,
    serve,
)

PHONE = {"width": 375, "height": 812}
SLOW_3G = {
    "offline": False,
    "latency": 2000,
    "downloadThroughput": 50_000,
    "uploadThroughput": 50_000,
}
LINK_3G = {**SLOW_3G, "latency": 400}

SEED = """
import datetime
from django.utils import timezone
from fpa.accounts.models import User
from fpa.core.idnumbers import synthesize
from fpa.families import services
from fpa.families.models import ContactRole, Family
from fpa.organizations.models import Association
township = User.objects.get(username="demo-township")
volunteer = User.objects.get(username="demo-volunteer")
village = Association.objects.get(code="622923100201")
role = ContactRole.objects.get(code="member_or_volunteer")
for i in range(48):
    birth = datetime.date(1962 + i % 10, 1 + i % 12, 1 + i % 28)
    family = services.family_register(
        actor=township, association=village, kind=Family.Kind.BEREAVED,
        address=f"大庄村{i % 9 + 1}社{i + 1}号",
        people=[
            {"role": "mother", "name": f"测试母亲{i}", "phone": f"1390000{i:04d}",
             "id_number": synthesize("622923", birth, 2 * (300 + i))},
            {"role": "child", "name": f"测试孩子{i}", "death_date": datetime.date(2019, 3, 2)},
        ],
    )
    services.contact_assign(
        actor=township, family=family, role=role, name="", user=volunteer,
        start_date=timezone.localdate() - datetime.timedelta(days=30),
    )
mine = Family.objects.filter(contacts__user=volunteer, contacts__end_date__isnull=True)
print(mine.distinct().count())
"""


class _TempDirs:
    """What `serve` asks of pytest's tmp_path_factory: a fresh directory per name."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="fpa-field-bench-"))

    def mktemp(self, name: str) -> Path:
        return Path(tempfile.mkdtemp(prefix=name, dir=self.root))


def run_once(browser: Any, server: Server) -> dict[str, float]:
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.set_default_timeout(30_000)
    phone = context.new_page()
    try:
        return _measure(phone, server)
    finally:
        context.close()


def _measure(phone: Any, server: Server) -> dict[str, float]:
    login(phone, server, "demo-volunteer", next_path="/field/")
    phone.wait_for_selector("body[data-ready=yes]")
    assert phone.locator("[data-family]").count() == 50
    assert phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    family = int(phone.locator("[data-family]").first.get_attribute("data-family"))

    # The download on Slow 3G.
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    download = timed_download(phone)
    cdp.send("Network.emulateNetworkConditions", LINK_3G)
    link_download = timed_download(phone)
    cdp.send(
        "Network.emulateNetworkConditions",
        {**SLOW_3G, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    cdp.detach()

    # Offline: the start, then 100 visits recorded.
    phone.context.set_offline(True)
    started = time.perf_counter()
    phone.reload()
    phone.locator(f"[data-family='{family}']").wait_for()
    offline_start = time.perf_counter() - started
    record_visits(phone, family, "批量走访")

    # The sync of the 100 visits (coming back online starts it; the button joins it).
    phone.evaluate("location.hash = '#/queue'")
    started = time.perf_counter()
    phone.context.set_offline(False)
    phone.click("#fpa-sync")
    queue_emptied(phone)
    phone.wait_for_selector("#fpa-message.alert-success")
    sync = time.perf_counter() - started

    # The offline start on a slowed-down CPU (from the family list, as the app starts).
    phone.evaluate("location.hash = '#/'")
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    started = time.perf_counter()
    phone.reload()
    phone.locator(f"[data-family='{family}']").wait_for()
    slow_start = time.perf_counter() - started
    assert phone.evaluate("navigator.onLine") is False
    assert "离线" in phone.inner_text("#fpa-net")

    # 100 more visits, then their sync on the same phone profile and on Slow 3G: coming back
    # online starts it (the CSRF token, the batch, the download again: three round trips).
    record_visits(phone, family, "慢速网络走访")
    phone.evaluate("location.hash = '#/queue'")
    started = time.perf_counter()
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    phone.click("#fpa-sync")
    queue_emptied(phone, timeout=60_000)
    phone.wait_for_selector("#fpa-message.alert-success")
    slow_sync = time.perf_counter() - started
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    cdp.detach()
    return {
        "download": download,
        "link_download": link_download,
        "offline_start": offline_start,
        "sync": sync,
        "slow_start": slow_start,
        "slow_sync": slow_sync,
    }


def timed_download(phone: Any) -> float:
    """The sync button with nothing queued: the work downloaded, stored and drawn."""
    phone.evaluate("document.getElementById('fpa-message').className = ''")
    started = time.perf_counter()
    phone.click("#fpa-sync")
    phone.wait_for_selector("#fpa-message.alert-success")
    return time.perf_counter() - started


def queue_emptied(phone: Any, timeout: float = 30_000) -> None:
    """The queue's count went blank (a selector, not a script: the page's CSP forbids eval)."""
    phone.wait_for_selector("#fpa-queue-count:empty", state="attached", timeout=timeout)


def record_visits(phone: Any, family: int, notes: str, count: int = 100) -> None:
    for i in range(count):
        phone.evaluate(f"location.hash = '#/visit/{family}'")
        phone.wait_for_selector("#visit-form")
        phone.fill("#visit-notes", f"{notes}{i}")
        phone.click("#visit-form button[type=submit]")
        phone.wait_for_selector("#fpa-needs")
    assert phone.inner_text("#fpa-queue-count").strip() == str(count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2, help="runs in fresh browser contexts")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with serve(_TempDirs()) as server:  # type: ignore[arg-type]
        _manage(_server_env(server.log.parent), "shell", "-c", SEED)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            try:
                for run in range(1, args.runs + 1):
                    f = run_once(browser, server)
                    print(
                        f"run {run}: field app, 50 families: download on Slow 3G "
                        f"{f['download']:.2f} s (on its 400 ms link {f['link_download']:.2f} s); "
                        f"offline start {f['offline_start'] * 1000:.0f} ms; "
                        f"sync of 100 visits {f['sync']:.2f} s; CPU 4x slower: offline start "
                        f"{f['slow_start'] * 1000:.0f} ms, sync of 100 visits on Slow 3G "
                        f"{f['slow_sync']:.2f} s",
                        flush=True,
                    )
            finally:
                browser.close()


if __name__ == "__main__":
    main()
