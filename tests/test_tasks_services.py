"""The task book's services and rules: the computed status at each boundary (and the SQL that
filters by it agreeing), delegation (one copy per township), who may accept, return and reopen
(with a reason), the supervision ladder (gap-free 督办单 numbers, answers, 约谈), extensions
(the deadline moves, the old one kept), evidence files and links checked, the scope of every
read and write, and the figure the assessment reads."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from fpa.assessment.registry import registered_indicators
from fpa.core.errors import Conflict, NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from fpa.organizations.models import Association
from fpa.tasks import rules, selectors, services
from fpa.tasks.models import Evidence, Extension, ProgressReport, Step, Supervision, Task
from tests.conftest import DAZHUANG, LIUJIAXIA, YANGUOXIA
from tests.tasks_helpers import DEADLINE, START, county_task, delegated, measure, pdf, png

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def frozen_day():
    with time_machine.travel(datetime.datetime(2026, 6, 1, 10, 0), tick=False):
        yield


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def day(n: int) -> datetime.date:
    return DEADLINE + datetime.timedelta(days=n)


# --- the computed status --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "reported", "expected"),
    [
        (START - datetime.timedelta(days=1), True, rules.NOT_STARTED),  # before the start
        (START, False, rules.NOT_STARTED),  # started, nothing reported
        (START, True, rules.ON_TRACK),
        (day(-8), True, rules.ON_TRACK),  # 8 days left
        (day(-7), True, rules.DUE_SOON),  # 7 days left: due within 7 days
        (day(-7), False, rules.DUE_SOON),  # due soon wins over not started
        (day(0), True, rules.DUE_SOON),  # the deadline itself
        (day(1), True, rules.OVERDUE),  # the day after
    ],
)
def test_status_at_each_boundary(today: datetime.date, reported: bool, expected: str) -> None:
    got = rules.status(
        stage=rules.OPEN, start_on=START, deadline=DEADLINE, today=today, reported=reported
    )
    assert got == expected


def test_a_completed_task_stops_the_clock_and_an_accepted_one_is_done() -> None:
    common = {"start_on": START, "deadline": DEADLINE, "today": day(30), "reported": True}
    assert rules.status(stage=rules.COMPLETED, completed_on=day(0), **common) == rules.ON_TRACK
    assert rules.status(stage=rules.COMPLETED, completed_on=day(1), **common) == rules.OVERDUE
    assert rules.status(stage=rules.ACCEPTED, completed_on=day(1), **common) == rules.DONE


@pytest.mark.parametrize(
    "today",
    [START - datetime.timedelta(days=1), START, day(-8), day(-7), day(0), day(1)],
)
def test_the_sql_status_agrees_with_the_rule(county: Any, today: datetime.date) -> None:
    with time_machine.travel(datetime.datetime(2026, 1, 10, 10, 0), tick=False):
        silent = county_task(county, title="未报告的任务")
        reported_task = county_task(county, title="已报告的任务", measure=silent.measure)
    reported_task.last_reported_on = START
    reported_task.save(update_fields=["last_reported_on"])
    with time_machine.travel(datetime.datetime.combine(today, datetime.time(10)), tick=False):
        annotated = {t.pk: t.computed_status for t in Task.objects.with_status(today)}
        for task in Task.objects.all():
            assert annotated[task.pk] == task.status_on(today), (task.title, today)
            assert task.status_code == annotated[task.pk]


# --- setting and delegating -----------------------------------------------------------------------


def test_task_create_is_audited_and_starts_the_timeline(county: Any) -> None:
    task = county_task(county)
    assert task.set_by.code == "622923"
    assert task.original_deadline == DEADLINE
    assert task.status_code == rules.NOT_STARTED
    assert AuditEvent.objects.filter(object_type="tasks.task", object_id=str(task.pk)).exists()
    assert [s.kind for s in task.steps.all()] == [Step.Kind.CREATED]


def test_delegation_creates_one_copy_per_township(county: Any, township: Any) -> None:
    parent, ljx, ygx = delegated(county)
    assert {c.association.code for c in parent.children.all()} == {LIUJIAXIA, YANGUOXIA}
    for copy in (ljx, ygx):
        assert copy.parent == parent
        assert copy.set_by.code == "622923"  # the county accepts the copies
        assert (copy.title, copy.deadline, copy.measure) == (parent.title, DEADLINE, parent.measure)
    with pytest.raises(ServiceError, match="已有该任务的分解任务"):
        services.task_delegate(
            actor=county, task=parent, associations=[Association.objects.get(code=LIUJIAXIA)]
        )
    assert parent.children.count() == 2


def test_delegation_goes_only_to_associations_directly_below(county: Any, township: Any) -> None:
    parent = county_task(county)
    with pytest.raises(ServiceError, match="直属"):
        services.task_delegate(
            actor=county, task=parent, associations=[Association.objects.get(code=DAZHUANG)]
        )
    # a township hands its copy down to its villages; it becomes their setting level
    _parent, ljx, _ygx = delegated(county, title="乡镇任务")
    (village_copy,) = services.task_delegate(
        actor=township, task=ljx, associations=[Association.objects.get(code=DAZHUANG)]
    )
    assert village_copy.set_by.code == LIUJIAXIA
    assert services.may_manage(township, village_copy)


def test_a_township_cannot_set_a_task_for_another_township(county: Any, township: Any) -> None:
    plan = measure(county)
    with pytest.raises(NotAllowed):
        county_task(township, measure=plan, association=Association.objects.get(code=YANGUOXIA))
    assert not Task.objects.exists()


def test_a_measure_of_another_county_or_below_is_refused(county: Any, township: Any) -> None:
    own = services.measure_create(actor=township, number=1, title="乡镇自己的措施")
    with pytest.raises(ServiceError, match="改革方案中的措施"):
        county_task(county, measure=own)


def test_a_village_and_an_auditor_cannot_set_tasks(county: Any, village: Any, auditor: Any) -> None:
    plan = measure(county)
    for actor in (village, auditor):
        with pytest.raises(NotAllowed):
            county_task(actor, measure=plan, association=actor.home_association)


def test_bad_dates_and_empty_texts_change_nothing(county: Any, township: Any) -> None:
    plan = measure(county)
    with pytest.raises(ServiceError, match="完成时限不能早于开始日期"):
        county_task(county, measure=plan, deadline=START - datetime.timedelta(days=1))
    with pytest.raises(ServiceError, match="成果要求"):
        county_task(county, measure=plan, deliverables=" ")
    with pytest.raises(ServiceError, match="责任人"):
        county_task(
            county,
            measure=plan,
            responsible=county.__class__.objects.get(username="county").__class__.objects.create(
                username="x", is_active=False
            ),
        )
    assert not Task.objects.exists()


def test_reads_are_scoped(county: Any, township: Any, township2: Any, village: Any) -> None:
    parent, ljx, ygx = delegated(county)
    assert set(Task.objects.visible_to(county)) == {parent, ljx, ygx}
    assert set(Task.objects.visible_to(township)) == {ljx}
    assert set(Task.objects.visible_to(township2)) == {ygx}
    assert not Task.objects.visible_to(village).exists()


# --- progress, completion, acceptance -------------------------------------------------------------


def test_progress_report_with_files_and_links(county: Any, township: Any, settings: Any) -> None:
    _parent, ljx, _ygx = delegated(county)
    report = services.report_add(
        actor=township,
        task=ljx,
        reported_on=TODAY,
        text="已召开部署会。",
        percent=40,
        links=f"/tasks/{ljx.pk}/\n/families/",
        files=[png(), pdf()],
    )
    ljx.refresh_from_db()
    assert (ljx.progress, ljx.last_reported_on) == (40, TODAY)
    assert report.links == [f"/tasks/{ljx.pk}/", "/families/"]
    assert sorted(report.files.values_list("format", flat=True)) == ["pdf", "png"]
    assert ljx.status_code == rules.ON_TRACK


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"),
            "无法识别",
        ),
        (SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 10)), "不能超过"),
    ],
)
def test_an_evidence_file_of_a_wrong_type_or_too_large_is_refused(
    county: Any, township: Any, upload: Any, message: str
) -> None:
    _parent, ljx, _ygx = delegated(county)
    with pytest.raises(ServiceError, match=message):
        services.report_add(
            actor=township,
            task=ljx,
            reported_on=TODAY,
            text="进展",
            percent=10,
            files=[png(), upload],
        )
    assert not ProgressReport.objects.exists()
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    "link", ["https://example.com/x/", "//evil.example/", "families/", "/no-such-page/", "/a b/"]
)
def test_a_link_that_is_not_a_page_of_this_site_is_refused(
    county: Any, township: Any, link: str
) -> None:
    _parent, ljx, _ygx = delegated(county)
    with pytest.raises(ServiceError) as caught:
        services.report_add(
            actor=township, task=ljx, reported_on=TODAY, text="进展", percent=10, links=link
        )
    assert caught.value.field == "links"
    assert not ProgressReport.objects.exists()


def test_bad_percent_and_future_date_are_refused(county: Any, township: Any) -> None:
    _parent, ljx, _ygx = delegated(county)
    for percent in (-1, 101):
        with pytest.raises(ServiceError, match="0至100"):
            services.report_add(
                actor=township, task=ljx, reported_on=TODAY, text="进展", percent=percent
            )
    with pytest.raises(ServiceError, match="不能晚于今天"):
        services.report_add(
            actor=township,
            task=ljx,
            reported_on=TODAY + datetime.timedelta(days=1),
            text="进展",
            percent=5,
        )


def test_only_the_responsible_side_reports(
    county: Any, township: Any, township2: Any, auditor: Any
) -> None:
    _parent, ljx, _ygx = delegated(county)
    for actor in (township2, auditor, county):
        with pytest.raises(NotAllowed):
            services.report_add(actor=actor, task=ljx, reported_on=TODAY, text="进展", percent=5)


def test_acceptance_only_by_the_setting_level(county: Any, township: Any, township2: Any) -> None:
    _parent, ljx, _ygx = delegated(county)
    services.task_complete(actor=township, task=ljx)
    for actor in (township, township2):
        with pytest.raises(NotAllowed):
            services.task_accept(actor=actor, task=ljx)
    done = services.task_accept(actor=county, task=ljx)
    assert done.stage == Task.Stage.ACCEPTED
    assert done.status_code == rules.DONE
    with pytest.raises(Conflict):
        services.task_accept(actor=county, task=ljx)


def test_a_parent_is_complete_only_when_its_copies_are_accepted(county: Any, township: Any) -> None:
    parent, _ljx, _ygx = delegated(county)
    with pytest.raises(ServiceError, match="分解任务未验收"):
        services.task_complete(actor=county, task=parent)


def test_who_marked_complete_does_not_accept_their_own(county: Any) -> None:
    task = county_task(county)
    services.task_complete(actor=county, task=task)
    with pytest.raises(NotAllowed, match="其他人员"):
        services.task_accept(actor=county, task=task)


def test_return_and_reopen_need_a_reason(county: Any, township: Any) -> None:
    _parent, ljx, _ygx = delegated(county)
    services.task_complete(actor=township, task=ljx)
    with pytest.raises(ServiceError, match="退回原因"):
        services.task_return(actor=county, task=ljx, reason=" ")
    back = services.task_return(actor=county, task=ljx, reason="佐证材料不全")
    assert (back.stage, back.completed_on) == (Task.Stage.OPEN, None)
    services.task_complete(actor=township, task=ljx)
    services.task_accept(actor=county, task=ljx)
    with pytest.raises(ServiceError, match="重新打开的原因"):
        services.task_reopen(actor=county, task=ljx, reason="")
    with pytest.raises(NotAllowed):
        services.task_reopen(actor=township, task=ljx, reason="自己重新打开")
    reopened = services.task_reopen(actor=county, task=ljx, reason="复查发现台账缺失")
    assert reopened.stage == Task.Stage.OPEN
    kinds = list(ljx.steps.values_list("kind", flat=True))
    assert kinds[-4:] == ["returned", "completed", "accepted", "reopened"]


def test_a_stale_version_is_refused(county: Any, township: Any) -> None:
    _parent, ljx, _ygx = delegated(county)
    services.task_update(actor=county, task=ljx, expected_version=ljx.version, title="新名称")
    with pytest.raises(Conflict):
        services.task_update(actor=county, task=ljx, expected_version=1, title="又一个名称")


# --- the supervision ladder -----------------------------------------------------------------------


def test_notice_numbers_are_gap_free_per_county_and_year(county: Any, township: Any) -> None:
    _parent, ljx, ygx = delegated(county)
    later = TODAY + datetime.timedelta(days=10)
    first = services.notice_issue(
        actor=county, task=ljx, problem="进度滞后", new_deadline=later, required_answer="说明原因"
    )
    with pytest.raises(ServiceError):  # refused: takes no number
        services.notice_issue(
            actor=county, task=ljx, problem="", new_deadline=later, required_answer="说明原因"
        )
    with pytest.raises(ServiceError, match="整改时限"):
        services.notice_issue(
            actor=county,
            task=ygx,
            problem="进度滞后",
            new_deadline=TODAY - datetime.timedelta(days=1),
            required_answer="说明",
        )
    second = services.notice_issue(
        actor=county, task=ygx, problem="未报告进展", new_deadline=later, required_answer="补报"
    )
    third = services.notice_issue(
        actor=county, task=ljx, problem="仍滞后", new_deadline=later, required_answer="说明"
    )
    assert [n.number for n in (first, second, third)] == [
        "DB-2026-001",
        "DB-2026-002",
        "DB-2026-003",
    ]
    with time_machine.travel(datetime.datetime(2027, 1, 5, 10, 0), tick=False):
        next_year = services.notice_issue(
            actor=county,
            task=ljx,
            problem="跨年",
            new_deadline=datetime.date(2027, 2, 1),
            required_answer="说明",
        )
    assert next_year.number == "DB-2027-001"


def test_a_township_notice_counts_in_its_countys_sequence(county: Any, township: Any) -> None:
    _parent, ljx, _ygx = delegated(county)
    (village_copy,) = services.task_delegate(
        actor=township, task=ljx, associations=[Association.objects.get(code=DAZHUANG)]
    )
    later = TODAY + datetime.timedelta(days=10)
    a = services.notice_issue(
        actor=county, task=ljx, problem="滞后", new_deadline=later, required_answer="说明"
    )
    b = services.notice_issue(
        actor=township,
        task=village_copy,
        problem="滞后",
        new_deadline=later,
        required_answer="说明",
    )
    assert (a.number, b.number) == ("DB-2026-001", "DB-2026-002")
    assert a.counter == b.counter


def test_the_receiver_answers_a_notice_once(county: Any, township: Any, township2: Any) -> None:
    _parent, ljx, _ygx = delegated(county)
    item = services.notice_issue(
        actor=county, task=ljx, problem="滞后", new_deadline=TODAY, required_answer="说明"
    )
    assert list(selectors.notices_unanswered(user=township)) == [item]
    for actor in (county, township2):
        with pytest.raises(NotAllowed):
            services.notice_answer(actor=actor, notice=item, answer="已整改")
    answered = services.notice_answer(
        actor=township, notice=item, answer="已整改完毕", links="/families/", files=[pdf()]
    )
    assert answered.answered and answered.files.count() == 1
    assert not selectors.notices_unanswered(user=township).exists()
    with pytest.raises(Conflict):
        services.notice_answer(actor=township, notice=item, answer="再答一次")


def test_reminder_and_interview_are_on_the_ladder(county: Any, township: Any) -> None:
    from fpa.notifications.models import Message

    _parent, ljx, _ygx = delegated(county)
    with pytest.raises(NotAllowed):
        services.task_remind(actor=township, task=ljx, message="提醒自己")
    with pytest.raises(ServiceError, match="参加人员"):
        services.interview_record(
            actor=county, task=ljx, held_on=TODAY, attendees="", conclusions="限期整改"
        )
    with django_capture_commits():
        services.task_remind(actor=county, task=ljx, message="请尽快报告进展")
    services.interview_record(
        actor=county,
        task=ljx,
        held_on=TODAY,
        attendees="县计生协常务副会长、刘家峡镇专干",
        conclusions="两周内补齐台账",
    )
    kinds = [s.kind for s in selectors.timeline(task=ljx) if s.on_ladder]
    assert kinds == ["reminded", "interview"]
    assert Supervision.objects.filter(task=ljx).count() == 2
    assert Message.objects.filter(recipient=township, kind="tasks.reminder").exists()


def django_capture_commits() -> Any:
    """Run the on_commit callbacks (the reminder's notification) inside the test transaction."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


# --- extensions -----------------------------------------------------------------------------------


def test_extension_approved_moves_the_deadline_and_keeps_history(
    county: Any, township: Any
) -> None:
    _parent, ljx, _ygx = delegated(county)
    with pytest.raises(ServiceError, match="须晚于"):
        services.extension_request(
            actor=township, task=ljx, requested_deadline=DEADLINE, reason="人手不足"
        )
    asked = services.extension_request(
        actor=township, task=ljx, requested_deadline=day(31), reason="乡镇机构调整，人手不足"
    )
    with pytest.raises(Conflict):
        services.extension_request(
            actor=township, task=ljx, requested_deadline=day(40), reason="再申请"
        )
    assert list(selectors.extensions_waiting(user=county)) == [asked]
    with pytest.raises(NotAllowed):
        services.extension_decide(actor=township, extension=asked, approve=True)
    decided = services.extension_decide(actor=county, extension=asked, approve=True, note="同意")
    ljx.refresh_from_db()
    assert ljx.deadline == day(31)
    assert (ljx.original_deadline, decided.old_deadline) == (DEADLINE, DEADLINE)
    assert decided.status == Extension.Status.APPROVED
    change = AuditEvent.objects.filter(object_type="tasks.task", object_id=str(ljx.pk)).first()
    assert change is not None and change.changes["deadline"] == [str(DEADLINE), str(day(31))]


def test_extension_refused_needs_a_reason_and_keeps_the_deadline(
    county: Any, township: Any
) -> None:
    _parent, ljx, _ygx = delegated(county)
    asked = services.extension_request(
        actor=township, task=ljx, requested_deadline=day(10), reason="人手不足"
    )
    with pytest.raises(ServiceError, match="不同意延期须填写理由"):
        services.extension_decide(actor=county, extension=asked, approve=False)
    refused = services.extension_decide(
        actor=county, extension=asked, approve=False, note="时限不能推迟"
    )
    ljx.refresh_from_db()
    assert (refused.status, ljx.deadline) == (Extension.Status.REFUSED, DEADLINE)


# --- to-dos and the assessment's figure -----------------------------------------------------------


def test_todos_of_each_side(county: Any, township: Any) -> None:
    _parent, ljx, _ygx = delegated(county)
    with time_machine.travel(datetime.datetime.combine(day(1), datetime.time(10)), tick=False):
        assert list(selectors.overdue_mine(user=township)) == [ljx]
        assert not selectors.overdue_mine(user=county).filter(pk=ljx.pk).exists()
    services.task_complete(actor=township, task=ljx)
    assert list(selectors.awaiting_acceptance(user=county)) == [ljx]
    assert not selectors.awaiting_acceptance(user=township).exists()


def test_tasks_done_on_time(county: Any, township: Any) -> None:
    liujiaxia = Association.objects.get(code=LIUJIAXIA)
    _p1, on_time, _ = delegated(county, title="按时完成的任务")
    _p2, late, _ = delegated(county, title="逾期完成的任务")
    _p3, open_, _ = delegated(county, title="未完成的任务")
    services.task_complete(actor=township, task=on_time)
    services.task_accept(actor=county, task=on_time)
    with time_machine.travel(datetime.datetime.combine(day(3), datetime.time(10)), tick=False):
        services.task_complete(actor=township, task=late)
        services.task_accept(actor=county, task=late)
    assert selectors.tasks_done_on_time(association=liujiaxia, year=2026) == (1, 3)
    assert selectors.tasks_done_on_time(association=liujiaxia, year=2025) == (0, 0)
    assert open_.stage == Task.Stage.OPEN


def test_tasks_done_on_time_up_to_a_cutoff_is_the_assessment_indicator(
    county: Any, township: Any
) -> None:
    """The assessment's computed indicator reads the same selector, cut at the round's cut-off."""
    liujiaxia = Association.objects.get(code=LIUJIAXIA)
    _p1, on_time, _ = delegated(county, title="按时完成的任务")
    delegated(county, title="年底到期的任务", deadline=datetime.date(2026, 12, 31))
    services.task_complete(actor=township, task=on_time)
    services.task_accept(actor=county, task=on_time)
    cutoff = datetime.date(2026, 11, 30)
    assert selectors.tasks_done_on_time(association=liujiaxia, year=2026, until=cutoff) == (1, 1)
    assert selectors.tasks_done_on_time(association=liujiaxia, year=2026) == (1, 2)
    indicator = registered_indicators()["tasks.done_on_time"]
    cut = indicator.compute(county, liujiaxia, 2026, cutoff)
    assert (cut.numerator, cut.denominator, cut.value) == (1, 1, Decimal("100.00"))
    whole = indicator.compute(county, liujiaxia, 2026, datetime.date(2026, 12, 31))
    assert (whole.numerator, whole.denominator, whole.value) == (1, 2, Decimal("50.00"))
    # a township with no task due scores nothing rather than dividing by zero
    empty = indicator.compute(county, Association.objects.get(code="622923102"), 2026, cutoff)
    assert (empty.numerator, empty.denominator, empty.value) == (0, 0, 0)


def test_the_todo_counts_in_one_query_agree_with_the_selectors(
    county: Any, township: Any, django_assert_num_queries: Any
) -> None:
    _parent, ljx, _ygx = delegated(county)
    _p2, late, _ = delegated(
        county, title="逾期的任务", deadline=TODAY - datetime.timedelta(days=1), start_on=START
    )
    services.notice_issue(
        actor=county, task=ljx, problem="滞后", new_deadline=TODAY, required_answer="说明"
    )
    services.extension_request(
        actor=township, task=ljx, requested_deadline=day(10), reason="人手不足"
    )
    services.task_complete(actor=township, task=late)
    with django_assert_num_queries(1):
        mine = selectors.todo_counts(user=township)
    with django_assert_num_queries(1):
        theirs = selectors.todo_counts(user=county)
    for user, counts in ((township, mine), (county, theirs)):
        assert counts == {
            "overdue": selectors.overdue_mine(user=user).count(),
            "notices": selectors.notices_unanswered(user=user).count(),
            "acceptance": selectors.awaiting_acceptance(user=user).count(),
            "extensions": selectors.extensions_waiting(user=user).count(),
        }
    assert mine["notices"] == 1 and theirs["extensions"] == 1 and theirs["acceptance"] == 1
