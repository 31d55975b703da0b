"""Each persona finds its to-do items (待办) on the home page after the demo data's pending steps,
and each item opens the records it counts (fpa.core.todo, the `todos.py` of each app)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, Server, login

pytestmark = pytest.mark.browser

# What the demo data leaves pending for each persona (at least these kinds; fpa/*/demo.py).
EXPECTED = {
    "demo-county": {
        "fund.grants_submitted",
        "fund.feedback_unanswered",
        "organizations.filings_to_review",
        "members.applications",
        "volunteers.applications",
        "volunteers.hours",
        "volunteers.renewals",
    },
    "demo-township": {
        "fund.grants_submitted",
        "organizations.filings_to_review",
        "members.applications",
        "volunteers.applications",
    },
    "demo-township2": {"families.needs_due"},
    "demo-village": {"members.applications"},
    "demo-finance": {"fund.grants_approved"},
    "demo-vicechair": {"fund.grants_reviewed"},
    "demo-volunteer": {"families.mine_overdue"},  # a contact person of a family overdue for a visit
}
NOTHING_TO_DO = ["demo-auditor"]

# The records on a list page: table rows that are not an "empty" row, or list items.
RECORDS = """() => {
  const rows = Array.from(document.querySelectorAll('main table tbody tr'))
    .filter(r => !r.querySelector('td[colspan]'));
  const items = document.querySelectorAll('main .list-group-item, main [data-record]');
  return Math.max(rows.length, items.length);
}"""


def _todos(page: Any) -> list[tuple[str, str, int]]:
    items = page.locator("[data-todo]").evaluate_all(
        "els => els.map(e => [e.dataset.todo, e.querySelector('a').getAttribute('href'),"
        " e.querySelector('.badge').textContent.trim()])"
    )
    return [(key, href, int(count)) for key, href, count in items]


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_each_persona_finds_its_to_dos_and_each_opens_its_records(
    new_page: Any, app_server: Server, persona: str
) -> None:
    page, _ = new_page(viewport={"width": 375, "height": 800})
    login(page, app_server, persona)
    todos = _todos(page)
    assert EXPECTED[persona] <= {key for key, _href, _count in todos}, todos
    page.screenshot(path=str(ARTIFACTS / f"todo-{persona}-phone.png"), full_page=True)
    for key, href, count in todos:
        assert count > 0, key
        response = page.goto(app_server.url(href))
        assert response is not None and response.status == 200, (key, href)
        shown = page.evaluate(RECORDS)
        assert shown >= min(count, 20), (key, href, count, shown)


@pytest.mark.parametrize("persona", NOTHING_TO_DO)
def test_roles_that_cannot_act_have_no_to_do(
    new_page: Any, app_server: Server, persona: str
) -> None:
    page, _ = new_page()
    login(page, app_server, persona)
    assert _todos(page) == []


def test_a_visitor_sees_the_front_door_not_a_to_do_list(new_page: Any, app_server: Server) -> None:
    page, _ = new_page()
    page.goto(app_server.url("/"))
    assert page.locator("[data-todo]").count() == 0
    assert page.locator("a[href='/accounts/login/']").count() >= 1
