"""Figures for the field app (issue 17, deliverable 7), measured in headless Chromium against
the real app; opt-in, as the figures depend on the machine: `FPA_FIELD_BENCH=1 pytest
tests/browser/test_field_app_bench.py -s`. A server of its own, where demo-volunteer looks after
50 families (the demo's 2 and 48 more):

- the work's download (the app's sync with nothing queued: GET /api/v1/field/work, decrypt,
  encrypt, store) on DevTools' "Slow 3G" network (2,000 ms round trip, 50 kB/s each way);
- the offline start (the shell from the service worker, the work decrypted, the list drawn);
- the sync of 100 visits recorded offline (one batch, then the download again).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import Server, _manage, _server_env, login, serve

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.environ.get("FPA_FIELD_BENCH"), reason="FPA_FIELD_BENCH=1 runs it"),
]

PHONE = {"width": 375, "height": 812}
SLOW_3G = {
    "offline": False,
    "latency": 2000,
    "downloadThroughput": 50_000,
    "uploadThroughput": 50_000,
}

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
            {"role": "mother", "name": f"测试母亲{i}", "id_number": synthesize("622923", birth, 2 * (300 + i)), "phone": f"1390000{i:04d}"},
            {"role": "child", "name": f"测试孩子{i}", "death_date": datetime.date(2019, 3, 2)},
        ],
    )
    services.contact_assign(
        actor=township, family=family, role=role, name="", user=volunteer,
        start_date=timezone.localdate() - datetime.timedelta(days=30),
    )
print(Family.objects.filter(contacts__user=volunteer, contacts__end_date__isnull=True).distinct().count())
"""


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve(tmp_path_factory) as server:
        _manage(_server_env(server.log.parent), "shell", "-c", SEED)
        yield server


def test_field_app_figures(new_page: Any, app_server: Server) -> None:
    phone, _ = new_page(viewport=PHONE)
    login(phone, app_server, "demo-volunteer", next_path="/field/")
    phone.wait_for_selector("body[data-ready=yes]")
    assert phone.locator("[data-family]").count() == 50
    assert phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    family = int(phone.locator("[data-family]").first.get_attribute("data-family"))

    # The download on Slow 3G.
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    started = time.perf_counter()
    phone.click("#fpa-sync")
    phone.wait_for_selector("#fpa-message.alert-success")
    download = time.perf_counter() - started
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
    for i in range(100):
        phone.evaluate(f"location.hash = '#/visit/{family}'")
        phone.wait_for_selector("#visit-form")
        phone.fill("#visit-notes", f"批量走访{i}")
        phone.click("#visit-form button[type=submit]")
        phone.wait_for_selector("#fpa-needs")
    assert phone.inner_text("#fpa-queue-count").strip() == "100"

    # The sync of the 100 visits (coming back online starts it; the button joins it).
    phone.evaluate("location.hash = '#/queue'")
    started = time.perf_counter()
    phone.context.set_offline(False)
    phone.click("#fpa-sync")
    phone.wait_for_function("document.getElementById('fpa-queue-count').textContent === ''")
    phone.wait_for_selector("#fpa-message.alert-success")
    sync = time.perf_counter() - started
    print(
        f"\nfield app, 50 families: download on Slow 3G {download:.2f} s; offline start "
        f"{offline_start * 1000:.0f} ms; sync of 100 visits {sync:.2f} s"
    )
