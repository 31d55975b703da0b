"""Childcare records made through the real services, for the childcare test files (no tests of
its own: the other test_childcare_* files import from here)."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone

from fpa.childcare import rules, selectors, services
from fpa.childcare.models import Inspection, Institution, Problem
from fpa.organizations.models import Association

_numbers = itertools.count(1)


def credit(n: int | None = None) -> str:
    """A valid 统一社会信用代码 in the 622923 division."""
    return rules.with_check_character(f"52622923MJ{next(_numbers) if n is None else n:07d}")


def institution(actor: Any, code: str, **overrides: Any) -> Institution:
    """A running institution in association `code` (override anything)."""
    n = next(_numbers)
    data: dict[str, Any] = {
        "association": Association.objects.get(code=code),
        "name": f"托育园{n}",
        "operator": f"举办者{n}",
        "address": f"地址{n}号",
        "kind": Institution.Kind.FULL_DAY,
        "capacity": 50,
        "places_used": 20,
        "contact_name": f"联系人{n}",
        "phone": f"1368888{n:04d}",
        "registration_number": credit(n),
        "status": Institution.Status.OPERATING,
        "opened_on": timezone.localdate() - datetime.timedelta(days=365),
    }
    data.update(overrides)
    return services.institution_register(actor=actor, **data)


def full_scores(deduct: dict[str, Any] | None = None) -> dict[int, tuple[Any, str]]:
    """Every active item at its maximum, less `deduct` by item code."""
    deduct = deduct or {}
    return {
        item.pk: (item.max_score - Decimal(str(deduct.get(item.code, 0))), "")
        for item in selectors.checklist(active_only=True)
    }


def inspect(
    actor: Any, target: Institution, *, days_ago: int = 10, deduct: dict[str, Any] | None = None
) -> Inspection:
    return services.inspection_record(
        actor=actor,
        institution=target,
        inspected_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        inspectors="张检查、李检查",
        scores=full_scores(deduct),
        notes="总体良好",
    )


def problem(
    actor: Any, inspection: Inspection, *, deadline: datetime.date | None = None, text: str = ""
) -> Problem:
    return services.problem_add(
        actor=actor,
        inspection=inspection,
        description=text or "消防通道堆放杂物",
        deadline=deadline or timezone.localdate() + datetime.timedelta(days=30),
    )


def rectified(actor: Any, found: Problem) -> Problem:
    return services.problem_rectify(
        actor=actor,
        problem=found,
        rectification="已清理并设置标识",
        rectified_on=timezone.localdate(),
    )
