"""A grant's steps taken on its page (review, approval, payment): each outcome is a message on the
grant's page, a form that does not validate or a stale version changes nothing, and a user of
another role or township is refused (the view layer of issue 11's untested branches)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fpa.fund import services
from fpa.fund.models import Grant, JournalEntry
from tests.conftest import DAZHUANG
from tests.fund_helpers import acct, county_fund, family_in, give, grant_for, notice_over

pytestmark = pytest.mark.django_db


def messages_of(client: Client, response: Any) -> str:
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


@pytest.fixture
def grant(county: Any, village: Any, finance: Any) -> Grant:
    give(finance, county_fund(county))
    return grant_for(village, family_in(village, DAZHUANG))


def test_review_and_approval_on_the_page(
    client_for: Any, grant: Grant, township: Any, county: Any
) -> None:
    client = client_for(township)
    url = reverse("fund:grant_review", args=[grant.pk])
    no_choice = client.post(url, {"version": grant.version})
    assert "请选择同意或不同意" in messages_of(client, no_choice)
    stale = client.post(url, {"decision": "approve", "version": grant.version + 5})
    assert "已被他人修改" in messages_of(client, stale)
    grant.refresh_from_db()
    assert grant.status == Grant.Status.SUBMITTED
    done = client.post(url, {"decision": "approve", "note": "符合条件", "version": grant.version})
    assert "已审核" in messages_of(client, done)
    grant.refresh_from_db()
    assert grant.status == Grant.Status.REVIEWED and grant.reviewed_by == township
    # Approval is the county's step: the township is refused, the county approves.
    again = client.post(
        reverse("fund:grant_approve", args=[grant.pk]),
        {"decision": "approve", "version": grant.version},
    )
    assert "无权" in messages_of(client, again)  # township staff hold no fund.approve
    grant.refresh_from_db()
    assert grant.status == Grant.Status.REVIEWED
    county_client = client_for(county)
    approved = county_client.post(
        reverse("fund:grant_approve", args=[grant.pk]),
        {"decision": "approve", "version": grant.version},
    )
    assert "已批准，公示已开始" in messages_of(county_client, approved)
    grant.refresh_from_db()
    assert grant.status == Grant.Status.NOTICE


def test_payment_on_the_page(
    client_for: Any, grant: Grant, township: Any, county: Any, finance: Any
) -> None:
    grant = services.grant_review(actor=township, grant=grant, approve=True)
    grant = notice_over(services.grant_approve(actor=county, grant=grant, approve=True))
    client = client_for(finance)
    url = reverse("fund:grant_pay", args=[grant.pk])
    entries = JournalEntry.objects.count()
    incomplete = client.post(url, {"version": grant.version})
    assert "请选择付款账户并填写支付日期" in messages_of(client, incomplete)
    future = timezone.localdate() + datetime.timedelta(days=3)
    refused = client.post(
        url,
        {
            "source_account": acct("1002").pk,
            "paid_on": future.isoformat(),
            "version": grant.version,
        },
    )
    assert "支付日期不能晚于今天" in messages_of(client, refused)
    assert JournalEntry.objects.count() == entries
    paid = client.post(
        url,
        {
            "source_account": acct("1002").pk,
            "paid_on": timezone.localdate().isoformat(),
            "version": grant.version,
        },
    )
    assert "已支付。公示期已满，可以办结" in messages_of(client, paid)
    grant.refresh_from_db()
    assert grant.status == Grant.Status.PAID and JournalEntry.objects.count() == entries + 1


def test_township_staff_cannot_take_the_payment_step(
    client_for: Any, grant: Grant, township: Any, county: Any
) -> None:
    grant = services.grant_review(actor=township, grant=grant, approve=True)
    grant = services.grant_approve(actor=county, grant=grant, approve=True)
    client = client_for(township)
    response = client.post(
        reverse("fund:grant_pay", args=[grant.pk]),
        {
            "source_account": acct("1002").pk,
            "paid_on": timezone.localdate().isoformat(),
            "version": grant.version,
        },
    )
    assert "无权" in messages_of(client, response)
    grant.refresh_from_db()
    assert grant.status == Grant.Status.NOTICE


def test_grant_pages_say_whom_a_grant_is_for_masked(
    client_for: Any, grant: Grant, township: Any
) -> None:
    from fpa.core.masking import mask_name
    from tests.fund_helpers import BENEFICIARY

    client = client_for(township)
    listed = client.get(reverse("fund:grants")).content.decode()
    detail = client.get(reverse("fund:grant_detail", args=[grant.pk])).content.decode()
    masked = mask_name(BENEFICIARY)
    assert masked != BENEFICIARY and masked in listed
    assert f"{masked} · {grant.family.association.name}" in detail
    assert BENEFICIARY not in listed  # (the detail's internal purpose text may name the family)
    assert "家庭 #" not in detail
