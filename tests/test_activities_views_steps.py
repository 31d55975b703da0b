"""The steps of an activity, each posted from its page: approve, hold (counts by group, the
insurance of a risky activity, full-width digits), correct the counts, summarise and send up a
highlight, cancel, media reports, volunteers through the volunteers module, phone sign-in; with
their refusals (a village approving, holding before the start or before the approval, a risky
activity without insurance, bad numbers, a forged report id, a stale form)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from fpa.activities import selectors, services
from fpa.activities.models import Activity, MediaReport, Policy
from fpa.core.models import AuditEvent
from tests.activities_helpers import assoc, held, plan
from tests.conftest import DAZHUANG, LIUJIAXIA, YANGUOXIA
from tests.test_excel_engine import fullwidth

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def fresh(activity: Activity) -> Activity:
    activity.refresh_from_db()
    return activity


def running(actor: Any) -> Activity:
    """An activity that started ten minutes ago and ends in three hours."""
    now = timezone.now().replace(microsecond=0)
    return plan(
        actor,
        DAZHUANG,
        starts_at=now - datetime.timedelta(minutes=10),
        ends_at=now + datetime.timedelta(hours=3),
    )


def messages_of(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"])


# --- approve ------------------------------------------------------------------------------------


def test_a_superior_approves_and_the_organiser_may_not(
    client_for: Any, village: Any, township: Any, township2: Any
) -> None:
    Policy.objects.create(association=assoc(LIUJIAXIA), approval_required=True)
    activity = plan(village, DAZHUANG, days=-1)
    # The village holds no activity.approve: refused outright.
    assert client_for(village).post(f"/activities/{activity.pk}/approve/").status_code == 403
    # A township approving its own activity: the service refuses, with a message.
    own = plan(township, LIUJIAXIA, days=2)
    response = client_for(township).post(f"/activities/{own.pk}/approve/", follow=True)
    assert "不能审批本协会的活动" in messages_of(response)
    assert fresh(own).status == Activity.Status.PLANNED
    # Approve is POST only; the sibling township cannot see it.
    assert client_for(township).get(f"/activities/{activity.pk}/approve/").status_code == 405
    assert client_for(township2).post(f"/activities/{activity.pk}/approve/").status_code == 404
    # Before the approval it cannot be held.
    response = client_for(village).post(f"/activities/{activity.pk}/hold/", {"members": "5"})
    assert response.status_code == 200 and "须经上级审批后才能开展" in response.content.decode()
    assert fresh(activity).status == Activity.Status.PLANNED
    response = client_for(township).post(
        f"/activities/{activity.pk}/approve/", {"version": activity.version}, follow=True
    )
    assert "已批准" in messages_of(response)
    activity = fresh(activity)
    assert activity.status == Activity.Status.APPROVED and activity.approved_by == township
    response = client_for(village).post(f"/activities/{activity.pk}/hold/", {"members": "5"})
    assert response.status_code == 302
    assert fresh(activity).status == Activity.Status.HELD


# --- hold and counts ----------------------------------------------------------------------------


def test_hold_with_counts_by_group(client_for: Any, village: Any, township: Any) -> None:
    activity = plan(village, DAZHUANG, days=-1)
    client = client_for(village)
    page = client.get(f"/activities/{activity.pk}/hold/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "data-fpa-participants-total" in text and "activity-counts.js" in text
    assert "怎么做" in text
    response = client.post(
        f"/activities/{activity.pk}/hold/",
        {
            "version": activity.version,
            "members": fullwidth("12"),  # full-width digits, as a Chinese keyboard types them
            "youth": " 8 ",
            "migrants": "",
            "materials": fullwidth("300"),
            "consultations": "4",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/activities/{activity.pk}/"
    activity = fresh(activity)
    assert activity.status == Activity.Status.HELD
    assert (activity.members, activity.youth, activity.migrants) == (12, 8, 0)
    assert (activity.materials, activity.consultations) == (300, 4)
    liujiaxia = assoc(LIUJIAXIA)
    assert selectors.people_served(user=township, association=liujiaxia, year=YEAR) == 20
    page = client.get(f"/activities/{activity.pk}/").content.decode()
    assert "data-total>20<" in page and "已开展" in page


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-3", "大于或等于"),
        ("abc", "请填写整数"),
        ("1.5", "请填写整数"),
        ("99999999", "小于或等于"),
    ],
)
def test_bad_counts_are_explained_and_change_nothing(
    client_for: Any, village: Any, value: str, message: str
) -> None:
    activity = plan(village, DAZHUANG, days=-1)
    response = client_for(village).post(
        f"/activities/{activity.pk}/hold/", {"members": value, "youth": "3"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors["members"]), errors
    assert fresh(activity).status == Activity.Status.PLANNED


def test_hold_refusals_before_the_start_and_without_anyone(client_for: Any, village: Any) -> None:
    later = plan(village, DAZHUANG, days=2)
    response = client_for(village).post(f"/activities/{later.pk}/hold/", {"members": "5"})
    assert response.status_code == 200 and "活动尚未开始" in response.content.decode()
    assert fresh(later).status == Activity.Status.PLANNED
    started = plan(village, DAZHUANG, days=-1)
    response = client_for(village).post(f"/activities/{started.pk}/hold/", {"members": "0"})
    assert response.status_code == 200 and "请填写参加人数" in response.content.decode()
    assert fresh(started).status == Activity.Status.PLANNED


def test_a_risky_activity_needs_the_insurance_confirmed(client_for: Any, village: Any) -> None:
    activity = plan(village, DAZHUANG, days=-1, risky=True)
    client = client_for(village)
    page = client.get(f"/activities/{activity.pk}/").content.decode()
    assert 'name="insurance_confirmed"' in page
    url = f"/activities/{activity.pk}/hold/"
    response = client.post(url, {"members": "20", "insurance_note": "YW2026001"})
    assert response.status_code == 200
    assert "投保意外险" in " ".join(response.context["form"].errors["insurance_note"])
    assert fresh(activity).status == Activity.Status.PLANNED
    response = client.post(url, {"members": "20", "insurance_confirmed": "on"})
    assert response.status_code == 200 and fresh(activity).status == Activity.Status.PLANNED
    response = client.post(
        url, {"members": "20", "insurance_confirmed": "on", "insurance_note": "YW2026001"}
    )
    assert response.status_code == 302
    activity = fresh(activity)
    assert activity.status == Activity.Status.HELD and activity.insurance_note == "YW2026001"
    assert activity.insurance_confirmed_by == village
    assert "YW2026001" in client.get(f"/activities/{activity.pk}/").content.decode()


def test_correct_the_counts_moves_the_figures(client_for: Any, village: Any, county: Any) -> None:
    activity = held(village, DAZHUANG, members=10, youth=5)
    client = client_for(village)
    page = client.get(f"/activities/{activity.pk}/counts/")
    assert page.status_code == 200 and 'value="10"' in page.content.decode()
    response = client.post(
        f"/activities/{activity.pk}/counts/",
        {"version": activity.version, "members": "30", "youth": "0", "materials": "50"},
    )
    assert response.status_code == 302
    assert selectors.people_served(user=county, association=assoc("622923"), year=YEAR) == 30
    # A stale form: refused, nothing moves.
    response = client.post(
        f"/activities/{activity.pk}/counts/", {"version": activity.version, "members": "99"}
    )
    assert response.status_code == 200 and "已被他人修改" in response.content.decode()
    assert fresh(activity).members == 30
    # Before it is held there is nothing to correct.
    later = plan(village, DAZHUANG, days=2)
    response = client.post(f"/activities/{later.pk}/counts/", {"members": "3"})
    assert response.status_code == 200 and "活动开展后" in response.content.decode()


# --- summary, cancel, media ---------------------------------------------------------------------


def test_summarise_and_send_up_a_highlight(client_for: Any, village: Any, township: Any) -> None:
    activity = held(village, DAZHUANG)
    client = client_for(village)
    response = client.post(f"/activities/{activity.pk}/summary/", {"summary": "太短"})
    assert response.status_code == 200 and "至少写10个字" in response.content.decode()
    assert fresh(activity).status == Activity.Status.HELD
    response = client.post(
        f"/activities/{activity.pk}/summary/",
        {
            "version": activity.version,
            "summary": "入户宣传优生优育知识，群众反响很好。",
            "highlight": "on",
        },
    )
    assert response.status_code == 302
    activity = fresh(activity)
    assert activity.status == Activity.Status.SUMMARISED and activity.highlight
    highlights = client_for(township).get("/activities/highlights/").content.decode()
    assert f'href="/activities/{activity.pk}/"' in highlights and "入户宣传" in highlights
    # The summary before the activity is held: refused with the reason.
    later = plan(village, DAZHUANG, days=2)
    response = client.post(
        f"/activities/{later.pk}/summary/", {"summary": "还没开展就写总结的尝试。"}
    )
    assert response.status_code == 200 and "活动开展后才能写总结" in response.content.decode()


def test_cancel_needs_a_reason_and_is_audited(client_for: Any, village: Any) -> None:
    activity = plan(village, DAZHUANG, days=2)
    client = client_for(village)
    response = client.post(f"/activities/{activity.pk}/cancel/", {"reason": ""})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    assert fresh(activity).status == Activity.Status.PLANNED
    response = client.post(
        f"/activities/{activity.pk}/cancel/",
        {"version": activity.version, "reason": "天气原因，改期举办"},
    )
    assert response.status_code == 302
    assert fresh(activity).status == Activity.Status.CANCELLED
    event = AuditEvent.objects.filter(object_id=str(activity.pk)).latest("id")
    assert event.reason == "天气原因，改期举办"
    page = client.get(f"/activities/{activity.pk}/").content.decode()
    assert "活动已取消" in page and 'data-step="cancel"' not in page
    # Cancelled: nothing more.
    response = client.post(f"/activities/{activity.pk}/cancel/", {"reason": "再取消一次"})
    assert response.status_code == 200 and "只有未开展的活动可以取消" in response.content.decode()


def test_media_reports_are_added_and_removed(
    client_for: Any, village: Any, township: Any, county: Any
) -> None:
    activity = held(village, DAZHUANG)
    other = held(village, DAZHUANG, title="另一次活动")
    client = client_for(village)
    today = timezone.localdate().isoformat()
    bad = client.post(
        f"/activities/{activity.pk}/media/",
        {
            "outlet": "wechat",
            "name": "永靖计生",
            "url": "javascript:alert(1)",
            "published_on": today,
        },
    )
    assert bad.status_code == 200 and "http://" in " ".join(bad.context["form"].errors["url"])
    bad = client.post(
        f"/activities/{activity.pk}/media/",
        {"outlet": "wechat", "name": "永靖计生", "published_on": "2026-02-30"},
    )
    assert bad.status_code == 200 and "published_on" in bad.context["form"].errors
    assert not MediaReport.objects.exists()
    response = client.post(
        f"/activities/{activity.pk}/media/",
        {
            "outlet": "wechat",
            "name": "永靖县计生协微信公众号",
            "title": "大庄村开展宣传",
            "url": "https://example.org/a",
            "published_on": today,
        },
    )
    assert response.status_code == 302
    report = MediaReport.objects.get()
    county_ = assoc("622923")
    assert selectors.media_reports(user=county, association=county_, year=YEAR) == 1
    page = client.get(f"/activities/{activity.pk}/").content.decode()
    assert "大庄村开展宣传" in page and f'name="report" value="{report.pk}"' in page
    # A report through another activity's address, or a forged id: refused, nothing removed.
    remove = f"/activities/{activity.pk}/media/remove/"
    response = client.post(
        f"/activities/{other.pk}/media/remove/", {"report": report.pk}, follow=True
    )
    assert "不存在或已删除" in messages_of(response)
    for forged in ("999999", "abc", fullwidth("999999"), ""):
        response = client.post(remove, {"report": forged}, follow=True)
        assert "不存在或已删除" in messages_of(response) or "请选择" in messages_of(response)
    assert MediaReport.objects.count() == 1
    assert client_for(township).get(remove).status_code == 405
    response = client.post(remove, {"report": report.pk}, follow=True)
    assert "已删除" in messages_of(response)
    assert not MediaReport.objects.exists()
    assert selectors.media_reports(user=county, association=county_, year=YEAR) == 0


# --- volunteers and sign-in ---------------------------------------------------------------------


def test_volunteers_are_asked_through_the_volunteers_module(client_for: Any, village: Any) -> None:
    activity = plan(village, DAZHUANG, days=2)
    client = client_for(village)
    bad = client.post(f"/activities/{activity.pk}/volunteers/", {"hours": "30"})
    assert bad.status_code == 200 and "hours" in bad.context["form"].errors
    response = client.post(
        f"/activities/{activity.pk}/volunteers/",
        {"hours": fullwidth("3"), "description": "引导群众"},
    )
    assert response.status_code == 302
    activity = fresh(activity)
    service = activity.volunteer_service
    assert service is not None and service.title == activity.title and str(service.hours) == "3.0"
    page = client.get(f"/activities/{activity.pk}/").content.decode()
    assert f'href="/volunteers/services/{service.pk}/"' in page
    assert 'data-step="volunteers"' not in page  # once
    response = client.post(f"/activities/{activity.pk}/volunteers/", {"hours": "2"})
    assert response.status_code == 200 and "已安排志愿服务" in response.content.decode()


def test_signin_opens_and_closes(client_for: Any, village: Any, township2: Any) -> None:
    activity = running(village)
    client = client_for(village)
    response = client.post(f"/activities/{activity.pk}/signin/open/", follow=True)
    assert "已开放手机签到" in messages_of(response)
    activity = fresh(activity)
    assert activity.signin_open and activity.signin_code
    page = response.content.decode()
    assert f'action="/activities/{activity.pk}/signin/close/"' in page
    assert client.get(f"/activities/{activity.pk}/signin/open/").status_code == 405
    assert client_for(township2).post(f"/activities/{activity.pk}/signin/close/").status_code == 404
    response = client.post(f"/activities/{activity.pk}/signin/close/", follow=True)
    assert "已关闭手机签到" in messages_of(response)
    assert not fresh(activity).signin_open
    # After the end it cannot be opened again, and the page says why.
    ended = plan(village, DAZHUANG, days=-2)
    page = client.get(f"/activities/{ended.pk}/").content.decode()
    assert "活动已结束，不能再开放签到" in page
    response = client.post(f"/activities/{ended.pk}/signin/open/", follow=True)
    assert "活动已结束" in messages_of(response) and not fresh(ended).signin_open


def test_steps_refused_to_other_roles(
    client_for: Any, village: Any, auditor: Any, finance: Any, township2: Any
) -> None:
    activity = plan(village, DAZHUANG, days=-1)
    for user in (auditor, finance):
        client = client_for(user)
        for step in ("hold", "counts", "summary", "cancel", "media", "volunteers"):
            assert client.post(f"/activities/{activity.pk}/{step}/", {}).status_code == 403
        assert client.post(f"/activities/{activity.pk}/signin/open/").status_code == 403
    theirs = held(township2, YANGUOXIA)
    response = client_for(village).post(f"/activities/{theirs.pk}/cancel/", {"reason": "外镇"})
    assert response.status_code == 404
    assert fresh(activity).status == Activity.Status.PLANNED
    assert fresh(theirs).status == Activity.Status.HELD


def test_the_hold_form_starts_from_the_signins(village: Any) -> None:
    """The phone sign-ins are the hold form's default: members as 会员, the rest as 其他."""
    from fpa.activities.views.activities import hold_initial

    activity = running(village)
    assert hold_initial(activity) == {}
    services.signin_open(actor=village, activity=activity)
    activity = fresh(activity)
    consent = _signin_consent()
    for n in range(3):
        services.signin_submit(
            code=str(activity.signin_code),
            name=f"签到人{n}",
            phone=f"1380000{n:04d}",
            card="",
            consent_version=consent,
        )
    assert hold_initial(fresh(activity)) == {"others": 3}


def _signin_consent() -> int:
    from fpa.core import consent

    return consent.current("activity_signin").version
