"""End to end in headless Chromium: the association tree as a township officer sees it.

The server is the real app (gunicorn, WhiteNoise, demo data); see conftest.py. Screenshots go to
test-artifacts/ (gitignored).
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ARTIFACTS, login

pytestmark = pytest.mark.browser

LIUJIAXIA = "622923100"
YANGUOXIA = "622923101"


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def assert_styled(page) -> None:
    """Bootstrap and the app stylesheet are applied (not an unstyled page)."""
    navbar = page.locator("nav.navbar")
    assert navbar.evaluate("el => getComputedStyle(el).display") == "flex"
    assert navbar.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(176, 48, 58)"
    assert page.evaluate("() => typeof window.htmx") == "object"


def test_township_officer_walks_the_tree_and_is_refused_the_sibling(new_page, app_server):
    page, recorder = new_page()

    # Not signed in: the tree sends us to the sign-in page.
    page.goto(app_server.url("/org/"))
    assert "/accounts/login/" in page.url
    shot(page, "01-login")
    login(page, app_server, "demo-township", next_path="/org/")

    # The tree, rooted at the officer's own township, with its villages.
    assert page.url == app_server.url("/org/")
    assert page.locator("h1").inner_text() == "协会网络"
    tree = page.locator(".tree")
    assert tree.locator("a.fw-bold").inner_text() == "刘家峡镇计生协"
    assert tree.get_by_role("link", name="大庄村委会计生协").is_visible()
    assert "盐锅峡镇" not in tree.inner_text()
    assert_styled(page)
    shot(page, "02-tree")

    # Expand a village with the htmx "+" button: its member group is fetched and shown.
    node = tree.locator("li:has(> button.toggle)").first
    code = node.get_attribute("id").removeprefix("node-")
    village = node.locator("> a").inner_text()
    stem = village.removesuffix("计生协").removesuffix("村委会").removesuffix("居委会")
    children = page.locator(f"#children-{code}")
    assert children.inner_text() == ""
    with page.expect_response(re.compile(rf"/org/a/{code}/children/$")) as response:
        node.locator("> button.toggle").click()
    assert response.value.status == 200
    group = children.get_by_role("link", name=re.compile("第一会员小组"))
    group.wait_for()
    assert group.inner_text() == f"{stem}第一会员小组"
    assert node.locator("> button.toggle").is_disabled()
    shot(page, "03-tree-expanded")

    # The township's own page.
    with page.expect_navigation():
        tree.locator("a.fw-bold").click()
    assert page.url == app_server.url(f"/org/a/{LIUJIAXIA}/")
    assert "刘家峡镇" in page.locator("h1").inner_text()
    assert page.get_by_role("link", name="大庄村委会计生协").first.is_visible()
    shot(page, "04-liujiaxia")

    # The sibling township, by typing its address: refused exactly like a missing record.
    response = page.goto(app_server.url(f"/org/a/{YANGUOXIA}/"))
    assert response.status == 404
    assert page.locator("h1").inner_text() == "未找到"
    assert "盐锅峡镇" not in page.content()
    assert_styled(page)
    shot(page, "05-sibling-refused")

    # Everything the pages loaded came from the app itself, and nothing but the 404 failed.
    assert recorder.foreign(app_server.origin) == []
    assert [url for status, url in recorder.errors] == [app_server.url(f"/org/a/{YANGUOXIA}/")]
    assert any("/static/vendor/bootstrap/" in url for url in recorder.requests)
    assert not [m for m in recorder.console_errors if "404" not in m], recorder.console_errors


def test_county_admin_expands_a_township_to_its_villages(new_page, app_server):
    page, recorder = new_page()
    login(page, app_server, "demo-county", next_path="/org/")
    children = page.locator(f"#children-{LIUJIAXIA}")
    assert children.inner_text() == ""
    page.locator(f"#node-{LIUJIAXIA} > button.toggle").click()
    village = children.get_by_role("link", name="大庄村委会计生协")
    village.wait_for()
    assert children.get_by_role("link", name="化工路居委会计生协").is_visible()
    # Only this township's villages: the sibling's subtree is not loaded.
    assert page.locator(f"#children-{YANGUOXIA}").inner_text() == ""
    shot(page, "06-county-expanded")
    assert recorder.errors == []


def test_phone_viewport_collapses_the_navigation(new_page, app_server):
    page, _ = new_page(viewport={"width": 375, "height": 667})
    login(page, app_server, "demo-township", next_path="/org/")
    toggler = page.locator("button.navbar-toggler")
    menu = page.locator("#nav")
    assert toggler.is_visible()
    assert menu.is_hidden()
    # No horizontal scrolling on a phone.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    shot(page, "07-phone-collapsed")
    toggler.click()
    page.locator("#nav.collapse.show").wait_for()  # the opening transition has finished
    # The modules come in groups: 组织 opens in place to show 协会网络.
    assert not menu.get_by_role("link", name="协会网络").is_visible()
    menu.get_by_role("button", name="组织").click()
    assert menu.get_by_role("link", name="协会网络").is_visible()
    assert toggler.get_attribute("aria-expanded") == "true"
    shot(page, "08-phone-menu-open")
