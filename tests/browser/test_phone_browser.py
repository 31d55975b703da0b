"""Every persona's main pages at 375 px (a phone) and 1366 px (a desktop): nothing scrolls
sideways, neither the page nor a box inside it (below 576 px every list's rows are cards:
fpa/static/fpa/app.css "Lists on a phone"), and no text is smaller than 12 px.

The five working personas walk their pages as listed in PAGES; the other six demo accounts
(seed_demo's DEMO_ACCOUNTS) walk what their menu offers them, read from the page as they see it,
with the first row of each list opened too; and one persona walks its pages again in English."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, Server, login, sideways_overflow

pytestmark = pytest.mark.browser

PUBLIC = [
    "/",
    "/fund/public/",
    "/volunteers/apply/",
    "/volunteers/verify/",
    "/members/join/",
    "/members/join/status/",
    "/ledger/",
    "/help/",
]

# The list pages each persona works with, and (after "->") a list whose first row's link opens a
# detail page that is walked too.
PAGES = {
    "demo-county": [
        "/",
        "/audit/",
        "/jobs/",
        "/accounts/profile/",
        "/org/->",
        "/org/list/->",
        "/org/staff/->",
        "/org/filings/",
        "/org/filings/missing/",
        "/org/composition/",
        "/families/->",
        "/families/monthly/",
        "/families/overdue/",
        "/families/coverage/",
        "/families/roster/?area=622923",
        "/families/campaigns/",
        "/families/rates/",
        "/families/payments/",
        "/families/import/",
        "/fund/",
        "/fund/donations/",
        "/fund/entries/",
        "/fund/grants/->",
        "/fund/feedback/",
        "/fund/report/",
        "/fund/settings/",
        "/members/->",
        "/members/pending/",
        "/members/counts/",
        "/members/groups/",
        "/members/transfers/",
        "/members/reregistration/",
        "/members/composition/",
        "/volunteers/->",
        "/volunteers/renewals/",
        "/volunteers/services/",
        "/volunteers/hours/pending/",
        "/volunteers/match/",
        "/volunteers/teams/",
        "/accounts/advanced/",
    ],
    "demo-township": [
        "/",
        "/families/->",
        "/families/mine/",
        "/families/overdue/",
        "/families/coverage/",
        "/families/monthly/",
        "/families/payments/",
        "/families/new/",
        "/members/",
        "/members/pending/",
        "/volunteers/",
        "/org/filings/",
        "/org/staff/",
        "/fund/grants/",
    ],
    "demo-village": ["/", "/families/mine/->", "/members/"],
    "demo-finance": ["/", "/fund/", "/fund/entries/", "/fund/grants/", "/fund/donations/"],
    "demo-volunteer": ["/", "/volunteers/me/"],
}

# Text smaller than 12 px anywhere visible (badges and small print included).
_SMALL_TEXT = """() => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!el.childNodes.length || el.closest('svg, canvas')) continue;
    const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 12) out.push(el.tagName.toLowerCase() + '.' + el.className + ' ' + size + 'px');
  }
  return out.slice(0, 8);
}"""


def _first_detail_link(page: Any) -> str | None:
    link = page.locator(
        "main table tbody tr a[href^='/'], main .tree a[href^='/org/'], main a.list-group-item"
    ).first
    return link.get_attribute("href") if link.count() else None


def _walk(page: Any, server: Server, paths: list[str], width: int) -> list[str]:
    """Walk `paths` at the page's current width. An entry ending in "->" opens the first row of
    its list too (which must have one); one ending in "?->" opens it when there is one."""
    problems: list[str] = []
    for entry in paths:
        maybe = entry.endswith("?->")
        path, follow = entry.removesuffix("->").removesuffix("?"), entry.endswith("->")
        targets = [path]
        response = page.goto(server.url(path))
        assert response is not None and response.status == 200, (path, response and response.status)
        if follow:
            detail = _first_detail_link(page)
            assert detail or maybe, f"no row link on {path}"
            if detail:
                targets.append(detail)
        for target in targets:
            if target != path:
                response = page.goto(server.url(target))
                assert response is not None and response.status == 200, target
            page.wait_for_load_state("networkidle")
            for issue in sideways_overflow(page):
                problems.append(f"{width}px {target}: {issue}")
            # the folded forms (查看原因, 结束联系, ...) fit too once unfolded
            page.evaluate("document.querySelectorAll('main details').forEach(d => d.open = true)")
            for issue in sideways_overflow(page):
                problems.append(f"{width}px {target} (unfolded): {issue}")
            for issue in page.evaluate(_SMALL_TEXT):
                problems.append(f"{width}px {target}: small text {issue}")
    return problems


@pytest.mark.parametrize("width", [375, 1366])
def test_public_pages_fit(new_page: Any, app_server: Server, width: int) -> None:
    page, _ = new_page(viewport={"width": width, "height": 800})
    assert _walk(page, app_server, PUBLIC, width) == []


@pytest.mark.parametrize("width", [375, 1366])
@pytest.mark.parametrize("persona", sorted(PAGES))
def test_persona_pages_fit(new_page: Any, app_server: Server, persona: str, width: int) -> None:
    page, _ = new_page(viewport={"width": width, "height": 800})
    login(page, app_server, persona)
    assert _walk(page, app_server, PAGES[persona], width) == []


# The other demo accounts (fpa/demo/management/commands/seed_demo.py): their pages are the menu's.
MENU_PERSONAS = [
    "demo-vicechair",  # a second county administrator
    "demo-township2",  # 盐锅峡镇: another township's data
    "demo-auditor",  # read only
    "demo-sysadmin",  # accounts
    "demo-secadmin",  # roles and scopes
    "demo-auditadmin",  # the whole audit trail
]


def _menu_paths(page: Any) -> list[str]:
    """The home page and every page the signed-in user's menu links to (its entries depend on
    the capabilities: fpa/core/context_processors.py), each list's first row opened too."""
    hrefs = page.eval_on_selector_all(
        "#nav a[href^='/']", "links => links.map(a => a.getAttribute('href'))"
    )
    paths = dict.fromkeys(["/", *(h.split("#")[0] for h in hrefs)])
    return [p if p in ("/", "/accounts/profile/") or "/help/" in p else p + "?->" for p in paths]


