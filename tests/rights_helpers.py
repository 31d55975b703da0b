"""Rights cases made through the real services, for the rights test files and the scope walk (no
tests of its own)."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.utils import timezone

from fpa.core.idnumbers import synthesize
from fpa.families import services as family_services
from fpa.families.models import Family
from fpa.organizations.models import Association
from fpa.rights import services
from fpa.rights.models import Case, CaseKind

_numbers = itertools.count(1)


def kind(code: str = "policy") -> CaseKind:
    return CaseKind.objects.get(code=code)


def ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def family(actor: Any, code: str, name: str = "") -> Family:
    """A bereaved special family in association `code` (synthetic numbers)."""
    n = next(_numbers)
    return family_services.family_register(
        actor=actor,
        association=Association.objects.get(code=code),
        kind=Family.Kind.BEREAVED,
        people=[
            {
                "role": "mother",
                "name": name or f"权益母亲{n}",
                "id_number": synthesize("622923", datetime.date(1965, 3, 1 + n % 27), 100 + 2 * n),
                "phone": f"1397777{n:04d}",
            },
            {"role": "child", "name": "子女", "death_date": datetime.date(2019, 1, 1)},
        ],
    )


def case(actor: Any, code: str, *, kind_code: str = "policy", **overrides: Any) -> Case:
    """A case received by association `code` (override anything)."""
    n = next(_numbers)
    data: dict[str, Any] = {
        "association": Association.objects.get(code=code),
        "kind": kind(kind_code),
        "channel": Case.Channel.VISIT,
        "received_on": timezone.localdate(),
        "person_name": f"当事人{n}",
        "phone": f"1366666{n:04d}",
        "claim": f"诉求内容第{n}号：扶助金未到账",
    }
    data.update(overrides)
    return services.case_receive(actor=actor, **data)


def closed(actor: Any, found: Case, *, on: datetime.date | None = None) -> Case:
    return services.case_close(
        actor=actor, case=found, result="已核实并补发", closed_on=on or timezone.localdate()
    )


def rights_world(actor: Any, township_code: str, village_code: str) -> dict[Any, Any]:
    """A case of a village's special family, followed up, in the village (the declared model of
    the rights pages), and the family (the family cases page loads it)."""
    owner = family(actor, village_code)
    made = case(actor, village_code, family=owner, person_name="")
    services.case_follow_up(actor=actor, case=made, on=timezone.localdate(), note="已电话联系")
    return {Case: Case.objects.get(pk=made.pk)}
