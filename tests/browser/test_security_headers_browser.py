"""The pages that had inline script, under the Content-Security-Policy, in headless Chromium.

Every page is watched for `securitypolicyviolation` events (recorded by an init script, which the
browser runs outside the page's policy) and console errors: none is allowed. The charts still draw,
the navigation toggle, the htmx filters and tree, the language switch, the print buttons and the
progress bar still work, and the API docs (Swagger UI) render. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, login

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(
    [e.violatedDirective, e.blockedURI, e.sourceFile, e.lineNumber, e.sample].join(" | ")
  );
});
window.__printed = 0;
window.print = function () { window.__printed += 1; };
"""


@pytest.fixture
def watched(new_page):
    """`watched(viewport=...)` -> (page, recorder), with violations recorded; after the test, no
    page saw a violation or a console error."""
    pages: list[tuple[Any, Any]] = []

    def make(viewport: dict[str, int] | None = None) -> tuple[Any, Any]:
        page, recorder = new_page(viewport)
        page.context.add_init_script(WATCH)
        pages.append((page, recorder))
        return page, recorder

    yield make
    for page, recorder in pages:
        assert_clean(page, recorder)


def assert_clean(page: Any, recorder: Any) -> None:
    violations = page.evaluate("() => window.__violations")
    assert violations == [], violations
    assert recorder.console_errors == [], recorder.console_errors


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"csp-{name}.png"), full_page=True)


def test_the_policy_is_sent_and_a_violation_would_be_seen(watched, app_server):
    """The recorder works: an inline script injected into a served page is refused and seen."""
    page, recorder = watched()
    response = page.goto(app_server.url("/fund/public/"))
    policy = response.header_value("content-security-policy")
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert page.evaluate("() => window.__violations") == []
    page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.__ran = 1"; document.body.appendChild(s); }"""
    )
    page.wait_for_function("() => window.__violations.length > 0")
    assert page.evaluate("() => window.__ran") is None
    assert "script-src" in page.evaluate("() => window.__violations")[0]
    # Reset for the fixture's final check (the violation was ours, and so is its console error).
    page.evaluate("() => { window.__violations = []; }")
    recorder.console_errors.clear()


def test_fund_public_chart_draws(watched, app_server):
    page, _ = watched()
    page.goto(app_server.url("/fund/public/"))
    canvas = page.locator("#fund-chart canvas")
    canvas.wait_for()
    box = canvas.bounding_box()
    assert box["width"] > 200 and box["height"] >= 250
    # The series names come from the template's data- attributes (translated there).
    chart = page.locator("#fund-chart")
    assert chart.get_attribute("data-income-label") == "收入"
    # Drawn, not blank: some pixels differ from the first one.
    assert page.evaluate(
        """() => { const c = document.querySelector("#fund-chart canvas");
                   const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
                   for (let i = 4; i < d.length; i += 4) {
                     if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2]) return true;
                   }
                   return false; }"""
    )
    # The tooltip (drawn on the canvas) on hover raises no violation.
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.6)
    page.wait_for_timeout(300)
    shot(page, "fund-public-home")


def test_coverage_chart_draws_on_desktop_and_phone(watched, app_server):
    for viewport, name in ((None, "coverage-desktop"), (PHONE, "coverage-phone")):
        page, _ = watched(viewport)
        login(page, app_server, "demo-county", next_path="/families/coverage/")
        canvas = page.locator("#coverage-chart canvas")
        canvas.wait_for()
        box = canvas.bounding_box()
        assert box["width"] > 200 and box["height"] >= 250, box
        if viewport is PHONE:  # the script lengthens the chart for horizontal bars
            labels = page.locator("table tbody tr").count()
            assert box["height"] >= min(260, labels * 72 + 90) - 1
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_timeout(300)
        shot(page, name)


def test_nav_toggle_language_switch_and_print(watched, app_server):
    page, _ = watched(PHONE)
    login(page, app_server, "demo-township", next_path="/families/roster/")
    nav = page.locator("#nav")
    assert not nav.is_visible()
    page.click(".navbar-toggler")
    nav.get_by_role("link").first.wait_for(state="visible")
    shot(page, "nav-open-phone")
    # The print button (data-fpa-print) calls window.print.
    page.click("[data-fpa-print]")
    assert page.evaluate("() => window.__printed") == 1
    # The language select submits its form on change (data-fpa-autosubmit).
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.evaluate("() => document.documentElement.lang") == "en"
    with page.expect_navigation():
        page.select_option("select[name=language]", "zh-hans")
    assert page.evaluate("() => document.documentElement.lang") == "zh-hans"


def test_htmx_filter_and_tree(watched, app_server):
    page, _ = watched()
    login(page, app_server, "demo-township", next_path="/families/")
    # htmx's own indicator <style> is off (it would be refused); the rules are in app.css.
    assert page.evaluate("() => htmx.config.includeIndicatorStyles") is False
    assert page.evaluate("() => document.querySelectorAll('head style').length") == 0
    rows = page.locator("#rows")
    before = rows.inner_text()
    with page.expect_response(re.compile(r"/families/\?.*q=")):
        page.fill("#id_q", "zzz-nobody")
    page.wait_for_function("(b) => document.querySelector('#rows').innerText !== b", arg=before)
    assert "q=zzz-nobody" in page.url  # hx-push-url
    shot(page, "families-filtered")

    page.goto(app_server.url("/org/"))
    node = page.locator(".tree li:has(> button.toggle)").first
    code = node.get_attribute("id").removeprefix("node-")
    button = node.locator("> button.toggle")
    with page.expect_response(re.compile(rf"/org/a/{code}/children/$")):
        button.click()
    page.locator(f"#children-{code} li").first.wait_for()
    assert button.is_disabled()  # data-fpa-once
    shot(page, "tree-expanded")


def test_campaign_progress_bar_width(watched, app_server):
    page, _ = watched()
    login(page, app_server, "demo-county", next_path="/families/campaigns/")
    links = page.locator("main a[href^='/families/campaigns/']")
    assert links.count() > 0, "the demo data has a visiting campaign"
    with page.expect_navigation():
        links.first.click()
    bar = page.locator(".progress-bar")
    share = float(bar.get_attribute("data-fpa-width"))
    width = bar.evaluate("el => el.getBoundingClientRect().width")
    track = page.locator(".progress").evaluate("el => el.getBoundingClientRect().width")
    assert abs(width - track * min(share, 100) / 100) <= 2, (share, width, track)
    shot(page, "campaign-progress")


def test_api_docs_render(watched, app_server):
    page, recorder = watched()
    login(page, app_server, "demo-county", next_path="/api/v1/docs")
    page.locator(".swagger-ui .opblock").first.wait_for()
    assert page.locator(".swagger-ui .opblock").count() >= 20
    assert all(url.startswith(app_server.origin) for url in recorder.requests)
    shot(page, "api-docs")
