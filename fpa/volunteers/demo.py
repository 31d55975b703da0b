"""Deterministic synthetic volunteers for the demo (`make run`), made through the services.

Everything is made up: faker zh_CN names, synthetic ID numbers (622923 prefix), 136 phone numbers.
In 刘家峡镇: active volunteers with skills, agreements (one due for renewal), trainings, insurance,
services with confirmed and submitted hours, a certificate, a team per level, a pairing with a
demo family; one application waiting for vetting and one vetted waiting for the agreement; one
minor with a guardian. demo-volunteer is linked to one of them. 盐锅峡镇 has its own few.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone
from faker import Faker

from fpa.core.demo import DemoCast
from fpa.core.idnumbers import synthesize
from fpa.families.models import Family, Need
from fpa.organizations.models import Association
from fpa.volunteers import selectors, services
from fpa.volunteers.models import Skill, Volunteer

SEED = 2024
LIUJIAXIA = "622923100"
YANGUOXIA = "622923101"
DAZHUANG = "622923100201"
SKILL_SETS = [
    ("counselling",),
    ("social_work", "elderly_care"),
    ("legal_aid",),
    ("reproductive_health", "education"),
    ("nursing", "elderly_care"),
    ("publicity_arts",),
    ("driving",),
]


def _volunteer(
    rng: random.Random, fake: Faker, where: Association, n: int, age: int, today: datetime.date
) -> Volunteer:
    birth = datetime.date(today.year - age, 1 + rng.randrange(12), 1 + rng.randrange(28))
    skills = SKILL_SETS[n % len(SKILL_SETS)]
    data: dict[str, Any] = {
        "association": where,
        "name": fake.name(),
        "id_number": synthesize("622923", birth, 600 + n),
        "phone": f"136{rng.randrange(0, 10**8):08d}",
        "consent_version": selectors.current_consent().version,
        "skills": list(Skill.objects.filter(code__in=skills)),
        "occupation": ["教师", "医生", "护士", "退休干部", "社工", "律师", "学生"][n % 7],
        "on_weekdays": n % 2 == 0,
        "on_weekends": n % 3 != 0,
        "in_evenings": n % 4 == 1,
        "address": f"{where.name}{rng.randrange(1, 9)}社",
    }
    if age < 18:
        data.update(
            guardian_name=fake.name(),
            guardian_relation="父亲",
            guardian_phone=f"136{rng.randrange(0, 10**8):08d}",
            guardian_consent_on=today,
        )
    return services.volunteer_apply(actor=None, **data)


def _activate(actor: Any, volunteer: Volunteer, today: datetime.date, days: int) -> None:
    services.volunteer_vet(
        actor=actor,
        volunteer=volunteer,
        passed=True,
        notes="（演示数据）面谈合格，热心公益。",
        interview_on=today,
    )
    services.agreement_sign(
        actor=actor,
        volunteer=volunteer,
        term_start=today - datetime.timedelta(days=365 - days),
        term_end=today + datetime.timedelta(days=days),
        content="（演示数据）参加计生特殊家庭走访陪伴、健康宣传等志愿服务。",
        safety_measures="岗前安全培训；两人以上同行；有风险的服务投保意外伤害保险。",
        signed_on=today,
    )
    volunteer.refresh_from_db()


def seed_volunteers(*, county: Any, townships: dict[str, Any], volunteer: Any) -> dict[str, int]:
    rng = random.Random(SEED)  # noqa: S311  deterministic demo data, not security
    fake = Faker("zh_CN")
    fake.seed_instance(SEED)
    today = timezone.localdate()
    liujiaxia, yanguoxia = townships[LIUJIAXIA], townships[YANGUOXIA]
    places = list(
        Association.objects.filter(parent__code=LIUJIAXIA, kind=Association.Kind.VILLAGE).order_by(
            "code"
        )[:3]
    )
    places.append(Association.objects.get(code=LIUJIAXIA))
    made: list[Volunteer] = []
    for n in range(10):
        where = places[n % len(places)]
        age = 16 if n == 9 else 22 + (n * 7) % 45
        person = _volunteer(rng, fake, where, n, age, today)
        _activate(liujiaxia, person, today, 30 if n == 1 else 365)
        made.append(person)
    waiting = _volunteer(rng, fake, places[0], 10, 35, today)
    vetted = _volunteer(rng, fake, places[1], 11, 41, today)
    services.volunteer_vet(actor=liujiaxia, volunteer=vetted, passed=True, notes="（演示数据）合格")
    for n, where in enumerate(
        Association.objects.filter(parent__code=YANGUOXIA, kind=Association.Kind.VILLAGE).order_by(
            "code"
        )[:2]
    ):
        _activate(yanguoxia, _volunteer(rng, fake, where, 20 + n, 30 + n, today), today, 365)
    services.volunteer_link_account(actor=liujiaxia, volunteer=made[0], user=volunteer)
    for person in made[:6]:
        services.training_add(
            actor=liujiaxia,
            volunteer=person,
            course="计生特殊家庭心理关怀培训",
            hours=Decimal("8"),
            completed_on=today - datetime.timedelta(days=60),
            certificate=f"PX{person.pk:05d}",
        )
        services.insurance_add(
            actor=liujiaxia,
            volunteer=person,
            insurer="中国人寿永靖支公司",
            policy_number=f"YW{today.year}{person.pk:05d}",
            valid_from=today - datetime.timedelta(days=200),
            valid_to=today + datetime.timedelta(days=165),
        )
    township = Association.objects.get(code=LIUJIAXIA)
    titles = ["重阳节陪伴失独老人", "青春健康进校园", "5·29会员活动日宣传", "住院陪护"]
    for index, title in enumerate(titles):
        service = services.service_create(
            actor=liujiaxia,
            association=township,
            title=title,
            date=today - datetime.timedelta(days=40 - index * 8),
            hours=Decimal("4"),
            risky=title == "住院陪护",
            skills=list(Skill.objects.filter(code__in=SKILL_SETS[index])),
        )
        for person in made[index : index + 5]:
            if service.risky and person not in made[:6]:
                continue
            services.hours_record(
                actor=liujiaxia,
                service=service,
                volunteer=person,
                hours=Decimal("3.5") + index,
            )
    upcoming = services.service_create(
        actor=liujiaxia,
        association=township,
        title="春节走访慰问",
        date=today - datetime.timedelta(days=1),
        hours=Decimal("3"),
    )
    assignment = services.assignment_create(actor=liujiaxia, service=upcoming, volunteer=made[0])
    services.hours_submit(actor=volunteer, assignment=assignment, hours=Decimal("2.5"))
    services.assignment_create(actor=liujiaxia, service=upcoming, volunteer=made[1])
    services.certificate_issue(actor=liujiaxia, volunteer=made[0])
    corps = services.team_create(
        actor=county,
        association=Association.objects.get(code="622923"),
        level="corps",
        name="永靖县计生协志愿者总队",
    )
    brigade = services.team_create(
        actor=liujiaxia, association=township, level="brigade", name="刘家峡镇志愿者大队"
    )
    squad = services.team_create(
        actor=liujiaxia,
        association=Association.objects.get(code=DAZHUANG),
        level="squad",
        name="大庄村暖心小队",
    )
    for index, person in enumerate(made):
        services.team_add_member(actor=liujiaxia, team=brigade, volunteer=person, leader=index == 0)
        if person.association.code == DAZHUANG:
            services.team_add_member(actor=liujiaxia, team=squad, volunteer=person)
    services.team_add_member(actor=county, team=corps, volunteer=made[0], leader=True)
    need = (
        Need.objects.filter(family__association__code=DAZHUANG, family__status=Family.Status.ACTIVE)
        .order_by("pk")
        .first()
    )
    pairings = 0
    if need is not None:
        services.pairing_create(
            actor=liujiaxia,
            volunteer=made[2],
            family=need.family,
            start_date=today,
            note="（演示数据）每月两次上门陪伴",
        )
        pairings = 1
    return {
        "volunteers": len(made) + 4,
        "waiting": int(waiting.pk > 0),
        "services": len(titles) + 1,
        "teams": 3,
        "pairings": pairings,
    }


def seed(cast: DemoCast) -> dict[str, int]:
    """This module's demo data (registered as the app's `demo_seeder`)."""
    return seed_volunteers(county=cast.county, townships=cast.townships, volunteer=cast.volunteer)
