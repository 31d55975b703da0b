"""Deterministic synthetic childcare institutions for the demo (`make run`), made through the
services. Everything is made up: names, operators, credit codes (valid check characters, 622923
division), 136 phone numbers.

In 刘家峡镇: a running inclusive (普惠) nursery inspected twice (one problem closed, one
rectified and waiting for verification), a private one with an overdue problem, one being set up,
one closed; the county's inclusive centre recommended to the prefecture (named last year) and to
the province (pending). 盐锅峡镇 has one of its own.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from fpa.childcare import rules, selectors, services
from fpa.childcare.models import Institution
from fpa.core.demo import DemoCast
from fpa.organizations.models import Association

COUNTY = "622923"
LIUJIAXIA = "622923100"
YANGUOXIA = "622923101"
DAZHUANG = "622923100201"


def _code(n: int, prefix: str = "52622923MJ") -> str:
    return rules.with_check_character(f"{prefix}{n:07d}")


def _institution(actor: Any, where: Association, n: int, **data: Any) -> Institution:
    today = timezone.localdate()
    defaults: dict[str, Any] = {
        "association": where,
        "operator": f"（演示）永靖县育苗教育服务中心{n}",
        "address": f"{where.name}{n}号",
        "kind": Institution.Kind.FULL_DAY,
        "capacity": 60,
        "places_used": 40,
        "contact_name": f"联系人{n}",
        "phone": f"1368000{n:04d}",
        "registration_number": _code(n),
        "status": Institution.Status.OPERATING,
        "opened_on": today - datetime.timedelta(days=400 + n),
    }
    defaults.update(data)
    return services.institution_register(actor=actor, **defaults)


def _inspect(actor: Any, institution: Institution, days_ago: int, deduct: dict[str, int]) -> Any:
    scores = {
        item.pk: (item.max_score - deduct.get(item.code, 0), "扣分" if item.code in deduct else "")
        for item in selectors.checklist(active_only=True)
    }
    return services.inspection_record(
        actor=actor,
        institution=institution,
        inspected_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        inspectors="（演示）马卫东、何秀兰",
        scores=scores,
        notes="（演示数据）总体规范，个别项目须整改。",
    )


def seed_childcare(*, county: Any, townships: dict[str, Any]) -> dict[str, int]:
    today = timezone.localdate()
    township, other = townships[LIUJIAXIA], townships[YANGUOXIA]
    villages = list(
        Association.objects.filter(parent__code=LIUJIAXIA, kind=Association.Kind.VILLAGE).order_by(
            "code"
        )[:3]
    )
    dazhuang = Association.objects.get(code=DAZHUANG)
    inclusive = _institution(
        township, dazhuang, 1, name="（演示）大庄村普惠托育园", inclusive=True, capacity=80
    )
    private = _institution(
        township,
        villages[0],
        2,
        name="（演示）小太阳托育中心",
        kind=Institution.Kind.HALF_DAY,
        capacity=30,
        places_used=28,
        registration_number=_code(2, "91622923MA"),
    )
    _institution(
        township,
        villages[1],
        3,
        name="（演示）幼苗托育（筹建）",
        status=Institution.Status.PLANNED,
        registration_number="",
        opened_on=None,
        planned_on=today - datetime.timedelta(days=20),
        places_used=0,
    )
    closed = _institution(township, villages[2], 4, name="（演示）快乐宝贝临时托")
    services.institution_change_status(
        actor=township,
        institution=closed,
        status=Institution.Status.CLOSED,
        on=today - datetime.timedelta(days=10),
        reason="（演示数据）举办者自愿停办",
    )
    centre = _institution(
        county,
        Association.objects.get(code=LIUJIAXIA),
        5,
        name="（演示）永靖县婴幼儿照护服务指导中心",
        inclusive=True,
        capacity=120,
        places_used=96,
    )
    first = _inspect(township, inclusive, 90, {"safety": 3, "records": 2})
    done = services.problem_add(
        actor=township,
        inspection=first,
        description="（演示）消防通道堆放杂物",
        deadline=today - datetime.timedelta(days=75),
    )
    services.problem_rectify(
        actor=township,
        problem=done,
        rectification="（演示）已清理杂物，设置禁止堆放标识。",
        rectified_on=today - datetime.timedelta(days=80),
    )
    services.problem_close(actor=township, problem=done, note="（演示）现场复查合格")
    second = _inspect(township, inclusive, 15, {"records": 2})
    waiting = services.problem_add(
        actor=township,
        inspection=second,
        description="（演示）婴幼儿健康档案缺少入托体检表",
        deadline=today + datetime.timedelta(days=15),
    )
    services.problem_rectify(
        actor=township,
        problem=waiting,
        rectification="（演示）已补齐12名婴幼儿的入托体检表。",
        rectified_on=today,
    )
    late = _inspect(township, private, 60, {"staffing": 5, "health": 3})
    services.problem_add(
        actor=township,
        inspection=late,
        description="（演示）保育人员与婴幼儿比例不足1:5",
        deadline=today - datetime.timedelta(days=30),
    )
    _inspect(county, centre, 30, {})
    services.recommendation_create(
        actor=county,
        institution=centre,
        year=today.year - 1,
        level="prefecture",
        recommended_on=today - datetime.timedelta(days=300),
    )
    named = centre.recommendations.get()
    services.recommendation_decide(
        actor=county,
        recommendation=named,
        outcome="named",
        outcome_on=today - datetime.timedelta(days=200),
    )
    services.recommendation_create(
        actor=county,
        institution=centre,
        year=today.year,
        level="province",
        recommended_on=today - datetime.timedelta(days=5),
        note="（演示数据）州级示范托育机构",
    )
    _institution(
        other,
        Association.objects.filter(parent__code=YANGUOXIA, kind=Association.Kind.VILLAGE)
        .order_by("code")
        .first()
        or Association.objects.get(code=YANGUOXIA),
        6,
        name="（演示）盐锅峡镇阳光托育园",
        inclusive=True,
    )
    return {"childcare_institutions": 6, "childcare_inspections": 4, "childcare_problems": 3}


def seed(cast: DemoCast) -> dict[str, int]:
    """This module's demo data (registered as the app's `demo_seeder`)."""
    return seed_childcare(county=cast.county, townships=cast.townships)
