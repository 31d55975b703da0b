"""The care mechanism in core (`fpa.core.care`), through both subjects that use it: a special
family and a left-behind person. The rules are pure; the services and selectors write and read
the modules' own tables through their `CareSpec`."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from fpa.core.care import rules
from fpa.core.care import selectors as care
from fpa.core.care import services as care_services
from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from fpa.families import services as family_services
from fpa.families.care import FAMILY_CARE
from fpa.families.models import CareRecord, ContactRole, Family
from fpa.leftbehind.care import PERSON_CARE
from fpa.leftbehind.models import LeftBehindCare, LeftBehindContact
from fpa.organizations.models import Association
from tests.conftest import DAZHUANG
from tests.leftbehind_helpers import kind, person, role

TODAY = datetime.date(2026, 5, 20)  # in the second quarter: one quarter of the visits is due


class Role:
    def __init__(self, calls: int | None, meets: int | None, visits: int | None) -> None:
        self.calls_every_days = calls
        self.meets_every_days = meets
        self.home_visits_per_year = visits


# --- the rules (pure) -----------------------------------------------------------------------


def test_the_strictest_rule_of_the_contact_roles_applies() -> None:
    found = rules.strictest([Role(7, 30, 4), Role(14, None, 12), Role(None, 60, None)])
    assert found == rules.Rules(7, 30, 12)
    assert rules.strictest([]) == rules.Rules()


def test_a_meeting_counts_as_a_call_and_a_late_one_is_named() -> None:
    reference = datetime.date(2025, 1, 1)
    late = rules.overdue(TODAY, reference, rules.Rules(7, 30, None), None, TODAY, 0)
    assert late == []
    late = rules.overdue(
        TODAY, reference, rules.Rules(7, 30, None), None, TODAY - datetime.timedelta(days=31), 0
    )
    assert len(late) == 2 and "7" in late[0] and "30" in late[1]


def test_home_visits_are_due_pro_rata_from_the_registration_quarter() -> None:
    four = rules.Rules(None, None, 4)
    # Registered last year: one visit is due by the end of the first quarter.
    assert rules.overdue(TODAY, datetime.date(2025, 6, 1), four, None, None, 0)
    assert rules.overdue(TODAY, datetime.date(2025, 6, 1), four, None, None, 1) == []
    # Registered in April this year: nothing due yet.
    assert rules.overdue(TODAY, datetime.date(2026, 4, 2), four, None, None, 0) == []


def test_the_families_rule_is_the_core_rule() -> None:
    from fpa.families.selectors.schedule import _overdue

    assert _overdue is rules.overdue


# --- services and selectors with both subjects ------------------------------------------------


def _family(actor: object) -> Family:
    return family_services.family_register(
        actor=actor,
        association=Association.objects.get(code=DAZHUANG),
        kind=Family.Kind.BEREAVED,
        people=[{"role": "mother", "name": "测试母亲"}],
    )


@pytest.mark.parametrize("subject", ["family", "person"])
def test_both_subjects_log_care_through_one_mechanism(township, village, subject) -> None:
    # given a subject of each module, with the village account as its contact person
    spec = FAMILY_CARE if subject == "family" else PERSON_CARE
    target = _family(township) if subject == "family" else person(township, DAZHUANG)
    care_services.contact_assign(
        spec,
        actor=township,
        subject=target,
        role=role(),
        name="",
        user=village,
        start_date=timezone.localdate() - datetime.timedelta(days=10),
    )
    # when the contact logs a visit
    record = care_services.care_log(
        spec,
        actor=village,
        subject=target,
        kind=kind(),
        occurred_on=timezone.localdate(),
        notes="入户",
    )
    # then it is in that module's own table, linked to the contact, audited, and read back
    assert isinstance(record, CareRecord if subject == "family" else LeftBehindCare)
    assert record.contact is not None and record.contact.user_id == village.pk
    assert AuditEvent.objects.filter(
        object_type=record._meta.label_lower, object_id=str(record.pk), action="create"
    ).exists()
    assert [r.pk for r in care.care_records(spec, user=village, subject=target)] == [record.pk]
    assert care.is_contact(spec, village, target)
    rows = care.schedule(spec, subjects=[target], reference=lambda s: s.registered_on)
    assert rows[0].last_meeting == timezone.localdate()


@pytest.mark.parametrize("subject", ["family", "person"])
def test_another_township_may_not_log_care(township, township2, subject) -> None:
    spec = FAMILY_CARE if subject == "family" else PERSON_CARE
    target = _family(township) if subject == "family" else person(township, DAZHUANG)
    with pytest.raises(NotAllowed):
        care_services.care_log(
            spec, actor=township2, subject=target, kind=kind(), occurred_on=timezone.localdate()
        )
    with pytest.raises(NotAllowed):
        care_services.contact_assign(
            spec,
            actor=township2,
            subject=target,
            role=role(),
            name="外镇",
            start_date=timezone.localdate(),
        )


@pytest.mark.parametrize("subject", ["family", "person"])
def test_needs_are_raised_and_closed_with_a_result(township, subject) -> None:
    spec = FAMILY_CARE if subject == "family" else PERSON_CARE
    target = _family(township) if subject == "family" else person(township, DAZHUANG)
    need = care_services.need_raise(spec, actor=township, subject=target, description="要求上门")
    with pytest.raises(ServiceError) as refused:
        care_services.need_update(spec, actor=township, need=need, status="resolved")
    assert refused.value.field == "result"
    done = care_services.need_update(
        spec, actor=township, need=need, status="resolved", result="已安排"
    )
    assert done.closed_on == timezone.localdate() and not done.is_open


def test_a_care_record_of_another_subject_cannot_raise_a_need(township) -> None:
    first, second = person(township, DAZHUANG), person(township, DAZHUANG)
    record = care_services.care_log(
        PERSON_CARE, actor=township, subject=first, kind=kind(), occurred_on=timezone.localdate()
    )
    with pytest.raises(ServiceError) as refused:
        care_services.need_raise(
            PERSON_CARE, actor=township, subject=second, description="某诉求", raised_in=record
        )
    assert refused.value.field == "raised_in"


def test_an_ended_contact_no_longer_counts_and_cannot_end_twice(township, village) -> None:
    target = person(township, DAZHUANG)
    found = care_services.contact_assign(
        PERSON_CARE,
        actor=township,
        subject=target,
        role=role(),
        name="",
        user=village,
        start_date=target.registered_on,
    )
    care_services.contact_end(
        PERSON_CARE, actor=township, contact=found, end_date=timezone.localdate()
    )
    assert not care.is_contact(PERSON_CARE, village, target)
    with pytest.raises(ServiceError):
        care_services.contact_end(PERSON_CARE, actor=township, contact=found, end_date=TODAY)
    assert LeftBehindContact.objects.filter(end_date__isnull=True).count() == 0


def test_the_roles_and_kinds_are_one_shared_list(township) -> None:
    """The county configures contact roles (with their rules) once: a change applies to both
    modules' overdue computation."""
    family = _family(township)
    elderly = person(township, DAZHUANG)
    cadre = ContactRole.objects.get(code="village_cadre")
    for spec, subject in ((FAMILY_CARE, family), (PERSON_CARE, elderly)):
        care_services.contact_assign(
            spec,
            actor=township,
            subject=subject,
            role=cadre,
            name="甲",
            start_date=subject.registered_on,
        )
    cadre.calls_every_days = 1
    cadre.save()
    late = timezone.localdate() + datetime.timedelta(days=3)
    for spec, subject in ((FAMILY_CARE, family), (PERSON_CARE, elderly)):
        row = care.schedule(
            spec, subjects=[subject], reference=lambda s: s.registered_on, today=late
        )
        assert any("1" in item for item in row[0].overdue)
