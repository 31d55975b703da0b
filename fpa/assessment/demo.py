"""Deterministic demo data of the key-work assessment, made through the services: 永靖县's
scheme for this year (13 indicators, 100 points: 9 computed from the platform's records -- the
task book's share of tasks done on time, the filings in force, the needs closed on time, the
volunteer hours per 1,000 members and the monthly reports on time among them -- and 4 scored by
people), one round in the appeal
window with the computed values frozen, the demo townships' self-assessments, the county's
scores of every township, and one appeal from 刘家峡镇 waiting for the county's answer."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from fpa.assessment import services
from fpa.assessment.models import Indicator
from fpa.core.demo import DemoCast
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from fpa.accounts.models import User

COUNTY = "622923"
LIUJIAXIA = "622923100"
SCORED = Indicator.Kind.SCORED
COMPUTED = Indicator.Kind.COMPUTED

# (area, name, weight, kind, computed key, target, rule, evidence)
INDICATORS = (
    (
        "组织建设",
        "乡镇计生协组织健全、按期换届",
        "5",
        SCORED,
        "",
        "100",
        "组织机构健全、按期换届得满分；未按期换届扣5分；无专人负责扣5分。",
        "换届文件、会议记录",
    ),
    (
        "组织建设",
        "主持日常工作人员备案有效",
        "5",
        COMPUTED,
        "organizations.filings_current",
        "100",
        "本乡镇及所辖计生协截止日备案均有效得满分，低于目标值按比例得分。",
        "平台数据自动计算（备案）",
    ),
    (
        "组织建设",
        "会员之家、活动阵地建设",
        "10",
        SCORED,
        "",
        "100",
        "每有一个村（社区）未建阵地扣1分，扣完为止。",
        "阵地照片、挂牌文件",
    ),
    (
        "家庭关怀",
        "特殊家庭“三个全覆盖”",
        "15",
        COMPUTED,
        "families.three_coverages",
        "100",
        "达到目标值得满分，低于目标值按比例得分。",
        "平台数据自动计算",
    ),
    (
        "家庭关怀",
        "特殊家庭按时走访",
        "15",
        COMPUTED,
        "families.visits_on_schedule",
        "95",
        "达到目标值得满分，低于目标值按比例得分。",
        "平台数据自动计算",
    ),
    (
        "家庭关怀",
        "特殊家庭诉求按时办结",
        "5",
        COMPUTED,
        "families.needs_closed_on_time",
        "90",
        "达到目标值得满分，低于目标值按比例得分。",
        "平台数据自动计算",
    ),
    (
        "家庭关怀",
        "结对帮扶",
        "5",
        COMPUTED,
        "volunteers.pairing_share",
        "90",
        "达到目标值得满分，低于目标值按比例得分。",
        "平台数据自动计算",
    ),
    (
        "活动与服务",
        "村均开展八大项目活动",
        "10",
        COMPUTED,
        "activities.per_village",
        "4",
        "村均4次及以上得满分，低于4次按比例得分。",
        "平台数据自动计算",
    ),
    (
        "活动与服务",
        "志愿服务时长",
        "5",
        COMPUTED,
        "volunteers.hours_per_thousand_members",
        "200",
        "每千名会员志愿服务时长200小时及以上得满分，低于目标值按比例得分。",
        "平台数据自动计算（志愿服务）",
    ),
    (
        "活动与服务",
        "宣传教育与青春健康",
        "5",
        SCORED,
        "",
        "100",
        "宣传活动有计划、有记录、有成效得满分，酌情扣分。",
        "活动方案、照片、报道",
    ),
    (
        "改革推进",
        "改革任务按时完成",
        "10",
        COMPUTED,
        "tasks.done_on_time",
        "90",
        "任务书中本乡镇承担的任务按时完成率达到目标值得满分，低于目标值按比例得分。",
        "平台数据自动计算（任务书）",
    ),
    (
        "改革推进",
        "月报按时上报",
        "5",
        COMPUTED,
        "reports.monthly_on_time",
        "95",
        "本乡镇及所辖村（社区）月报按时上报率达到目标值得满分，低于目标值按比例得分。",
        "平台数据自动计算（上报）",
    ),
    (
        "改革推进",
        "信息报送及时准确",
        "5",
        SCORED,
        "",
        "100",
        "信息报送及时准确得满分；每延误一次扣1分。",
        "报送记录",
    ),
)


def _township_actor(cast: DemoCast, code: str) -> User | None:
    return cast.townships.get(code)


def seed_assessment(cast: DemoCast) -> dict[str, int]:
    county_user = cast.county
    county = Association.objects.get(code=COUNTY)
    today = timezone.localdate()
    year = today.year
    scheme = services.scheme_create(
        actor=county_user, county=county, year=year, title=f"{year}年度乡镇计生协重点工作考评方案"
    )
    indicators = []
    for position, row in enumerate(INDICATORS, start=1):
        area, name, weight, kind, key, target, rule, evidence = row
        indicators.append(
            services.indicator_save(
                actor=county_user,
                scheme=scheme,
                area=area,
                name=name,
                weight=Decimal(weight),
                kind=kind,
                computed_key=key,
                target=Decimal(target),
                rule=rule,
                evidence=evidence,
                position=position,
                scorer=county_user if kind == SCORED else None,
            )
        )
    scheme = services.scheme_publish(actor=county_user, scheme=scheme)
    cutoff = max(datetime.date(year, 1, 1), today - datetime.timedelta(days=1))
    round_ = services.round_create(
        actor=county_user, scheme=scheme, title=f"{year}年度考评", cutoff=cutoff
    )
    round_ = services.round_advance(actor=county_user, round_=round_)  # self-assessment
    scored = [i for i in indicators if i.kind == SCORED]
    townships = services.townships_of(county)
    for township in townships:
        actor = _township_actor(cast, township.code)
        if actor is None:
            continue
        for number, indicator in enumerate(scored):
            services.self_assess(
                actor=actor,
                round_=round_,
                indicator=indicator,
                township=township,
                score=indicator.weight - number % 2,
                note="（演示数据）已按要求完成，佐证材料见附件清单。",
            )
    round_ = services.round_advance(actor=county_user, round_=round_)  # county scoring
    for index, township in enumerate(townships):
        for number, indicator in enumerate(scored):
            services.score_give(
                actor=county_user,
                round_=round_,
                indicator=indicator,
                township=township,
                score=indicator.weight - (index + number) % 4,
                note="（演示数据）按评分规则扣分。",
            )
    round_ = services.round_freeze(actor=county_user, round_=round_)
    round_ = services.round_advance(actor=county_user, round_=round_)  # preliminary results
    round_ = services.round_advance(actor=county_user, round_=round_)  # appeal window
    appeals = 0
    liujiaxia = Association.objects.get(code=LIUJIAXIA)
    actor = _township_actor(cast, LIUJIAXIA) or cast.township
    if actor is not None and scored:
        services.appeal_file(
            actor=actor,
            round_=round_,
            indicator=scored[-1],
            township=liujiaxia,
            reason="（演示数据）10月份的信息已按时报送，系统记录的时间晚于报送时间系网络故障所致，"
            "附当日报送截图。",
        )
        appeals = 1
    return {"assessment_indicators": len(indicators), "assessment_appeals": appeals}


def seed(cast: DemoCast) -> dict[str, int]:
    """This module's demo data (registered as the app's `demo_seeder`)."""
    return seed_assessment(cast)
