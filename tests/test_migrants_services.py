"""Writes of the migrant registry and the enterprise profiles: registration with the ID number
and division codes checked, full-width input normalised, one record per person and association,
status changes, family, services, needs, profiles with the credit code's check character,
evaluations; refused cases (another township, another role, out-of-scope ids); the counts."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from fpa.core.errors import Conflict, NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from fpa.migrants import selectors, services
from fpa.migrants.models import Migrant
from fpa.organizations.models import Association
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN
from tests.migrants_helpers import (
    CHENGDU,
    LANZHOU,
    credit_code,
    enterprise,
    id_for,
    kind,
    migrant,
    profile,
)


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_registration_derives_sex_and_birth_and_audits_masked(township):
    number = id_for(30)
    person = migrant(township, DAZHUANG, id_number=number, name="马明")
    assert person.birth_date.year == timezone.localdate().year - 30
    assert person.sex == ("M" if int(number[16]) % 2 else "F")
    assert person.id_number.reveal_unchecked() == number
    event = AuditEvent.objects.get(object_type="migrants.migrant", action="create")
    text = str(event.changes)
    assert number not in text and "马明" not in text and "13685" not in text


def test_full_width_id_and_division_codes_are_normalised(township):
    number = id_for(25)
    person = migrant(
        township, DAZHUANG, id_number=fullwidth(number.lower()), origin_code=fullwidth(CHENGDU)
    )
    assert person.id_number.reveal_unchecked() == number
    assert person.origin_code == CHENGDU


def test_a_wrong_id_number_is_refused_and_nothing_is_written(township):
    number = id_for()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(ServiceError) as refused:
        migrant(township, DAZHUANG, id_number=wrong)
    assert refused.value.field == "id_number" and "校验位" in refused.value.message
    assert not Migrant.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("origin_code", "999999", "不是已知的县级行政区"),
        ("origin_code", "62292", "6位"),
        ("origin_code", "", "请填写流出地"),
    ],
)
def test_unknown_or_missing_division_codes_are_refused(township, field, value, words):
    with pytest.raises(ServiceError) as refused:
        migrant(township, DAZHUANG, **{field: value})
    assert refused.value.field == field and words in refused.value.message
    assert not Migrant.objects.exists()


def test_an_outflow_needs_its_destination_and_any_level_below_county_is_accepted(township):
    with pytest.raises(ServiceError) as refused:
        migrant(township, DAZHUANG, "outflow", destination_code="")
    assert refused.value.field == "destination_code"
    person = migrant(township, DAZHUANG, "outflow", destination_code="620102001001")
    assert person.destination_code == "620102001001"
    assert selectors.migrant_get(user=township, pk=person.pk).direction == "outflow"


def test_one_record_per_person_and_association(township):
    number = id_for()
    migrant(township, DAZHUANG, id_number=number)
    with pytest.raises(ServiceError) as refused:
        migrant(township, DAZHUANG, id_number=number)
    assert refused.value.code == "duplicate"
    # the same person registered as an outflow by the township itself is another record
    migrant(township, LIUJIAXIA, "outflow", id_number=number)
    assert Migrant.objects.count() == 2


def test_another_township_and_another_role_are_refused(township, township2, finance, village):
    with pytest.raises(NotAllowed):
        migrant(township2, DAZHUANG)
    with pytest.raises(NotAllowed):
        migrant(finance, DAZHUANG)
    person = migrant(township, DAZHUANG)
    with pytest.raises(NotAllowed):
        services.migrant_update(actor=township2, migrant=person, workplace="外镇改")
    with pytest.raises(NotAllowed):
        services.service_record(
            actor=township2,
            migrant=person,
            kind=kind(),
            served_on=timezone.localdate(),
            provider="外镇",
        )
    # a village may not register in its township
    with pytest.raises(NotAllowed):
        migrant(village, LIUJIAXIA)
    # out-of-scope ids: the selector does not find them
    with pytest.raises(Migrant.DoesNotExist):
        selectors.migrant_get(user=township2, pk=person.pk)


def test_update_is_version_safe_and_audited(township, county):
    person = migrant(township, DAZHUANG)
    services.migrant_update(actor=county, migrant=person, version=1, workplace="新工地")
    with pytest.raises(Conflict):
        services.migrant_update(actor=township, migrant=person, version=1, workplace="旧")
    person.refresh_from_db()
    assert person.workplace == "新工地" and person.version == 2
    # nothing changed: no new version, no audit row
    before = AuditEvent.objects.count()
    services.migrant_update(actor=township, migrant=person, version=2, workplace="新工地")
    assert AuditEvent.objects.count() == before


def test_employer_must_be_an_enterprise_in_reach(township, township2, village):
    firm = enterprise(township, LIUJIAXIA)
    foreign_firm = enterprise(township2, "622923101")
    # a village worker may link to the firms of their township
    person = migrant(village, DAZHUANG, employer=firm)
    assert person.employer == firm
    with pytest.raises(NotAllowed):
        migrant(village, DAZHUANG, employer=foreign_firm)
    with pytest.raises(ServiceError) as refused:
        migrant(township, DAZHUANG, employer=Association.objects.get(code=DAZHUANG))
    assert refused.value.field in ("employer",) or "企业" in refused.value.message


def test_status_left_cancelled_and_back(township):
    person = migrant(township, DAZHUANG)
    today = timezone.localdate()
    with pytest.raises(ServiceError) as refused:
        services.migrant_change_status(actor=township, migrant=person, status="cancelled", on=today)
    assert refused.value.field == "reason"
    person = services.migrant_change_status(
        actor=township, migrant=person, status="left", on=today, reason="返乡"
    )
    assert person.status == "left" and person.left_on == today
    with pytest.raises(ServiceError):
        services.migrant_change_status(actor=township, migrant=person, status="cancelled", on=today)
    person = services.migrant_change_status(
        actor=township, migrant=person, status="active", on=today
    )
    assert person.is_active and person.left_on is None
    with pytest.raises(ServiceError):
        services.migrant_change_status(
            actor=township,
            migrant=person,
            status="left",
            on=today + datetime.timedelta(days=1),
        )


def test_family_services_and_needs(township):
    person = migrant(township, DAZHUANG)
    child_id = id_for(6)
    member = services.family_member_add(
        actor=township, migrant=person, relation="child", name="小明", id_number=child_id
    )
    assert member.birth_date is not None and member.name.masked != "小明"
    with pytest.raises(ServiceError):
        services.family_member_add(actor=township, migrant=person, relation="child", name="无")
    record = services.service_record(
        actor=township,
        migrant=person,
        kind=kind("family_planning"),
        served_on=timezone.localdate(),
        provider="村计生专干",
        notes="发放宣传资料",
    )
    assert record.recorded_in.code == LIUJIAXIA
    retired = kind("other")
    retired.active = False
    retired.save()
    with pytest.raises(ServiceError) as refused:
        services.service_record(
            actor=township,
            migrant=person,
            kind=retired,
            served_on=timezone.localdate(),
            provider="x",
        )
    assert refused.value.field == "kind"
    need = services.need_raise(actor=township, migrant=person, description="子女入学")
    with pytest.raises(ServiceError):
        services.need_update(actor=township, need=need, status="resolved")
    need = services.need_update(actor=township, need=need, status="resolved", result="已联系学校")
    assert need.closed_on == timezone.localdate()
    services.family_member_remove(actor=township, member=member)
    assert not person.family.exists()
    assert AuditEvent.objects.filter(object_type="migrants.familymember", action="delete").exists()


def test_profile_credit_code_check_character_and_full_width(township):
    firm = enterprise(township, LIUJIAXIA)
    code = credit_code(4321)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    with pytest.raises(ServiceError) as refused:
        profile(township, firm, credit_code=wrong)
    assert refused.value.field == "credit_code"
    assert f"应为“{code[17]}”" in refused.value.message
    saved = profile(township, firm, credit_code=fullwidth(code.lower()))
    assert saved.credit_code == code
    other = enterprise(township, LIUJIAXIA)
    with pytest.raises(ServiceError) as refused:
        profile(township, other, credit_code=code)
    assert refused.value.code == "duplicate"


def test_profile_rules_and_evaluations(township, township2):
    firm = enterprise(township, LIUJIAXIA)
    with pytest.raises(ServiceError) as refused:
        profile(township, firm, employees=10, childbearing_employees=11)
    assert refused.value.field == "childbearing_employees"
    with pytest.raises(ServiceError):
        profile(township, Association.objects.get(code=DAZHUANG))  # a village has no profile
    with pytest.raises(NotAllowed):
        profile(township2, firm)
    saved = profile(township, firm, demonstration=False)
    with pytest.raises(ServiceError):
        services.evaluation_record(
            actor=township, profile=saved, year=2024, level="county", result="passed"
        )
    saved = services.profile_update(actor=township, profile=saved, version=1, demonstration=True)
    services.evaluation_record(
        actor=township, profile=saved, year=2024, level="county", result="passed"
    )
    with pytest.raises(ServiceError) as refused:
        services.evaluation_record(
            actor=township, profile=saved, year=2024, level="county", result="excellent"
        )
    assert refused.value.code == "duplicate"
    with pytest.raises(NotAllowed):
        services.evaluation_record(
            actor=township2, profile=saved, year=2023, level="county", result="passed"
        )


def test_counts_roll_up_by_child_and_stay_in_scope(township, township2, county):
    firm = enterprise(township, LIUJIAXIA)
    migrant(township, DAZHUANG)
    migrant(township, DAZHUANG, "outflow")
    migrant(township, firm.code)
    migrant(township, LIUJIAXIA)  # the township itself: 本级
    gone = migrant(township, DAZHUANG)
    services.migrant_change_status(
        actor=township, migrant=gone, status="left", on=timezone.localdate()
    )
    migrant(township2, SHANGQUAN)
    counts = selectors.migrant_counts(user=township)
    assert (counts.total.inflow, counts.total.outflow) == (3, 1)
    rows = {row.code: row for row in counts.rows}
    assert rows[LIUJIAXIA].own and rows[LIUJIAXIA].inflow == 1
    assert (rows[DAZHUANG].inflow, rows[DAZHUANG].outflow) == (1, 1)
    assert rows[firm.code].inflow == 1
    assert SHANGQUAN not in rows
    # the county sees both townships rolled up; the township cannot ask about the other one
    county_rows = {row.code: row for row in selectors.migrant_counts(user=county).rows}
    assert county_rows[LIUJIAXIA].total == 4 and county_rows["622923101"].total == 1
    foreign_root = Association.objects.get(code="622923101")
    assert selectors.migrant_counts(user=township, root=foreign_root).total.total == 0


def test_counts_take_a_bounded_number_of_queries(township, django_assert_max_num_queries):
    for _ in range(3):
        migrant(township, DAZHUANG)
    with django_assert_max_num_queries(3):
        selectors.migrant_counts(user=township)
    for _ in range(5):
        migrant(township, DAZHUANG)
    with django_assert_max_num_queries(3):
        selectors.migrant_counts(user=township)


def test_departure_passed_is_the_to_do(township, township2):
    today = timezone.localdate()
    migrant(township, DAZHUANG, expected_departure=today - datetime.timedelta(days=1))
    migrant(township, DAZHUANG, expected_departure=today + datetime.timedelta(days=30))
    migrant(township2, SHANGQUAN, expected_departure=today - datetime.timedelta(days=1))
    assert selectors.departure_passed(user=township).count() == 1
    from fpa.migrants.todos import KINDS

    assert KINDS[0].count(township) == 1


def test_places_index_reads_counties_only(settings):
    from fpa.migrants import places

    index = places.county_index()
    assert "622923" in index and "62" in index
    assert all(len(code) <= 6 for code in index)
    assert places.place("622923100201").name.endswith("永靖县")
    assert places.name_of(LANZHOU).endswith("城关区")
