"""The care fund API at /api/v1/fund/: who may call it, scope, what is never sent, flat queries."""

from __future__ import annotations

import pytest

from tests.conftest import DAZHUANG, SHANGQUAN
from tests.fund_helpers import (
    BENEFICIARY,
    BENEFICIARY_PHONE,
    county_fund,
    family_in,
    give,
    grant_for,
    paid_grant,
)
from tests.test_api import api_client, assert_error


@pytest.fixture
def fund(county, finance):
    fund = county_fund(county)
    give(finance, fund, "5000", donor_phone="13700001111")
    return fund


def test_anonymous_gets_401(client, fund):
    for path in ("/api/v1/fund/grants", "/api/v1/fund/donations"):
        assert_error(client.get(path), 401, "unauthenticated")


@pytest.mark.parametrize("persona", ["volunteer", "sysadmin", "auditadmin"])
def test_roles_without_fund_view_get_403(request, fund, persona):
    client = api_client(request.getfixturevalue(persona))
    for path in ("/api/v1/fund/grants", "/api/v1/fund/donations"):
        assert_error(client.get(path), 403, "forbidden")


def test_township_lists_its_own_grants_and_no_beneficiary(
    fund, finance, village, township, township2, county
):
    paid_grant(village, township, county, finance, family_in(township, DAZHUANG))
    grant_for(township2, family_in(township2, SHANGQUAN, name="外镇受助人", n=40))
    response = api_client(township).get("/api/v1/fund/grants")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["township_code"] for item in items] == ["622923100"]
    assert items[0]["leaf_index"] is not None
    body = response.content.decode()
    for marker in (BENEFICIARY, BENEFICIARY_PHONE, "住院", "外镇受助人"):
        assert marker not in body
    assert len(api_client(county).get("/api/v1/fund/grants").json()["items"]) == 2


def test_finance_lists_donations_without_phones(fund, finance, township):
    body = api_client(finance).get("/api/v1/fund/donations").content.decode()
    assert "YJ-" in body and "1111" not in body
    assert api_client(township).get("/api/v1/fund/donations").json()["items"] == []


def test_a_bad_status_or_cursor_is_ignored(fund, county):
    client = api_client(county)
    assert (
        client.get("/api/v1/fund/grants", {"status": "x' OR 1=1", "after": "abc"}).status_code
        == 200
    )


def test_queries_do_not_grow_with_rows(fund, finance, county, django_assert_max_num_queries):
    client = api_client(county)
    client.get("/api/v1/fund/donations")
    with django_assert_max_num_queries(12) as few:
        client.get("/api/v1/fund/donations")
    for i in range(20):
        give(finance, fund, "1", donor_name=f"捐赠人{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/api/v1/fund/donations")
