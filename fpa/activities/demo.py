"""Deterministic synthetic activities for the demo (`make run`), made through the services.

Sites: 刘家峡镇's 会员之家, 大庄村's 暖心家园 serving one demo family, 盐锅峡镇's 人口文化大院.
The pool: two experts of the county and a 青春健康同伴社 of a 刘家峡镇 school. The county's 5·29
campaign for this year, one activity asked of every township, with activities of 刘家峡镇, 大庄村
and 盐锅峡镇 in it. About a dozen activities across the categories: held ones with participants
by group, one summarised and sent up as a highlight with a media report, one with physical risk
held with its insurance confirmed, one with volunteers asked through the volunteers module, one
approved by the township, planned ones to come (one on the public calendar), one started and not
yet marked held (a to-do), one cancelled. Names of people are made up; no person is recorded.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from fpa.activities import services
from fpa.activities.models import Activity, Category, Site, SiteKind, Specialty, Theme
from fpa.core.demo import DemoCast
from fpa.families.models import Family
from fpa.organizations.models import Association

COUNTY = "622923"
LIUJIAXIA = "622923100"
YANGUOXIA = "622923101"
DAZHUANG = "622923100201"


def _at(day: datetime.date, hour: int, hours: int = 2) -> dict[str, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    return {"starts_at": start, "ends_at": start + datetime.timedelta(hours=hours)}


def _ago(days: int, hour: int = 9, hours: int = 2) -> dict[str, datetime.datetime]:
    return _at(timezone.localdate() + datetime.timedelta(days=days), hour, hours)


def _category(code: str) -> Category:
    return Category.objects.get(code=code)


def _theme(code: str) -> Theme:
    return Theme.objects.get(code=code)


def _plan(actor: Any, code: str, category: str, **data: Any) -> Activity:
    return services.activity_plan(
        actor=actor,
        association=Association.objects.get(code=code),
        category=_category(category),
        **data,
    )


def _hold(actor: Any, activity: Activity, **counts: Any) -> Activity:
    """Mark held when it has started (a campaign later in the year stays planned)."""
    if activity.starts_at > timezone.now():
        return activity
    return services.activity_hold(actor=actor, activity=activity, **counts)


def _sites(township: Any, township2: Any, village: Any, today: datetime.date) -> dict[str, Site]:
    opened = today - datetime.timedelta(days=400)
    home = services.site_create(
        actor=township,
        association=Association.objects.get(code=LIUJIAXIA),
        kind=SiteKind.objects.get(code="member_home"),
        name="刘家峡镇计生协会员之家",
        address="刘家峡镇黄河路8号镇政府院内",
        facilities="活动室60平方米，投影仪一台，宣传展板12块，图书角",
        opening_hours="工作日 8:30-17:30",
        contact_name="马秀兰",
        status=Site.Status.OPEN,
        opened_on=opened,
    )
    warm = services.site_create(
        actor=village,
        association=Association.objects.get(code=DAZHUANG),
        kind=SiteKind.objects.get(code="warm_home"),
        name="大庄村暖心家园",
        address="大庄村村委会东侧",
        facilities="谈心室、康复器材、休息室",
        opening_hours="每周二、四 9:00-12:00",
        contact_name="王建国",
        status=Site.Status.OPEN,
        opened_on=opened + datetime.timedelta(days=60),
    )
    family = (
        Family.objects.filter(association__code=DAZHUANG, status=Family.Status.ACTIVE)
        .order_by("pk")
        .first()
    )
    if family is not None:
        services.site_set_families(actor=village, site=warm, families=[family])
    yard = services.site_create(
        actor=township2,
        association=Association.objects.get(code=YANGUOXIA),
        kind=SiteKind.objects.get(code="culture_yard"),
        name="盐锅峡镇人口文化大院",
        address="盐锅峡镇文化广场北侧",
        facilities="文化墙、宣传栏、文艺演出舞台",
        status=Site.Status.OPEN,
        opened_on=opened,
    )
    return {"home": home, "warm": warm, "yard": yard}


def _pool(county: Any, township: Any, today: datetime.date) -> list[Any]:
    county_association = Association.objects.get(code=COUNTY)
    doctor = services.expert_add(
        actor=county,
        association=county_association,
        specialties=list(Specialty.objects.filter(code__in=("reproductive", "eugenics"))),
        name="李慧敏",
        organisation="永靖县妇幼保健院",
        title="副主任医师",
        qualifications="妇产科副主任医师；甘肃省优生优育指导师培训合格（演示数据）",
    )
    trainer = services.expert_add(
        actor=county,
        association=county_association,
        specialties=list(Specialty.objects.filter(code__in=("youth_trainer", "psychology"))),
        name="张文博",
        organisation="永靖县第一中学",
        title="心理健康教师",
        qualifications="中国计生协青春健康师资培训合格证书（演示数据）",
    )
    services.peer_club_add(
        actor=township,
        association=Association.objects.get(code=LIUJIAXIA),
        school="永靖县刘家峡中学",
        members=32,
        founded_on=today - datetime.timedelta(days=300),
    )
    return [doctor, trainer]


def _campaign_day(year: int, offset: int) -> datetime.date:
    return datetime.date(year, 5, 29) + datetime.timedelta(days=offset)


def seed_activities(*, county: Any, townships: dict[str, Any], village: Any) -> dict[str, int]:
    today = timezone.localdate()
    year = today.year
    township, township2 = townships[LIUJIAXIA], townships[YANGUOXIA]
    sites = _sites(township, township2, village, today)
    doctor, trainer = _pool(county, township, today)
    campaign = services.campaign_create(
        actor=county,
        association=Association.objects.get(code=COUNTY),
        title=f"{year}年5·29计生协会员活动日",
        theme=_theme("may29"),
        starts_on=datetime.date(year, 5, 15),
        ends_on=datetime.date(year, 6, 15),
        description="每个乡镇至少开展一次会员活动日主题活动，各村（社区）广泛宣传。（演示数据）",
    )
    made: list[Activity] = []

    # The 5·29 campaign: 刘家峡镇 at its 会员之家 (a highlight), 大庄村 door to door, 盐锅峡镇.
    square = _plan(
        township,
        LIUJIAXIA,
        "publicity",
        title="5·29会员活动日广场宣传",
        theme=_theme("may29"),
        campaign=campaign,
        site=sites["home"],
        partners="永靖县卫健局、永靖县妇幼保健院",
        target_groups="会员、育龄群众",
        public=True,
        cost=Decimal("1200"),
        **_at(_campaign_day(year, 0), 9, 3),
    )
    square = _hold(
        township,
        square,
        members=86,
        volunteers=12,
        childbearing=140,
        others=35,
        materials=1500,
        consultations=48,
    )
    if square.counts:
        services.activity_summarise(
            actor=township,
            activity=square,
            summary=(
                "在镇会员之家和广场设宣传咨询台，发放优生优育、家庭健康宣传资料1500份，"
                "妇幼保健院医生现场咨询48人次，会员和志愿者表演节目，群众参与热情高。（演示数据）"
            ),
            highlight=True,
        )
        services.media_add(
            actor=township,
            activity=square,
            outlet="wechat",
            name="永靖县计生协微信公众号",
            title="刘家峡镇开展5·29会员活动日宣传",
            url="https://example.org/demo/529",
            published_on=min(_campaign_day(year, 1), today),
        )
    made.append(square)
    door = _plan(
        village,
        DAZHUANG,
        "publicity",
        title="5·29入户宣传优生优育知识",
        theme=_theme("eugenics"),
        campaign=campaign,
        setting=Activity.Setting.FAMILY,
        place="大庄村各社",
        **_at(_campaign_day(year, 2), 14, 3),
    )
    made.append(_hold(village, door, members=15, childbearing=42, materials=200))
    yard = _plan(
        township2,
        YANGUOXIA,
        "publicity",
        title="人口文化大院文艺宣传演出",
        theme=_theme("may29"),
        campaign=campaign,
        site=sites["yard"],
        **_at(_campaign_day(year, -1), 19, 2),
    )
    made.append(_hold(township2, yard, members=40, others=210, materials=600))

    # Through the year, in 刘家峡镇 and 大庄村.
    school = _plan(
        township,
        LIUJIAXIA,
        "youth",
        title="青春健康进校园讲座",
        theme=_theme("youth_health"),
        setting=Activity.Setting.SCHOOL,
        place="永靖县刘家峡中学报告厅",
        target_groups="初二学生及家长",
        experts=[trainer],
        **_ago(-20, 15),
    )
    made.append(_hold(township, school, youth=180, others=20, materials=200))
    warm = _plan(
        village,
        DAZHUANG,
        "family_support",
        title="暖心家园陪伴计生特殊家庭老人",
        site=sites["warm"],
        target_groups="计生特殊家庭",
        **_ago(-12, 9, 3),
    )
    warm = _hold(village, warm, special_families=6, volunteers=4, members=3)
    services.activity_request_volunteers(
        actor=township,
        activity=warm,
        hours=Decimal("3"),
        description="陪伴聊天、打扫卫生、测量血压（演示数据）",
    )
    made.append(warm)
    clinic = _plan(
        township,
        LIUJIAXIA,
        "health",
        title="生殖健康义诊进社区",
        theme=_theme("eugenics"),
        place="刘家峡镇城区社区卫生服务站",
        partners="永靖县妇幼保健院",
        experts=[doctor],
        **_ago(-35, 9, 4),
    )
    made.append(
        _hold(
            township,
            clinic,
            childbearing=95,
            others=30,
            consultations=120,
            checks=64,
            referrals=5,
            materials=300,
        )
    )
    walk = _plan(
        township,
        LIUJIAXIA,
        "other",
        title="健康家庭健步走",
        theme=_theme("healthy_family"),
        place="黄河风情线",
        risky=True,
        **_ago(-8, 8, 3),
    )
    made.append(
        services.activity_hold(
            actor=township,
            activity=walk,
            insurance_confirmed=True,
            insurance_note="中国人寿团体意外险 YW-DEMO-0529",
            members=60,
            childbearing=80,
        )
    )
    rights = _plan(
        township,
        LIUJIAXIA,
        "rights",
        title="计生家庭奖励扶助政策宣讲",
        theme=_theme("policy"),
        site=sites["home"],
        **_ago(-60, 10),
    )
    made.append(_hold(township, rights, members=25, special_families=8, materials=120))

    # To come, to hold, cancelled.
    training = _plan(
        township,
        LIUJIAXIA,
        "training",
        title="村计生专干业务培训",
        site=sites["home"],
        public=True,
        **_ago(10, 9, 6),
    )
    made.append(training)
    migrants = _plan(
        village,
        DAZHUANG,
        "migrants",
        title="流动人口健康宣传",
        place="大庄村务工人员集中居住点",
        **_ago(5, 18),
    )
    made.append(services.activity_approve(actor=township, activity=migrants))
    made.append(
        _plan(
            township2,
            YANGUOXIA,
            "publicity",
            title="世界人口日主题宣传",
            theme=_theme("population_day"),
            site=sites["yard"],
            **_ago(-2, 9),
        )
    )
    dropped = _plan(
        township2,
        YANGUOXIA,
        "health",
        title="优生优育知识讲座",
        place="盐锅峡镇卫生院",
        **_ago(3, 15),
    )
    made.append(
        services.activity_cancel(
            actor=township2, activity=dropped, reason="授课医生临时出诊，改期另行安排"
        )
    )
    return {
        "activity_sites": len(sites),
        "activities": len(made),
        "activities_held": sum(1 for a in made if a.counts),
        "campaigns": 1,
        "experts": 2,
    }


def seed(cast: DemoCast) -> dict[str, int]:
    """This module's demo data (registered as the app's `demo_seeder`)."""
    return seed_activities(county=cast.county, townships=cast.townships, village=cast.village)
