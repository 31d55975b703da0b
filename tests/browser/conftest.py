"""The real app for browser tests: migrated, seeded and served by gunicorn, in a tmp dir.

The server always uses its own fresh SQLite database (also in the PostgreSQL CI run, whose
DATABASE_URL is not passed on) and the production WSGI stack: gunicorn, WhiteNoise serving the
collected static files, DEBUG off. Chromium is Debian's /usr/bin/chromium, driven by Playwright
(`playwright install` is never needed).

`page.wait_for_function` takes a function here ("() => …"), never a bare expression: Playwright
evals an expression again at every poll, and the pages' CSP (no 'unsafe-eval') refuses that
eval, so a wait that is not true at its first check fails ("EvalError … unsafe-eval"). A function
is evaluated once, inside the DevTools call, which the CSP does not govern.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",  # CI containers often have a tiny /dev/shm
]
DEMO_PASSWORD = "Demo-Passw0rd-" + secrets.token_hex(4)
FIELD_KEYS = json.dumps(
    {
        "active": "t1",
        "keys": {"t1": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="},
        "hash_key": "aGFzaC1rZXktZm9yLXRlc3RzLW9ubHktMDEyMzQ1Njc=",
    }
)


@dataclass(frozen=True)
class Server:
    origin: str  # http://127.0.0.1:<port>
    password: str
    log: Path

    def url(self, path: str) -> str:
        return self.origin + path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(var_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "FPA_")) and k != "DATABASE_URL"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"sqlite:///{var_dir / 'fpa.sqlite3'}",
        FPA_VAR_DIR=str(var_dir),
        FPA_STATIC_ROOT=str(var_dir / "static"),  # its own: servers may collect at once
        FPA_FIELD_KEYS=FIELD_KEYS,
        FPA_DEMO_PASSWORD=DEMO_PASSWORD,
        FPA_REQUIRE_OTP="0",
        FPA_LEDGER_KEY="YnJvd3Nlci10ZXN0LWxlZGdlci1rZXktc2VlZC0wMDA=",  # checkpoints for proofs
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


def _wait_until_up(proc: subprocess.Popen[bytes], url: str, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"gunicorn exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer {url} within {timeout}s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo, served once per test session: tests read it and add little to it."""
    with serve(tmp_path_factory) as server:
        yield server


