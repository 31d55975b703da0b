"""Every print view prints on A4: each template with a print button (`data-fpa-print`) is opened
as a persona who may see it, printed to PDF by Chromium with the project's print CSS
(fpa/static/fpa/print.css), and checked: the PDF's page size is exactly A4 (portrait, or
landscape where the page asks for it), nothing passes the printable width with print media
emulated (no column cut on the right), and the PDF's text carries the page's title.

The list of print views is checked against the templates themselves: a template that gains a
print button without being listed here fails `test_every_print_button_is_in_the_list`.

The data is the demo's (seed_demo; see tests/browser/conftest.py): pages that need an object
open the first one linked from their list, so the test does not depend on database ids.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, ROOT, Server, login, print_to_pdf

TEMPLATES = ROOT / "fpa" / "templates"
PRINT_BUTTON = re.compile(r"data-fpa-print\b|window\.print\s*\(")


@dataclass(frozen=True)
class View:
    """A page to print: `start` is opened, then each of `follow` (a pattern on a link's href in
    <main>) is followed in turn, its first match in document order; a step "press:<label>"
    presses that button instead when the page has one (a step that a run before may have
    taken already)."""

    persona: str  # "" for an anonymous visitor
    start: str
    follow: tuple[str, ...] = ()


def _via(persona: str, start: str, *follow: str) -> View:
    return View(persona, start, follow)


COUNTY, TOWNSHIP, FINANCE, PUBLIC = "demo-county", "demo-township", "demo-finance", ""

# template -> the pages that render it with its print button
PRINT_VIEWS: dict[str, list[View]] = {
    "activities/activity_list.html": [View(COUNTY, "/activities/")],
    "activities/activity_detail.html": [_via(COUNTY, "/activities/", r"^/activities/\d+/$")],
    "activities/activity_highlights.html": [View(COUNTY, "/activities/highlights/")],
    "activities/campaign_detail.html": [
        _via(COUNTY, "/activities/campaigns/", r"^/activities/campaigns/\d+/$")
    ],
    "activities/club_list.html": [View(COUNTY, "/activities/clubs/")],
    "activities/club_detail.html": [
        _via(COUNTY, "/activities/clubs/", r"^/activities/clubs/\d+/$")
    ],
    "activities/expert_list.html": [View(COUNTY, "/activities/experts/")],
    "activities/expert_detail.html": [
        _via(COUNTY, "/activities/experts/", r"^/activities/experts/\d+/$")
    ],
    "activities/figures.html": [View(COUNTY, "/activities/figures/")],
    # the poster prints while the sign-in is open: the demo's planned activity opens it
    "activities/signin_qr.html": [
        _via(
            COUNTY,
            "/activities/?status=planned",
            r"^/activities/\d+/$",
            "press:开放签到",
            r"^/activities/\d+/signin/$",
        )
    ],
    "activities/site_list.html": [View(COUNTY, "/activities/sites/")],
    "activities/site_detail.html": [
        _via(COUNTY, "/activities/sites/", r"^/activities/sites/\d+/$")
    ],
    "assessment/sheet.html": [
        _via(
            COUNTY, "/assessment/", r"^/assessment/rounds/\d+/$", r"^/assessment/rounds/\d+/\d{9}/$"
        )
    ],
    "childcare/list.html": [View(COUNTY, "/childcare/")],
    "dashboard/overview.html": [View(COUNTY, "/overview/")],
    "dashboard/evaluation.html": [View(COUNTY, "/overview/evaluation/")],
    "childcare/detail.html": [_via(COUNTY, "/childcare/", r"^/childcare/\d+/$")],
    "childcare/inspection.html": [
        _via(COUNTY, "/childcare/problems/", r"^/childcare/inspections/\d+/$")
    ],
    "core/transfers.html": [
        View(COUNTY, "/families/transfers/"),
        View(COUNTY, "/migrants/transfers/"),
    ],
    "families/monthly_report.html": [View(COUNTY, "/families/monthly/")],
    "families/payment_roster.html": [View(TOWNSHIP, "/families/payments/")],
    "families/roster.html": [View(COUNTY, "/families/roster/")],
    "fund/receipt.html": [_via(FINANCE, "/fund/donations/", r"^/fund/donations/\d+/receipt/$")],
    "fund/report.html": [
        View(COUNTY, "/fund/report/"),
        View(PUBLIC, "/fund/public/622923/report/"),
    ],
    "healthyfamilies/awards.html": [View(COUNTY, "/healthy-families/awards/")],
    "healthyfamilies/counts.html": [View(COUNTY, "/healthy-families/counts/")],
    "healthyfamilies/public_list.html": [
        _via(PUBLIC, "/healthy-families/public/", r"^/healthy-families/public/\d+/\d{4}/$")
    ],
    "insurance/products.html": [View(COUNTY, "/insurance/")],
    "insurance/year.html": [_via(COUNTY, "/insurance/", r"^/insurance/years/\d+/$")],
    "insurance/enrolment.html": [
        _via(COUNTY, "/insurance/", r"^/insurance/years/\d+/$", r"^/insurance/enrolments/\d+/$")
    ],
    "insurance/claims.html": [View(COUNTY, "/insurance/claims/")],
    "leftbehind/list.html": [View(COUNTY, "/left-behind/")],
    "leftbehind/detail.html": [_via(COUNTY, "/left-behind/", r"^/left-behind/\d+/$")],
    "members/card.html": [
        _via(TOWNSHIP, "/members/?status=active", r"^/members/\d+/$", r"^/members/\d+/card/$")
    ],
    "migrants/list.html": [View(COUNTY, "/migrants/")],
    "migrants/detail.html": [_via(COUNTY, "/migrants/", r"^/migrants/\d+/$")],
    "migrants/counts.html": [View(COUNTY, "/migrants/counts/")],
    "migrants/enterprises.html": [View(COUNTY, "/migrants/enterprises/")],
    "migrants/enterprise.html": [
        _via(COUNTY, "/migrants/enterprises/", r"^/migrants/enterprises/\d+/$")
    ],
    "rights/list.html": [View(COUNTY, "/rights/")],
    "tasks/book.html": [View(COUNTY, "/tasks/book/")],
    "transparency/notice.html": [View(PUBLIC, "/ledger/notice/")],
    "rights/detail.html": [_via(COUNTY, "/rights/", r"^/rights/\d+/$")],
    "rights/figures.html": [View(COUNTY, "/rights/figures/")],
    "reports/archive.html": [View(COUNTY, "/reports/archive/")],
    "reports/below.html": [View(COUNTY, "/reports/below/?kind=monthly_special")],
    "reports/detail.html": [_via(COUNTY, "/reports/archive/", r"^/reports/\d+/$")],
    "notifications/inbox.html": [View(TOWNSHIP, "/notifications/")],
    "rights/receipt.html": [_via(COUNTY, "/rights/", r"^/rights/\d+/$", r"^/rights/\d+/receipt/$")],
    # the demo's one certificate (tests/browser/test_print_members_browser.py opens it too)
    "volunteers/certificate.html": [View(TOWNSHIP, "/volunteers/certificates/1/")],
}

PERSONAS = sorted({view.persona for views in PRINT_VIEWS.values() for view in views})
MAX_PAGES = 12  # the demo's lists are short: more pages means a layout that runs away


def templates_with_a_print_button(root: Path = TEMPLATES) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*.html")
        if PRINT_BUTTON.search(path.read_text(encoding="utf-8"))
    }


def unlisted(found: set[str]) -> tuple[list[str], list[str]]:
    """(templates with a print button that are not listed, listed ones that lost theirs)."""
    return sorted(found - set(PRINT_VIEWS)), sorted(set(PRINT_VIEWS) - found)


def test_every_print_button_is_in_the_list() -> None:
    found = templates_with_a_print_button()
    assert len(found) >= 30  # the grep itself works (the project has some forty print views)
    missing, stale = unlisted(found)
    assert missing == [], (
        f"print views never printed in a test (add them to PRINT_VIEWS): {missing}"
    )
    assert stale == [], f"listed but without a print button any more: {stale}"


def test_the_guard_notices_a_new_print_button(tmp_path: Path) -> None:
    (tmp_path / "rights").mkdir()
    (tmp_path / "rights" / "list.html").write_text(
        '<button type="button" data-fpa-print>打印</button>', encoding="utf-8"
    )
    (tmp_path / "rights" / "new.html").write_text(
        '<button onclick="window.print()">打印</button>', encoding="utf-8"
    )
    (tmp_path / "rights" / "plain.html").write_text("<p>打印须知</p>", encoding="utf-8")
    found = templates_with_a_print_button(tmp_path)
    assert found == {"rights/list.html", "rights/new.html"}
    missing, stale = unlisted(found)
    assert missing == ["rights/new.html"]
    assert "rights/list.html" not in stale and "fund/report.html" in stale


def _open(page: Any, server: Server, view: View) -> str | None:
    """Open the view's page; None when it is there, else what went wrong."""
    response = page.goto(server.url(view.start))
    if response is None or response.status != 200:
        return f"{view.start}: HTTP {response and response.status}"
    for pattern in view.follow:
        if pattern.startswith("press:"):
            button = page.locator("main").get_by_role("button", name=pattern.removeprefix("press:"))
            if button.count():
                with page.expect_navigation():
                    button.first.click()
            continue
        hrefs = page.eval_on_selector_all(
            "main a[href^='/']", "links => links.map(a => a.getAttribute('href'))"
        )
        target = next((h for h in hrefs if re.search(pattern, h)), None)
        if target is None:
            return f"{page.url}: no link matching {pattern}"
        response = page.goto(server.url(target))
        if response is None or response.status != 200:
            return f"{target}: HTTP {response and response.status}"
    page.wait_for_load_state("networkidle")
    return None


