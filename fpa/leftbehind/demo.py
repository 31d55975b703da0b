"""Deterministic synthetic 三留守 records for the demo (`make run`), made through the services.
Everything is made up: names, ID numbers (`fpa.core.idnumbers.synthesize`, 622923 region), 136
phone numbers.

In 大庄村 (刘家峡镇): an elderly man whose son works in Lanzhou, looked after by the village's
staff account (one visit last month, overdue for a call), a left-behind woman, and a child of
nine (seen by the township, and by the village account only as her contact person).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from fpa.core.demo import DemoCast
from fpa.core.idnumbers import synthesize
from fpa.families.models import CareKind, ContactRole
from fpa.leftbehind import services
from fpa.leftbehind.models import LeftBehindPerson
from fpa.organizations.models import Association

DAZHUANG = "622923100201"


def _born(years: int, day: int) -> datetime.date:
    today = timezone.localdate()
    return datetime.date(today.year - years, 3, day)


def seed(cast: DemoCast) -> dict[str, int]:
    if LeftBehindPerson.objects.exists():
        return {"left_behind": 0}
    village = Association.objects.filter(code=DAZHUANG).first()
    if village is None:
        return {"left_behind": 0}
    township = cast.townships.get("622923100", cast.township)
    today = timezone.localdate()
    registered = today - datetime.timedelta(days=120)
    people: list[Any] = []
    people.append(
        services.person_register(
            actor=cast.county,
            association=village,
            kind=LeftBehindPerson.Kind.ELDERLY,
            name="（演示）马福元",
            id_number=synthesize("622923", _born(76, 11), 31),
            phone="13680001101",
            guardian_name="马建国",
            guardian_relation="儿子",
            guardian_phone="13680001102",
            absent_members="儿子、儿媳",
            absent_workplace="兰州市七里河区",
            absent_division="620103",
            risk=LeftBehindPerson.Risk.MEDIUM,
            registered_on=registered,
        )
    )
    people.append(
        services.person_register(
            actor=cast.county,
            association=village,
            kind=LeftBehindPerson.Kind.WOMAN,
            name="（演示）何秀兰",
            id_number=synthesize("622923", _born(38, 12), 42),
            absent_members="丈夫",
            absent_workplace="新疆乌鲁木齐市",
            registered_on=registered,
        )
    )
    people.append(
        services.person_register(
            actor=township,
            association=village,
            kind=LeftBehindPerson.Kind.CHILD,
            name="（演示）马小花",
            id_number=synthesize("622923", _born(9, 13), 22),
            guardian_name="马福元",
            guardian_relation="祖父",
            absent_members="父亲、母亲",
            absent_workplace="广东省东莞市",
            risk=LeftBehindPerson.Risk.HIGH,
            registered_on=registered,
        )
    )
    role = ContactRole.objects.filter(code="village_cadre").first()
    visit = CareKind.objects.filter(code="routine_visit").first()
    if role is not None and visit is not None:
        for person in (people[0], people[2]):
            services.contact_assign(
                actor=township,
                person=person,
                role=role,
                name="",
                user=cast.village,
                start_date=registered,
            )
        services.care_log(
            actor=cast.village,
            person=people[0],
            kind=visit,
            occurred_on=today - datetime.timedelta(days=30),
            notes="身体尚好，冬季取暖煤已备。",
        )
        services.need_raise(
            actor=cast.village,
            person=people[0],
            description="希望帮助联系家庭医生上门测血压",
            due_date=today + datetime.timedelta(days=14),
        )
    return {"left_behind": len(people)}
