"""Rights cases (权益维护) through their services: receipt, referral, follow-ups, closure,
satisfaction, reopening; the refusals (out-of-scope family or association, roles without the
capability, closing without a result, satisfaction before closing, editing a closed case); the
audit trail; overdue; the figures; the kinds."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from fpa.core.audit import snapshot
from fpa.core.errors import Conflict, NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from fpa.core.protected import Protected
from fpa.organizations.models import Association
from fpa.rights import selectors, services
from fpa.rights.models import Case, CaseKind, Step
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, YANGUOXIA
from tests.rights_helpers import ago, case, closed, family, kind

pytestmark = pytest.mark.django_db


def test_the_migration_seeds_the_kinds_with_their_time_limits():
    assert [k.name for k in selectors.kinds()] == [
        "政策落实",
        "扶助金发放",
        "医疗",
        "养老",
        "法律援助",
        "邻里纠纷",
        "其他",
    ]
    assert kind("allowance").deadline_days == 10
    assert kind("legal_aid").deadline_days == 30


def test_a_village_receives_a_family_case_with_the_kind_deadline_and_protected_values(village):
    owner = family(village, DAZHUANG, name="刘桂芳")
    made = case(
        village,
        DAZHUANG,
        kind_code="allowance",
        family=owner,
        person_name="",
        received_on=ago(2),
        id_number="11010519491231002X",
    )
    made.refresh_from_db()
    assert made.status == Case.Status.RECEIVED
    assert made.deadline == ago(2) + datetime.timedelta(days=10)
    assert made.received_by == village
    # the family's head is the person when no name is given; every personal value is protected
    assert isinstance(made.person_name, Protected)
    assert made.person_name.reveal_unchecked() == "刘桂芳"
    assert str(made.person_name) != "刘桂芳"
    assert "扶助金" not in str(made.claim)
    assert made.claim.reveal_unchecked().startswith("诉求内容")
    assert made.id_number_hash and made.phone_hash
    event = AuditEvent.objects.get(object_type="rights.case", object_id=str(made.pk))
    assert event.action == AuditEvent.Action.CREATE
    assert "刘桂芳" not in str(event.changes) and "扶助金" not in str(event.changes)
    assert [s.action for s in made.steps.all()] == [Step.Action.RECEIVED]


def test_a_case_of_another_township_family_is_refused(village, township2):
    foreign = family(township2, SHANGQUAN)
    with pytest.raises(NotAllowed):
        case(village, DAZHUANG, family=foreign)
    assert Case.objects.count() == 0


def test_a_case_received_by_another_township_is_refused(township):
    with pytest.raises(NotAllowed):
        case(township, YANGUOXIA)
    assert Case.objects.count() == 0


@pytest.mark.parametrize("persona", ["finance", "auditor", "volunteer"])
def test_roles_without_the_capability_cannot_receive(persona, request, village):
    actor = request.getfixturevalue(persona)
    with pytest.raises(NotAllowed):
        case(actor, DAZHUANG)
    made = case(village, DAZHUANG)
    with pytest.raises(NotAllowed):
        services.case_follow_up(actor=actor, case=made, on=timezone.localdate(), note="越权跟进")
    with pytest.raises(NotAllowed):
        closed(actor, made)
    assert Case.objects.get(pk=made.pk).status == Case.Status.RECEIVED


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"claim": " "}, "claim"),
        ({"person_name": ""}, "person_name"),
        ({"received_on": None}, "received_on"),
        ({"phone": "12345"}, "phone"),
        ({"id_number": "110105194912310021"}, "id_number"),
        ({"kind": None}, "kind"),
    ],
)
def test_bad_input_is_refused_on_its_field(village, overrides, field):
    with pytest.raises(ServiceError) as refused:
        case(village, DAZHUANG, **overrides)
    assert refused.value.field == field
    assert refused.value.message
    assert Case.objects.count() == 0


def test_future_dates_and_far_deadlines_are_refused(village):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ServiceError) as refused:
        case(village, DAZHUANG, received_on=tomorrow)
    assert refused.value.field == "received_on"
    with pytest.raises(ServiceError) as refused:
        case(village, DAZHUANG, deadline=timezone.localdate() + datetime.timedelta(days=400))
    assert refused.value.field == "deadline"
    with pytest.raises(ServiceError) as refused:
        case(village, DAZHUANG, received_on=ago(5), deadline=ago(6))
    assert refused.value.field == "deadline"


def test_a_retired_kind_is_refused_for_new_cases(county, village):
    retired = kind("other")
    services.kind_update(
        actor=county, kind=retired, name="其他", deadline_days=15, sort=70, active=False
    )
    with pytest.raises(ServiceError) as refused:
        case(village, DAZHUANG, kind_code="other")
    assert refused.value.field == "kind"


def test_the_whole_life_of_a_case(village, township):
    made = case(village, DAZHUANG, received_on=ago(10))
    services.case_refer(
        actor=village, case=made, department="镇财政所", referred_on=ago(9), note="请核查"
    )
    made.refresh_from_db()
    assert (made.status, made.department, made.referred_on) == ("referred", "镇财政所", ago(9))
    services.case_follow_up(actor=township, case=made, on=ago(5), note="已核实补发")
    made.refresh_from_db()
    assert made.status == Case.Status.REFERRED  # still with the department
    closed(township, made, on=ago(3))
    made.refresh_from_db()
    assert (made.status, made.closed_on, made.on_time) == ("closed", ago(3), True)
    services.case_rate(actor=village, case=made, satisfaction="fairly")
    made.refresh_from_db()
    assert made.satisfaction == "fairly" and made.rated_on == timezone.localdate()
    steps = list(made.steps.order_by("at", "id").values_list("action", "by__username"))
    assert steps == [
        ("received", "village"),
        ("referred", "village"),
        ("follow_up", "township"),
        ("closed", "township"),
        ("rated", "village"),
    ]
    updates = AuditEvent.objects.filter(
        object_type="rights.case", object_id=str(made.pk), action=AuditEvent.Action.UPDATE
    )
    assert updates.count() == 4
    assert AuditEvent.objects.filter(object_type="rights.step").count() == 1  # the follow-up


def test_a_follow_up_makes_a_received_case_in_progress(village):
    made = case(village, DAZHUANG)
    step = services.case_follow_up(actor=village, case=made, on=timezone.localdate(), note="已联系")
    assert step.by == village and step.by_association.code == DAZHUANG
    made.refresh_from_db()
    assert made.status == Case.Status.IN_PROGRESS


def test_closing_needs_a_result(village):
    made = case(village, DAZHUANG)
    with pytest.raises(ServiceError) as refused:
        services.case_close(actor=village, case=made, result=" ", closed_on=timezone.localdate())
    assert refused.value.field == "result"
    with pytest.raises(ServiceError) as refused:
        services.case_close(actor=village, case=made, result="已办理", closed_on=None)
    assert refused.value.field == "closed_on"
    assert Case.objects.get(pk=made.pk).status == Case.Status.RECEIVED


def test_satisfaction_before_closing_is_refused(village):
    made = case(village, DAZHUANG)
    with pytest.raises(ServiceError) as refused:
        services.case_rate(actor=village, case=made, satisfaction="satisfied")
    assert refused.value.code == "state"
    assert Case.objects.get(pk=made.pk).satisfaction == ""


def test_satisfaction_is_asked_once_per_closure(village):
    made = closed(village, case(village, DAZHUANG))
    services.case_rate(actor=village, case=made, satisfaction="satisfied")
    with pytest.raises(ServiceError):
        services.case_rate(actor=village, case=made, satisfaction="dissatisfied")
    assert Case.objects.get(pk=made.pk).satisfaction == "satisfied"


def test_a_closed_case_cannot_be_edited(village):
    made = closed(village, case(village, DAZHUANG))
    before = snapshot(Case.objects.get(pk=made.pk))
    calls = [
        lambda: services.case_update(actor=village, case=made, deadline=timezone.localdate()),
        lambda: services.case_refer(
            actor=village, case=made, department="司法所", referred_on=timezone.localdate()
        ),
        lambda: services.case_follow_up(
            actor=village, case=made, on=timezone.localdate(), note="再跟进"
        ),
        lambda: closed(village, made),
    ]
    for call in calls:
        with pytest.raises(ServiceError) as refused:
            call()
        assert refused.value.code == "closed"
    assert snapshot(Case.objects.get(pk=made.pk)) == before


def test_only_a_dissatisfied_person_reopens_and_the_earlier_result_stays(village):
    made = closed(village, case(village, DAZHUANG, kind_code="medical", received_on=ago(20)))
    with pytest.raises(ServiceError):
        services.case_reopen(actor=village, case=made, reason="想再办")  # not rated yet
    services.case_rate(actor=village, case=made, satisfaction="dissatisfied", note="不认可")
    with pytest.raises(ServiceError) as refused:
        services.case_reopen(actor=village, case=made, reason="")
    assert refused.value.field == "reason"
    services.case_reopen(actor=village, case=made, reason="当事人不满意，重新协调")
    made.refresh_from_db()
    assert made.status == Case.Status.REOPENED and made.reopened == 1
    assert (made.result, made.closed_on, made.satisfaction) == ("", None, "")
    assert made.deadline == timezone.localdate() + datetime.timedelta(days=10)
    assert made.steps.filter(action="closed", note="已核实并补发").exists()
    # it is open again: followed up and closed again
    services.case_follow_up(actor=village, case=made, on=timezone.localdate(), note="重新协调")
    closed(village, made)
    assert Case.objects.get(pk=made.pk).status == Case.Status.CLOSED


def test_a_satisfied_case_cannot_be_reopened(village):
    made = closed(village, case(village, DAZHUANG))
    services.case_rate(actor=village, case=made, satisfaction="satisfied")
    with pytest.raises(ServiceError):
        services.case_reopen(actor=village, case=made, reason="想重新办")
    assert Case.objects.get(pk=made.pk).status == Case.Status.CLOSED


def test_a_stale_save_is_refused(village):
    made = case(village, DAZHUANG)
    services.case_update(actor=village, case=made, version=1, deadline=timezone.localdate())
    with pytest.raises(Conflict):
        services.case_update(actor=village, case=made, version=1, channel="call")
    assert Case.objects.get(pk=made.pk).channel == Case.Channel.VISIT


def test_an_update_changes_only_what_is_allowed(village):
    made = case(village, DAZHUANG)
    services.case_update(actor=village, case=made, phone="13912345678", channel="call")
    made.refresh_from_db()
    assert made.phone.reveal_unchecked() == "13912345678" and made.channel == "call"
    with pytest.raises(ServiceError):
        services.case_update(actor=village, case=made, status="closed")
    assert Case.objects.get(pk=made.pk).status == Case.Status.RECEIVED


def test_another_township_cannot_touch_the_case(village, township2):
    made = case(village, DAZHUANG)
    with pytest.raises(NotAllowed):
        services.case_follow_up(actor=township2, case=made, on=timezone.localdate(), note="越权")
    with pytest.raises(NotAllowed):
        closed(township2, made)
    assert not Case.objects.visible_to(township2).exists()
    assert Case.objects.get(pk=made.pk).steps.count() == 1


def test_overdue_is_past_the_deadline_and_not_closed(village, township):
    with time_machine.travel(datetime.datetime(2024, 3, 1, 10), tick=False):
        late = case(village, DAZHUANG, kind_code="allowance")  # deadline 2024-03-11
        done = closed(village, case(village, DAZHUANG, kind_code="allowance"))
        mine = case(township, LIUJIAXIA, kind_code="allowance")
    today = datetime.date(2024, 3, 11)
    assert not late.is_overdue(today)
    assert list(Case.objects.overdue(today)) == []
    later = datetime.date(2024, 3, 12)
    assert late.is_overdue(later) and not done.is_overdue(later)
    assert set(Case.objects.overdue(later)) == {late, mine}
    # the to-do counts the cases of the user's own association only
    assert list(selectors.overdue_here(user=village, today=later)) == [late]
    assert list(selectors.overdue_here(user=township, today=later)) == [mine]


def test_the_figures_count_received_closed_on_time_and_satisfied_per_area(
    county, township, township2, village
):
    first, last = ago(30), timezone.localdate()
    on_time = closed(village, case(village, DAZHUANG, received_on=ago(20)), on=ago(10))
    services.case_rate(actor=village, case=on_time, satisfaction="satisfied")
    late = closed(
        village,
        case(village, DAZHUANG, received_on=ago(25), deadline=ago(20), kind_code="medical"),
        on=ago(5),
    )
    services.case_rate(actor=village, case=late, satisfaction="dissatisfied")
    case(township, LIUJIAXIA, received_on=ago(40), deadline=ago(35))  # before the period, overdue
    case(township2, YANGUOXIA, received_on=ago(3))
    result = selectors.case_figures(user=county, root=None, first=first, last=last)
    t = result.total
    assert (t.received, t.closed, t.on_time, t.rated, t.satisfied, t.dissatisfied) == (
        3,
        2,
        1,
        2,
        1,
        1,
    )
    assert (t.open_now, t.overdue_now) == (2, 1)
    assert t.satisfied_share == 50 and t.on_time_share == 50
    rows = {row.code: row for row in result.rows}
    assert set(rows) == {LIUJIAXIA, YANGUOXIA}
    assert (rows[LIUJIAXIA].received, rows[LIUJIAXIA].overdue_now) == (2, 1)
    assert rows[YANGUOXIA].received == 1
    assert {k.code: k.received for k in result.by_kind} == {"policy": 2, "medical": 1}
    # a township sees its own area only, by village
    mine = selectors.case_figures(
        user=township, root=Association.objects.get(code=LIUJIAXIA), first=first, last=last
    )
    assert mine.total.received == 2
    assert [row.code for row in mine.rows] == [DAZHUANG, LIUJIAXIA]


def test_the_figures_take_two_queries_whatever_the_number_of_cases(
    county, village, django_assert_max_num_queries
):
    for _ in range(6):
        case(village, DAZHUANG)
    with django_assert_max_num_queries(3):
        selectors.case_figures(user=county, root=None, first=ago(5), last=timezone.localdate())


def test_only_the_county_sets_the_kinds(county, township):
    with pytest.raises(NotAllowed):
        services.kind_add(actor=township, code="housing", name="住房", deadline_days=20)
    added = services.kind_add(actor=county, code="housing", name="住房", deadline_days=20)
    assert CaseKind.objects.get(code="housing") == added
    with pytest.raises(ServiceError) as refused:
        services.kind_add(actor=county, code="x2", name="无效", deadline_days=0)
    assert refused.value.field == "deadline_days"
    assert AuditEvent.objects.filter(object_type="rights.casekind").count() == 1


def test_the_demo_seeds_through_the_services(county, township, township2, village):
    from fpa.rights.demo import seed_rights

    counts = seed_rights(county=county, township=township, other=township2, village=village)
    assert counts == {"rights_cases": Case.objects.count()} == {"rights_cases": 6}
    statuses = sorted(Case.objects.values_list("status", flat=True))
    assert statuses == sorted(
        ["closed", "in_progress", "received", "reopened", "referred", "closed"]
    )
    today = timezone.localdate()
    assert Case.objects.overdue(today).count() == 1  # the neighbours' dispute
    assert AuditEvent.objects.filter(object_type="rights.case").count() >= 6
