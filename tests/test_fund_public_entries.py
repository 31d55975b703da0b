"""The public journal (fpa/fund/views/entries.py): a page per entry of every kind with every
field of its leaf, the list with its kind filter, the code tables, the lookup by receipt number,
grant number or leaf hash, the served specification; bad input answers in Chinese, never 500."""

from __future__ import annotations

import base64
import json

import pytest

from fpa.fund import services
from fpa.fund.models import JournalEntry
from fpa.transparency.models import LogLeaf
from tests.conftest import DAZHUANG
from tests.fund_helpers import TODAY, acct, county_fund, family_in, give, paid_grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(county, finance, village, township):
    fund = county_fund(county)
    give(finance, fund, "300.50", donor_kind="individual", restricted_purpose=acct("5104"))
    services.income_record(
        actor=finance,
        fund=fund,
        category=acct("4101"),
        amount="5000.00",
        asset_account=acct("1002"),
        date=TODAY,
    )
    paid_grant(village, township, county, finance, family_in(township, DAZHUANG))
    first = JournalEntry.objects.get(number=1)
    services.entry_reverse(actor=finance, entry=first, reason="重复登记")
    return fund


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def test_every_kind_has_a_page_with_every_leaf_field(books, client):
    for entry in JournalEntry.objects.all():
        html = page(client, f"/fund/public/622923/entries/{entry.number}/")
        data = json.loads(bytes(LogLeaf.objects.get(index=entry.leaf_index).data))
        assert f'<code data-field="kind">{data["kind"]}</code>' in html
        assert f'<code data-field="category">{data["category"]}</code>' in html
        assert f'<code data-field="date">{data["date"]}</code>' in html
        assert f'<code data-field="appended">{data["appended"]}</code>' in html
        for line in data["lines"]:
            assert f'<code data-field="account">{line["account"]}</code>' in html
        hashed = bytes(LogLeaf.objects.get(index=entry.leaf_index).leaf_hash)
        assert hashed.hex() in html and f"/ledger/leaves/{entry.leaf_index}.json" in html
        # The in-browser check of this entry's inclusion (transparency/_entry_check.html).
        assert f'ledger-entry-check" data-base="/ledger/" data-index="{entry.leaf_index}"' in html
        assert "/ledger/spec/fund-entries/" in html
    grant = JournalEntry.objects.get(kind="grant")
    html = page(client, f"/fund/public/622923/entries/{grant.number}/")
    assert "622923100" in html and "刘家峡镇" in html  # township code and name
    assert f"/fund/public/622923/grants/{grant.grant_number}/" in html
    reversal = JournalEntry.objects.get(kind="reversal")
    html = page(client, f"/fund/public/622923/entries/{reversal.number}/")
    assert '<code data-field="reverses">1</code>' in html
    assert "/fund/public/622923/entries/1/" in html
    html = page(client, "/fund/public/622923/entries/1/")
    assert "/fund/public/622923/receipts/" in html and 'id="reversed-by-link"' in html
    assert '<code data-field="restriction">5104</code>' in html


def test_the_list_filters_by_kind_and_the_codes_page_names_townships(books, client):
    html = page(client, "/fund/public/622923/entries/?kind=income")
    assert 'data-entry="2"' in html and 'data-entry="1"' not in html
    html = page(client, "/fund/public/622923/entries/?kind=nonsense")
    assert 'data-entry="1"' in html and 'data-entry="4"' in html
    html = page(client, "/fund/public/622923/codes/")
    assert 'data-township="622923100"' in html and "刘家峡镇" in html
    assert 'data-account="5104"' in html


def test_lookup_by_receipt_grant_hash_and_refusals(books, client):
    donation = JournalEntry.objects.get(number=1)
    grant = JournalEntry.objects.get(kind="grant")
    base = "/fund/public/622923/lookup/?q="
    response = client.get(base + donation.receipt_number.lower())
    assert response.status_code == 302 and response["Location"].endswith("/entries/1/")
    response = client.get(base + grant.grant_number)
    assert response["Location"].endswith(f"/entries/{grant.number}/")
    hashed = bytes(LogLeaf.objects.get(index=grant.leaf_index).leaf_hash)
    assert client.get(base + hashed.hex())["Location"].endswith(f"/entries/{grant.number}/")
    quoted = base64.b64encode(hashed).decode().replace("+", "%2B").replace("/", "%2F")
    assert client.get(base + quoted)["Location"].endswith(f"/entries/{grant.number}/")
    # Refused: unknown, malformed, empty; never a 500.
    assert "没有找到" in page(client, base + "YJ-1999-999999", 404)
    assert "没有找到" in page(client, base + "0" * 64, 404)
    assert "请输入" in page(client, base, 400)
    assert "请输入" in page(client, base + "x" * 300, 400)
    assert "未找到凭证号" in page(client, "/fund/public/622923/entries/999/", 404)
    assert "未找到凭证号" in page(client, "/fund/public/622923/entries/abc/", 404)
    page(client, "/fund/public/999999/entries/", 404)


def test_receipt_and_grant_pages_link_their_entry(books, client):
    donation = JournalEntry.objects.get(number=1)
    html = page(client, f"/fund/public/622923/receipts/{donation.receipt_number}/")
    assert 'href="/fund/public/622923/entries/1/"' in html and "/ledger/spec/fund-entries/" in html
    grant = JournalEntry.objects.get(kind="grant")
    html = page(client, f"/fund/public/622923/grants/{grant.grant_number}/")
    assert f'href="/fund/public/622923/entries/{grant.number}/"' in html
    assert 'id="entry-qr"' in html


def test_the_specification_is_served_and_linked(books, client):
    html = page(client, "/ledger/spec/")
    assert "checkpoint" in html and "<script" not in html.split('id="spec"')[1]
    html = page(client, "/ledger/spec/fund-entries/")
    assert "fpa-fund-entry/2" in html
    home = page(client, "/ledger/")
    assert 'href="/ledger/spec/"' in home and 'href="/ledger/spec/fund-entries/"' in home
    assert 'href="/fund/public/622923/entries/"' in home
    assert 'href="/fund/public/622923/lookup/"' in home
