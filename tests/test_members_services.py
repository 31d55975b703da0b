"""Member services: application, council approval, card numbers, counters, transfers, groups,
re-registration and status changes; refused cases for scope, role and bad input."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from fpa.members import selectors, services, tallies
from fpa.members.models import Member, MemberTally, StatusChange, Transfer
from fpa.organizations.models import Association
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, YANGUOXIA
from tests.members_helpers import apply, member, new_id_number

pytestmark = pytest.mark.django_db


def assoc(code: str) -> Association:
    return Association.objects.get(code=code)


def test_application_then_approval_issues_a_card_number_and_counts(township, village):
    # given an application in 大庄村, recorded by the village officer
    applied = apply(village, DAZHUANG, sex="M")
    assert applied.status == Member.Status.PENDING
    assert applied.card_number is None and applied.sex == "M"
    assert selectors.counts(user=township, association=assoc(LIUJIAXIA)).figures["total"] == 0
    # when the township (the village's parent) records the council's approval
    approved = services.member_approve(actor=township, member=applied)
    # then the member is active with the first card number of the village, and counted
    assert approved.status == Member.Status.ACTIVE
    assert approved.card_number == f"{DAZHUANG}-00001"
    figures = selectors.counts(user=township, association=assoc(LIUJIAXIA)).figures
    assert (figures["total"], figures["male"], figures["individual"]) == (1, 1, 1)
    assert StatusChange.objects.filter(member=approved, to_status="active").count() == 1
    assert AuditEvent.objects.filter(object_type="members.member", object_id=str(applied.pk))


def test_card_numbers_are_sequential_per_association(township, village):
    numbers = [member(village, DAZHUANG).card_number for _ in range(3)]
    other = member(township, LIUJIAXIA).card_number
    assert numbers == [f"{DAZHUANG}-0000{i}" for i in (1, 2, 3)]
    assert other == f"{LIUJIAXIA}-00001"


def test_a_rejected_approval_does_not_consume_a_number(village):
    first = apply(village, DAZHUANG)
    services.member_reject(actor=village, member=first, reason="不符合章程")
    second = member(village, DAZHUANG)
    assert second.card_number == f"{DAZHUANG}-00001"
    first.refresh_from_db()
    assert first.status == Member.Status.REJECTED and first.rejection_reason == "不符合章程"


def test_rejection_needs_a_reason(village):
    applied = apply(village, DAZHUANG)
    with pytest.raises(ServiceError, match="原因"):
        services.member_reject(actor=village, member=applied, reason=" ")
    applied.refresh_from_db()
    assert applied.status == Member.Status.PENDING


def test_only_the_association_or_its_parent_decides(county, township2, village):
    applied = apply(village, DAZHUANG)
    for outsider in (county, township2):  # the grandparent, and another township
        with pytest.raises(NotAllowed):
            services.member_approve(actor=outsider, member=applied)
    applied.refresh_from_db()
    assert applied.status == Member.Status.PENDING and applied.card_number is None


def test_another_role_cannot_apply_or_approve(volunteer, finance, village):
    with pytest.raises(NotAllowed):
        apply(volunteer, DAZHUANG)
    applied = apply(village, DAZHUANG)
    with pytest.raises(NotAllowed):
        services.member_approve(actor=finance, member=applied)


def test_another_township_cannot_apply_here(township2):
    with pytest.raises(NotAllowed):
        apply(township2, DAZHUANG)
    assert not Member.objects.exists()


def test_duplicate_id_number_is_refused_and_names_only_what_the_actor_may_see(
    township, township2, village
):
    number = new_id_number()
    member(village, DAZHUANG, id_number=number)
    with pytest.raises(ServiceError, match="大庄村") as local:
        apply(township, LIUJIAXIA, id_number=number)
    assert local.value.code == "duplicate"
    with pytest.raises(ServiceError) as foreign:
        apply(township2, SHANGQUAN, id_number=number)
    assert "大庄" not in foreign.value.message and "其他地区" in foreign.value.message


@pytest.mark.parametrize(
    "bad",
    ["11010519491231002Y", "\uff11\uff12\uff13", "", "NaN", "1e6", "6" * 500, "110105194913310024"],
)
def test_bad_id_numbers_are_refused_with_a_message(village, bad):
    with pytest.raises(ServiceError) as error:
        apply(village, DAZHUANG, id_number=bad)
    assert str(error.value)
    assert not Member.objects.exists()


def test_full_width_id_number_is_accepted(village):
    number = new_id_number()
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)
    created = apply(village, DAZHUANG, id_number=wide)
    assert created.id_number.reveal_unchecked() == number


def test_group_member_needs_a_contact_not_an_id(village):
    with pytest.raises(ServiceError, match="联系人"):
        apply(village, DAZHUANG, kind="group", name="某合作社", id_number=None)
    group = apply(
        village, DAZHUANG, kind="group", name="某合作社", id_number=None, contact_name="王"
    )
    approved = services.member_approve(actor=village, member=group)
    assert approved.sex == "" and approved.card_number.endswith("-00001")
    assert selectors.counts(user=village, association=assoc(DAZHUANG)).figures["group"] == 1


def test_future_application_date_is_refused(village):
    with pytest.raises(ServiceError, match="晚于今天"):
        apply(village, DAZHUANG, applied_on=timezone.localdate() + datetime.timedelta(days=2))


def test_member_group_with_leader(village, township2):
    group = services.group_create(actor=village, association=assoc(DAZHUANG), name="第一小组")
    one = member(village, DAZHUANG)
    services.group_assign(actor=village, member=one, group=group)
    one.refresh_from_db()
    services.group_set_leader(actor=village, group=group, leader=one)
    assert group.leader == one
    assert selectors.group_list(user=village)[0].size == 1
    with pytest.raises(ServiceError, match="同名"):
        services.group_create(actor=village, association=assoc(DAZHUANG), name="第一小组")
    with pytest.raises(NotAllowed):
        services.group_create(actor=township2, association=assoc(DAZHUANG), name="外镇小组")
    stranger = member(township2, SHANGQUAN)
    with pytest.raises(NotAllowed):
        services.group_assign(actor=township2, member=one, group=None)
    with pytest.raises(ServiceError):
        services.group_set_leader(actor=village, group=group, leader=stranger)


def test_transfer_to_another_township_accepted(township, township2, village):
    # given an active member of 大庄村 (刘家峡镇) moving to 上泉村 (盐锅峡镇)
    moving = member(village, DAZHUANG, kind="migrant")
    request = services.transfer_request(
        actor=township, member=moving, to_association=assoc(SHANGQUAN), reason="外出务工迁居"
    )
    # the receiving township sees the request, not the member
    assert Transfer.objects.visible_to(township2).filter(pk=request.pk).exists()
    assert not Member.objects.visible_to(township2).filter(pk=moving.pk).exists()
    assert selectors.counts(user=township2, association=assoc(YANGUOXIA)).figures["total"] == 0
    # when the receiving township accepts
    new = services.transfer_accept(actor=township2, transfer=request)
    # then a new membership exists there with its own card, the old one is closed, both counted
    moving.refresh_from_db()
    request.refresh_from_db()
    assert moving.status == Member.Status.TRANSFERRED
    assert new.association.code == SHANGQUAN and new.status == Member.Status.ACTIVE
    assert new.card_number == f"{SHANGQUAN}-00001" and new.transferred_from == moving
    assert new.id_number == moving.id_number and new.kind == "migrant"
    assert request.status == Transfer.Status.ACCEPTED and request.new_member == new
    assert selectors.counts(user=township2, association=assoc(YANGUOXIA)).figures["migrant"] == 1
    assert selectors.counts(user=township, association=assoc(LIUJIAXIA)).figures["total"] == 0
    assert Member.objects.visible_to(township2).filter(pk=new.pk).exists()
    assert not Member.objects.visible_to(township).filter(pk=new.pk).exists()
    assert not tallies.differences()


def test_only_the_receiving_side_decides_and_only_once(township, township2, village):
    moving = member(village, DAZHUANG)
    request = services.transfer_request(
        actor=village, member=moving, to_association=assoc(SHANGQUAN), reason="迁居"
    )
    with pytest.raises(NotAllowed):
        services.transfer_accept(actor=township, transfer=request)  # the sender
    with pytest.raises(ServiceError, match="原因"):
        services.transfer_refuse(actor=township2, transfer=request, reason="")
    services.transfer_refuse(actor=township2, transfer=request, reason="查无此人")
    with pytest.raises(ServiceError, match="已处理"):
        services.transfer_accept(actor=township2, transfer=request)
    moving.refresh_from_db()
    assert moving.status == Member.Status.ACTIVE


def test_transfer_request_rules(township, village):
    moving = member(village, DAZHUANG)
    with pytest.raises(ServiceError, match="现在所属"):
        services.transfer_request(
            actor=village, member=moving, to_association=assoc(DAZHUANG), reason="迁居"
        )
    with pytest.raises(ServiceError, match="计生协"):
        services.transfer_request(
            actor=village, member=moving, to_association=assoc("62"), reason="迁居"
        )
    services.transfer_request(
        actor=village, member=moving, to_association=assoc(SHANGQUAN), reason="迁居"
    )
    with pytest.raises(ServiceError, match="已有待接收"):
        services.transfer_request(
            actor=village, member=moving, to_association=assoc(LIUJIAXIA), reason="迁居"
        )
    with pytest.raises(ServiceError, match="转会申请"):
        services.member_change_status(
            actor=village,
            member=moving,
            status="withdrawn",
            effective_date=timezone.localdate(),
            reason="本人申请",
        )


def test_status_changes_keep_counts_and_history(village, township):
    one = member(village, DAZHUANG, sex="F")
    services.member_change_status(
        actor=village,
        member=one,
        status="deceased",
        effective_date=timezone.localdate(),
        reason="病故",
    )
    assert selectors.counts(user=township, association=assoc(LIUJIAXIA)).figures["total"] == 0
    with pytest.raises(ServiceError):
        services.member_change_status(
            actor=village,
            member=one,
            status="active",
            effective_date=timezone.localdate(),
            reason="误操作",
        )
    two = member(village, DAZHUANG)
    with pytest.raises(ServiceError, match="原因"):
        services.member_change_status(
            actor=village,
            member=two,
            status="withdrawn",
            effective_date=timezone.localdate(),
            reason="",
        )
    with pytest.raises(ServiceError, match="状态不正确"):
        services.member_change_status(
            actor=village,
            member=two,
            status="transferred",
            effective_date=timezone.localdate(),
            reason="绕过转会",
        )
    assert selectors.counts(user=township, association=assoc(LIUJIAXIA)).figures["total"] == 1
    change = StatusChange.objects.get(member=one, to_status="deceased")
    assert change.reason == "病故" and change.recorded_by == village


def test_edit_that_changes_type_moves_the_counter(village, township):
    one = member(village, DAZHUANG)
    services.member_update(actor=village, member=one, kind="migrant", expected_version=one.version)
    figures = selectors.counts(user=township, association=assoc(LIUJIAXIA)).figures
    assert (figures["individual"], figures["migrant"], figures["total"]) == (0, 1, 1)
    with pytest.raises(ServiceError, match="已被他人修改"):
        services.member_update(actor=village, member=one, name="旧版本", expected_version=1)


def test_counters_match_the_member_table_after_many_changes(county, township, township2, village):
    people = [member(village, DAZHUANG, sex="M" if i % 2 else "F") for i in range(6)]
    people.append(member(township2, SHANGQUAN, kind="resident"))
    apply(village, DAZHUANG)  # pending: not counted
    services.member_update(actor=village, member=people[0], kind="migrant")
    services.member_change_status(
        actor=village,
        member=people[1],
        status="lapsed",
        effective_date=timezone.localdate(),
        reason="未重新登记",
    )
    services.member_change_status(
        actor=village,
        member=people[1],
        status="active",
        effective_date=timezone.localdate(),
        reason="补办重新登记",
    )
    services.member_change_status(
        actor=village,
        member=people[2],
        status="withdrawn",
        effective_date=timezone.localdate(),
        reason="本人申请",
    )
    request = services.transfer_request(
        actor=village, member=people[3], to_association=assoc(SHANGQUAN), reason="迁居"
    )
    services.transfer_accept(actor=township2, transfer=request)
    assert not tallies.differences()
    county_figures = selectors.counts(user=county, association=assoc("622923")).figures
    assert county_figures["total"] == Member.objects.filter(status="active").count() == 6
    by_child = {
        row.association.code: row.figures["total"]
        for row in selectors.counts_by_child(user=county, association=assoc("622923"))
    }
    assert by_child[LIUJIAXIA] == 4 and by_child[YANGUOXIA] == 2
    # a broken counter is found and rebuilt
    MemberTally.objects.filter(association__code=DAZHUANG).update(count=99)
    assert tallies.differences()
    tallies.recount()
    assert not tallies.differences()


def test_counts_are_scoped(township, township2, village):
    member(village, DAZHUANG)
    assert selectors.counts(user=township2, association=assoc(LIUJIAXIA)).figures["total"] == 0
    assert selectors.counts(user=township, association=assoc(LIUJIAXIA)).figures["total"] == 1


def test_counts_include_the_active_volunteers_of_the_subtree(township, township2):
    from tests.volunteers_helpers import active, apply

    active(township, DAZHUANG)
    active(township, LIUJIAXIA)
    apply(DAZHUANG)  # applied, not yet vetted: not counted
    active(township2, SHANGQUAN)
    assert selectors.counts(user=township, association=assoc(LIUJIAXIA)).volunteers == 2
    assert selectors.counts(user=township, association=assoc(DAZHUANG)).volunteers == 1
    assert selectors.counts(user=township2, association=assoc(YANGUOXIA)).volunteers == 1
    assert selectors.counts(user=township2, association=assoc(LIUJIAXIA)).volunteers == 0


def test_reregistration_confirms_and_lapses(township, village):
    stays, goes = member(village, DAZHUANG), member(village, DAZHUANG)
    start = timezone.localdate()
    campaign = services.reregistration_start(
        actor=township,
        association=assoc(LIUJIAXIA),
        name="2026年重新登记",
        start_date=start,
        end_date=start + datetime.timedelta(days=30),
    )
    services.reregistration_confirm(actor=village, campaign=campaign, member=stays)
    with pytest.raises(ServiceError, match="已确认"):
        services.reregistration_confirm(actor=village, campaign=campaign, member=stays)
    progress = selectors.campaign_progress(user=township, campaign=campaign)
    dazhuang = next(r for r in progress if r["association"].code == DAZHUANG)
    assert (dazhuang["active"], dazhuang["confirmed"], dazhuang["share"]) == (2, 1, 50.0)
    with pytest.raises(ServiceError, match="截止日期之后"):
        services.reregistration_close(actor=township, campaign=campaign)
    with time_machine.travel(start + datetime.timedelta(days=31)):
        lapsed = services.reregistration_close(actor=township, campaign=campaign)
    assert lapsed == 1
    stays.refresh_from_db()
    goes.refresh_from_db()
    assert (stays.status, goes.status) == ("active", "lapsed")
    assert (
        StatusChange.objects.get(member=goes, to_status="lapsed").reason == "未参加2026年重新登记"
    )
    assert not tallies.differences()


def test_reregistration_refuses_bad_dates_and_foreign_members(township, township2):
    start = timezone.localdate()
    with pytest.raises(ServiceError, match="早于"):
        services.reregistration_start(
            actor=township,
            association=assoc(LIUJIAXIA),
            name="x",
            start_date=start,
            end_date=start - datetime.timedelta(days=1),
        )
    campaign = services.reregistration_start(
        actor=township,
        association=assoc(LIUJIAXIA),
        name="x",
        start_date=start,
        end_date=start + datetime.timedelta(days=3),
    )
    stranger = member(township2, SHANGQUAN)
    with pytest.raises(ServiceError, match="范围"):
        services.reregistration_confirm(actor=township2, campaign=campaign, member=stranger)
    with pytest.raises(NotAllowed):
        services.reregistration_close(actor=township2, campaign=campaign)


def test_check_member_tallies_command(village):
    from django.core.management import CommandError, call_command

    member(village, DAZHUANG)
    call_command("check_member_tallies")
    MemberTally.objects.update(count=5)
    with pytest.raises(CommandError, match="disagree"):
        call_command("check_member_tallies")
    call_command("check_member_tallies", "--fix")
    assert not tallies.differences()
