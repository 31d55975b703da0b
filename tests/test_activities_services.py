"""Activities, sites, campaigns and the pool through their services: the rules, the refusals,
and the tallies that every figure reads, checked against the records after each change."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from fpa.activities import selectors, services, tallies
from fpa.activities.models import Activity, Policy, Site, Specialty, Theme
from fpa.core.errors import Conflict, NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from tests.activities_helpers import assoc, held, plan, site
from tests.conftest import DAZHUANG, LIUJIAXIA, YANGUOXIA

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def consistent() -> None:
    """The tallies agree with the records (what `check_activity_tallies` verifies)."""
    assert tallies.differences() == {}


def test_a_held_activity_counts_once_in_every_figure_of_its_ancestors(
    village: Any, township: Any, county: Any
) -> None:
    activity = plan(village, DAZHUANG)
    assert activity.status == Activity.Status.PLANNED
    figures = selectors.figures(user=county, association=assoc("622923"), year=YEAR)
    assert figures.get("activities") == 0  # planned: counts nowhere yet
    services.activity_hold(actor=village, activity=activity, members=12, youth=8, materials=300)
    for user, code in ((village, DAZHUANG), (township, LIUJIAXIA), (county, "622923")):
        assert selectors.activity_count(user=user, association=assoc(code), year=YEAR) == 1
        assert selectors.people_served(user=user, association=assoc(code), year=YEAR) == 20
        assert (
            selectors.materials_handed_out(
                user=user, association=assoc(code), year=YEAR, category="publicity"
            )
            == 300
        )
    figures = selectors.figures(user=county, association=assoc("622923"), year=YEAR)
    assert figures.by("group_people") == {"members": 12, "youth": 8}
    assert figures.get("theme_activities", "may29") == 1
    assert figures.get("activities", "health") == 0
    assert selectors.activity_count(user=county, association=assoc("622923"), year=YEAR - 1) == 0
    consistent()


def test_figures_by_child_split_the_county_by_township(
    village: Any, township2: Any, county: Any
) -> None:
    held(village, DAZHUANG)
    held(township2, YANGUOXIA, members=3, youth=0)
    held(county, "622923", members=1, youth=0)
    lines = selectors.figures_by_child(user=county, association=assoc("622923"), year=YEAR)
    by_code = {line.association.code: line for line in lines}
    assert by_code["622923"].get("people") == 1  # the county's own activity, first
    assert lines[0].association.code == "622923"
    assert by_code[LIUJIAXIA].get("people") == 15
    assert by_code[YANGUOXIA].get("people") == 3
    assert sum(line.get("activities") for line in lines) == 3


def test_corrections_summary_highlight_and_media_move_the_figures(
    village: Any, county: Any
) -> None:
    activity = held(village, DAZHUANG)
    activity = services.activity_record_counts(
        actor=village, activity=activity, version=activity.version, members=20, youth=0
    )
    county_ = assoc("622923")
    assert selectors.people_served(user=county, association=county_, year=YEAR) == 20
    services.activity_update(
        actor=village,
        activity=activity,
        version=activity.version,
        category=activity.category.__class__.objects.get(code="youth"),
    )
    assert (
        selectors.activity_count(user=county, association=county_, year=YEAR, category="youth") == 1
    )
    assert (
        selectors.activity_count(user=county, association=county_, year=YEAR, category="publicity")
        == 0
    )
    activity.refresh_from_db()
    services.activity_summarise(
        actor=village,
        activity=activity,
        summary="活动开展顺利，发放宣传资料并现场答疑。",
        highlight=True,
        version=activity.version,
    )
    assert selectors.highlights(user=county, association=county_, year=YEAR) == 1
    services.media_add(
        actor=village,
        activity=activity,
        outlet="tv",
        name="永靖电视台",
        published_on=timezone.localdate(),
        url="https://example.org/news/1",
    )
    assert selectors.media_reports(user=county, association=county_, year=YEAR, outlet="tv") == 1
    report = activity.media.get()
    services.media_remove(actor=village, report=report, reason="重复登记")
    assert selectors.media_reports(user=county, association=county_, year=YEAR) == 0
    consistent()


def test_hold_refusals(village: Any) -> None:
    future = plan(village, DAZHUANG, days=3)
    with pytest.raises(ServiceError) as exc:
        services.activity_hold(actor=village, activity=future, members=5)
    assert exc.value.code == "not_started"
    past = plan(village, DAZHUANG)
    with pytest.raises(ServiceError, match="参加人数"):
        services.activity_hold(actor=village, activity=past)
    with pytest.raises(ServiceError, match="整数"):
        services.activity_hold(actor=village, activity=past, members="十")
    with pytest.raises(ServiceError, match="负数"):
        services.activity_hold(actor=village, activity=past, members=-1)
    with pytest.raises(ServiceError, match="过大"):
        services.activity_hold(actor=village, activity=past, members=10**9)
    past.refresh_from_db()
    assert past.status == Activity.Status.PLANNED
    consistent()


def test_a_risky_activity_needs_the_insurance_confirmed(village: Any) -> None:
    activity = plan(village, DAZHUANG, risky=True, title="徒步健康行")
    with pytest.raises(ServiceError) as exc:
        services.activity_hold(actor=village, activity=activity, members=5)
    assert exc.value.code == "uninsured"
    with pytest.raises(ServiceError):
        services.activity_hold(
            actor=village, activity=activity, members=5, insurance_confirmed=True
        )
    done = services.activity_hold(
        actor=village,
        activity=activity,
        members=5,
        insurance_confirmed=True,
        insurance_note="团体意外险 PICC-2026-001",
    )
    assert done.status == Activity.Status.HELD
    assert done.insurance_confirmed_by == village


def test_approval_where_the_rule_asks_it(village: Any, township: Any, township2: Any) -> None:
    Policy.objects.create(association=assoc(LIUJIAXIA), approval_required=True)
    activity = plan(village, DAZHUANG)
    with pytest.raises(ServiceError) as exc:
        services.activity_hold(actor=village, activity=activity, members=5)
    assert exc.value.code == "unapproved"
    with pytest.raises(NotAllowed):  # a village approves nothing
        services.activity_approve(actor=village, activity=activity)
    with pytest.raises(NotAllowed):  # another township
        services.activity_approve(actor=township2, activity=activity)
    services.activity_approve(actor=township, activity=activity)
    activity.refresh_from_db()
    assert activity.status == Activity.Status.APPROVED and activity.approved_by == township
    # a new time sends it back for approval
    activity = services.activity_update(
        actor=village,
        activity=activity,
        version=activity.version,
        starts_at=activity.starts_at - datetime.timedelta(hours=1),
    )
    assert activity.status == Activity.Status.PLANNED
    own = plan(township, LIUJIAXIA)
    with pytest.raises(NotAllowed):  # nobody approves their own association's activity
        services.activity_approve(actor=township, activity=own)


def test_plan_refusals(village: Any, township2: Any) -> None:
    with pytest.raises(NotAllowed):
        plan(township2, DAZHUANG)  # another township's village
    with pytest.raises(ServiceError, match="结束时间"):
        plan(village, DAZHUANG, ends_at=timezone.now() - datetime.timedelta(days=5))
    with pytest.raises(ServiceError, match="阵地或填写地点"):
        plan(village, DAZHUANG, place="")
    other_site = site(township2, YANGUOXIA)
    with pytest.raises(ServiceError, match="阵地"):
        plan(village, DAZHUANG, site=other_site)
    with pytest.raises(ServiceError, match="经费"):
        plan(village, DAZHUANG, cost="-5")
    with pytest.raises(ServiceError, match="未知字段"):
        plan(village, DAZHUANG, status="held")
    assert not Activity.objects.exists()


def test_a_village_may_use_its_townships_site(village: Any, township: Any) -> None:
    home = site(township, LIUJIAXIA)
    activity = plan(village, DAZHUANG, site=home, place="")
    assert activity.site == home
    assert list(selectors.site_choices(user=village, organiser=assoc(DAZHUANG))) == [home]


def test_cancel_and_versions(village: Any) -> None:
    activity = plan(village, DAZHUANG)
    with pytest.raises(Conflict):
        services.activity_update(
            actor=village, activity=activity, version=activity.version + 5, title="新名称"
        )
    with pytest.raises(ServiceError, match="原因"):
        services.activity_cancel(actor=village, activity=activity, reason="")
    services.activity_cancel(actor=village, activity=activity, reason="天气原因")
    activity.refresh_from_db()
    assert activity.status == Activity.Status.CANCELLED
    with pytest.raises(ServiceError):
        services.activity_hold(actor=village, activity=activity, members=1)
    assert AuditEvent.objects.filter(object_id=str(activity.pk), reason="天气原因").exists()


def test_sites_count_while_open(township: Any, county: Any) -> None:
    home = site(township, LIUJIAXIA)
    planned = site(
        township, LIUJIAXIA, kind="warm_home", status=Site.Status.PLANNED, opened_on=None
    )
    county_ = assoc("622923")
    assert selectors.site_count(user=county, association=county_) == 1
    assert selectors.site_count(user=county, association=county_, kind="member_home") == 1
    services.site_update(
        actor=township,
        site=planned,
        version=planned.version,
        status=Site.Status.OPEN,
        opened_on=timezone.localdate(),
    )
    assert selectors.site_count(user=county, association=county_, kind="warm_home") == 1
    with pytest.raises(ServiceError, match="关闭日期"):
        services.site_update(actor=township, site=home, version=home.version, status="closed")
    services.site_update(
        actor=township,
        site=home,
        version=home.version,
        status=Site.Status.CLOSED,
        closed_on=timezone.localdate(),
    )
    assert selectors.site_count(user=county, association=county_) == 1
    with pytest.raises(ServiceError, match="晚于今天"):
        site(township, LIUJIAXIA, opened_on=timezone.localdate() + datetime.timedelta(days=2))
    consistent()


def test_campaign_targets_and_progress(county: Any, village: Any, township: Any) -> None:
    theme = Theme.objects.get(code="may29")
    today = timezone.localdate()
    campaign = services.campaign_create(
        actor=county,
        association=assoc("622923"),
        title="2026年5·29会员活动日",
        theme=theme,
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=10),
    )
    townships = campaign.targets.count()
    assert townships == assoc("622923").children.filter(valid_to__isnull=True).count() > 10
    held(village, DAZHUANG, campaign=campaign)
    plan(township, LIUJIAXIA, campaign=campaign, days=2)
    progress = {
        p.association.code: p for p in selectors.campaign_progress(user=county, campaign=campaign)
    }
    assert (progress[LIUJIAXIA].held, progress[LIUJIAXIA].planned) == (1, 1)
    assert progress[LIUJIAXIA].done and progress[LIUJIAXIA].percent == 100
    assert progress[YANGUOXIA].held == 0 and not progress[YANGUOXIA].done
    # the township sees its own line only, and the campaign set above it
    assert [
        p.association.code for p in selectors.campaign_progress(user=township, campaign=campaign)
    ] == [LIUJIAXIA]
    assert list(selectors.campaigns(user=village)) == [campaign]
    with pytest.raises(ServiceError, match="不在该部署"):
        plan(village, DAZHUANG, campaign=campaign, days=-30)


def test_campaign_refusals(county: Any, township: Any, village: Any) -> None:
    today = timezone.localdate()
    with pytest.raises(NotAllowed):  # a village sets no campaign
        services.campaign_create(
            actor=village, association=assoc(DAZHUANG), title="x", starts_on=today, ends_on=today
        )
    with pytest.raises(ServiceError, match="下级"):
        services.campaign_create(
            actor=township,
            association=assoc(LIUJIAXIA),
            title="青春健康进校园",
            starts_on=today,
            ends_on=today,
            targets=[(assoc(YANGUOXIA), 1)],
        )
    with pytest.raises(ServiceError, match="结束日期"):
        services.campaign_create(
            actor=county,
            association=assoc("622923"),
            title="x",
            starts_on=today,
            ends_on=today - datetime.timedelta(days=1),
        )


def test_experts_and_peer_clubs_are_stock_figures(township: Any, county: Any) -> None:
    trainer = services.expert_add(
        actor=township,
        association=assoc(LIUJIAXIA),
        specialties=Specialty.objects.filter(code__in=["youth_trainer", "psychology"]),
        name="李老师",
        organisation="刘家峡中学",
    )
    county_ = assoc("622923")
    assert selectors.expert_count(user=county, association=county_) == 1
    assert selectors.expert_count(user=county, association=county_, specialty="youth_trainer") == 1
    services.expert_update(actor=township, expert=trainer, version=trainer.version, active=False)
    assert selectors.expert_count(user=county, association=county_) == 0
    with pytest.raises(ServiceError, match="专长"):
        services.expert_add(
            actor=township, association=assoc(LIUJIAXIA), specialties=[], name="王医生"
        )
    club = services.peer_club_add(
        actor=township, association=assoc(LIUJIAXIA), school="永靖县第二中学", members=24
    )
    assert selectors.peer_club_count(user=county, association=county_) == 1
    figures = selectors.figures(user=county, association=county_, year=YEAR)
    assert figures.get("peer_members") == 24
    services.peer_club_update(actor=township, club=club, version=club.version, members=30)
    assert selectors.figures(user=county, association=county_, year=YEAR).get("peer_members") == 30
    consistent()


def test_volunteers_are_asked_through_the_volunteers_module(village: Any) -> None:
    activity = plan(village, DAZHUANG, days=2)
    activity = services.activity_request_volunteers(actor=village, activity=activity, hours="3")
    service = activity.volunteer_service
    assert service is not None and service.title == activity.title and service.hours == 3
    with pytest.raises(ServiceError):
        services.activity_request_volunteers(actor=village, activity=activity, hours="3")


def test_recount_rebuilds_what_the_services_kept(village: Any, township: Any) -> None:
    held(village, DAZHUANG)
    site(township, LIUJIAXIA)
    kept = tallies.stored()
    assert kept
    tallies.recount()
    assert tallies.stored() == kept


def test_signin_opens_with_an_unguessable_code_and_never_after_the_end(village: Any) -> None:
    activity = plan(village, DAZHUANG, days=0)
    activity = services.signin_open(actor=village, activity=activity)
    assert activity.signin_open and len(activity.signin_code or "") == 19
    assert activity.signin_accepting()
    ended = plan(village, DAZHUANG, days=-3)
    with pytest.raises(ServiceError) as exc:
        services.signin_open(actor=village, activity=ended)
    assert exc.value.code == "ended"
