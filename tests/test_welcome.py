"""The public front door (`/` for a visitor, issue 12): what a citizen can do without an account,
whom to call, the receipt check; no personal data; the workbench once signed in. And the
association's public contact details that it shows (set by the association's own staff)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from fpa.organizations import services
from fpa.organizations.models import Association
from tests.conftest import LIUJIAXIA, YANGUOXIA, staff_in
from tests.fund_helpers import BENEFICIARY, county_fund, family_in, give

pytestmark = pytest.mark.django_db


def liujiaxia() -> Association:
    return Association.objects.get(code=LIUJIAXIA)


def test_a_visitor_gets_the_front_door_not_a_sign_in(
    client: Client, county: Any, township: Any, village: Any, finance: Any
) -> None:
    fund = county_fund(county)
    give(finance, fund)
    family_in(village, "622923100201")
    staff_in(township, LIUJIAXIA, name="王专干", phone="13912345678")
    services.association_set_contact(
        actor=township,
        association=liujiaxia(),
        address="刘家峡镇政府院内",
        public_phone="0930-8812345",
    )
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    for link in ("/volunteers/apply/", "/volunteers/verify/", "/ledger/", "/accounts/login/"):
        assert f'"{link}"' in html, link
    assert f"/fund/public/{fund.code}/" in html
    assert "刘家峡镇政府院内" in html and "0930-8812345" in html
    # No person's data: not the family, not the staff member, not their phone.
    assert BENEFICIARY not in html and "王专干" not in html and "13912345678" not in html
    assert "data-todo" not in html


def test_the_receipt_check_goes_to_the_public_receipt(
    client: Client, county: Any, finance: Any
) -> None:
    fund = county_fund(county)
    donation = give(finance, fund)
    found = client.get("/", {"receipt": donation.receipt_number})
    assert found.status_code == 302
    assert found["Location"] == f"/fund/public/{fund.code}/receipts/{donation.receipt_number}/"
    missing = client.get("/", {"receipt": "YJ-0000-99999"})
    assert missing.status_code == 200 and "没有找到这张收据" in missing.content.decode()


def test_the_receipt_check_is_rate_limited(client: Client, county: Any, finance: Any) -> None:
    county_fund(county)
    for _ in range(30):
        assert client.get("/", {"receipt": "NOPE"}).status_code == 200
    limited = client.get("/", {"receipt": "NOPE"})
    assert limited.status_code == 429 and "过于频繁" in limited.content.decode()


def test_signed_in_users_get_their_workbench(client_for: Any, township: Any) -> None:
    html = client_for(township).get("/").content.decode()
    assert "工作台" in html and "工作人员登录" not in html


def test_contact_details_are_set_by_the_association_staff_audited(
    client_for: Any, township: Any, township2: Any, village: Any
) -> None:
    client = client_for(township)
    url = f"/org/a/{LIUJIAXIA}/contact/"
    assert client.get(url).status_code == 200
    version = liujiaxia().version
    response = client.post(
        url,
        {"address": "刘家峡镇滨河路1号", "public_phone": " 0930 - 881 2345 ", "version": version},
    )
    assert response.status_code == 302
    saved = liujiaxia()
    assert (saved.address, saved.public_phone) == ("刘家峡镇滨河路1号", "0930 - 881 2345")
    event = AuditEvent.objects.filter(object_type="organizations.association").latest("id")
    assert event.changes["public_phone"] == ["", "0930 - 881 2345"]
    # A phone that is not one, and a stale form, change nothing.
    bad = client.post(url, {"address": "x", "public_phone": "call me", "version": saved.version})
    assert bad.status_code == 200 and "办公电话只能包含数字" in bad.content.decode()
    stale = client.post(url, {"address": "x", "public_phone": "", "version": version})
    assert stale.status_code == 200
    assert liujiaxia().address == "刘家峡镇滨河路1号"
    # Another township's staff cannot see the page; a village's staff may not edit.
    assert client_for(township2).get(url).status_code == 404
    with pytest.raises(NotAllowed):
        services.association_set_contact(
            actor=township2, association=liujiaxia(), address="", public_phone=""
        )
    with pytest.raises((NotAllowed, ServiceError)):
        services.association_set_contact(
            actor=village, association=liujiaxia(), address="", public_phone=""
        )
    assert Association.objects.get(code=YANGUOXIA).public_phone == ""


def test_anonymous_cannot_edit_contact_details(client: Client, yongjing: Any) -> None:
    response = client.post(f"/org/a/{LIUJIAXIA}/contact/", {"address": "x", "version": 1})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert liujiaxia().address == ""
