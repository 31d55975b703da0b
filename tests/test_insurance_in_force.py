"""One rule for "in force on a day" (在保): the queryset (`Enrolment.objects.in_force_on`, the
source of every figure) and the instance method (the claim check, the pages) agree on the same
rows over dates before, on and after a removal; and the roster's composite index exists with its
columns in the order the roster query uses."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection

from fpa.core.errors import ServiceError
from fpa.families import selectors as family_selectors
from fpa.insurance import services
from fpa.insurance.models import Enrolment
from tests.conftest import DAZHUANG, LIUJIAXIA
from tests.insurance_helpers import assoc, enrol, family, parent, policy_year, report

pytestmark = pytest.mark.django_db

D = datetime.date
REMOVED_ON = D(2025, 6, 10)


@pytest.fixture
def rows(county, village):
    """Four enrolments of the 2025 policy year (1 Jan to 31 Dec 2025): one enrolled all year,
    one removed from 10 June, one covered from 1 June only, one removed on its first day of
    cover (never in force)."""
    with time_machine.travel(datetime.datetime(2025, 6, 15, 10, 0), tick=False):
        year = policy_year(county)
        steady = enrol(village, year, parent(family(village, DAZHUANG)))
        removed = enrol(village, year, parent(family(village, DAZHUANG)))
        late = enrol(village, year, parent(family(village, DAZHUANG)), covered_from=D(2025, 6, 1))
        never = enrol(village, year, parent(family(village, DAZHUANG)), covered_from=D(2025, 6, 1))
        services.enrolment_remove(
            actor=village, enrolment=removed, removed_on=REMOVED_ON, reason="迁出本县"
        )
        services.enrolment_remove(
            actor=village, enrolment=never, removed_on=D(2025, 6, 1), reason="重复参保"
        )
    return {"steady": steady.pk, "removed": removed.pk, "late": late.pk, "never": never.pk}


EXPECTED = {
    D(2024, 12, 31): set(),  # before the policy year
    D(2025, 1, 1): {"steady", "removed"},
    D(2025, 5, 31): {"steady", "removed"},  # the late one's cover starts tomorrow
    D(2025, 6, 1): {"steady", "removed", "late"},  # "never" removed on its first day
    D(2025, 6, 9): {"steady", "removed", "late"},  # the day before the removal
    D(2025, 6, 10): {"steady", "late"},  # the removal day: no longer in force
    D(2025, 6, 11): {"steady", "late"},
    D(2025, 12, 31): {"steady", "late"},
    D(2026, 1, 1): set(),  # after the policy year
}


@pytest.mark.parametrize("day", sorted(EXPECTED))
def test_queryset_and_instance_agree_before_on_and_after_a_removal(rows, day):
    names = {pk: name for name, pk in rows.items()}
    by_queryset = {
        names[pk] for pk in Enrolment.objects.in_force_on(day).values_list("pk", flat=True)
    }
    by_instance = {names[e.pk] for e in Enrolment.objects.all() if e.in_force_on(day)}
    assert by_queryset == EXPECTED[day]
    assert by_instance == EXPECTED[day]


def test_removed_row_without_a_removal_date_is_in_force_on_no_day(rows):
    # Rows removed before removal dates were recorded: no date to keep them in force until.
    Enrolment.objects.filter(pk=rows["removed"]).update(removed_on=None)
    row = Enrolment.objects.get(pk=rows["removed"])
    for day in EXPECTED:
        assert not row.in_force_on(day)
        assert not Enrolment.objects.filter(pk=row.pk).in_force_on(day).exists()


def test_coverage_figure_counts_a_removed_enrolment_until_its_removal_date(rows, township):
    """The families' coverage measure (insured today) reads the queryset: the family of the
    removed enrolment is insured the day before the removal and not on the day."""
    removed = Enrolment.objects.get(pk=rows["removed"])
    root = assoc(LIUJIAXIA)
    with time_machine.travel(datetime.datetime(2025, 6, 9, 10, 0), tick=False):
        insured = family_selectors.coverage_family_ids(
            user=township, root=root, measure="insured", has=True
        )
        assert removed.family_id in set(insured)
    with time_machine.travel(datetime.datetime(2025, 6, 10, 10, 0), tick=False):
        insured = family_selectors.coverage_family_ids(
            user=township, root=root, measure="insured", has=True
        )
        assert removed.family_id not in set(insured)
        assert len(set(insured)) == 2  # steady and late


def test_claim_check_follows_the_same_rule(rows, village):
    removed = Enrolment.objects.get(pk=rows["removed"])
    with time_machine.travel(datetime.datetime(2025, 6, 15, 10, 0), tick=False):
        claim = report(village, removed, event_on=D(2025, 6, 9))
        assert claim.enrolment_id == removed.pk
        with pytest.raises(ServiceError, match="已退保"):
            report(village, removed, event_on=REMOVED_ON)


def test_roster_index_has_year_then_association_then_id():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Enrolment._meta.db_table)
    index = constraints["ins_enr_year_assoc"]
    assert index["index"] is True
    assert index["columns"] == ["policy_year_id", "association_id", "id"]
