"""Helpers for the member tests: applications made through the real services."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from fpa.core.idnumbers import synthesize
from fpa.members import services
from fpa.members.models import Member
from fpa.organizations.models import Association

_sequence = iter(range(1, 10**6))


def new_id_number(sex: str = "F", year: int = 1985) -> str:
    n = next(_sequence)
    sequence = (2 * n + (1 if sex == "M" else 0)) % 1000
    return synthesize("622923", datetime.date(year, 1 + n % 12, 1 + n % 28), sequence)


def apply(actor: Any, code: str, **overrides: Any) -> Member:
    data: dict[str, Any] = {
        "kind": Member.Kind.INDIVIDUAL,
        "name": f"会员{next(_sequence)}",
        "id_number": new_id_number(overrides.pop("sex", "F")),
        "phone": "13912345678",
        "address": "刘家峡镇某村1号",
        "applied_on": timezone.localdate(),
    }
    data.update(overrides)
    return services.member_apply(
        actor=actor, association=Association.objects.get(code=code), **data
    )


def member(actor: Any, code: str, approver: Any | None = None, **overrides: Any) -> Member:
    """An approved (active) member of association `code`."""
    applied = apply(actor, code, **overrides)
    return services.member_approve(actor=approver or actor, member=applied)
