"""The 三留守 registry's services and selectors: registration rules, the children rule, the end
of a record, overdue contacts for the supervisor, counts per association."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from fpa.core.errors import Conflict, NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from fpa.leftbehind import selectors, services
from fpa.leftbehind.models import LeftBehindPerson
from fpa.organizations.models import Association
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN
from tests.leftbehind_helpers import contact, id_for, need, person, visit


def test_registration_derives_birth_and_sex_and_audits_masked(township) -> None:
    number = id_for(70)
    found = person(township, DAZHUANG, id_number=number, phone="13687770001")
    assert found.birth_date is not None and found.sex in ("M", "F")
    assert found.id_number.reveal_unchecked() == number
    event = AuditEvent.objects.get(object_type="leftbehind.leftbehindperson", action="create")
    text = str(event.changes)
    assert number not in text and "13687770001" not in text and "留守" not in text


def test_a_wrong_id_number_is_refused_with_its_field(township) -> None:
    with pytest.raises(ServiceError) as refused:
        person(township, DAZHUANG, id_number="622923194912310021")
    assert refused.value.field == "id_number"
    assert LeftBehindPerson.objects.count() == 0


def test_a_duplicate_id_number_is_refused_and_named_only_in_scope(township, township2) -> None:
    number = id_for(70)
    person(township, DAZHUANG, id_number=number)
    with pytest.raises(ServiceError) as refused:
        person(township2, SHANGQUAN, id_number=number)
    assert refused.value.code == "duplicate" and "大庄" not in refused.value.message


def test_a_birth_date_that_contradicts_the_id_number_is_refused(township) -> None:
    with pytest.raises(ServiceError) as refused:
        person(township, DAZHUANG, birth_date=datetime.date(1950, 1, 1))
    assert refused.value.code == "mismatch"


def test_a_bad_division_code_is_refused(township) -> None:
    with pytest.raises(ServiceError) as refused:
        person(township, DAZHUANG, absent_division="6201")
    assert refused.value.field == "absent_division"


def test_another_township_may_not_register_here(township2) -> None:
    with pytest.raises(NotAllowed):
        person(township2, DAZHUANG)


def test_a_person_is_held_by_a_village_or_township_only(county) -> None:
    with pytest.raises(ServiceError) as refused:
        person(county, "622923")
    assert refused.value.field == "association"


def test_a_village_officer_may_not_register_a_child(village) -> None:
    with pytest.raises(NotAllowed):
        person(village, DAZHUANG, kind="child")
    # nor an adult-kind record of someone under 14
    with pytest.raises(NotAllowed):
        person(village, DAZHUANG, kind="woman", id_number=id_for(12))
    assert LeftBehindPerson.objects.count() == 0


def test_the_children_rule_in_selectors(township, village) -> None:
    # given a child and an elderly person in the village
    child = person(township, DAZHUANG, kind="child")
    elderly = person(township, DAZHUANG)
    # then the village officer sees the elderly person only
    assert list(LeftBehindPerson.objects.visible_to(village)) == [elderly]
    # until made the child's contact person
    contact(township, child, user=village)
    assert set(LeftBehindPerson.objects.visible_to(village)) == {child, elderly}
    assert set(LeftBehindPerson.objects.visible_to(township)) == {child, elderly}


def test_an_under_14_woman_record_counts_as_a_child(township, village) -> None:
    young = person(township, DAZHUANG, kind="woman", id_number=id_for(13))
    assert young.is_child()
    assert not LeftBehindPerson.objects.visible_to(village).filter(pk=young.pk).exists()


def test_the_village_officer_may_log_care_for_a_child_only_as_contact(township, village) -> None:
    child = person(township, DAZHUANG, kind="child")
    with pytest.raises(NotAllowed):
        visit(village, child)
    contact(township, child, user=village)
    record = visit(village, child)
    assert record.contact is not None


def test_update_is_version_safe_and_audited(township) -> None:
    found = person(township, DAZHUANG)
    services.person_update(actor=township, person=found, version=1, risk="high")
    with pytest.raises(Conflict):
        services.person_update(actor=township, person=found, version=1, risk="low")
    found.refresh_from_db()
    assert found.risk == "high" and found.version == 2
    event = AuditEvent.objects.get(object_type="leftbehind.leftbehindperson", action="update")
    assert event.changes == {"risk": ["low", "high"]}


def test_a_village_officer_may_not_turn_a_record_into_a_child(township, village) -> None:
    found = person(township, DAZHUANG)
    with pytest.raises(NotAllowed):
        services.person_update(actor=village, person=found, version=1, kind="child")
    found.refresh_from_db()
    assert found.kind == "elderly"


def test_ending_a_record_ends_its_contacts(township, village) -> None:
    found = person(township, DAZHUANG)
    contact(township, found, user=village)
    services.person_end(actor=township, person=found, reason="returned", on=timezone.localdate())
    found.refresh_from_db()
    assert found.status == "ended" and found.ended_on == timezone.localdate()
    assert found.contacts.filter(end_date__isnull=True).count() == 0
    with pytest.raises(ServiceError):
        services.person_end(
            actor=township, person=found, reason="returned", on=timezone.localdate()
        )
    with pytest.raises(ServiceError):
        contact(township, found)


def test_other_reason_needs_a_note(township) -> None:
    found = person(township, DAZHUANG)
    with pytest.raises(ServiceError) as refused:
        services.person_end(actor=township, person=found, reason="other", on=timezone.localdate())
    assert refused.value.field == "note"


def test_overdue_contacts_reach_the_supervisor(township, village) -> None:
    # given two people with a village cadre as contact (call every 7 days), one visited today
    late = person(township, DAZHUANG)
    kept = person(township, DAZHUANG)
    contact(township, late, user=village)
    contact(township, kept, user=village)
    visit(village, kept, days_ago=0)
    # then the township sees one overdue, and the village account has one of its own overdue
    assert selectors.area_overdue_count(user=township) == 1
    mine = selectors.my_due(user=village)
    assert [row.subject.pk for row in mine if row.overdue] == [late.pk]
    filtered = selectors.person_list(user=township, filters=selectors.PersonFilters(overdue=True))
    assert [p.pk for p in filtered.items] == [late.pk]


def test_counts_per_association_include_children_without_showing_them(township, village) -> None:
    person(township, DAZHUANG, kind="child")
    person(township, DAZHUANG, risk="high")
    person(township, DAZHUANG, kind="woman")
    rows = selectors.counts_per_association(user=village)
    assert [(r.code, r.elderly, r.child, r.woman, r.high_risk) for r in rows] == [
        (DAZHUANG, 1, 1, 1, 1)
    ]
    township_root = Association.objects.get(code=LIUJIAXIA)
    assert selectors.counts_per_association(user=village, root=township_root) == []


def test_need_owner_must_see_the_person(township, village, township2) -> None:
    child = person(township, DAZHUANG, kind="child")
    with pytest.raises(ServiceError) as refused:
        need(township, child, owner=village)
    assert refused.value.field == "owner"
    with pytest.raises(ServiceError):
        need(township, child, owner=township2)
    assert need(township, child, owner=township).owner == township


def test_the_demo_seeds_through_the_services(county, township, village) -> None:
    from fpa.core.demo import DemoCast
    from fpa.leftbehind.demo import seed

    cast = DemoCast(
        county=county,
        finance=None,
        township=township,
        townships={LIUJIAXIA: township},
        village=village,
        volunteer=None,
    )
    assert seed(cast) == {"left_behind": 3}
    assert seed(cast) == {"left_behind": 0}  # once
    seen = {p.kind for p in LeftBehindPerson.objects.visible_to(village)}
    assert seen == {"elderly", "woman", "child"}  # the child as her contact person
    assert selectors.my_due(user=village)