@pytest.mark.parametrize("persona", MENU_PERSONAS)
def test_menu_pages_fit(new_page: Any, app_server: Server, persona: str) -> None:
    page, _ = new_page(viewport={"width": 375, "height": 800})
    login(page, app_server, persona)
    paths = _menu_paths(page)
    assert len(paths) >= 5, paths  # home, help, jobs, profile and at least one of the role's
    # the vice-chair is a county administrator too: the pages demo-county walks are not walked twice
    if persona == "demo-vicechair":
        walked = {entry.removesuffix("->") for entry in PAGES["demo-county"]}
        paths = [p for p in paths if p.removesuffix("?->") not in walked]
        assert "/rights/?->" in paths and "/activities/?->" in paths, paths
    # each list's first row on the phone; at 1366 px the pages themselves (time: 2 cores)
    problems = _walk(page, app_server, paths, 375)
    page.set_viewport_size({"width": 1366, "height": 800})
    problems += _walk(page, app_server, [p.removesuffix("?->") for p in paths], 1366)
    assert problems == []


def test_a_persona_in_english_fits(new_page: Any, app_server: Server) -> None:
    page, _ = new_page(viewport={"width": 375, "height": 800})
    login(page, app_server, "demo-township")
    with page.expect_navigation():
        page.select_option("footer select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    problems: list[str] = []
    for width in (375, 1366):
        page.set_viewport_size({"width": width, "height": 800})
        problems += _walk(page, app_server, PAGES["demo-township"], width)
    assert page.locator("html").get_attribute("lang") == "en"  # still English after the walk
    page.screenshot(path=str(ARTIFACTS / "phone-township-en.png"), full_page=True)
    assert problems == []


def test_a_list_is_cards_on_a_phone_and_a_table_on_a_desktop(
    new_page: Any, app_server: Server
) -> None:
    page, _ = new_page(viewport={"width": 375, "height": 800})
    login(page, app_server, "demo-township", "/families/")
    row = page.locator("main table.table tbody tr").first
    assert page.locator("main table.table thead").is_hidden()
    assert row.evaluate("r => getComputedStyle(r).display") == "block"
    # each cell says which column it is: the label comes from the header
    labels = row.locator("td").evaluate_all("cells => cells.map(c => c.dataset.label)")
    assert "户主" in labels and "状态" in labels, labels
    page.screenshot(path=str(ARTIFACTS / "phone-families-cards.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 800})
    assert page.locator("main table.table thead").is_visible()
    assert row.evaluate("r => getComputedStyle(r).display") == "table-row"


def test_anonymous_is_sent_to_login_not_shown_a_list(new_page: Any, app_server: Server) -> None:
    page, _ = new_page(viewport={"width": 375, "height": 800})
    page.goto(app_server.url("/families/"))
    assert "/accounts/login/" in page.url
    assert page.locator("main table.table").count() == 0
