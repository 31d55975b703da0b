"""The field app's shell, manifest and service worker (/field/): who gets them, their content
types and headers, and that none of them names anything outside the server."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from tests.conftest import login

pytestmark = pytest.mark.django_db

EXTERNAL = re.compile(rb"""(?:src|href|importScripts\(|url\()\s*=?\s*["']?(?:https?:)?//""")


def test_the_shell_needs_a_sign_in_and_holds_no_personal_data(volunteer: Any) -> None:
    anonymous = Client()
    response = anonymous.get("/field/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert anonymous.get("/field/session/").status_code == 302

    client = login(Client(), volunteer)
    response = client.get("/field/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content
    # the shell the service worker keeps: no name, no user id, no token
    assert volunteer.username.encode() not in html
    assert (volunteer.full_name or "—").encode() not in html
    assert b"csrfmiddlewaretoken" not in html
    assert b'rel="manifest" href="/field/manifest.webmanifest"' in html
    assert b'src="/static/fpa/field/app.js"' in html
    assert b"<script>" not in html  # no inline script (CSP)
    assert not EXTERNAL.search(html)
    strings = re.search(
        rb'<script id="fpa-field-strings" type="application/json">(.*?)</script>', html
    )
    assert strings is not None and "计生协外勤" in json.loads(strings.group(1))["app"]
    token = client.get("/field/session/").json()["csrf"]
    assert len(token) >= 32


def test_the_manifest(client: Client) -> None:
    response = client.get("/field/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "计生协外勤"
    assert manifest["start_url"] == manifest["scope"] == "/field/"
    assert manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert icon["src"].startswith("/static/")
    assert "http" not in response.content.decode()


def test_the_manifest_in_english(client: Client) -> None:
    response = client.get("/field/manifest.webmanifest", headers={"Accept-Language": "en"})
    assert json.loads(response.content)["name"] != "计生协外勤"


def test_the_service_worker(client: Client, volunteer: Any) -> None:
    for caller in (client, login(Client(), volunteer)):
        response = caller.get("/field/sw.js")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/javascript")
        assert response["Service-Worker-Allowed"] == "/field/"
        assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    source = response.content.decode()
    # Workbox's runtime inlined: it precaches the shell and its files from this server only
    assert "workbox" in source
    for url in (
        "/field/",
        "/field/manifest.webmanifest",
        "/static/fpa/field/app.js",
        "/static/fpa/field/field.css",
        "/static/vendor/bootstrap/bootstrap.min.css",
    ):
        assert f'"{url}"' in source, url
    assert not re.search(r"https?://", source.replace('startsWith("http")', ""))
    assert "importScripts(" in source and "/static/fpa/field/sw-field.js" in source
    assert client.post("/field/sw.js").status_code == 405


def test_the_shell_in_english(volunteer: Any) -> None:
    client = login(Client(), volunteer)
    response = client.get("/field/", headers={"Accept-Language": "en"})
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "<title>FPA Field</title>" in html
    assert '"sync": "Sync"' in html and '"logout": "Sign out"' in html
