"""Migrants and enterprise profiles made through the real services, for the migrants test files
and the scope walk (no tests of its own)."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.utils import timezone

from fpa.core import uscc
from fpa.core.idnumbers import synthesize
from fpa.migrants import services
from fpa.migrants.models import (
    EnterpriseProfile,
    Evaluation,
    FamilyMember,
    Migrant,
    MigrantTransfer,
    Need,
    ServiceKind,
    ServiceRecord,
)
from fpa.migrants.services.transfers import migrant_transfer_offer
from fpa.organizations.models import Association
from fpa.organizations.services import association_create

_numbers = itertools.count(1)
LANZHOU = "620102"  # 兰州市城关区
LINXIA = "622901"  # 临夏市
CHENGDU = "510104"  # 成都市锦江区


def id_for(years: int = 30, region: str = LINXIA) -> str:
    """A synthetic valid ID number of someone `years` old."""
    today = timezone.localdate()
    born = datetime.date(today.year - years, 5, 1 + next(_numbers) % 27)
    return synthesize(region, born, next(_numbers) % 999 + 1)


def credit_code(n: int | None = None) -> str:
    """A synthetic unified social credit code with a valid check character."""
    return uscc.with_check_character(f"91622923MA{(n or next(_numbers)):07d}")


def enterprise(actor: Any, township_code: str, name: str = "", **kind: Any) -> Association:
    """An enterprise association under a township (made by township staff holding org.edit)."""
    n = next(_numbers)
    return association_create(
        actor=actor,
        parent=Association.objects.get(code=township_code),
        kind=kind.get("kind", Association.Kind.ENTERPRISE),
        name=name or f"测试企业{n}计生协",
    )


def migrant(actor: Any, code: str, direction: str = "inflow", **overrides: Any) -> Migrant:
    """A registered migrant of association `code` (an inflow from 临夏市 by default; an outflow
    to 兰州 for direction "outflow")."""
    n = next(_numbers)
    data: dict[str, Any] = {
        "direction": direction,
        "name": f"流动{n}号",
        "id_number": id_for(),
        "phone": f"1368555{n % 10000:04d}",
        "address": f"某村{n}社",
        "workplace": "某建筑工地",
        "arrived_on": timezone.localdate() - datetime.timedelta(days=60),
    }
    if direction == "inflow":
        data["origin_code"] = LINXIA
    else:
        data["destination_code"] = LANZHOU
    data.update(overrides)
    return services.migrant_register(
        actor=actor, association=Association.objects.get(code=code), **data
    )


def kind(code: str = "health_publicity") -> ServiceKind:
    return ServiceKind.objects.get(code=code)


def profile(actor: Any, association: Association, **overrides: Any) -> EnterpriseProfile:
    data: dict[str, Any] = {
        "firm_name": f"{association.name}所在公司",
        "credit_code": credit_code(),
        "size": "small",
        "employees": 100,
        "childbearing_employees": 40,
        "demonstration": True,
    }
    data.update(overrides)
    return services.profile_create(actor=actor, association=association, **data)


def migrants_world(actor: Any, township_code: str, village_code: str) -> dict[Any, Any]:
    """One object of each migrants model in the township (for the scope walk)."""
    firm = enterprise(actor, township_code)
    person = migrant(actor, village_code, employer=firm)
    family = services.family_member_add(
        actor=actor,
        migrant=person,
        relation="child",
        name="随迁子女",
        birth_date=timezone.localdate() - datetime.timedelta(days=2000),
    )
    record = services.service_record(
        actor=actor,
        migrant=person,
        kind=kind(),
        served_on=timezone.localdate(),
        provider="村计生专干",
    )
    need = services.need_raise(actor=actor, migrant=person, description="就近入学咨询")
    firm_profile = profile(actor, firm)
    evaluation = services.evaluation_record(
        actor=actor,
        profile=firm_profile,
        year=timezone.localdate().year - 1,
        level="county",
        result="passed",
    )
    # A record offered within the township (a transfer is seen from both of its ends).
    moving = migrant(actor, village_code)
    transfer = migrant_transfer_offer(
        actor=actor,
        migrant=moving,
        to_association=Association.objects.get(code=township_code),
        reason="迁往镇区居住",
    )
    return {
        MigrantTransfer: transfer,
        Migrant: person,
        FamilyMember: family,
        ServiceRecord: record,
        Need: need,
        EnterpriseProfile: firm_profile,
        Evaluation: evaluation,
    }
