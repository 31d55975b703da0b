"""The in-browser verifier's page /ledger/verify/ (the checks themselves run in the browser:
tests/browser/test_ledger_verifier_browser.py): public, GET only, nothing from outside the server,
the script's translated messages, the quick mode's entry and the help anchor."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from fpa.transparency.browser_views import chart_of_accounts, fund_data_url

pytestmark = pytest.mark.django_db

URL = "/ledger/verify/"


def test_public_page_with_its_scripts_from_this_server(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert "Set-Cookie" not in response  # no session for an anonymous visitor
    html = response.content.decode()
    assert "在浏览器中核对账本" in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith(("/", "#")) for s in sources), sources
    assert '<script type="module" src="/static/fpa/ledger/verify-page.js">' in html
    # The messages the script shows are in the page, translated by the template.
    assert 'data-key="ok_entry">此笔记录已写入公开账本，且未被改动<' in html
    # The chart of accounts the totals are matched by (data.json uses the names).
    chart = json.loads(re.search(r'id="ledger-chart"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert chart == chart_of_accounts()
    assert chart["4103"] == {"name": "企业捐赠", "kind": "income"}
    assert f'data-data-url="{fund_data_url()}"' in html
    assert fund_data_url() == "/fund/public/__code__/data.json"
    # No entry asked: no entry check on the page.
    assert "ledger-entry-check" not in html


def test_refused_methods(client):
    assert client.post(URL).status_code == 405
    assert client.put(URL).status_code == 405
    assert client.delete(URL).status_code == 405
    assert client.head(URL).status_code == 200


def test_quick_mode_renders_the_entry_check(client):
    html = client.get(URL, {"entry": "12"}).content.decode()
    assert 'class="card mb-3 ledger-entry-check" data-base="/ledger/" data-index="12"' in html
    assert '<script type="module" src="/static/fpa/ledger/entry-check.js">' in html
    for bad in ("-1", "1e3", "\uff11\uff12", "abc"):
        html = client.get(URL, {"entry": bad}).content.decode()
        assert "ledger-entry-check" not in html
        assert "记录序号必须是不带符号的整数。" in html


def test_english(client):
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This entry is in the public ledger and has not been altered" in html


def test_the_scripts_and_the_vendored_fallback_exist():
    for name in ("core.js", "crypto.js", "ui.js", "verify-page.js", "entry-check.js"):
        assert finders.find(f"fpa/ledger/{name}"), name
    crypto = Path(finders.find("fpa/ledger/crypto.js")).read_text(encoding="utf-8")
    assert "../../vendor/noble/" in crypto


def test_linked_from_the_ledger_home(client):
    html = client.get("/ledger/").content.decode()
    assert 'href="/ledger/verify/"' in html


def test_the_entry_check_include_needs_a_leaf_index():
    from django.template.loader import render_to_string

    assert "ledger-entry-check" not in render_to_string(
        "transparency/_entry_check.html", {"leaf_index": None}
    )
    html = render_to_string("transparency/_entry_check.html", {"leaf_index": 0})
    assert 'data-index="0"' in html and "entry-check.js" in html
