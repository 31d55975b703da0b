"""Special families and their transfers between associations made through the real services, for
the test_transfers_* files and the scope walk (no tests of its own)."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.utils import timezone

from fpa.core.idnumbers import synthesize
from fpa.families import services as family_services
from fpa.families.models import CareKind, ContactRole, Family, FamilyTransfer
from fpa.families.services import transfers
from fpa.organizations.models import Association

_numbers = itertools.count(700)

MOTHER = "迁居母亲"


def assoc(code: str) -> Association:
    return Association.objects.get(code=code)


def other_village(township_code: str, village_code: str) -> Association:
    """Another current village of the same township."""
    found = (
        Association.objects.current()
        .filter(parent__code=township_code, kind=Association.Kind.VILLAGE)
        .exclude(code=village_code)
        .order_by("code")
        .first()
    )
    assert found is not None
    return found


def family_in(actor: Any, code: str, mother: str = MOTHER, *, contact: bool = True) -> Family:
    """A bereaved family of association `code` with a mother (synthetic ID number and phone),
    a care record, an open need and, with `contact`, a current contact person."""
    n = next(_numbers)
    family = family_services.family_register(
        actor=actor,
        association=assoc(code),
        kind=Family.Kind.BEREAVED,
        address="原村三组12号",
        people=[
            {
                "role": "mother",
                "name": mother,
                "id_number": synthesize("622923", datetime.date(1966, 3, 3), n),
                "phone": f"1396666{n:04d}",
            },
            {"role": "child", "name": "子女", "death_date": datetime.date(2019, 6, 1)},
        ],
    )
    family_services.care_log(
        actor=actor,
        family=family,
        kind=CareKind.objects.get(code="routine_visit"),
        occurred_on=timezone.localdate(),
        notes="走访情况",
    )
    family_services.need_raise(actor=actor, family=family, description="就医陪护")
    if contact:
        family_services.contact_assign(
            actor=actor,
            family=family,
            role=ContactRole.objects.get(code="village_cadre"),
            name="村干部联系人",
            start_date=timezone.localdate(),
        )
    family.refresh_from_db()
    return family


def offer(
    actor: Any, family: Family, to_code: str, reason: str = "搬迁新居", **extra: Any
) -> FamilyTransfer:
    return transfers.family_transfer_offer(
        actor=actor, family=family, to_association=assoc(to_code), reason=reason, **extra
    )


def transfers_world(actor: Any, township_code: str, village_code: str) -> dict[Any, Any]:
    """A family of `village_code` offered to another village of the same township (so the
    transfer stays inside the township's subtree), waiting."""
    family = family_in(actor, village_code, mother=f"移交母亲{township_code[-3:]}", contact=False)
    target = other_village(township_code, village_code)
    transfer = offer(actor, family, target.code)
    return {FamilyTransfer: transfer}
