"""The care fund's services refuse what the forms cannot rule out, and write nothing: each
refusal names its field, and no journal entry, donation or grant appears (issue 11: refused
cases for the branches the split showed untested)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from fpa.core.errors import NotAllowed, ServiceError
from fpa.fund import services
from fpa.fund.models import Donation, Grant, JournalEntry
from tests.conftest import DAZHUANG
from tests.fund_helpers import acct, county_fund, family_in, give, grant_for, notice_over

pytestmark = pytest.mark.django_db

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


def nothing_written(before: tuple[int, int, int]) -> bool:
    return (JournalEntry.objects.count(), Donation.objects.count(), Grant.objects.count()) == before


def counts() -> tuple[int, int, int]:
    return JournalEntry.objects.count(), Donation.objects.count(), Grant.objects.count()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "1002"}, "category"),  # an asset, not an expense
        ({"target": Grant.Target.FAMILY, "family": None}, "family"),
        ({"target": Grant.Target.PERSON, "family": None, "person_name": "  "}, "person_name"),
        ({"target": Grant.Target.ACTIVITY, "family": None, "activity_name": ""}, "activity_name"),
    ],
)
def test_a_grant_application_missing_its_object_is_refused(
    county: Any, village: Any, finance: Any, change: dict[str, Any], field: str
) -> None:
    give(finance, county_fund(county))
    family = family_in(village, DAZHUANG)
    data: dict[str, Any] = {
        "actor": village,
        "association": family.association,
        "target": Grant.Target.FAMILY,
        "family": family,
        "category": acct("5101"),
        "amount": "300.00",
        "purpose": "住院慰问",
    }
    data.update({k: acct(v) if k == "category" else v for k, v in change.items()})
    before = counts()
    with pytest.raises(ServiceError) as caught:
        services.grant_apply(**data)
    assert caught.value.field == field
    assert nothing_written(before)


def test_a_family_of_another_township_cannot_be_named(
    county: Any, village: Any, township2: Any, finance: Any
) -> None:
    give(finance, county_fund(county))
    family = family_in(village, DAZHUANG)
    before = counts()
    with pytest.raises(NotAllowed):
        services.grant_apply(
            actor=township2,
            association=family.association,
            target=Grant.Target.FAMILY,
            family=family,
            category=acct("5101"),
            amount="300.00",
            purpose="越权申请",
        )
    assert nothing_written(before)


@pytest.mark.parametrize(
    ("source", "paid_on", "field"),
    [("5101", None, "source_account"), ("1002", TOMORROW, "paid_on")],
)
def test_a_payment_from_a_wrong_account_or_in_the_future_is_refused(
    county: Any, village: Any, township: Any, finance: Any, source: str, paid_on: Any, field: str
) -> None:
    give(finance, county_fund(county))
    grant = grant_for(village, family_in(village, DAZHUANG))
    grant = services.grant_review(actor=township, grant=grant, approve=True)
    grant = notice_over(services.grant_approve(actor=county, grant=grant, approve=True))
    before = counts()
    with pytest.raises(ServiceError) as caught:
        services.grant_pay(actor=finance, grant=grant, source_account=acct(source), paid_on=paid_on)
    assert caught.value.field == field
    grant.refresh_from_db()
    assert grant.status == Grant.Status.NOTICE and nothing_written(before)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"form": "in_kind", "in_kind_description": " "}, "in_kind_description"),
        ({"restricted_purpose": "4107"}, "restricted_purpose"),  # income, not a purpose
        ({"received_on": TOMORROW}, "received_on"),
    ],
)
def test_a_donation_that_cannot_be_recorded_is_refused(
    county: Any, finance: Any, change: dict[str, Any], field: str
) -> None:
    fund = county_fund(county)
    before = counts()
    extra = {k: acct(v) if k == "restricted_purpose" else v for k, v in change.items()}
    with pytest.raises(ServiceError) as caught:
        give(finance, fund, **extra)
    assert caught.value.field == field
    assert nothing_written(before)


@pytest.mark.parametrize(
    ("category", "asset", "date", "field"),
    [
        ("5101", "1002", None, "category"),
        ("4107", "4107", None, "asset_account"),
        ("4107", "1002", TOMORROW, "date"),
    ],
)
def test_other_income_needs_an_income_category_an_asset_and_a_past_date(
    county: Any, finance: Any, category: str, asset: str, date: Any, field: str
) -> None:
    fund = county_fund(county)
    before = counts()
    with pytest.raises(ServiceError) as caught:
        services.income_record(
            actor=finance,
            fund=fund,
            category=acct(category),
            amount="100.00",
            asset_account=acct(asset),
            date=date or timezone.localdate(),
        )
    assert caught.value.field == field
    assert nothing_written(before)


def test_income_of_another_fund_is_refused_to_a_township(county: Any, township2: Any) -> None:
    fund = county_fund(county)
    with pytest.raises(NotAllowed):
        services.income_record(
            actor=township2,
            fund=fund,
            category=acct("4107"),
            amount="100.00",
            asset_account=acct("1002"),
            date=timezone.localdate(),
        )
    assert JournalEntry.objects.count() == 0