@contextlib.contextmanager
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of its own (migrated, seeded, gunicorn and the task worker) for a test module
    that changes the data at scale (tests/browser/test_jobs_browser.py imports 20,000 families):
    override `app_server` in that module with a module-scoped fixture that uses this."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not installed (apt-get install chromium fonts-noto-cjk)"
        if os.environ.get("CI"):
            pytest.fail(message)  # on CI the browser tests must run, never skip
        pytest.skip(message)
    var_dir = tmp_path_factory.mktemp("fpa-var")
    env = _server_env(var_dir)
    log = var_dir / "gunicorn.log"
    # collectstatic (into STATIC_ROOT) runs beside migrate + seed_demo: they are independent.
    collect = subprocess.Popen(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        _manage(env, "migrate", "--noinput", "--verbosity", "0")
        _manage(env, "migrate", "--noinput", "--verbosity", "0", "--database", "jobs")
        _manage(env, "seed_demo")
    finally:
        output, _ = collect.communicate(timeout=300)
    if collect.returncode != 0:
        pytest.fail(f"collectstatic failed:\n{output.decode(errors='replace')}")

    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with log.open("wb") as log_file:
        proc = subprocess.Popen(
            [
                str(gunicorn),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--access-logfile",
                "-",
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        # The task worker beside gunicorn, as `make run` starts it: imports run as jobs.
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--no-startup-delay", "--interval", "0.2"],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    server = Server(origin=f"http://127.0.0.1:{port}", password=DEMO_PASSWORD, log=log)
    try:
        _wait_until_up(proc, server.url("/accounts/login/"), log, timeout=90)
        yield server
    finally:
        for child in (proc, worker):
            child.terminate()
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(timeout=5)


@pytest.fixture(scope="module")
def browser(app_server: Server) -> Iterator[Any]:
    """One headless Chromium for the module (module scope: Playwright's event loop must not
    outlive the browser tests, or Django's async-safety check trips in later tests)."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


class PageRecorder:
    """Every request a page makes, and every response at or above 400."""

    def __init__(self, page: Any) -> None:
        self.requests: list[str] = []
        self.errors: list[tuple[int, str]] = []
        self.console_errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on(
            "response",
            lambda response: (
                self.errors.append((response.status, response.url))
                if response.status >= 400
                else None
            ),
        )
        page.on(
            "console",
            lambda message: (
                self.console_errors.append(message.text) if message.type == "error" else None
            ),
        )

    def foreign(self, origin: str) -> list[str]:
        return [
            url
            for url in self.requests
            if not (url.startswith(origin + "/") or url.startswith("data:"))
        ]


@pytest.fixture
def new_page(browser: Any, app_server: Server) -> Iterator[Any]:
    """`new_page(viewport=...)` -> (page, recorder); contexts are closed after the test, and no
    page may have fetched anything from outside the server's origin."""
    contexts: list[Any] = []
    recorders: list[PageRecorder] = []

    def make(viewport: dict[str, int] | None = None) -> tuple[Any, PageRecorder]:
        context = browser.new_context(
            viewport=viewport or {"width": 1280, "height": 800}, locale="zh-CN"
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        recorder = PageRecorder(page)
        recorders.append(recorder)
        return page, recorder

    yield make
    for context in contexts:
        context.close()
    for recorder in recorders:
        assert recorder.requests, "no request recorded"
        assert recorder.foreign(app_server.origin) == [], "resources from outside the app"


def login(page: Any, server: Server, username: str, next_path: str = "/") -> None:
    page.goto(server.url(f"/accounts/login/?next={next_path}"))
    page.fill("#id_username", username)
    page.fill("#id_password", server.password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/accounts/login/" not in page.url, page.inner_text("main")


# Printing: every print view fits A4 (fpa/static/fpa/print.css). Printable widths at CSS 96 px/in,
# from the @page margins there: portrait 210 - 2 x 12 mm, landscape 297 - 2 x 10 mm.
PRINTABLE_MM = {"portrait": 186.0, "landscape": 277.0}
A4_POINTS = {"portrait": (595.9, 842.9), "landscape": (842.9, 595.9)}


@dataclass(frozen=True)
class Printout:
    orientation: str
    pages: int
    media_box: tuple[float, float]  # points, from the PDF
    cut: list[str]  # elements whose right edge passes the printable width

    @property
    def is_a4(self) -> bool:
        want = A4_POINTS[self.orientation]
        return all(abs(got - w) < 2 for got, w in zip(self.media_box, want, strict=True))


_CUT_SCRIPT = """(limit) => {
  const cut = [];
  if (document.documentElement.scrollWidth > limit + 1) cut.push('page ' + document.documentElement.scrollWidth);
  for (const el of document.querySelectorAll('main *')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > limit + 1) cut.push(el.tagName.toLowerCase() + '.' + el.className + ' right=' + Math.round(r.right));
  }
  return cut.slice(0, 12);
}"""


def print_to_pdf(page: Any, save_as: str | None = None) -> Printout:
    """Print the current page as Chromium prints it: lay it out with print media at the A4
    printable width of its orientation (which elements would be cut), then make the PDF with the
    page's own @page size and read its page count and page size."""
    import re

    landscape = page.evaluate("document.body.classList.contains('fpa-print-landscape')")
    orientation = "landscape" if landscape else "portrait"
    width_px = int(PRINTABLE_MM[orientation] / 25.4 * 96)
    viewport = page.viewport_size
    page.emulate_media(media="print")
    page.set_viewport_size({"width": width_px, "height": 1000})
    try:
        cut = page.evaluate(_CUT_SCRIPT, width_px)
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    finally:
        page.emulate_media(media="screen")
        if viewport:
            page.set_viewport_size(viewport)
    if save_as:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / save_as).write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    media_box = (float(box.group(1)), float(box.group(2))) if box else (0.0, 0.0)
    return Printout(orientation=orientation, pages=pages, media_box=media_box, cut=cut)


def sideways_overflow(page: Any) -> list[str]:
    """What makes the page scroll sideways at the current viewport (empty when nothing does):
    the document's scrollWidth against innerWidth, the elements that pass the right edge, and
    any box that scrolls sideways inside the page (a table in a scroll box hides its columns)."""
    return page.evaluate(
        """() => {
      const limit = window.innerWidth, out = [];
      if (document.documentElement.scrollWidth > limit) out.push('document ' + document.documentElement.scrollWidth + ' > ' + limit);
      for (const el of document.querySelectorAll('body *')) {
        if (!el.checkVisibility()) continue;  // hidden, or inside a closed <details>
        const r = el.getBoundingClientRect();
        if (r.width > 0 && r.right > limit + 1 && getComputedStyle(el).position !== 'fixed') {
          let p = el.parentElement, clipped = false;
          while (p) { const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'hidden' || o === 'scroll') { clipped = true; break; } p = p.parentElement; }
          if (!clipped) out.push(el.tagName.toLowerCase() + '.' + el.className + ' right=' + Math.round(r.right));
        }
        const ox = getComputedStyle(el).overflowX;
        if ((ox === 'auto' || ox === 'scroll') && el.scrollWidth > el.clientWidth + 1 && r.width > 0)
          out.push('scroll box ' + el.tagName.toLowerCase() + '.' + el.className + ' ' + el.scrollWidth + ' > ' + el.clientWidth);
      }
      return out.slice(0, 12);
    }"""
    )
