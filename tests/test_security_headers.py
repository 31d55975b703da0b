"""Headers for personal data, walked over every URL (fpa/core/headers.py).

Every response carries the Content-Security-Policy (no inline script), Referrer-Policy and
Permissions-Policy; everything a signed-in user gets, every non-public page and every API answer is
`Cache-Control: no-store`. The walk is test_scope_walk's: every URL pattern of the resolver, as an
anonymous visitor and as the county administrator, with a real object in the URL where the view
loads one. The templates carry no inline script, handler attribute or inline style, and neither do
the pages they render.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from fpa.core.headers import CONTENT_SECURITY_POLICY
from fpa.families.models import CarePhoto
from tests import test_scope_walk
from tests.conftest import PASSWORD
from tests.test_scope_walk import PUBLIC, ROUTES, Route, api_urls, dummy_url, url_for

# One object of each scoped model, in and out of 刘家峡镇: the scope walk's fixture.
world = test_scope_walk.world

TEMPLATE_DIR = Path(settings.BASE_DIR) / "fpa" / "templates"

# A <script> element without src that is not a JSON data block (json_script), an on* handler
# attribute inside a tag, a javascript: URL, a style attribute, a <style> element.
INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I
)
HANDLER = re.compile(r"<[a-z][^<>]*\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"javascript:", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^<>]*\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
INLINE = {
    "inline <script>": INLINE_SCRIPT,
    "on* handler": HANDLER,
    "javascript: URL": JAVASCRIPT_URL,
    "style attribute": STYLE_ATTRIBUTE,
    "<style> element": STYLE_ELEMENT,
}


def policy(response: Any) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy")
    assert header, "no Content-Security-Policy"
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def cache_directives(response: Any) -> set[str]:
    return {d.strip().lower() for d in response.get("Cache-Control", "").split(",") if d.strip()}


def check_policy_headers(response: Any, where: str) -> None:
    directives = policy(response)
    assert directives["default-src"] == ["'self'"], where
    assert directives["script-src"] == ["'self'"], where
    assert directives["style-src"] == ["'self'"], where
    assert directives["object-src"] == ["'none'"], where
    assert directives["frame-ancestors"] == ["'none'"], where
    assert directives["base-uri"] == ["'self'"], where
    assert directives["form-action"] == ["'self'"], where
    for values in directives.values():
        assert "'unsafe-inline'" not in values and "'unsafe-eval'" not in values, where
        assert not any(v.startswith(("http:", "https:", "*")) for v in values), where
    assert response.get("Referrer-Policy") == "same-origin", where
    permissions = response.get("Permissions-Policy", "")
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions, (where, feature)


def check_page_body(response: Any, where: str) -> None:
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    body = response.content.decode()
    for what, pattern in INLINE.items():
        match = pattern.search(body)
        assert match is None, (where, what, match and body[match.start() : match.start() + 120])


def url_of(route: Route, local: dict[Any, Any]) -> str:
    declaration = route.declaration
    if declaration is not None and declaration.model is not None:
        return url_for(route, local[declaration.model])
    return dummy_url(route)


def test_the_policy_has_what_the_pages_need():
    directives = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["img-src"] == "'self' data:"  # the TOTP QR code is a data: SVG
    assert "unsafe" not in CONTENT_SECURITY_POLICY


def test_every_url_as_anonymous(client, world):
    local = world["local"]
    seen = 0
    for route in ROUTES:
        url = url_of(route, local)
        response = Client().get(url)  # a fresh client: no cookie from an earlier page
        where = (route.name, url, response.status_code)
        check_policy_headers(response, str(where))
        check_page_body(response, str(where))
        if route.name not in PUBLIC:
            assert "no-store" in cache_directives(response), where
        seen += 1
    assert seen == len(ROUTES) >= 30
    # Public data stays cacheable: the rule is not "no-store everywhere". (Public HTML pages
    # carry the language form's CSRF token, so Django sets its cookie on each of them, and a
    # response that sets a cookie is never stored.)
    page = Client().get("/ledger/")
    assert page.status_code == 200 and "csrftoken" in page.cookies
    assert "no-store" in cache_directives(page)
    data = Client().get("/ledger/public-key.json")
    assert data.status_code == 200, data.status_code
    assert "no-store" not in cache_directives(data)
    unknown = Client().get("/no-such-page/")
    assert unknown.status_code == 404
    check_policy_headers(unknown, "404")
    assert "no-store" in cache_directives(unknown)


def test_every_url_as_the_county_admin(world, county, client_for):
    client = client_for(county)
    local = world["local"]
    statuses: dict[int, int] = {}
    for route in ROUTES:
        if route.name == "accounts:logout":
            continue  # a GET is refused (405) but must not end the walk's session by accident
        url = url_of(route, local)
        response = client.get(url)
        where = (route.name, url, response.status_code)
        check_policy_headers(response, str(where))
        check_page_body(response, str(where))
        assert "no-store" in cache_directives(response), where
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    # The walk saw real pages, not a wall of refusals.
    assert statuses.get(200, 0) >= 60, statuses
    # Public pages too: the signed-in user's name is in the navigation bar.
    response = client.get("/ledger/")
    assert response.status_code == 200 and county.username in response.content.decode()
    assert "no-store" in cache_directives(response)


def test_every_api_url(client, world, township):
    response = client.post(
        "/api/v1/auth/token",
        json.dumps({"username": township.username, "password": PASSWORD}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    check_policy_headers(response, "token")
    assert "no-store" in cache_directives(response)  # the answer is a credential
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}
    urls = sorted(set(api_urls().values()))
    assert len(urls) >= 20
    ok = 0
    for url in urls:
        for headers in ({}, bearer):
            response = client.get(url, **headers)
            where = (url, bool(headers), response.status_code)
            check_policy_headers(response, str(where))
            assert "no-store" in cache_directives(response), where
            ok += response.status_code == 200
    assert ok >= 10
    # A list carrying personal data, by token.
    families = client.get("/api/v1/families", **bearer)
    assert families.status_code == 200 and families.json()["items"]
    assert "no-store" in cache_directives(families)


def test_the_api_docs_load_only_local_assets(world, county, client_for):
    response = client_for(county).get("/api/v1/docs")
    assert response.status_code == 200
    check_policy_headers(response, "docs")
    body = response.content.decode()
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', body)
    assert sources and all(s.startswith("/static/") for s in sources), sources
    # Its one <script> without src is the settings' JSON block, not code.
    assert not INLINE_SCRIPT.search(body)


def test_static_files_carry_the_policy_and_stay_cacheable(client):
    for path in ("/static/fpa/app.css", "/static/fpa/app.js", "/static/fpa/favicon.svg"):
        response = client.get(path)
        assert response.status_code == 200, path
        check_policy_headers(response, path)
        assert "no-store" not in cache_directives(response), path


def test_a_view_that_forbade_storing_keeps_its_header(world, county, client_for):
    """The care photos send `private, no-store` themselves; the middleware leaves that alone."""
    photo = world["local"][CarePhoto]
    response = client_for(county).get(f"/families/photos/{photo.pk}/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    check_policy_headers(response, "photo")


def templates() -> list[Path]:
    found = sorted(TEMPLATE_DIR.rglob("*.html"))
    assert len(found) > 100
    return found


@pytest.mark.parametrize("what", sorted(INLINE))
def test_no_template_has_inline_script_or_style(what):
    pattern = INLINE[what]
    offenders = []
    for path in templates():
        text = path.read_text()
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            offenders.append(f"{path.relative_to(TEMPLATE_DIR)}:{line}")
    assert not offenders, f"{what} in {offenders}"


@pytest.mark.parametrize(
    "sample",
    [
        "<script>alert(1)</script>",
        '<script type="text/javascript">x()</script>',
        '<button onclick="go()">',
        '<select class="x"\n  onchange="this.form.submit()">',
        '<a href="javascript:void(0)">',
        '<div class="x" style="width: 1rem">',
        "<style>.a{}</style>",
    ],
)
def test_the_template_check_catches_each_kind(sample):
    """The patterns above match what they are meant to refuse ..."""
    assert any(pattern.search(sample) for pattern in INLINE.values()), sample


@pytest.mark.parametrize(
    "sample",
    [
        '<script src="/static/fpa/app.js" defer></script>',
        '<script id="fund-months" type="application/json">["2024-01"]</script>',
        '<p data-online="1">one= two</p>',
        "<p>请在 onchange= 事件中……</p>",
    ],
)
def test_the_template_check_lets_the_allowed_forms_through(sample):
    """... and nothing of what the pages legitimately use."""
    assert not any(pattern.search(sample) for pattern in INLINE.values()), sample
