"""Deterministic synthetic healthy-family nominations for the demo (`make run`), made through the
services: 刘家峡镇's villages nominate families this year and last year; the township recommends
most and declines one (which it may reopen), the county names last year's recommended families
and some of this year's, so the public list of 永靖县 has names, "某户" lines and counts per
township, and both to-do kinds have work (a nomination for 刘家峡镇, a recommendation for the
county). Household names are made up (faker zh_CN)."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from django.utils import timezone
from faker import Faker

from fpa.core import consent
from fpa.core.demo import DemoCast
from fpa.core.errors import ServiceError
from fpa.healthyfamilies import rules, services
from fpa.healthyfamilies.models import Nomination
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

SEED = 2023
LIUJIAXIA = "622923100"
DAZHUANG = "622923100201"
DEMO_CONSENT = (
    "（演示数据）本户同意在健康家庭命名名单中公开户名及所在村（社区）、乡镇名称，可随时撤回。"
)
REASONS = (
    "家庭成员身体健康，坚持定期体检，家庭医生签约服务全覆盖，家风和睦，积极参加村里的健康知识讲座。",
    "夫妻和睦、孝敬老人，家中无吸烟者，坚持科学育儿，主动帮助邻里照看留守老人。",
    "积极参加计生协志愿服务，带动邻里参加健身活动，家庭卫生整洁，获评村级文明家庭。",
)


def _consent_version() -> int:
    try:
        return consent.current(rules.CONSENT_PURPOSE).version
    except ServiceError:
        return consent.publish(actor=None, purpose=rules.CONSENT_PURPOSE, body=DEMO_CONSENT).version


def seed_nominations(*, county: User, township: User, village: User) -> dict[str, int]:
    rng, fake = random.Random(SEED), Faker("zh_CN")  # noqa: S311 - demo data, not secrets
    fake.seed_instance(SEED)
    version = _consent_version()
    this_year = timezone.localdate().year
    villages = list(
        Association.objects.filter(
            parent__code=LIUJIAXIA, kind="village", valid_to__isnull=True
        ).order_by("code")[:4]
    )
    made: list[Nomination] = []
    for year in (this_year - 1, this_year):
        for index, place in enumerate(villages):
            actor = village if place.code == DAZHUANG else township
            made.append(
                services.nomination_create(
                    actor=actor,
                    association=place,
                    year=year,
                    household_name=fake.name(),
                    members_count=rng.randrange(2, 7),
                    address=f"{place.division_name or place.name}{rng.randrange(1, 99)}号",
                    reason=REASONS[index % len(REASONS)],
                    publish_name=index % 3 != 2,
                    consent_version=version,
                )
            )
    last, this = made[: len(villages)], made[len(villages) :]
    for n in last:
        services.nomination_review(actor=township, nomination=n, recommend=True, opinion="同意推荐")
        services.nomination_award(
            actor=county,
            nomination=n,
            award=True,
            document=f"永计协发〔{this_year - 1}〕12号",  # noqa: RUF001 (document no.)
        )
    if len(this) >= 4:
        services.nomination_review(
            actor=township, nomination=this[0], recommend=True, opinion="事迹突出，同意推荐"
        )
        services.nomination_award(actor=county, nomination=this[0], award=True)
        services.nomination_review(
            actor=township, nomination=this[1], recommend=True, opinion="同意推荐"
        )
        services.nomination_review(
            actor=township, nomination=this[2], recommend=False, opinion="材料不全，请补充"
        )
    return {
        "nominations": len(made),
        "awarded": Nomination.objects.filter(status=Nomination.Status.AWARDED).count(),
    }


def seed(cast: DemoCast) -> dict[str, int]:
    """This module's demo data (registered as the app's `demo_seeder`)."""
    return seed_nominations(county=cast.county, township=cast.township, village=cast.village)
