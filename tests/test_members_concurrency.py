"""Card numbers and counters under concurrent approvals, on PostgreSQL (real row locks).

Skipped on SQLite (one writer at a time, nothing to race); run with DATABASE_URL=postgres://...
and FPA_EXPECT_POSTGRES=1, where a skip is an error.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from fpa.members import services, tallies
from fpa.members.models import Member
from tests.conftest import DAZHUANG, race, require_postgres
from tests.members_helpers import apply

WORKERS = 8


@pytest.fixture(autouse=True)
def _postgres_only(transactional_db):
    require_postgres()


def in_threads(target, items) -> list[BaseException]:  # type: ignore[no-untyped-def]
    """`target(item)` for every item at the same moment; the exceptions raised."""
    return race([lambda item=item: target(item) for item in items])[1]


def test_concurrent_approvals_get_distinct_gap_free_numbers(yongjing, village, township):
    applications = [apply(village, DAZHUANG) for _ in range(WORKERS)]
    errors = in_threads(lambda m: services.member_approve(actor=township, member=m), applications)
    assert not errors, errors
    numbers = sorted(Member.objects.values_list("card_number", flat=True))
    assert numbers == [f"{DAZHUANG}-{n:05d}" for n in range(1, WORKERS + 1)]
    assert not tallies.differences()
    assert (
        tallies.stored() == {(applications[0].association_id, "individual", "F"): WORKERS}
        or sum(tallies.stored().values()) == WORKERS
    )


def test_concurrent_status_changes_keep_the_counters_right(yongjing, village, township):
    people = [
        services.member_approve(actor=township, member=apply(village, DAZHUANG))
        for _ in range(WORKERS)
    ]

    def withdraw(m: Member) -> None:
        services.member_change_status(
            actor=village,
            member=m,
            status="withdrawn",
            effective_date=timezone.localdate(),
            reason="本人申请",
        )

    errors = in_threads(withdraw, people[: WORKERS // 2])
    assert not errors, errors
    assert not tallies.differences()
    assert sum(tallies.stored().values()) == WORKERS - WORKERS // 2


def test_the_same_application_approved_twice_at_once_is_approved_once(yongjing, village, township):
    applied = apply(village, DAZHUANG)
    errors = in_threads(lambda _: services.member_approve(actor=township, member=applied), range(4))
    assert len(errors) == 3 and all("待审批" in str(e) for e in errors)
    assert Member.objects.get().card_number == f"{DAZHUANG}-00001"
    assert sum(tallies.stored().values()) == 1
