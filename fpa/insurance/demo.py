"""Deterministic synthetic insurance data for the demo (`make run`), made through the services:
the county's 计生家庭意外伤害保险 with this year's policy (fund 60 + government 40 yuan a
person), every active special-family mother of 刘家峡镇 aged 48 or more enrolled by rule (the
other townships are left for a county-wide rule to show the coverage page move), the premium's care
fund share applied for as a grant, and three claims in 大庄村: paid, submitted and overdue, just
reported. Everything is made up."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from fpa.core.demo import DemoCast
from fpa.core.errors import ServiceError
from fpa.families.models import Family, Person
from fpa.insurance import rules, services
from fpa.insurance.models import Claim, Enrolment, Product
from fpa.organizations.models import Association

COUNTY = "622923"
LIUJIAXIA = "622923100"
DAZHUANG = "622923100201"


def _dazhuang_parents(limit: int) -> list[Person]:
    return list(
        Person.objects.filter(
            family__association__code=DAZHUANG,
            family__status=Family.Status.ACTIVE,
            role__in=[Person.Role.MOTHER, Person.Role.FATHER],
            id_number_hash__gt="",
            deceased_on__isnull=True,
        )
        .select_related("family__association")
        .order_by("pk")[:limit]
    )


def _claims(village: Any, year: Any) -> int:
    today = timezone.localdate()
    made = 0
    for n, person in enumerate(_dazhuang_parents(3)):
        enrolment = Enrolment.objects.filter(policy_year=year, person=person).first()
        try:
            if enrolment is None:
                enrolment = services.enrolment_add(
                    actor=village, policy_year=year, person=person, covered_from=year.starts_on
                )
            event = max(year.starts_on, today - datetime.timedelta(days=60 - 20 * n))
            claim = services.claim_report(
                actor=village,
                enrolment=enrolment,
                event_on=event,
                kind=[Claim.Kind.HOSPITAL, Claim.Kind.ACCIDENT, Claim.Kind.OTHER][n],
                description="（演示数据）出险经过",
            )
        except ServiceError:
            continue
        made += 1
        if n == 0:
            services.claim_submit(actor=village, claim=claim, submitted_on=event)
            services.claim_decide(
                actor=village,
                claim=claim,
                outcome=Claim.Status.PAID,
                decided_on=today,
                amount_paid="2400.00",
            )
        elif n == 1:
            services.claim_submit(actor=village, claim=claim, submitted_on=event)
    return made


def seed(cast: DemoCast) -> dict[str, int]:
    """This module's demo data (registered as the app's `demo_seeder`)."""
    county = cast.county
    today = timezone.localdate()
    product = services.product_create(
        actor=county,
        association=Association.objects.get(code=COUNTY),
        insurer="（演示）中国人民财产保险临夏分公司",
        name="计生家庭意外伤害保险",
        kind=Product.Kind.ACCIDENT,
        premium="100",
        min_age=18,
        max_age=85,
        cover_items=[
            {"item": "意外身故、伤残", "amount": "50000"},
            {"item": "意外医疗", "amount": "5000"},
            {"item": "住院津贴（每天）", "amount": "50"},
        ],
    )
    year = services.policy_year_create(
        actor=county,
        product=product,
        year=today.year,
        policy_number=f"PZAA{today.year}622923000001",
        fund_share="60",
        government_share="40",
    )
    # A few parents of 大庄村 insured from the policy start (claims need cover on the event day).
    claims = _claims(cast.village, year)
    result = services.rule_enrol(
        actor=county,
        policy_year=year,
        rule=rules.Rule(source="parents", area=LIUJIAXIA, sex="F", age_min=48),
    )
    granted = 0
    try:
        services.premium_post(actor=county, policy_year=year)
        granted = 1
    except ServiceError:
        pass
    return {
        "insurance_products": 1,
        "enrolments": result["written"],
        "claims": claims,
        "premium_grants": granted,
    }
