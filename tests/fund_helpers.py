"""Shared set-up for the care fund tests: the county fund, money in it, a grant at each step."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from fpa.core.idnumbers import synthesize
from fpa.families import services as family_services
from fpa.families.models import Family
from fpa.fund import services
from fpa.fund.models import Account, Fund, Grant
from fpa.organizations.models import Association

TODAY = timezone.localdate()
BENEFICIARY = "受助母亲甲"
BENEFICIARY_ID = synthesize("622923", datetime.date(1968, 5, 4), 24)
BENEFICIARY_PHONE = "13988886666"


def acct(code: str) -> Account:
    return Account.objects.get(code=code)


def county_fund(county: Any) -> Fund:
    return services.fund_create(
        actor=county, association=Association.objects.get(code="622923"), name="永靖县生育关怀基金"
    )


def give(finance: Any, fund: Fund, amount: str = "10000.00", **extra: Any) -> Any:
    data = {
        "donor_name": "爱心企业有限公司",
        "donor_kind": "enterprise",
        "form": "cash",
        "channel": "bank",
        "received_on": TODAY,
        "publish_name": True,
    }
    data.update(extra)
    return services.donation_record(actor=finance, fund=fund, amount=amount, **data)


def family_in(actor: Any, code: str, name: str = BENEFICIARY, n: int = 24) -> Family:
    return family_services.family_register(
        actor=actor,
        association=Association.objects.get(code=code),
        kind=Family.Kind.BEREAVED,
        notes="家中困难",
        people=[
            {
                "role": "mother",
                "name": name,
                "id_number": synthesize("622923", datetime.date(1968, 5, 4), n),
                "phone": BENEFICIARY_PHONE,
            }
        ],
    )


def grant_for(applicant: Any, family: Family, amount: str = "800.00", code: str = "5101") -> Grant:
    return services.grant_apply(
        actor=applicant,
        association=family.association,
        target=Grant.Target.FAMILY,
        family=family,
        category=acct(code),
        amount=amount,
        purpose=f"{BENEFICIARY}家庭住院，申请慰问救助",
    )


def pay_first(county: Any, fund: Fund) -> Fund:
    """The county chooses the pay-first order (先支付后公示) for its fund."""
    return services.fund_settings_update(
        actor=county,
        fund=fund,
        notice_days=fund.notice_days,
        reply_days=fund.reply_days,
        grant_order=Fund.GrantOrder.PAY_FIRST,
    )


def notice_over(grant: Grant) -> Grant:
    """Set-up shortcut for tests about what comes after the notice (as the demo does): a grant
    noticed first whose notice period ended yesterday, so finance may pay it today. The notice
    itself is tested with the clock moving (time-machine) in tests/test_fund_notice.py."""
    if grant.status == Grant.Status.NOTICE:
        Grant.objects.filter(pk=grant.pk).update(notice_until=TODAY - datetime.timedelta(days=1))
        grant.refresh_from_db()
    return grant


def approved_grant(village: Any, township: Any, county: Any, family: Family, **extra: Any) -> Grant:
    grant = grant_for(village, family, **extra)
    grant = services.grant_review(actor=township, grant=grant, approve=True)
    return services.grant_approve(actor=county, grant=grant, approve=True)


def paid_grant(village: Any, township: Any, county: Any, finance: Any, family: Family) -> Grant:
    """A grant paid today: in the fund's order (noticed first by default: its notice is over)."""
    grant = notice_over(approved_grant(village, township, county, family))
    return services.grant_pay(actor=finance, grant=grant, source_account=acct("1002"))


def money(value: str) -> Decimal:
    return Decimal(value)
