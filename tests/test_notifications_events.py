"""Events reach the right inboxes: a filing returned reaches its submitter, a grant waiting at a
step reaches those who may act on it (never who handled it before), a long background job's end
reaches its owner; words that carry sensitive data are never written."""

from __future__ import annotations

import datetime
import logging

import pytest
from django.utils import timezone

from fpa.core import events
from fpa.core.jobs import _finish
from fpa.core.models import Job
from fpa.fund import services as fund_services
from fpa.notifications import guard
from fpa.notifications.models import Message
from fpa.organizations import services as org_services
from tests.conftest import DAZHUANG
from tests.fund_helpers import county_fund, family_in, give, grant_for, pay_first
from tests.notifications_helpers import filing_waiting


def inbox(user):
    return list(Message.objects.of(user).order_by("id"))


def test_a_returned_filing_reaches_its_submitter_only(
    village, township, county, django_capture_on_commit_callbacks
):
    filing = filing_waiting(village, DAZHUANG)
    with django_capture_on_commit_callbacks(execute=True):
        org_services.filing_return(actor=township, filing=filing, reason="请附任职文件")
    (message,) = inbox(village)
    assert message.kind == "organizations.filing_returned"
    assert "大庄村" in message.title and "被退回" in message.title
    assert message.reason == "请附任职文件"
    assert message.url == f"/organizations/a/{DAZHUANG}/" or message.url.endswith(f"{DAZHUANG}/")
    assert message.read_at is None
    assert inbox(township) == [] and inbox(county) == []


def test_nothing_is_written_for_work_rolled_back(
    village, township, django_capture_on_commit_callbacks
):
    filing = filing_waiting(village, DAZHUANG)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            from django.db import transaction

            with transaction.atomic():
                org_services.filing_return(actor=township, filing=filing, reason="请附任职文件")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert callbacks == [] and inbox(village) == []


@pytest.fixture
def fund(county, finance):
    fund = county_fund(county)
    give(finance, fund)
    return fund


def test_a_grant_at_review_reaches_the_reviewers_not_the_applicant(
    fund, county, township, township2, village, django_capture_on_commit_callbacks
):
    # given a township officer (who may review) applying for a family of a village
    family = family_in(township, DAZHUANG)
    with django_capture_on_commit_callbacks(execute=True):
        grant = grant_for(township, family)
    # then the county (who may review too) is told, the applicant is not (separation of
    # duties), nor the village (no review capability) nor the other township (out of scope)
    (message,) = inbox(county)
    assert message.kind == "fund.grant_waiting" and grant.number in message.title
    assert message.url.endswith(f"/{grant.pk}/")
    assert inbox(township) == [] and inbox(village) == [] and inbox(township2) == []


def test_each_step_reaches_who_may_take_the_next_one(
    fund, county, township, village, finance, django_capture_on_commit_callbacks
):
    pay_first(county, fund)
    family = family_in(village, DAZHUANG)
    with django_capture_on_commit_callbacks(execute=True):
        grant = grant_for(village, family)
    assert [m.kind for m in inbox(township)] == ["fund.grant_waiting"]
    assert len(inbox(county)) == 1 and inbox(village) == [] and inbox(finance) == []
    with django_capture_on_commit_callbacks(execute=True):
        grant = fund_services.grant_review(actor=township, grant=grant, approve=True)
    # approval: the county, not the reviewer nor the applicant
    assert len(inbox(county)) == 2 and len(inbox(township)) == 1 and inbox(village) == []
    with django_capture_on_commit_callbacks(execute=True):
        fund_services.grant_approve(actor=county, grant=grant, approve=True)
    # payment (pay-first order): finance only
    assert len(inbox(finance)) == 1 and len(inbox(county)) == 2


def test_a_grant_refused_at_review_tells_no_one_to_act(
    fund, county, township, village, django_capture_on_commit_callbacks
):
    grant = grant_for(village, family_in(village, DAZHUANG))
    Message.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        fund_services.grant_review(actor=township, grant=grant, approve=False, note="材料不全")
    assert callbacks == [] and Message.objects.count() == 0


def _job(owner, seconds):
    started = timezone.now() - datetime.timedelta(seconds=seconds)
    return Job.objects.create(
        owner_id=owner.pk,
        owner_username=owner.username,
        kind="families.export",
        title="导出家庭名单",
        status=Job.Status.RUNNING,
        started_at=started,
    )


def test_a_long_job_tells_its_owner_when_it_ends(
    township, county, django_capture_on_commit_callbacks
):
    job = _job(township, seconds=30)
    with django_capture_on_commit_callbacks(execute=True):
        _finish(job, Job.Status.DONE, "已完成", result={"rows": 3})
    (message,) = inbox(township)
    assert message.kind == "core.job_finished" and "导出家庭名单" in message.title
    assert message.url == f"/jobs/{job.pk}/" or message.url.endswith(f"/{job.pk}/")
    assert inbox(county) == []


def test_a_quick_job_does_not_notify(township, django_capture_on_commit_callbacks):
    job = _job(township, seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        _finish(job, Job.Status.FAILED, "处理失败", error="x")
    assert inbox(township) == []


# --- the guard ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "words",
    [
        "622923198001010018 的家庭",
        "联系电话13912345678",
        "联系电话 139 1234 5678",
        "失独家庭走访逾期",
        "其子女因病去世",
        "伤残等级复核",
    ],
)
def test_the_guard_refuses_sensitive_words(words, caplog):
    with (
        caplog.at_level(logging.WARNING, logger="fpa.notifications.guard"),
        pytest.raises(guard.SensitiveContent),
    ):
        guard.check("备案被退回", words, kind="x")
    assert "refused" in caplog.text
    assert words not in caplog.text  # the log names what was found, not the words


def test_the_guard_lets_plain_words_pass():
    guard.check("资助申请 YJZ-2024-00001 等待您办理", "刘家峡镇 · 800.00 元", "/fund/grants/3/")
    guard.check("家庭 YJ-2024-0012 走访逾期 3 天")


def test_an_event_with_sensitive_words_is_written_without_them(
    township, django_capture_on_commit_callbacks, caplog
):
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        events.publish(
            "organizations.filing_returned",
            recipients=[township.pk],
            title="失独家庭张某某的材料被退回",
            reason="身份证 622923198001010018，电话 13912345678",
            url="/organizations/",
        )
    (message,) = inbox(township)
    assert "失独" not in message.title and "张某某" not in message.title
    assert message.reason == ""
    assert "备案被退回" in message.title  # the kind's name, and a pointer to the platform
    assert "notification refused" in caplog.text


def test_inactive_accounts_get_nothing(township, django_capture_on_commit_callbacks):
    township.is_active = False
    township.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        events.publish("reports.returned", recipients=[township.pk], title="月报被退回")
    assert Message.objects.count() == 0
