"""三留守 records made through the real services, for the leftbehind test files and the scope
walk (no tests of its own)."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.utils import timezone

from fpa.core.idnumbers import synthesize
from fpa.families.models import CareKind, ContactRole
from fpa.leftbehind import services
from fpa.leftbehind.models import (
    LeftBehindCare,
    LeftBehindContact,
    LeftBehindNeed,
    LeftBehindPerson,
)
from fpa.organizations.models import Association

_numbers = itertools.count(1)
HONGLIU = "622923100202"  # another village of 刘家峡镇


def born(years: int, *, days: int = 10) -> datetime.date:
    """A birth date `years` years (and `days` days) before today."""
    today = timezone.localdate()
    return datetime.date(today.year - years, 1, 1) - datetime.timedelta(days=days)


def id_for(years: int) -> str:
    """A synthetic valid ID number of someone `years` old."""
    return synthesize("622923", born(years), next(_numbers) % 999 + 1)


def person(actor: Any, code: str, kind: str = "elderly", **overrides: Any) -> LeftBehindPerson:
    """A registered person in association `code` (an elderly person of 75 by default; a child of
    9 for kind "child"; a woman of 35 for "woman")."""
    n = next(_numbers)
    age = {"elderly": 75, "child": 9, "woman": 35}[kind]
    data: dict[str, Any] = {
        "kind": kind,
        "name": f"留守{n}号",
        "id_number": id_for(age),
        "phone": f"1368777{n:04d}",
        "address": f"某村{n}社",
        "guardian_name": f"家属{n}",
        "guardian_relation": "子女",
        "guardian_phone": f"1368666{n:04d}",
        "absent_members": "儿子",
        "absent_workplace": "兰州市",
        "risk": "low",
        "registered_on": timezone.localdate() - datetime.timedelta(days=30),
    }
    data.update(overrides)
    return services.person_register(
        actor=actor, association=Association.objects.get(code=code), **data
    )


def role(code: str = "village_cadre") -> ContactRole:
    return ContactRole.objects.get(code=code)


def kind(code: str = "routine_visit") -> CareKind:
    return CareKind.objects.get(code=code)


def contact(actor: Any, target: LeftBehindPerson, user: Any = None, **kw: Any) -> LeftBehindContact:
    data: dict[str, Any] = {
        "role": role(),
        "name": "" if user is not None else "联系人甲",
        "user": user,
        "start_date": target.registered_on,
    }
    data.update(kw)
    return services.contact_assign(actor=actor, person=target, **data)


def visit(actor: Any, target: LeftBehindPerson, days_ago: int = 1, **kw: Any) -> LeftBehindCare:
    data: dict[str, Any] = {
        "kind": kind(),
        "occurred_on": timezone.localdate() - datetime.timedelta(days=days_ago),
        "notes": "身体尚好",
    }
    data.update(kw)
    return services.care_log(actor=actor, person=target, **data)


def need(actor: Any, target: LeftBehindPerson, **kw: Any) -> LeftBehindNeed:
    data: dict[str, Any] = {"description": "希望帮助联系家庭医生"}
    data.update(kw)
    return services.need_raise(actor=actor, person=target, **data)


def leftbehind_world(actor: Any, township_code: str, village_code: str) -> dict[Any, Any]:
    """For the scope walk: an elderly person (with a contact, a care record and a need) in the
    village, and a child in the township's subtree. Models map to one object each."""
    elderly = person(actor, village_code)
    person(actor, village_code, kind="child")
    found_contact = contact(actor, elderly)
    record = visit(actor, elderly)
    found_need = need(actor, elderly, raised_in=record)
    return {
        LeftBehindPerson: elderly,
        LeftBehindContact: found_contact,
        LeftBehindCare: record,
        LeftBehindNeed: found_need,
    }