def _pdf_text(path: Path) -> str | None:
    if shutil.which("pdftotext") is None:
        return None
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return re.sub(r"\s+", "", result.stdout)


# The page's title as printed: its <h1> without the buttons and folded forms that do not print
# (the reveal button of a masked name); a page without one (the member card) has <title>.
_TITLE = """() => {
  const h1 = document.querySelector('main h1');
  if (!h1) return document.title.split(' \u00b7 ')[0];
  const copy = h1.cloneNode(true);
  copy.querySelectorAll('button, .btn, .no-print, form, details').forEach(e => e.remove());
  return copy.textContent;
}"""


def _title_words(page: Any) -> list[str]:
    """The title's runs of Chinese characters and of Latin letters: pdftotext may put a run of
    digits (another font) elsewhere on the line, so digits and punctuation are not compared."""
    return re.findall(r"[\u4e00-\u9fff]+|[A-Za-z]{2,}", page.evaluate(_TITLE))


def _check(page: Any, template: str, view: View, index: int) -> list[str]:
    where = f"{template} ({view.persona or 'anonymous'} {page.url})"
    if page.locator("[data-fpa-print]").count() == 0:
        return [f"{where}: no print button on the page"]
    title = _title_words(page)
    if not title:
        return [f"{where}: no title to look for in the PDF"]
    name = "print-all-" + template.replace("/", "-").removesuffix(".html") + f"-{index}.pdf"
    printout = print_to_pdf(page, save_as=name)
    problems: list[str] = []
    if not printout.is_a4:
        problems.append(f"{where}: not A4 {printout.orientation} {printout.media_box}")
    if printout.cut:
        problems.append(f"{where}: cut on the right {printout.cut}")
    if not 1 <= printout.pages <= MAX_PAGES:
        problems.append(f"{where}: {printout.pages} pages")
    text = _pdf_text(ARTIFACTS / name)
    if text is not None and not all(word in text for word in title):
        problems.append(f"{where}: the PDF does not carry the title {title!r}")
    return problems


