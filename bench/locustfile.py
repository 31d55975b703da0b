"""Load scenario (locust): staff of a township, a village and the county sign in with the demo
accounts, browse lists, open families and log visits through the real form (CSRF); citizens read
the public pages (fund home, notices, grants, the ledger).

Only 127.0.0.1 may be targeted; the run must be bounded (--run-time). The demo accounts'
password is read from $FPA_VAR_DIR/demo-password (default var/demo-password) or
$FPA_DEMO_PASSWORD. A `make run` server does not ask the demo accounts for a second factor
(config.settings.local: FPA_REQUIRE_OTP off), so the county account signs in with its password.

    .venv/bin/locust -f bench/locustfile.py --headless --host http://127.0.0.1:8107 \
        --users 50 --spawn-rate 5 --run-time 10m --csv bench/results/load --only-summary

See bench/README.md (Load) for the whole procedure.
"""

from __future__ import annotations

import datetime
import os
import random
import re
from pathlib import Path
from urllib.parse import urlparse

from locust import HttpUser, between, events, task

ROOT = Path(__file__).resolve().parent.parent
FAMILY_LINK = re.compile(r'href="/families/(\d+)/"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KIND = re.compile(r'<select name="kind"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="(\d+)"')
NOTES = ["入户走访，家庭情况稳定。", "电话回访，已告知关怀政策。", "节日慰问，送去慰问品。"]


def account(role: str, default: str) -> str:
    """The account a role signs in with: the demo's, or $FPA_LOAD_<ROLE> (e.g. bench_township on
    the bench/generate.py databases)."""
    return os.environ.get(f"FPA_LOAD_{role.upper()}", default)


def demo_password() -> str:
    if os.environ.get("FPA_DEMO_PASSWORD"):
        return os.environ["FPA_DEMO_PASSWORD"]
    var = Path(os.environ.get("FPA_VAR_DIR", ROOT / "var"))
    return (var / "demo-password").read_text().strip()


@events.test_start.add_listener
def only_loopback(environment, **kwargs) -> None:
    host = urlparse(environment.host or "").hostname
    if host != "127.0.0.1":
        raise SystemExit(f"this scenario only targets 127.0.0.1, not {environment.host!r}")
    if not environment.parsed_options or not environment.parsed_options.run_time:
        raise SystemExit("give --run-time: the run must stop by itself")


class Staff(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    username = ""

    def on_start(self) -> None:
        self.families: list[str] = []
        page = self.client.get("/accounts/login/", name="/accounts/login/")
        token = CSRF.search(page.text)
        with self.client.post(
            "/accounts/login/",
            data={
                "username": self.username,
                "password": demo_password(),
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            allow_redirects=False,
            name="/accounts/login/ POST",
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "/accounts/" in response.headers.get("Location", ""):
                response.failure(f"sign-in of {self.username} refused ({response.status_code})")
                self.stop()
                return
        self.family_list()

    @task(4)
    def family_list(self) -> None:
        page = random.choice(["", "?page=2"])
        response = self.client.get(f"/families/{page}", name="/families/")
        found = FAMILY_LINK.findall(response.text)
        if found:
            self.families = sorted(set(found) | set(self.families))[:200]

    @task(4)
    def family_detail(self) -> None:
        if self.families:
            pk = random.choice(self.families)
            self.client.get(f"/families/{pk}/", name="/families/[id]/")

    @task(2)
    def log_visit(self) -> None:
        if not self.families:
            return
        pk = random.choice(self.families)
        form = self.client.get(f"/families/{pk}/care/new/", name="/families/[id]/care/new/")
        token, kinds = CSRF.search(form.text), KIND.search(form.text)
        options = OPTION.findall(kinds.group(1)) if kinds else []
        if token is None or not options:
            return
        with self.client.post(
            f"/families/{pk}/care/new/",
            data={
                "csrfmiddlewaretoken": token.group(1),
                "kind": random.choice(options),
                "occurred_on": datetime.date.today().isoformat(),
                "services": [],
                "notes": random.choice(NOTES),
            },
            headers={"Referer": f"{self.host}/families/{pk}/care/new/"},
            allow_redirects=False,
            name="/families/[id]/care/new/ POST",
            catch_response=True,
        ) as response:
            if response.status_code != 302 or response.headers.get("Location") != (
                f"/families/{pk}/"
            ):
                response.failure(f"visit not saved: {response.status_code}")

    @task(1)
    def overdue(self) -> None:
        self.client.get("/families/overdue/", name="/families/overdue/")

    @task(1)
    def associations(self) -> None:
        self.client.get("/org/list/", name="/org/list/")

    @task(1)
    def home(self) -> None:
        self.client.get("/", name="/")


class TownshipStaff(Staff):
    weight = 3
    username = account("township", "demo-township")


class VillageStaff(Staff):
    weight = 3
    username = account("village", "demo-village")


class CountyStaff(Staff):
    weight = 1
    username = account("county", "demo-county")

    @task(1)
    def coverage(self) -> None:
        self.client.get("/families/coverage/", name="/families/coverage/")


class Citizen(HttpUser):
    weight = 3
    wait_time = between(1, 3)

    def on_start(self) -> None:
        with self.client.get(
            "/fund/public/", name="/fund/public/ (redirect)", catch_response=True
        ) as response:
            if response.status_code == 404 and os.environ.get("FPA_LOAD_NO_FUND"):
                response.success()  # a bench database without a fund: the ledger only
        path = urlparse(response.url).path.rstrip("/")
        found = response.status_code == 200 and path.startswith("/fund/public/")
        self.fund = path if found else ""  # /fund/public/<code>

    @task(4)
    def fund_home(self) -> None:
        if self.fund:
            self.client.get(f"{self.fund}/", name="/fund/public/[code]/")

    @task(2)
    def notices(self) -> None:
        if self.fund:
            self.client.get(f"{self.fund}/notices/", name="/fund/public/[code]/notices/")

    @task(2)
    def grants(self) -> None:
        if self.fund:
            self.client.get(f"{self.fund}/grants/", name="/fund/public/[code]/grants/")

    @task(2)
    def ledger(self) -> None:
        self.client.get("/ledger/", name="/ledger/")
