"""三留守 "overdue" as a database condition (fpa.core.care.stored): the stored schedule agrees
with the Python rule (fpa.core.care.rules.overdue) on every day of a year; the list's filter, the
area's count and both to-dos read the same selector; the query count does not grow with the
number of people; a contact role's new rules and the data migration refresh the stored fields;
the migration's fill (one UPDATE per range for people without care, refresh for the others)
equals `stored.refresh` for every person."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fpa.core.care import selectors as care
from fpa.core.care import stored
from fpa.families.models import CareKind, ContactRole
from fpa.leftbehind import selectors, services
from fpa.leftbehind.care import PERSON_CARE
from fpa.leftbehind.models import LeftBehindCare, LeftBehindContact, LeftBehindPerson
from fpa.leftbehind.todos import KINDS
from tests.conftest import DAZHUANG, SHANGQUAN
from tests.leftbehind_helpers import contact, kind, person, visit

LIST = "/left-behind/"


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def weekly(db):
    """A role with a call every 7 days and nothing else."""
    return ContactRole.objects.create(code="weekly_call", name="每周电话", calls_every_days=7)


@pytest.fixture
def monthly(db):
    """A role with a meeting every 30 days and nothing else."""
    return ContactRole.objects.create(code="monthly_meet", name="每月见面", meets_every_days=30)


@pytest.fixture
def visits4(db):
    """A role with four home visits a year (due pro rata by quarter) and nothing else."""
    return ContactRole.objects.create(code="visits4", name="入户四次", home_visits_per_year=4)


def registered(actor, role, *, registered_days_ago=60, code=DAZHUANG, user=None, **kw):
    found = person(actor, code, registered_on=days_ago(registered_days_ago), **kw)
    contact(actor, found, role=role, user=user, start_date=found.registered_on)
    return found


@pytest.fixture
def world(township, township2, weekly, monthly, visits4):
    """People on time, just over their interval and never contacted, under three roles."""
    call, home = kind("phone_call"), kind("routine_visit")
    people = {
        # a call every 7 days: 7 days ago is still on time, 8 days ago is one day late
        "call_on_time": registered(township, weekly),
        "call_edge": registered(township, weekly),
        "call_late": registered(township, weekly),
        "call_never": registered(township, weekly),
        "call_new": registered(township, weekly, registered_days_ago=5),  # clock from registration
        # a meeting every 30 days: a call does not count as a meeting, a home visit does
        "meet_on_time": registered(township, monthly),
        "meet_late": registered(township, monthly),
        "meet_only_called": registered(township, monthly),
        "meet_never": registered(township, monthly),
        # four home visits a year, registered last year: due pro rata by quarter
        "visits_none": registered(township, visits4, registered_days_ago=365),
        "no_contact": person(township, DAZHUANG, registered_on=days_ago(200)),
        "foreign_late": registered(township2, weekly, code=SHANGQUAN),
    }
    visit(township, people["call_on_time"], days_ago=3, kind=call)
    visit(township, people["call_edge"], days_ago=7, kind=call)
    visit(township, people["call_late"], days_ago=8, kind=call)
    visit(township, people["meet_on_time"], days_ago=29, kind=home)
    visit(township, people["meet_late"], days_ago=31, kind=home)
    visit(township, people["meet_only_called"], days_ago=40, kind=home)
    visit(township, people["meet_only_called"], days_ago=1, kind=call)
    visit(township2, people["foreign_late"], days_ago=20, kind=call)
    return people


def python_overdue(queryset, today):
    """The rule computed in Python over the records (the reference the database must match)."""
    people = list(queryset.filter(status="active"))
    rows = care.schedule(
        PERSON_CARE, subjects=people, reference=lambda p: p.registered_on, today=today
    )
    return {row.subject.pk for row in rows if row.overdue}


def overdue_pks(user, today=None):
    queryset = LeftBehindPerson.objects.visible_to(user)
    return set(selectors.overdue_people(queryset, today=today).values_list("pk", flat=True))


def test_the_overdue_people_are_those_past_their_interval(world, township):
    today = timezone.localdate()
    expected = {"call_late", "call_never", "meet_late", "meet_only_called", "meet_never"}
    if (today.month - 1) // 3 >= 1:  # a complete quarter this year: one visit was due
        expected.add("visits_none")
    assert overdue_pks(township) == {world[name].pk for name in expected}
    assert selectors.area_overdue_count(user=township) == len(expected)
    # the reference: the same people by the Python rule over the care records
    assert overdue_pks(township) == python_overdue(
        LeftBehindPerson.objects.visible_to(township), today
    )


def test_the_database_and_the_python_rule_agree_on_every_day_of_a_year(world, township2):
    everyone = LeftBehindPerson.objects.all()
    today = timezone.localdate()
    seen = set()
    for step in range(0, 400, 9):
        day = today + datetime.timedelta(days=step)
        expected = python_overdue(everyone, day)
        found = set(selectors.overdue_people(everyone, today=day).values_list("pk", flat=True))
        assert found == expected, day
        seen.add(len(found))
    assert len(seen) > 1  # the data makes the day matter


def test_a_new_care_record_or_an_ended_contact_moves_the_count(world, township):
    late = world["call_late"]
    assert late.pk in overdue_pks(township)
    visit(township, late, days_ago=0, kind=kind("phone_call"))
    assert late.pk not in overdue_pks(township)
    # the weekly contact ends: no rule applies any more, even to one never called
    never = world["call_never"]
    current = never.contacts.get(end_date__isnull=True)
    services.contact_end(actor=township, contact=current, end_date=timezone.localdate())
    assert never.pk not in overdue_pks(township)
    # an ended record is not overdue
    services.person_end(
        actor=township, person=world["meet_never"], reason="returned", on=timezone.localdate()
    )
    assert world["meet_never"].pk not in overdue_pks(township)


def test_a_roles_new_rules_refresh_the_people_it_applies_to(world, township, weekly):
    assert world["call_on_time"].pk not in overdue_pks(township)
    weekly.calls_every_days = 2  # now a call 3 days ago is late
    weekly.save()
    assert world["call_on_time"].pk in overdue_pks(township)
    weekly.calls_every_days = 30  # a call 8 days ago is on time; 60 days without one is not
    weekly.save()
    found = overdue_pks(township)
    assert world["call_late"].pk not in found and world["call_never"].pk in found


def test_a_care_kinds_new_mode_refreshes_the_people_with_such_records(world, township):
    home = CareKind.objects.get(code="routine_visit")
    assert world["meet_on_time"].pk not in overdue_pks(township)
    home.mode = CareKind.Mode.OTHER  # a routine visit no longer counts as a meeting
    home.save()
    assert world["meet_on_time"].pk in overdue_pks(township)


def test_the_list_filter_and_the_to_dos_read_the_same_selector(
    world, client_for, township, village, weekly
):
    mine_late = registered(township, weekly, user=village)
    mine_ok = registered(township, weekly, user=village)
    visit(village, mine_ok, days_ago=1, kind=kind("phone_call"))
    expected = overdue_pks(township)
    assert mine_late.pk in expected and mine_ok.pk not in expected
    page = selectors.person_list(user=township, filters=selectors.PersonFilters(overdue=True))
    assert {p.pk for p in page.items} == expected
    counts = {k.key: k.count(township) for k in KINDS}
    assert counts["leftbehind.area_overdue"] == len(expected)
    assert selectors.my_overdue_count(user=village) == 1
    assert {k.key: k.count(village) for k in KINDS}["leftbehind.mine_overdue"] == 1
    # the page's filter shows them, and nobody else
    html = client_for(township).get(LIST, {"overdue": "1"}).content.decode()
    assert f"/left-behind/{mine_late.pk}/" in html
    assert f"/left-behind/{mine_ok.pk}/" not in html
    assert f"/left-behind/{world['foreign_late'].pk}/" not in html  # another township


def test_another_township_does_not_count_ours(world, township2):
    assert overdue_pks(township2) == {world["foreign_late"].pk}
    assert selectors.area_overdue_count(user=township2) == 1


def test_roles_without_the_capability_count_nothing(world, finance, volunteer):
    assert selectors.area_overdue_count(user=finance) == 0
    assert selectors.area_overdue_count(user=volunteer) == 0
    assert selectors.my_overdue_count(user=volunteer) == 0


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def test_the_count_is_one_query_whatever_the_number_of_people(township, weekly):
    def count():
        return selectors.area_overdue_count(user=township)

    for _ in range(3):
        registered(township, weekly)
    few = _queries(count)
    assert count() == 3
    for _ in range(12):
        registered(township, weekly)
    assert count() == 15
    assert _queries(count) == few <= 6  # scope and capability reads, then one count


STORED = ("last_care_on", "care_due_on", "visits_per_year", "visits_year", "visits_done")


def stored_fields() -> dict[int, tuple]:
    return {row[0]: row[1:] for row in LeftBehindPerson.objects.values_list("pk", *STORED)}


def forget_the_schedule() -> None:
    """Wrong values everywhere (what the columns hold before the fill, or worse)."""
    LeftBehindPerson.objects.update(
        care_due_on=days_ago(999), visits_per_year=9, visits_year=1999, visits_done=7,
        last_care_on=days_ago(999),
    )  # fmt: skip


@pytest.fixture
def both_kinds(world, township, weekly):
    """Besides the world's people with contacts and records: people with neither (the common
    case, set by one UPDATE), with an ended contact only, with care records but no contact."""
    plain = [person(township, DAZHUANG, registered_on=days_ago(n)) for n in (1, 40, 400)]
    ended = registered(township, weekly)
    services.contact_end(
        actor=township, contact=ended.contacts.get(), end_date=timezone.localdate()
    )
    cared = person(township, DAZHUANG, registered_on=days_ago(90))
    visit(township, cared, days_ago=2, kind=kind("routine_visit"))
    visit(township, cared, days_ago=50, kind=kind("phone_call"))
    return {**world, "plain": plain, "ended": ended, "cared": cared}


def by_refresh() -> dict[int, tuple]:
    """What `stored.refresh` over every person writes: the reference of the fill."""
    stored.refresh(
        subject_model=LeftBehindPerson,
        record_model=LeftBehindCare,
        contact_model=LeftBehindContact,
        key="person_id",
        ids=LeftBehindPerson.objects.values_list("pk", flat=True),
    )
    return stored_fields()


def test_the_data_migration_fills_the_stored_schedule(both_kinds, township):
    expected = overdue_pks(township)
    reference = by_refresh()
    forget_the_schedule()
    assert stored_fields() != reference
    migration = importlib.import_module("fpa.leftbehind.migrations.0003_fill_stored_schedule")
    assert migration.Migration.atomic is False  # a transaction per range, not one for all
    migration.fill(apps, None)
    assert stored_fields() == reference
    assert overdue_pks(township) == expected
    call_late = LeftBehindPerson.objects.get(pk=both_kinds["call_late"].pk)
    assert call_late.last_care_on == days_ago(8)
    assert call_late.care_due_on == days_ago(1)
    # the two kinds of person, as refresh computes them
    for plain in [*both_kinds["plain"], both_kinds["ended"]]:
        assert reference[plain.pk] == (None, None, None, timezone.localdate().year, 0)
    cared = reference[both_kinds["cared"].pk]
    this_year = int(days_ago(2).year == timezone.localdate().year)  # a home visit 2 days ago
    assert cared == (days_ago(2), None, None, timezone.localdate().year, this_year)


@pytest.mark.parametrize("step", [1, 2, 5, 1000])
def test_the_fill_in_ranges_equals_refresh_for_every_person(both_kinds, step):
    reference = by_refresh()
    forget_the_schedule()
    counts = stored.fill(
        subject_model=LeftBehindPerson,
        record_model=LeftBehindCare,
        contact_model=LeftBehindContact,
        key="person_id",
        step=step,
    )
    assert stored_fields() == reference
    with_data = {
        pk
        for pk in reference
        if LeftBehindCare.objects.filter(person_id=pk).exists()
        or LeftBehindContact.objects.filter(person_id=pk, end_date__isnull=True).exists()
    }
    assert counts == {"refreshed": len(with_data), "plain": len(reference) - len(with_data)}
    assert counts["plain"] >= 5  # no_contact, three plain, ended (at least)
    # idempotent: a second run (after a stop halfway) writes the same
    stored.fill(
        subject_model=LeftBehindPerson,
        record_model=LeftBehindCare,
        contact_model=LeftBehindContact,
        key="person_id",
        step=step,
    )
    assert stored_fields() == reference


def test_the_fill_of_people_without_care_is_set_based(township):
    def run():
        return _queries(
            lambda: stored.fill(
                subject_model=LeftBehindPerson,
                record_model=LeftBehindCare,
                contact_model=LeftBehindContact,
                key="person_id",
            )
        )

    for _ in range(3):
        person(township, DAZHUANG)
    few = run()
    for _ in range(12):
        person(township, DAZHUANG)
    assert run() == few <= 8  # bounds, then per range: savepoint, update, two reads, release
    assert set(stored_fields().values()) == {(None, None, None, timezone.localdate().year, 0)}


def test_the_fill_of_an_empty_table_writes_nothing(db):
    counts = stored.fill(
        subject_model=LeftBehindPerson,
        record_model=LeftBehindCare,
        contact_model=LeftBehindContact,
        key="person_id",
    )
    assert counts == {"plain": 0, "refreshed": 0}
