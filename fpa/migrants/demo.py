"""Deterministic synthetic migrants and an enterprise profile for the demo (`make run`), made
through the services. Everything is made up: names, ID numbers (valid check characters), 136
phone numbers, the credit code (valid check character).

In 刘家峡镇: the hydropower firm's enterprise association gets a profile flagged 流动人口示范点
with last year's county evaluation; migrants from 临夏市, 东乡县 and 四川 work there (two
registered by 大庄村, one by the enterprise association itself), one with services and a need,
one whose expected departure has passed (the to-do); one villager who moved out to 兰州.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from fpa.core import uscc
from fpa.core.demo import DemoCast
from fpa.core.idnumbers import synthesize
from fpa.migrants import selectors, services
from fpa.migrants.models import EnterpriseProfile, Evaluation, Migrant
from fpa.organizations.models import Association

LIUJIAXIA = "622923100"
DAZHUANG = "622923100201"


def _born(years: int, day: int) -> datetime.date:
    today = timezone.localdate()
    return datetime.date(today.year - years, 3, day)


def seed(cast: DemoCast) -> dict[str, int]:
    today = timezone.localdate()
    county = cast.county
    village = Association.objects.filter(code=DAZHUANG).first()
    firm = Association.objects.filter(
        parent__code=LIUJIAXIA, kind=Association.Kind.ENTERPRISE
    ).first()
    if village is None or firm is None:
        return {"migrants": 0}
    branch = Association.objects.filter(
        parent__code=LIUJIAXIA, kind=Association.Kind.PARTY_BRANCH
    ).first()
    profile = services.profile_create(
        actor=county,
        association=firm,
        firm_name="（演示）刘家峡某水电开发有限公司",
        credit_code=uscc.with_check_character("91622923MA7DEM001"),
        address="刘家峡镇黄河路1号",
        size=EnterpriseProfile.Size.MEDIUM,
        employees=420,
        childbearing_employees=160,
        party_branch_name="刘家峡某水电开发有限公司党支部",
        party_branch=branch,
        demonstration=True,
    )
    services.evaluation_record(
        actor=county,
        profile=profile,
        year=today.year - 1,
        level=Evaluation.Level.COUNTY,
        result=Evaluation.Result.EXCELLENT,
        notes="服务台账齐全，流动人口健康宣传覆盖全部职工。",
    )
    common: dict[str, Any] = {"workplace": "刘家峡某水电开发有限公司", "employer": firm}
    people = [
        services.migrant_register(
            actor=county,
            association=village,
            direction=Migrant.Direction.INFLOW,
            name="（演示）马明",
            id_number=synthesize("622901", _born(32, 5), 31),
            phone="13600000301",
            origin_code="622901",  # 临夏市
            arrived_on=today - datetime.timedelta(days=400),
            expected_departure=today + datetime.timedelta(days=300),
            **common,
        ),
        services.migrant_register(
            actor=county,
            association=village,
            direction=Migrant.Direction.INFLOW,
            name="（演示）妥海燕",
            id_number=synthesize("622926", _born(28, 9), 42),
            phone="13600000302",
            origin_code="622926",  # 东乡族自治县
            arrived_on=today - datetime.timedelta(days=200),
            expected_departure=today - datetime.timedelta(days=10),
            **common,
        ),
        services.migrant_register(
            actor=county,
            association=firm,
            direction=Migrant.Direction.INFLOW,
            name="（演示）李强",
            id_number=synthesize("510104", _born(41, 17), 51),
            origin_code="510104",  # 成都市锦江区
            arrived_on=today - datetime.timedelta(days=90),
            **common,
        ),
        services.migrant_register(
            actor=county,
            association=village,
            direction=Migrant.Direction.OUTFLOW,
            name="（演示）王建军",
            id_number=synthesize("622923", _born(36, 21), 61),
            destination_code="620102",  # 兰州市城关区
            workplace="兰州某物流公司",
            arrived_on=today - datetime.timedelta(days=150),
        ),
    ]
    services.family_member_add(
        actor=county,
        migrant=people[0],
        relation="child",
        name="（演示）马小军",
        birth_date=_born(6, 2),
    )
    kinds = {k.code: k for k in selectors.service_kinds()}
    for code, days in (("health_publicity", 120), ("family_planning", 40)):
        if code in kinds:
            services.service_record(
                actor=county,
                migrant=people[0],
                kind=kinds[code],
                served_on=today - datetime.timedelta(days=days),
                provider="大庄村计生专干",
                notes="",
            )
    services.need_raise(actor=county, migrant=people[0], description="孩子就近入学咨询")
    return {"migrants": len(people), "enterprise_profiles": 1}
