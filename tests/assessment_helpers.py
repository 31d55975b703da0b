"""A county scheme and round made through the real services, for the assessment tests."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from fpa.assessment import services
from fpa.assessment.models import Indicator, Round, Scheme
from fpa.organizations.models import Association

COUNTY = "622923"
LIUJIAXIA = "622923100"
YANGUOXIA = "622923101"


def assoc(code: str) -> Association:
    return Association.objects.get(code=code)


def scheme(county: Any, *, year: int = 2026, scorer: Any = None) -> tuple[Scheme, list[Indicator]]:
    """A published scheme: two scored indicators (30 + 40) and one computed (30: activities per
    village, full points at 2 a village)."""
    made = services.scheme_create(actor=county, county=assoc(COUNTY), year=year, title="考评方案")
    indicators = [
        services.indicator_save(
            actor=county,
            scheme=made,
            area="组织建设",
            name="组织健全",
            weight=Decimal(30),
            kind=Indicator.Kind.SCORED,
            scorer=scorer,
            position=1,
        ),
        services.indicator_save(
            actor=county,
            scheme=made,
            area="改革推进",
            name="任务落实",
            weight=Decimal(40),
            kind=Indicator.Kind.SCORED,
            position=2,
        ),
        services.indicator_save(
            actor=county,
            scheme=made,
            area="活动",
            name="村均活动",
            weight=Decimal(30),
            kind=Indicator.Kind.COMPUTED,
            computed_key="activities.per_village",
            target=Decimal(2),
            position=3,
        ),
    ]
    return services.scheme_publish(actor=county, scheme=made), indicators


def round_in(county: Any, made: Scheme, *, cutoff: datetime.date | None = None) -> Round:
    return services.round_create(
        actor=county,
        scheme=made,
        title="2026年度考评",
        cutoff=cutoff or datetime.date(2026, 11, 30),
    )


def advance(county: Any, round_: Round, times: int = 1) -> Round:
    for _ in range(times):
        round_ = services.round_advance(actor=county, round_=round_)
    return round_


def score_all(
    county: Any, round_: Round, indicators: list[Indicator], points: dict[str, int]
) -> None:
    """Score every township: `points` by township code (default 10 on each scored indicator)."""
    for township in services.townships_of(assoc(COUNTY)):
        for indicator in indicators:
            if indicator.computed:
                continue
            services.score_give(
                actor=county,
                round_=round_,
                indicator=indicator,
                township=township,
                score=points.get(township.code, 10),
                note="按规则评分",
            )


def at_appeal(county: Any) -> tuple[Round, list[Indicator]]:
    """A round in its appeal window: 刘家峡镇 scored 20 and 盐锅峡镇 25 on each scored indicator,
    the computed one frozen."""
    made, indicators = scheme(county)
    round_ = advance(county, round_in(county, made), 2)
    score_all(county, round_, indicators, {LIUJIAXIA: 20, YANGUOXIA: 25})
    services.round_freeze(actor=county, round_=round_)
    return advance(county, round_, 2), indicators


def assessment_world(county: Any, township2: Any, other_county: Any) -> dict[str, Any]:
    """For the deny-by-default walk (tests/test_scope_walk.py), by route: another county's
    published scheme and its round (a 刘家峡镇 user may not see them), 盐锅峡镇's score sheet of
    Yongjing's round (a township sees only its own), and 盐锅峡镇's appeal (answered by the
    county alone)."""
    round_, indicators = at_appeal(county)
    appeal = services.appeal_file(
        actor=township2,
        round_=round_,
        indicator=indicators[0],
        township=assoc(YANGUOXIA),
        reason="佐证材料已补充",
    )
    other = services.scheme_create(
        actor=other_county, county=other_county.home_association, year=2026, title="外县方案"
    )
    indicator = services.indicator_save(
        actor=other_county,
        scheme=other,
        area="组织建设",
        name="组织健全",
        weight=Decimal(100),
        kind=Indicator.Kind.SCORED,
        position=1,
    )
    other = services.scheme_publish(actor=other_county, scheme=other)
    other_round = round_in(other_county, other)
    by_route: dict[str, Any] = {
        f"assessment:{name}": other
        for name in ("scheme", "indicator_add", "scheme_publish", "round_new")
    }
    by_route["assessment:indicator"] = {"pk": other.pk, "indicator": indicator.pk}
    by_route |= {
        f"assessment:{name}": other_round
        for name in ("round", "round_advance", "round_freeze", "round_publish", "export")
    }
    by_route |= {
        f"assessment:{name}": {"pk": round_.pk, "code": YANGUOXIA}
        for name in ("sheet", "self", "score", "appeal")
    }
    by_route["assessment:appeal_answer"] = appeal
    return by_route
