"""Volunteer services: application, vetting, agreement, status, insurance, hours, certificates,
pairings, teams and matching — through the real services, refused cases included."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from fpa.core import consent
from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.models import AuditEvent, ConsentText
from fpa.families import services as family_services
from fpa.families.models import CareRecord, Contact, Family
from fpa.organizations.models import Association
from fpa.volunteers import rules, selectors, services
from fpa.volunteers.models import (
    HoursRecord,
    Skill,
    StatusChange,
    Team,
    Volunteer,
)
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, YANGUOXIA, make_user
from tests.volunteers_helpers import active, apply, id_for, service

TODAY = datetime.date.today


# --- rules ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "stars"),
    [
        ("0", 0),
        ("99.9", 0),
        ("100", 1),
        ("299.9", 1),
        ("300", 2),
        ("600", 3),
        ("999", 3),
        ("1000", 4),
        ("1499.9", 4),
        ("1500", 5),
        ("99999", 5),
    ],
)
def test_star_levels_follow_the_thresholds(hours, stars):
    assert rules.stars_for(Decimal(hours)) == stars


def test_certificate_codes_are_random_and_read_back_however_typed():
    codes = {rules.new_code() for _ in range(200)}
    assert len(codes) == 200
    code = next(iter(codes))
    assert re.fullmatch(r"([A-HJ-NP-Z2-9]{4}-){3}[A-HJ-NP-Z2-9]{4}", code)
    typed = " " + code.replace("-", "").lower() + " "
    assert rules.normalise_code(typed) == code
    full_width = code.translate(
        {ord(c): ord(c) + 0xFEE0 for c in "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"}
    )
    assert rules.normalise_code(full_width) == code
    assert rules.normalise_code("x" * 10_000) == ""
    assert rules.normalise_code("0000-0000-0000-0000") == ""  # 0 is not in the alphabet


# --- application ----------------------------------------------------------------------------------


def test_public_application_records_the_consent_version_and_is_audited(yongjing):
    consent.publish(actor=None, purpose=rules.CONSENT_PURPOSE, body="第二版志愿者报名同意书全文")
    volunteer = apply(DAZHUANG, consent_version=2, skills=("counselling", "legal_aid"))
    assert volunteer.status == Volunteer.Status.APPLIED
    assert volunteer.consent.version == 2
    assert sorted(volunteer.skills.values_list("code", flat=True)) == ["counselling", "legal_aid"]
    row = AuditEvent.objects.get(object_type="volunteers.volunteer", action="create")
    assert row.actor is None and row.scope_path == volunteer.association.path
    assert "*" in row.changes["id_number"][1]  # masked in the trail
    assert isinstance(row.changes["birth_date"][1], int)  # the year only


def test_an_outdated_consent_version_is_refused(yongjing):
    ConsentText.objects.create(
        purpose=rules.CONSENT_PURPOSE, version=2, body="第二版", effective_from=TODAY()
    )
    with pytest.raises(ServiceError, match="同意书已更新"):
        apply(DAZHUANG, consent_version=1)
    assert not Volunteer.objects.exists()


def test_a_second_application_with_the_same_id_number_is_refused(yongjing):
    number = id_for(30)
    apply(DAZHUANG, id_number=number)
    with pytest.raises(ServiceError, match="不能重复报名") as exc:
        apply(SHANGQUAN, id_number=number.lower())
    assert exc.value.field == "id_number"
    assert Volunteer.objects.count() == 1


def test_under_18_needs_a_guardians_consent(yongjing):
    with pytest.raises(ServiceError, match="监护人同意"):
        apply(DAZHUANG, age=16, guardian_name="", guardian_phone=None)
    minor = apply(DAZHUANG, age=16)
    assert minor.is_minor and not minor.is_child
    assert minor.guardian_phone.masked.startswith("136****")


def test_under_14_is_masked_and_under_8_is_refused(yongjing):
    child = apply(DAZHUANG, age=12, name="王小明")
    assert child.is_child
    assert child.display_name == "王**"
    assert str(child) == "王**"
    with pytest.raises(ServiceError, match="未满8周岁"):
        apply(DAZHUANG, age=6)


def test_applications_only_at_current_territorial_associations(yongjing):
    with pytest.raises(ServiceError, match="县、乡镇或村"):
        apply("62")  # the province


def test_staff_enter_applications_only_in_their_scope(yongjing, township, township2):
    apply(DAZHUANG, actor=township)
    with pytest.raises(NotAllowed):
        apply(DAZHUANG, actor=township2)


def test_bad_ids_and_phones_are_refused_with_a_message(yongjing):
    number = id_for(30)
    wrong = number[:-1] + ("1" if number[-1] != "1" else "2")
    with pytest.raises(ServiceError, match="校验位"):
        apply(DAZHUANG, id_number=wrong)
    with pytest.raises(ServiceError):
        apply(DAZHUANG, phone="12345")
    assert not Volunteer.objects.exists()


# --- vetting, agreement, status -------------------------------------------------------------------


def test_vetting_agreement_and_status_flow(yongjing, township, village):
    volunteer = apply(DAZHUANG)
    services.volunteer_vet(
        actor=village, volunteer=volunteer, passed=True, notes="热心可靠", interview_on=TODAY()
    )
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.VETTED
    assert volunteer.vetted_by == village and volunteer.interview_on == TODAY()
    activate_only = services.agreement_sign(
        actor=village,
        volunteer=volunteer,
        term_start=TODAY(),
        term_end=TODAY() + datetime.timedelta(days=30),
        content="陪伴",
        safety_measures="结伴",
        signed_on=TODAY(),
    )
    volunteer.refresh_from_db()
    assert activate_only.pk and volunteer.status == Volunteer.Status.ACTIVE
    # The agreement ends within 60 days: listed for renewal.
    assert list(selectors.renewals_due(user=township)) == [volunteer]
    services.volunteer_change_status(
        actor=township,
        volunteer=volunteer,
        to_status=Volunteer.Status.SUSPENDED,
        reason="外出务工",
        effective_date=TODAY(),
    )
    change = StatusChange.objects.filter(volunteer=volunteer).first()
    assert (change.from_status, change.to_status, change.reason, change.recorded_by) == (
        "active",
        "suspended",
        "外出务工",
        township,
    )
    with pytest.raises(ServiceError, match="请填写原因"):
        services.volunteer_change_status(
            actor=township,
            volunteer=volunteer,
            to_status="active",
            reason=" ",
            effective_date=TODAY(),
        )
    with pytest.raises(ServiceError, match="不能变更为"):
        services.volunteer_change_status(
            actor=township,
            volunteer=volunteer,
            to_status="vetted",
            reason="试试",
            effective_date=TODAY(),
        )


def test_refused_vetting_and_repeat_vetting(yongjing, township):
    volunteer = apply(DAZHUANG)
    services.volunteer_vet(actor=township, volunteer=volunteer, passed=False, notes="不宜从事")
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.REFUSED
    with pytest.raises(ServiceError, match="待考察"):
        services.volunteer_vet(actor=township, volunteer=volunteer, passed=True, notes="再考察")
    with pytest.raises(ServiceError, match="考察通过或在册"):
        services.agreement_sign(
            actor=township,
            volunteer=volunteer,
            term_start=TODAY(),
            term_end=TODAY() + datetime.timedelta(days=9),
            content="x",
            safety_measures="y",
            signed_on=TODAY(),
        )


def test_another_township_cannot_vet_or_sign(yongjing, township2):
    volunteer = apply(DAZHUANG)
    with pytest.raises(NotAllowed):
        services.volunteer_vet(actor=township2, volunteer=volunteer, passed=True, notes="越权")
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.APPLIED


def test_a_volunteer_role_cannot_run_staff_services(yongjing, volunteer):
    target = apply(DAZHUANG)
    with pytest.raises(NotAllowed):
        services.volunteer_vet(actor=volunteer, volunteer=target, passed=True, notes="自己批")


def test_agreement_dates_are_checked(yongjing, township):
    volunteer = apply(DAZHUANG)
    services.volunteer_vet(actor=township, volunteer=volunteer, passed=True, notes="可以")
    for start, end, message in [
        (TODAY(), TODAY(), "晚于开始日"),
        (TODAY(), TODAY() + datetime.timedelta(days=4000), "五年"),
    ]:
        with pytest.raises(ServiceError, match=message):
            services.agreement_sign(
                actor=township,
                volunteer=volunteer,
                term_start=start,
                term_end=end,
                content="x",
                safety_measures="y",
                signed_on=TODAY(),
            )


def test_profile_update_checks_the_version(yongjing, township):
    volunteer = active(township, DAZHUANG)
    services.volunteer_update(
        actor=township, volunteer=volunteer, version=volunteer.version, occupation="医生"
    )
    with pytest.raises(ServiceError, match="已被他人修改"):
        services.volunteer_update(
            actor=township, volunteer=volunteer, version=volunteer.version, occupation="护士"
        )
    volunteer.refresh_from_db()
    assert volunteer.occupation == "医生"


# --- services, insurance and hours ----------------------------------------------------------------


def test_risky_service_needs_insurance_on_its_date(yongjing, township):
    volunteer = active(township, DAZHUANG)
    risky = service(township, LIUJIAXIA, risky=True, days_ago=2)
    with pytest.raises(ServiceError, match="没有有效的意外保险"):
        services.assignment_create(actor=township, service=risky, volunteer=volunteer)
    services.insurance_add(
        actor=township,
        volunteer=volunteer,
        insurer="人保",
        policy_number="P1",
        valid_from=TODAY() - datetime.timedelta(days=1),
        valid_to=TODAY() + datetime.timedelta(days=300),
    )
    with pytest.raises(ServiceError, match="没有有效的意外保险"):  # cover starts the day after
        services.hours_record(actor=township, service=risky, volunteer=volunteer, hours="2")
    services.insurance_add(
        actor=township,
        volunteer=volunteer,
        insurer="人保",
        policy_number="P0",
        valid_from=TODAY() - datetime.timedelta(days=10),
        valid_to=TODAY(),
    )
    record = services.hours_record(actor=township, service=risky, volunteer=volunteer, hours="2")
    assert record.status == HoursRecord.Status.CONFIRMED


def test_hours_submitted_by_the_volunteer_are_confirmed_by_the_organiser(
    yongjing, township, township2, volunteer
):
    person = active(township, DAZHUANG)
    services.volunteer_link_account(actor=township, volunteer=person, user=volunteer)
    task = service(township, LIUJIAXIA)
    assignment = services.assignment_create(actor=township, service=task, volunteer=person)
    record = services.hours_submit(actor=volunteer, assignment=assignment, hours="2.5")
    assert record.status == HoursRecord.Status.SUBMITTED
    assert selectors.confirmed_hours(person) == 0
    with pytest.raises(NotAllowed):
        services.hours_confirm(actor=township2, record=record, confirm=True)
    services.hours_confirm(actor=township, record=record, confirm=True)
    assert selectors.confirmed_hours(person) == Decimal("2.5")
    with pytest.raises(ServiceError, match="已处理"):
        services.hours_confirm(actor=township, record=record, confirm=False)


def test_a_volunteer_cannot_submit_hours_for_someone_else(yongjing, township, volunteer):
    other = active(township, DAZHUANG)
    task = service(township, LIUJIAXIA)
    assignment = services.assignment_create(actor=township, service=task, volunteer=other)
    with pytest.raises(NotAllowed):
        services.hours_submit(actor=volunteer, assignment=assignment, hours="1")
    assert not HoursRecord.objects.exists()


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "1e6", "0", "-1", "24.5", "1.25", "abc", ""])
def test_nonsense_hours_are_refused(yongjing, township, bad):
    volunteer = active(township, DAZHUANG)
    with pytest.raises(ServiceError):
        services.hours_record(
            actor=township, service=service(township, LIUJIAXIA), volunteer=volunteer, hours=bad
        )
    assert not HoursRecord.objects.exists()


def test_hours_only_for_services_that_took_place_and_once(yongjing, township):
    volunteer = active(township, DAZHUANG)
    future = service(township, LIUJIAXIA, days_ago=-3)
    with pytest.raises(ServiceError, match="尚未开展"):
        services.hours_record(actor=township, service=future, volunteer=volunteer, hours="1")
    past = service(township, LIUJIAXIA)
    services.hours_record(actor=township, service=past, volunteer=volunteer, hours="1")
    with pytest.raises(ServiceError, match="已登记"):
        services.hours_record(actor=township, service=past, volunteer=volunteer, hours="1")


def test_only_active_volunteers_are_assigned(yongjing, township):
    applicant = apply(DAZHUANG)
    with pytest.raises(ServiceError, match="在册服务"):
        services.assignment_create(
            actor=township, service=service(township, LIUJIAXIA), volunteer=applicant
        )


# --- certificates ---------------------------------------------------------------------------------


def test_certificate_counts_confirmed_hours_and_verifies_with_name_and_hours_only(
    yongjing, township
):
    volunteer = active(township, DAZHUANG, name="李明")
    with pytest.raises(ServiceError, match="还没有已确认"):
        services.certificate_issue(actor=township, volunteer=volunteer)
    for hours in ("24", "24", "24", "24", "8"):
        services.hours_record(
            actor=township, service=service(township, LIUJIAXIA), volunteer=volunteer, hours=hours
        )
    certificate = services.certificate_issue(actor=township, volunteer=volunteer)
    assert certificate.hours == Decimal("104.0") and certificate.stars == 1
    assert certificate.issuer.code == LIUJIAXIA
    found = selectors.certificate_verify(certificate.code.lower().replace("-", " "))
    assert found is not None
    assert (found.name, found.hours, found.stars, found.issuer) == (
        "李明",
        Decimal("104.0"),
        1,
        "刘家峡镇计生协",
    )
    assert set(vars(found)) == {"name", "hours", "stars", "issuer", "issued_on"}
    assert selectors.certificate_verify("AAAA-AAAA-AAAA-AAAA") is None
    assert selectors.certificate_verify("") is None


def test_a_childs_certificate_verifies_with_the_name_masked(yongjing, township):
    child = active(township, DAZHUANG, name="王小明", age=12)
    services.hours_record(
        actor=township, service=service(township, LIUJIAXIA), volunteer=child, hours="2"
    )
    certificate = services.certificate_issue(actor=township, volunteer=child)
    assert selectors.certificate_verify(certificate.code).name == "王**"


# --- pairings -------------------------------------------------------------------------------------


def make_family(actor, code=DAZHUANG, name="结对母亲"):
    return family_services.family_register(
        actor=actor,
        association=Association.objects.get(code=code),
        kind=Family.Kind.BEREAVED,
        people=[{"role": "mother", "name": name, "id_number": id_for(60)}],
    )


def test_pairing_appears_in_the_familys_contacts_and_care_log(yongjing, township):
    volunteer = active(township, DAZHUANG, name="张志愿")
    family = make_family(township)
    pairing = services.pairing_create(
        actor=township, volunteer=volunteer, family=family, start_date=TODAY(), note="每周陪伴"
    )
    contact = Contact.objects.get(family=family, end_date__isnull=True)
    assert contact.name == "张志愿" and contact.role.code == "member_or_volunteer"
    assert contact.user is None  # the volunteer's account gets no access to the family file
    care = CareRecord.objects.get(family=family)
    assert care.kind.code == "volunteer_service" and care.cares == ["pairing"]
    assert "张志愿" in care.notes
    with pytest.raises(ServiceError, match="已与此家庭结对"):
        services.pairing_create(
            actor=township, volunteer=volunteer, family=family, start_date=TODAY()
        )
    services.pairing_end(actor=township, pairing=pairing, end_date=TODAY())
    contact.refresh_from_db()
    assert contact.end_date == TODAY()


def test_leaving_ends_the_pairings(yongjing, township):
    volunteer = active(township, DAZHUANG)
    family = make_family(township)
    services.pairing_create(actor=township, volunteer=volunteer, family=family, start_date=TODAY())
    services.volunteer_change_status(
        actor=township,
        volunteer=volunteer,
        to_status="left",
        reason="迁居外地",
        effective_date=TODAY(),
    )
    assert not Contact.objects.filter(family=family, end_date__isnull=True).exists()


def test_pairing_with_a_family_of_another_township_is_refused(yongjing, township, township2):
    volunteer = active(township, DAZHUANG)
    family = make_family(township2, SHANGQUAN, "外镇母亲")
    with pytest.raises(NotAllowed):
        services.pairing_create(
            actor=township, volunteer=volunteer, family=family, start_date=TODAY()
        )
    assert not Contact.objects.filter(family=family).exists()


# --- teams ----------------------------------------------------------------------------------------


def test_teams_by_level_and_membership(yongjing, county, township):
    corps = services.team_create(
        actor=county,
        association=Association.objects.get(code="622923"),
        level="corps",
        name="永靖县计生协志愿者总队",
    )
    with pytest.raises(ServiceError, match="大队应设在"):
        services.team_create(
            actor=township,
            association=Association.objects.get(code=DAZHUANG),
            level="brigade",
            name="错",
        )
    squad = services.team_create(
        actor=township,
        association=Association.objects.get(code=DAZHUANG),
        level="squad",
        name="大庄村小队",
    )
    volunteer = active(township, DAZHUANG)
    services.team_add_member(actor=township, team=squad, volunteer=volunteer, leader=True)
    services.team_add_member(actor=county, team=corps, volunteer=volunteer)
    squad.refresh_from_db()
    assert squad.leader == volunteer and list(volunteer.teams.order_by("pk")) == [corps, squad]
    outsider = active(county, SHANGQUAN)
    with pytest.raises(ServiceError, match="辖区内"):
        services.team_add_member(actor=county, team=squad, volunteer=outsider)
    assert Team.objects.count() == 2


# --- matching -------------------------------------------------------------------------------------


def test_suggestions_rank_by_place_skill_availability_and_load(yongjing, county, township):
    skill = Skill.objects.get(code="counselling")
    same_village = active(county, DAZHUANG, name="同村甲", on_weekends=True)
    village_skilled = active(county, DAZHUANG, name="同村乙", skills=("counselling",))
    other_village = active(
        county, "622923100202", name="同镇丙", skills=("counselling",), on_weekends=True
    )
    township_level = active(county, LIUJIAXIA, name="镇级丁")
    other_township = active(county, YANGUOXIA, name="外镇戊", skills=("counselling",))
    busy = active(county, DAZHUANG, name="同村忙", skills=("counselling",))
    services.assignment_create(
        actor=county, service=service(county, LIUJIAXIA, days_ago=-5), volunteer=busy
    )
    apply(DAZHUANG, name="未考察")  # not active: never suggested
    place = Association.objects.get(code=DAZHUANG)
    rows = selectors.suggestions(user=county, place=place, skills=[skill], when=["weekends"])
    names = [r.volunteer.name for r in rows]
    assert names[:3] == ["同村乙", "同村忙", "同村甲"]
    assert names[3:] == ["同镇丙", "镇级丁", "外镇戊"]
    assert "未考察" not in names
    reason = {r.volunteer.name: r.reason for r in rows}
    assert (
        reason["同村乙"] == "同村（社区）；具备所需技能：心理咨询；服务时间不符；当前无结对或任务"
    )
    assert reason["同村忙"].endswith("当前承担1项结对/任务")
    assert reason["外镇戊"].startswith("同县（区）")
    # A township officer is offered only the volunteers of their township.
    local = selectors.suggestions(user=township, place=place, skills=[skill], when=[])
    assert {r.volunteer.pk for r in local} == {
        same_village.pk,
        village_skilled.pk,
        other_village.pk,
        township_level.pk,
        busy.pk,
    }
    assert other_township.pk not in {r.volunteer.pk for r in local}


def test_suggestions_run_in_a_fixed_number_of_queries(
    yongjing, county, django_assert_max_num_queries
):
    place = Association.objects.get(code=DAZHUANG)
    for _ in range(3):
        active(county, DAZHUANG, skills=("counselling",))
    skills = list(Skill.objects.filter(code="counselling"))
    with django_assert_max_num_queries(4) as few:
        selectors.suggestions(user=county, place=place, skills=skills, when=["evenings"])
    for _ in range(12):
        active(county, DAZHUANG, skills=("counselling", "nursing"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = selectors.suggestions(user=county, place=place, skills=skills, when=["evenings"])
    assert len(rows) == 15


def test_a_volunteer_account_outside_scope_cannot_be_linked(yongjing, township):
    person = active(township, DAZHUANG)
    foreign = make_user("vol-foreign", SHANGQUAN, "volunteer")
    staff = make_user("staff-linked", DAZHUANG, "village_staff")
    with pytest.raises(NotAllowed):
        services.volunteer_link_account(actor=township, volunteer=person, user=foreign)
    with pytest.raises(ServiceError, match="志愿者"):
        services.volunteer_link_account(actor=township, volunteer=person, user=staff)
    person.refresh_from_db()
    assert person.user is None


def test_demo_data_loads_through_the_services(db, settings, tmp_path):
    from django.core.management import call_command

    from fpa.accounts.models import User

    settings.VAR_DIR = str(tmp_path)
    call_command("seed_demo", stdout=open(tmp_path / "out.txt", "w"))  # noqa: SIM115
    assert Volunteer.objects.filter(status="active").count() >= 12
    assert Volunteer.objects.filter(status="applied").count() == 1
    linked = Volunteer.objects.get(user=User.objects.get(username="demo-volunteer"))
    assert linked.certificates.exists()
    assert HoursRecord.objects.filter(status="submitted").count() == 1
    assert Team.objects.count() == 3


def test_the_organiser_confirms_hours_of_a_volunteer_from_elsewhere(
    yongjing, county, township, township2, volunteer
):
    # A 盐锅峡镇 volunteer serves at a 刘家峡镇 service (assigned by the county).
    person = active(county, SHANGQUAN)
    person.user = volunteer
    person.save(update_fields=["user"])
    task = service(township, LIUJIAXIA)
    assignment = services.assignment_create(actor=county, service=task, volunteer=person)
    record = services.hours_submit(actor=volunteer, assignment=assignment, hours="2")
    assert list(selectors.pending_hours(user=township)) == [record]
    assert HoursRecord.objects.visible_to(township).filter(pk=record.pk).exists()
    assert HoursRecord.objects.visible_to(township2).filter(pk=record.pk).exists()  # their own
    services.hours_confirm(actor=township, record=record, confirm=True)
    with pytest.raises(ServiceError):
        services.hours_confirm(actor=township2, record=record, confirm=True)