@pytest.mark.browser
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_print_view_prints_on_a4(new_page: Any, app_server: Server, persona: str) -> None:
    page, _ = new_page()
    if persona:
        login(page, app_server, persona)
    problems: list[str] = []
    printed = 0
    for template, views in sorted(PRINT_VIEWS.items()):
        for index, view in enumerate(views):
            if view.persona != persona:
                continue
            failure = _open(page, app_server, view)
            if failure:
                problems.append(f"{template}: {failure}")
                continue
            problems += _check(page, template, view, index)
            printed += 1
    assert problems == [], "\n".join(problems)
    assert printed == sum(v.persona == persona for vs in PRINT_VIEWS.values() for v in vs)


# The wide papers once more in English (longer words, the same A4).
IN_ENGLISH = [
    "activities/figures.html",
    "families/monthly_report.html",
    "families/roster.html",
    "fund/report.html",
    "healthyfamilies/counts.html",
    "insurance/year.html",
    "migrants/counts.html",
    "rights/figures.html",
]


@pytest.mark.browser
def test_the_wide_print_views_print_on_a4_in_english(new_page: Any, app_server: Server) -> None:
    page, _ = new_page()
    login(page, app_server, COUNTY)
    with page.expect_navigation():
        page.select_option("footer select[name=language]", "en")
    problems: list[str] = []
    for template in IN_ENGLISH:
        view = PRINT_VIEWS[template][0]
        assert view.persona == COUNTY, template
        failure = _open(page, app_server, view)
        if failure:
            problems.append(f"{template}: {failure}")
            continue
        assert page.locator("html").get_attribute("lang") == "en"
        problems += _check(page, template, view, 9)
    assert problems == [], "\n".join(problems)


