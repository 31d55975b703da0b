"""The printed donation receipt carries a QR code of its public check (收据查验): the page's
image is exactly the QR code of this server's absolute URL of the receipt's public page, and that
page answers for the receipt. Only staff who may see the donation open the receipt."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from fpa.core.qr import qr_data_uri
from tests.fund_helpers import county_fund, give


@pytest.fixture
def donation(county, finance):
    return give(finance, county_fund(county), "1288.00")


def test_the_receipt_has_a_qr_code_of_its_public_check(client, client_for, finance, donation):
    page = client_for(finance).get(reverse("fund:receipt", args=[donation.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    check_path = reverse(
        "fund:public_entry", args=[donation.fund.association.code, donation.entry.number]
    )
    image = re.search(r'<img[^>]*id="receipt-qr"[^>]*>', body)
    assert image is not None
    src = html.unescape(re.search(r'src="([^"]+)"', image.group()).group(1))
    assert src == qr_data_uri("http://testserver" + check_path)
    assert f'data-check-path="{check_path}"' in image.group()
    # The code leads to the entry's public page, open to anyone, which links the receipt check.
    public = client.get(check_path)
    assert public.status_code == 200
    assert donation.receipt_number in public.content.decode()
    # The receipt proves itself: leaf hash, first checkpoint, the signed promise, the spec.
    assert 'id="promise-note"' in body and "fpa-fund-receipt/1" in body
    assert "/ledger/spec/fund-entries/" in body


def test_the_receipt_is_refused_outside_the_fund(
    client, client_for, township2, volunteer, donation
):
    url = reverse("fund:receipt", args=[donation.pk])
    assert client_for(township2).get(url).status_code == 404  # a township below the county fund
    assert client_for(volunteer).get(url).status_code == 403
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
