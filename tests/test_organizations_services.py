"""The association network's write services, called directly: rules, history, scope and roles."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from fpa.core.errors import Conflict, NotAllowed, ServiceError
from fpa.core.idnumbers import synthesize
from fpa.core.models import AuditEvent
from fpa.organizations import selectors, services
from fpa.organizations.models import (
    Association,
    AssociationChange,
    BodySeat,
    Filing,
    StaffMember,
    Training,
)
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, YANGUOXIA, make_user, staff_in

TODAY = datetime.date(2024, 3, 1)
HONGLIU = "622923100202"


def assoc(code: str) -> Association:
    return Association.objects.get(code=code)


# --- non-territorial associations --------------------------------------------------------------


def test_township_staff_sets_up_a_migrant_association(township):
    created = services.association_create(
        actor=township,
        parent=assoc(LIUJIAXIA),
        kind=Association.Kind.MIGRANT,
        name="刘家峡镇流动人口计生协",
        address=" 滨河路1号 ",
        valid_from=TODAY,
    )
    assert created.code == f"{LIUJIAXIA}-M001"
    assert created.path == f"{assoc(LIUJIAXIA).path}{created.code}/"
    assert created.depth == assoc(LIUJIAXIA).depth + 1
    assert created.address == "滨河路1号"
    assert created.name_initials == "ljxzldrkjsx"
    assert created.changes.get().kind == AssociationChange.Kind.CREATE
    assert AuditEvent.objects.filter(object_id=str(created.pk), action="create").exists()
    second = services.association_create(
        actor=township, parent=assoc(LIUJIAXIA), kind=Association.Kind.MIGRANT, name="第二个"
    )
    assert second.code == f"{LIUJIAXIA}-M002"
    assert second.valid_from == timezone.localdate()


@pytest.mark.parametrize(
    ("kind", "parent_code", "message"),
    [
        (Association.Kind.MEMBER_GROUP, LIUJIAXIA, "会员小组不能设在乡镇（街道）计生协之下。"),
        (Association.Kind.PARK, DAZHUANG, "园区计生协不能设在村（社区）计生协之下。"),
        (Association.Kind.CHAMBER, DAZHUANG, "商会计生协不能设在村（社区）计生协之下。"),
        (Association.Kind.VILLAGE, LIUJIAXIA, "行政区划协会由区划文件导入"),
    ],
)
def test_kinds_hang_only_where_allowed(county, kind, parent_code, message):
    before = Association.objects.count()
    with pytest.raises(ServiceError) as caught:
        services.association_create(
            actor=county, parent=assoc(parent_code), kind=kind, name="不该设立的协会"
        )
    assert message in caught.value.message
    assert Association.objects.count() == before


def test_member_group_hangs_under_village_and_park_under_county(county):
    group = services.association_create(
        actor=county, parent=assoc(DAZHUANG), kind=Association.Kind.MEMBER_GROUP, name="一组"
    )
    assert group.code == f"{DAZHUANG}-G001"
    park = services.association_create(
        actor=county, parent=assoc("622923"), kind=Association.Kind.PARK, name="永靖工业园区计生协"
    )
    assert park.code == "622923-P001"
    assert park.parent.code == "622923"
    group_in_park = services.association_create(
        actor=county, parent=park, kind=Association.Kind.MEMBER_GROUP, name="园区一组"
    )
    assert group_in_park.path.startswith(park.path)


def test_create_refuses_blank_name_and_closed_parent(county):
    with pytest.raises(ServiceError, match="请填写协会名称"):
        services.association_create(
            actor=county, parent=assoc(LIUJIAXIA), kind=Association.Kind.MIGRANT, name="  "
        )
    services.association_close(actor=county, association=assoc(HONGLIU), effective_date=TODAY)
    with pytest.raises(ServiceError, match="不能设在"):
        services.association_create(
            actor=county, parent=assoc(HONGLIU), kind=Association.Kind.MEMBER_GROUP, name="一组"
        )


def test_create_is_refused_outside_scope_and_without_the_role(
    township2, village, finance, auditor, volunteer
):
    for actor in (township2, village, finance, auditor, volunteer, AnonymousUser()):
        with pytest.raises(NotAllowed):
            services.association_create(
                actor=actor, parent=assoc(LIUJIAXIA), kind=Association.Kind.MIGRANT, name="越权"
            )
    assert not Association.objects.filter(name="越权").exists()


def test_inactive_account_is_refused(township, sysadmin):
    from fpa.accounts.services import user_update

    user_update(actor=sysadmin, user=township, full_name="", phone=None, is_active=False)
    with pytest.raises(NotAllowed):
        services.association_create(
            actor=township, parent=assoc(LIUJIAXIA), kind=Association.Kind.MIGRANT, name="停用者"
        )


# --- rename, close, merge ----------------------------------------------------------------------


def test_rename_keeps_history_and_bumps_version(township):
    village = assoc(DAZHUANG)
    renamed = services.association_rename(
        actor=township,
        association=village,
        name="大庄社区计生协",
        effective_date=TODAY,
        note="永政发2024年1号",
        expected_version=1,
    )
    assert renamed.name == "大庄社区计生协"
    fresh = assoc(DAZHUANG)
    assert fresh.name == "大庄社区计生协"
    assert fresh.division_name == "大庄社区"
    assert fresh.version == 2
    assert fresh.name_pinyin.startswith("dazhuangshequ")
    change = fresh.changes.get(kind=AssociationChange.Kind.RENAME)
    assert change.before["name"] == "大庄村委会计生协"
    assert change.after["name"] == "大庄社区计生协"
    assert change.note == "永政发2024年1号"
    assert change.recorded_by == township


def test_rename_with_stale_version_changes_nothing(township, village):
    services.association_rename(
        actor=township,
        association=assoc(DAZHUANG),
        name="新名一",
        effective_date=TODAY,
        expected_version=1,
    )
    with pytest.raises(Conflict, match="已被他人修改"):
        services.association_rename(
            actor=township,
            association=assoc(DAZHUANG),
            name="新名二",
            effective_date=TODAY,
            expected_version=1,
        )
    fresh = assoc(DAZHUANG)
    assert fresh.name == "新名一"
    assert fresh.version == 2
    assert fresh.changes.filter(kind=AssociationChange.Kind.RENAME).count() == 1


def test_rename_refusals(township, township2, village):
    with pytest.raises(ServiceError, match="相同"):
        services.association_rename(
            actor=township,
            association=assoc(DAZHUANG),
            name="大庄村委会计生协",
            effective_date=TODAY,
        )
    with pytest.raises(ServiceError, match="不能为空"):
        services.association_rename(
            actor=township, association=assoc(DAZHUANG), name=" ", effective_date=TODAY
        )
    for actor in (township2, village, AnonymousUser()):
        with pytest.raises(NotAllowed):
            services.association_rename(
                actor=actor, association=assoc(DAZHUANG), name="越权名", effective_date=TODAY
            )
    assert assoc(DAZHUANG).version == 1


def test_non_territorial_rename_keeps_empty_division_name(township):
    migrant = services.association_create(
        actor=township, parent=assoc(LIUJIAXIA), kind=Association.Kind.MIGRANT, name="旧名计生协"
    )
    services.association_rename(
        actor=township, association=migrant, name="新名计生协", effective_date=TODAY
    )
    assert assoc(migrant.code).division_name == ""


def test_close_and_merge(township):
    a = services.association_create(
        actor=township, parent=assoc(LIUJIAXIA), kind=Association.Kind.MIGRANT, name="甲"
    )
    b = services.association_create(
        actor=township, parent=assoc(LIUJIAXIA), kind=Association.Kind.MIGRANT, name="乙"
    )
    services.association_close(
        actor=township, association=a, effective_date=TODAY, merged_into=b, note="合并"
    )
    a.refresh_from_db()
    assert a.valid_to == TODAY
    assert a.successor == b
    change = a.changes.get(kind=AssociationChange.Kind.MERGE)
    assert change.related_codes == [b.code]
    with pytest.raises(ServiceError, match="已停用"):
        services.association_close(actor=township, association=a, effective_date=TODAY)
    services.association_close(actor=township, association=assoc(HONGLIU), effective_date=TODAY)
    assert assoc(HONGLIU).changes.filter(kind=AssociationChange.Kind.CLOSE).exists()
    assert Association.objects.filter(code=HONGLIU).exists()  # kept, not deleted


def test_close_refusals(township, township2, county):
    with pytest.raises(ServiceError, match="在用的下级协会"):
        services.association_close(actor=county, association=assoc(LIUJIAXIA), effective_date=TODAY)
    with pytest.raises(ServiceError, match="不能并入自身或其下级"):
        services.association_close(
            actor=county,
            association=assoc(DAZHUANG),
            effective_date=TODAY,
            merged_into=assoc(DAZHUANG),
        )
    with pytest.raises(NotAllowed):  # merging into another township's village
        services.association_close(
            actor=township,
            association=assoc(DAZHUANG),
            effective_date=TODAY,
            merged_into=assoc(SHANGQUAN),
        )
    with pytest.raises(NotAllowed):
        services.association_close(
            actor=township2, association=assoc(DAZHUANG), effective_date=TODAY
        )
    assert assoc(DAZHUANG).valid_to is None


# --- staff -------------------------------------------------------------------------------------


def test_staff_identity_derived_from_id_number(village):
    number = synthesize("622923", datetime.date(1985, 7, 9), 124)  # even sequence: female
    staff = services.staff_create(
        actor=village,
        association=assoc(DAZHUANG),
        name=" 李梅 ",
        post=StaffMember.Post.FULL_TIME_OFFICER,
        employment=StaffMember.Employment.FULL_TIME,
        term_start=TODAY,
        id_number=number.lower(),
        phone="139 0000 1234",
    )
    staff = StaffMember.objects.get(pk=staff.pk)
    assert staff.name == "李梅"
    assert staff.birth_date == datetime.date(1985, 7, 9)
    assert staff.sex == "F"
    assert staff.id_number.reveal_unchecked() == number
    assert staff.phone.reveal_unchecked() == "13900001234"
    assert number not in str(staff.id_number)
    assert staff.name_initials == "lm"


@pytest.mark.parametrize(
    ("id_number", "message"),
    [
        ("622923198001010010", "校验位不正确"),
        ("622923800101001", "15位旧身份证号码"),
        ("62292319800101001", "应为18位"),
    ],
)
def test_staff_with_bad_id_number_is_refused(village, id_number, message):
    with pytest.raises(ServiceError) as caught:
        staff_in(village, DAZHUANG, id_number=id_number)
    assert message in caught.value.message
    assert caught.value.field == "id_number"
    assert not StaffMember.objects.exists()


def test_staff_rules(county, village):
    with pytest.raises(ServiceError, match="不能早于开始日期"):
        staff_in(village, DAZHUANG, term_end=datetime.date(2022, 1, 1))
    first = staff_in(village, DAZHUANG)
    with pytest.raises(ServiceError, match="已在本协会担任该职务"):
        staff_in(village, DAZHUANG, id_number=first.id_number.reveal_unchecked())
    # The same person may hold another post.
    staff_in(village, DAZHUANG, id_number=first.id_number.reveal_unchecked(), post="liaison")
    services.association_close(actor=county, association=assoc(HONGLIU), effective_date=TODAY)
    with pytest.raises(ServiceError, match="已停用"):
        staff_in(county, HONGLIU)


def test_staff_create_refused_outside_scope_and_role(township2, finance, auditor, volunteer):
    for actor in (township2, finance, auditor, volunteer, AnonymousUser()):
        with pytest.raises(NotAllowed):
            staff_in(actor, DAZHUANG)
    assert not StaffMember.objects.exists()


def test_staff_update_with_stale_version_is_refused(township, village):
    staff = staff_in(village, DAZHUANG, name="王五")
    services.staff_update(actor=township, staff=staff, expected_version=1, name="王五一")
    stale = StaffMember.objects.get(pk=staff.pk)
    with pytest.raises(Conflict, match="已被他人修改"):
        services.staff_update(actor=village, staff=stale, expected_version=1, name="王五二")
    fresh = StaffMember.objects.get(pk=staff.pk)
    assert fresh.name == "王五一"
    assert fresh.version == 2


def test_staff_update_refused_for_sibling_township(township2, village):
    staff = staff_in(village, DAZHUANG, name="赵六")
    with pytest.raises(NotAllowed):
        services.staff_update(actor=township2, staff=staff, name="改名")
    assert StaffMember.objects.get(pk=staff.pk).name == "赵六"


def test_end_term(village):
    staff = staff_in(village, DAZHUANG, presides_daily_work=True)
    with pytest.raises(ServiceError, match="不能早于任期开始"):
        services.staff_end_term(actor=village, staff=staff, left_on=datetime.date(2022, 1, 1))
    services.staff_end_term(actor=village, staff=staff, left_on=TODAY, reason="调动")
    staff.refresh_from_db()
    assert staff.left_on == TODAY
    assert not staff.presides_daily_work
    assert staff.version == 2
    with pytest.raises(ServiceError, match="已离任"):
        services.staff_end_term(actor=village, staff=staff, left_on=TODAY)


@pytest.mark.parametrize("hours", ["0", "-1", "2000.1", "5000"])
def test_training_hours_out_of_range(village, hours):
    staff = staff_in(village, DAZHUANG)
    with pytest.raises(ServiceError) as caught:
        services.training_record(
            actor=village, staff=staff, course="业务培训", start_date=TODAY, hours=Decimal(hours)
        )
    assert caught.value.field == "hours"
    assert not Training.objects.exists()


def test_training_is_recorded_and_refused_in_future_or_out_of_scope(village, township2):
    staff = staff_in(village, DAZHUANG)
    training = services.training_record(
        actor=village, staff=staff, course=" 业务培训 ", start_date=TODAY, hours=Decimal("2000")
    )
    assert training.course == "业务培训"
    with pytest.raises(ServiceError, match="不能晚于今天"):
        services.training_record(
            actor=village,
            staff=staff,
            course="未来",
            start_date=timezone.localdate() + datetime.timedelta(days=1),
            hours=Decimal(1),
        )
    with pytest.raises(NotAllowed):
        services.training_record(
            actor=township2, staff=staff, course="越权", start_date=TODAY, hours=Decimal(1)
        )
    assert Training.objects.count() == 1


# --- filings -----------------------------------------------------------------------------------


def test_filing_accept_by_parent_supersedes_the_old_one(county, township, village):
    person = staff_in(village, DAZHUANG, presides_daily_work=True)
    first = services.filing_submit(actor=county, association=assoc(DAZHUANG), person=person)
    services.filing_accept(actor=township, filing=first)
    first.refresh_from_db()
    assert first.status == Filing.Status.ACCEPTED
    assert first.reviewed_by == township
    successor = staff_in(village, DAZHUANG, post="president")
    second = services.filing_submit(actor=village, association=assoc(DAZHUANG), person=successor)
    services.filing_accept(actor=township, filing=second)
    first.refresh_from_db()
    assert first.status == Filing.Status.SUPERSEDED
    assert Filing.objects.filter(status=Filing.Status.ACCEPTED).get() == second


def test_filing_review_rules(county, township, township2, village):
    person = staff_in(village, DAZHUANG)
    filing = services.filing_submit(actor=township, association=assoc(DAZHUANG), person=person)
    with pytest.raises(ServiceError, match="已有待审核的备案"):
        services.filing_submit(actor=village, association=assoc(DAZHUANG), person=person)
    with pytest.raises(NotAllowed, match="不能审核自己报送的备案"):
        services.filing_accept(actor=township, filing=filing)
    with pytest.raises(NotAllowed, match="只有上一级协会"):
        services.filing_accept(actor=county, filing=filing)
    with pytest.raises(NotAllowed):
        services.filing_accept(actor=township2, filing=filing)
    with pytest.raises(NotAllowed):  # village staff may submit but not review
        services.filing_accept(actor=village, filing=filing)
    colleague = services_user("township-b", LIUJIAXIA)
    with pytest.raises(ServiceError, match="须写明原因"):
        services.filing_return(actor=colleague, filing=filing, reason=" 无 "[1:2])
    services.filing_return(actor=colleague, filing=filing, reason="材料不全")
    with pytest.raises(ServiceError, match="不能重复审核") as caught:
        services.filing_accept(actor=colleague, filing=filing)
    assert caught.value.code == "conflict"
    filing.refresh_from_db()
    assert filing.status == Filing.Status.RETURNED
    assert filing.return_reason == "材料不全"


def services_user(username: str, code: str):
    return make_user(username, code, "township_staff")


def test_filing_submit_rules(county, village, township2):
    province = make_user("province", "62", "county_admin")
    with pytest.raises(ServiceError, match="没有上级协会"):
        services.filing_submit(
            actor=province, association=assoc("62"), person=staff_in(province, "62")
        )
    other = staff_in(county, HONGLIU)
    with pytest.raises(ServiceError, match="本协会在任的工作人员"):
        services.filing_submit(actor=county, association=assoc(DAZHUANG), person=other)
    gone = staff_in(village, DAZHUANG)
    services.staff_end_term(actor=village, staff=gone, left_on=TODAY)
    with pytest.raises(ServiceError, match="本协会在任的工作人员"):
        services.filing_submit(actor=village, association=assoc(DAZHUANG), person=gone)
    with pytest.raises(NotAllowed):
        services.filing_submit(
            actor=township2, association=assoc(DAZHUANG), person=staff_in(village, DAZHUANG)
        )
    assert not Filing.objects.exists()


def test_township_files_with_the_county(county, township):
    person = staff_in(township, LIUJIAXIA)
    filing = services.filing_submit(actor=township, association=assoc(LIUJIAXIA), person=person)
    services.filing_accept(actor=county, filing=filing)
    assert Filing.objects.get(pk=filing.pk).status == Filing.Status.ACCEPTED


# --- seats and composition ---------------------------------------------------------------------


def test_seats_and_composition(village, township, township2, county):
    for source in ("grassroots_member", "volunteer", "worker", "official"):
        services.seat_add(
            actor=village,
            association=assoc(DAZHUANG),
            body="council",
            name=f"理事{source}",
            source=source,
            term_year=2023,
        )
    own = {c.body: c for c in selectors.composition(user=township, association=assoc(DAZHUANG))}
    assert own["council"].total == 4
    assert own["council"].grassroots == 3
    assert own["council"].grassroots_share == 75.0
    assert own["congress"].grassroots_share is None
    services.seat_add(
        actor=township,
        association=assoc(LIUJIAXIA),
        body="council",
        name="镇理事",
        source="official",
        term_year=2023,
    )
    rolled = selectors.composition(user=township, association=assoc(LIUJIAXIA), subtree=True)
    council = next(c for c in rolled if c.body == "council")
    assert (council.total, council.grassroots_share) == (5, 60.0)
    # The sibling township sees none of it.
    hidden = selectors.composition(user=township2, association=assoc(DAZHUANG))
    assert all(c.total == 0 for c in hidden)


def test_seat_rules(village, township2):
    with pytest.raises(ServiceError, match="届次年份"):
        services.seat_add(
            actor=village,
            association=assoc(DAZHUANG),
            body="council",
            name="甲",
            source="volunteer",
            term_year=1970,
        )
    seat = services.seat_add(
        actor=village,
        association=assoc(DAZHUANG),
        body="congress",
        name="乙",
        source="volunteer",
        term_year=2023,
    )
    with pytest.raises(NotAllowed):
        services.seat_end(actor=township2, seat=seat, ended_on=TODAY)
    services.seat_end(actor=village, seat=seat, ended_on=TODAY)
    with pytest.raises(ServiceError, match="已卸任"):
        services.seat_end(actor=village, seat=seat, ended_on=TODAY)
    with pytest.raises(NotAllowed):
        services.seat_add(
            actor=township2,
            association=assoc(DAZHUANG),
            body="council",
            name="丙",
            source="volunteer",
            term_year=2023,
        )
    assert BodySeat.objects.count() == 1


def test_sibling_township_writes_are_all_refused(township2, county):
    staff = staff_in(county, DAZHUANG)
    village_assoc = assoc(DAZHUANG)
    attempts = [
        lambda: services.association_close(
            actor=township2, association=village_assoc, effective_date=TODAY
        ),
        lambda: services.staff_end_term(actor=township2, staff=staff, left_on=TODAY),
        lambda: services.filing_submit(actor=township2, association=village_assoc, person=staff),
        lambda: services.staff_create(
            actor=township2,
            association=village_assoc,
            name="甲",
            post="officer",
            employment="full_time",
            term_start=TODAY,
        ),
    ]
    for attempt in attempts:
        with pytest.raises(NotAllowed):
            attempt()
    assert assoc(YANGUOXIA).valid_to is None
    assert StaffMember.objects.get(pk=staff.pk).left_on is None
