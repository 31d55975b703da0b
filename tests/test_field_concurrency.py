"""Two retries of the same offline change at the same moment apply it once (PostgreSQL: the
receipt's unique key decides; the loser rolls its change back and answers the winner's)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.utils import timezone

from fpa.families.models import CareRecord
from fpa.field import services
from fpa.field.models import Receipt
from tests.conftest import DAZHUANG, race, require_postgres
from tests.test_families_services import assign, register, today


@pytest.fixture(autouse=True)
def _postgres_only(transactional_db: Any) -> None:
    require_postgres()


def test_two_retries_at_once_apply_once(township: Any, volunteer: Any) -> None:
    family = register(township, code=DAZHUANG)
    assign(township, family, user=volunteer, role="member_or_volunteer")
    device = services.device_register(actor=volunteer, label="手机", session_key=None).device
    change = services.Change(
        uuid.uuid4(),
        "care",
        timezone.now(),
        {
            "family": family.pk,
            "base_version": family.version,
            "kind": "routine_visit",
            "occurred_on": today(),
            "notes": "",
        },
    )
    results, errors = race(
        [lambda: services.sync(actor=volunteer, device=device, changes=[change])] * 2
    )
    assert errors == []
    assert sorted(bool(r[0].get("repeated")) for r in results) == [False, True]
    assert CareRecord.objects.filter(family=family).count() == 1
    assert Receipt.objects.filter(key=change.key).count() == 1
