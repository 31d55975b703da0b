"""The overview (驾驶舱) in a real browser: at 375 px (a phone) and 1366 px nothing scrolls
sideways and the charts draw without a console error; a click on a bar opens the records behind
it; the page prints on A4 with nothing cut."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, Server, login, print_to_pdf, sideways_overflow

pytestmark = pytest.mark.browser

# Where the tallest bar of a chart is drawn, in page coordinates (ECharts' own conversion), and
# the link of that bar.
TALLEST_BAR = """(id) => {
  const el = document.getElementById(id);
  const chart = echarts.getInstanceByDom(el);
  const data = chart.getOption().series[0].data;
  let best = -1;
  data.forEach((v, i) => { if (v && (best < 0 || v > data[best])) { best = i; } });
  if (best < 0) { return null; }
  const spec = JSON.parse(document.getElementById("overview-chart-data").textContent)
    .charts.find((c) => "overview-chart-" + c.key === id);
  const narrow = el.clientWidth < 576;
  const point = chart.convertToPixel({seriesIndex: 0},
    narrow ? [data[best] / 2, best] : [best, data[best] / 2]);
  const box = el.getBoundingClientRect();
  return {x: box.left + point[0], y: box.top + point[1], link: spec.links[best]};
}"""


@pytest.mark.parametrize("width", [375, 1366])
def test_the_overview_fits_and_a_bar_opens_its_records(
    new_page: Any, app_server: Server, width: int
) -> None:
    page, recorder = new_page({"width": width, "height": 800})
    login(page, app_server, "demo-county", "/overview/")
    page.locator("#overview-chart-activities canvas").wait_for()
    assert page.locator("[data-figure]").count() >= 10
    assert sideways_overflow(page) == []
    page.screenshot(path=str(ARTIFACTS / f"overview-{width}.png"), full_page=True)
    bar = page.locator("#overview-chart-activities")
    bar.scroll_into_view_if_needed()
    target = page.evaluate(TALLEST_BAR, "overview-chart-activities")
    assert target is not None, "the demo county has activities in some township"
    with page.expect_navigation():
        page.mouse.click(target["x"], target["y"])
    assert page.url.endswith(target["link"])
    assert "/activities/figures/records/" in page.url
    assert recorder.console_errors == []


def test_a_township_opens_its_overview_from_the_home_page_and_prints_it(
    new_page: Any, app_server: Server
) -> None:
    page, recorder = new_page({"width": 1280, "height": 800})
    login(page, app_server, "demo-township")
    page.locator("[data-overview-link]").click()
    page.wait_for_url("**/overview/")
    assert page.locator("[data-child]").count() > 0  # its villages
    printout = print_to_pdf(page, "overview.pdf")
    assert printout.is_a4 and printout.cut == [], printout
    assert recorder.console_errors == []