@pytest.mark.browser
def test_the_print_check_sees_a_cut_column(new_page: Any, app_server: Server) -> None:
    """The check is not blind: a table wider than the paper, added to a print view, is cut."""
    page, _ = new_page()
    login(page, app_server, COUNTY, "/rights/figures/")
    assert print_to_pdf(page).cut == []
    # a wide cell (its width set through the CSSOM: the CSP refuses inline style attributes)
    page.evaluate(
        """() => { const t = document.createElement('table'), d = document.createElement('div');
        d.style.width = '1400px'; d.textContent = 'x';
        t.insertRow().insertCell().appendChild(d);
        document.querySelector('main').appendChild(t); }"""
    )
    assert print_to_pdf(page).cut != []


# The pages that draw an ECharts chart, each with the chart's canvas.
CHART_VIEWS = {
    "/activities/figures/": "#activities-chart canvas",
    "/families/coverage/": "#coverage-chart canvas",
}


@pytest.mark.browser
@pytest.mark.parametrize("path", sorted(CHART_VIEWS))
def test_a_chart_opened_on_a_wide_screen_prints_within_the_page(
    new_page: Any, app_server: Server, path: str
) -> None:
    """A chart keeps the canvas it drew for the screen until its resize handler runs, and a real
    print lays the page out for paper without waiting for it (in CI the handler lost that race
    and the chart was cut). Opened on a 1,600 px screen with its resize held back, the chart
    must still print within A4: the print CSS keeps the canvas inside its column."""
    page, _ = new_page(viewport={"width": 1600, "height": 900})
    login(page, app_server, COUNTY, path)
    canvas = page.locator(CHART_VIEWS[path]).first
    canvas.wait_for()
    assert canvas.bounding_box()["width"] > 1200  # drawn for the wide screen
    page.evaluate(
        "(s) => { echarts.getInstanceByDom(document.querySelector(s).closest('.fpa-chart'))"
        ".resize = () => {}; }",
        CHART_VIEWS[path],
    )
    printout = print_to_pdf(page)
    assert printout.cut == [], printout.cut
    assert printout.is_a4
