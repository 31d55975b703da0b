"""The activity pages in English (the second UI language): every page of the module renders with
no Chinese left in its chrome once the data (names of records and associations, the configurable
lists' names, typed text) is taken out; the public calendar and the phone sign-in page too.
Chinese stays the default."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from fpa.activities import services
from fpa.activities.models import Category, HealthCase, SiteKind, Specialty, Theme
from fpa.core.models import ConsentText
from fpa.organizations.models import Association
from tests.activities_helpers import assoc, held, plan, site
from tests.conftest import DAZHUANG, LIUJIAXIA
from tests.english import (  # noqa: F401 (the autouse fixture)
    chinese_left,
    data_words,
    default_language_afterwards,
    english,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(township: Any, county: Any) -> dict[str, Any]:
    today = timezone.localdate()
    home = site(township, LIUJIAXIA, name="刘家峡镇会员之家", address="黄河路8号")
    campaign = services.campaign_create(
        actor=county,
        association=assoc("622923"),
        title="五二九会员活动日",
        theme=Theme.objects.get(code="may29"),
        starts_on=today - datetime.timedelta(days=5),
        ends_on=today + datetime.timedelta(days=5),
        description="每个乡镇至少开展一次",
    )
    done = held(township, LIUJIAXIA, campaign=campaign, site=home, place="", public=True)
    services.activity_summarise(
        actor=township, activity=done, summary="活动顺利开展，群众反响良好。", highlight=True
    )
    planned = plan(township, DAZHUANG, days=3, title="青春健康讲座", public=True)
    services.signin_open(actor=township, activity=planned)
    planned.refresh_from_db()
    expert = services.expert_add(
        actor=township,
        association=assoc(LIUJIAXIA),
        specialties=Specialty.objects.filter(code="psychology"),
        name="李老师",
        organisation="刘家峡中学",
    )
    club = services.peer_club_add(
        actor=township, association=assoc(LIUJIAXIA), school="永靖县第二中学", members=20
    )
    case = services.case_create(
        actor=township,
        association=assoc(DAZHUANG),
        kind=HealthCase.Kind.GENETIC,
        person_name="马秀兰",
        details="需要遗传咨询",
        follow_up_on=today,
    )
    return {
        "site": home,
        "campaign": campaign,
        "done": done,
        "planned": planned,
        "expert": expert,
        "club": club,
        "case": case,
    }


def data(records: dict[str, Any]) -> list[str]:
    values: list[str | None] = [a.name for a in Association.objects.all()]
    # the consent texts are stored data, shown as published (Chinese)
    values += [line for c in ConsentText.objects.all() for line in c.body.splitlines()]
    values += [a.division_name for a in Association.objects.all()]
    for model in (Category, Theme, SiteKind, Specialty):
        values += list(model.objects.values_list("name", flat=True))
    values += [
        records["site"].name,
        records["site"].address,
        records["campaign"].title,
        records["campaign"].description,
        records["done"].title,
        records["done"].place,
        "活动顺利开展，群众反响良好。",
        records["planned"].title,
        records["planned"].place,
        records["expert"].name,
        records["expert"].organisation,
        records["club"].school,
        "马*",
        "永靖县计划生育协会",  # the footer (the operator's name)
        "刘家峡镇会员之家（黄河路8号）",
    ]
    return data_words(values)


def test_the_staff_pages_have_no_chinese_chrome(township: Any, records: dict[str, Any]) -> None:
    client = english(township)
    pages = [
        "/activities/",
        "/activities/new/",
        "/activities/highlights/",
        f"/activities/{records['done'].pk}/",
        f"/activities/{records['planned'].pk}/",
        f"/activities/{records['planned'].pk}/signin/",
        "/activities/sites/",
        f"/activities/sites/{records['site'].pk}/",
        "/activities/campaigns/",
        f"/activities/campaigns/{records['campaign'].pk}/",
        "/activities/figures/",
        "/activities/experts/",
        f"/activities/experts/{records['expert'].pk}/",
        "/activities/clubs/",
        "/activities/health/",
        f"/activities/health/{records['case'].pk}/",
        "/activities/health/new/",
    ]
    words = data(records)
    left = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        remaining = chinese_left(response.content.decode(), words)
        if remaining:
            left[url] = remaining
    assert left == {}


def test_the_public_pages_have_no_chinese_chrome(records: dict[str, Any]) -> None:
    client = english()
    words = data(records)
    code = records["planned"].signin_code
    for url in ("/activities/calendar/", f"/activities/s/{code}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert chinese_left(response.content.decode(), words) == [], url


def test_chinese_stays_the_default(client_for: Any, township: Any, records: dict[str, Any]) -> None:
    body = client_for(township).get("/activities/").content.decode()
    assert "活动" in body and "Activities" not in body
