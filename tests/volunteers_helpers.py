"""Volunteers made through the real services, for the volunteer test files."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone

from fpa.core.idnumbers import synthesize
from fpa.organizations.models import Association
from fpa.volunteers import selectors, services
from fpa.volunteers.models import Skill, Volunteer

_numbers = itertools.count(1)


def id_for(age: int, n: int | None = None) -> str:
    n = next(_numbers) if n is None else n
    today = timezone.localdate()
    birth = datetime.date(today.year - age - 1, 1 + n % 12, 1 + n % 27)
    return synthesize("622923", birth, n % 999)


def apply(
    code: str,
    *,
    actor: Any = None,
    name: str = "",
    age: int = 30,
    skills: tuple[str, ...] = (),
    **extra: Any,
) -> Volunteer:
    n = next(_numbers)
    data: dict[str, Any] = {
        "association": Association.objects.get(code=code),
        "name": name or f"志愿者{n}",
        "id_number": id_for(age, n),
        "phone": f"1365555{n:04d}",
        "consent_version": selectors.current_consent().version,
        "skills": list(Skill.objects.filter(code__in=skills)),
    }
    if age < 18:
        data.update(
            guardian_name="监护人",
            guardian_relation="母亲",
            guardian_phone="13644440000",
            guardian_consent_on=timezone.localdate(),
        )
    data.update(extra)
    return services.volunteer_apply(actor=actor, **data)


def activate(actor: Any, volunteer: Volunteer) -> Volunteer:
    """Vet (passed) and sign a one-year agreement: the volunteer becomes active."""
    today = timezone.localdate()
    services.volunteer_vet(actor=actor, volunteer=volunteer, passed=True, notes="面谈合格")
    services.agreement_sign(
        actor=actor,
        volunteer=volunteer,
        term_start=today,
        term_end=today + datetime.timedelta(days=365),
        content="走访陪伴计生特殊家庭",
        safety_measures="两人同行，购买意外险",
        signed_on=today,
    )
    volunteer.refresh_from_db()
    return volunteer


def active(actor: Any, code: str, **kwargs: Any) -> Volunteer:
    return activate(actor, apply(code, **kwargs))


def service(actor: Any, code: str, *, days_ago: int = 1, risky: bool = False, **kw: Any) -> Any:
    return services.service_create(
        actor=actor,
        association=Association.objects.get(code=code),
        title=kw.pop("title", "走访陪伴"),
        date=timezone.localdate() - datetime.timedelta(days=days_ago),
        hours=kw.pop("hours", Decimal("3")),
        risky=risky,
        **kw,
    )
