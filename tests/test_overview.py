"""The overview per level (驾驶舱, /overview/): each figure is the module's own figure for the same
association and year and clicks through to its records; the county sees its townships; the
scope, the role and the sign-in are checked; the page's queries do not grow with the records;
the county home page's headline block shows the same figures."""

from __future__ import annotations

import datetime
import html as html_lib
import json
import re
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fpa.activities import selectors as activity_selectors
from fpa.core.todo import one_reading
from fpa.dashboard import overview
from fpa.families import selectors as family_selectors
from fpa.fund import selectors as fund_selectors
from fpa.leftbehind import selectors as leftbehind_selectors
from fpa.members import selectors as member_selectors
from fpa.migrants import selectors as migrant_selectors
from fpa.organizations.models import Association
from fpa.reports import selectors as report_selectors
from fpa.reports.kinds import MONTHLY_SPECIAL
from fpa.rights import selectors as rights_selectors
from fpa.volunteers import selectors as volunteer_selectors
from fpa.volunteers import services as volunteer_services
from tests.activities_helpers import held
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, YANGUOXIA
from tests.fund_helpers import county_fund, family_in, give
from tests.leftbehind_helpers import person as leftbehind_person
from tests.members_helpers import member
from tests.migrants_helpers import migrant
from tests.rights_helpers import case
from tests.transfers_helpers import family_in as cared_family
from tests.volunteers_helpers import active as active_volunteer
from tests.volunteers_helpers import service as volunteer_service

pytestmark = pytest.mark.django_db
URL = "/overview/"


def figures(client: Client, url: str = URL) -> dict[str, tuple[str, str]]:
    """key -> (click-through URL, shown value) of the figures on an overview page."""
    page = client.get(url)
    assert page.status_code == 200
    found = re.findall(
        r'data-figure="([^"]+)"><a href="([^"]+)"[^>]*>([^<]+)</a>', page.content.decode()
    )
    return {key: (html_lib.unescape(link), value) for key, link, value in found}


def assoc(code: str) -> Association:
    return Association.objects.get(code=code)


def build_world(county: Any, township: Any, township2: Any, village: Any, finance: Any) -> None:
    """Records of every module in 大庄村 (刘家峡镇) and a family and a case in 盐锅峡镇."""
    cared_family(village, DAZHUANG, mother="测试一")  # visited today, a contact, an open need
    cared_family(village, DAZHUANG, mother="测试二")
    family_in(township2, SHANGQUAN, name="外镇家庭", n=33)
    member(village, DAZHUANG, approver=township)
    helper = active_volunteer(village, DAZHUANG)
    task = volunteer_service(village, DAZHUANG)
    volunteer_services.hours_record(actor=village, service=task, volunteer=helper, hours="4.5")
    held(village, DAZHUANG)
    migrant(village, DAZHUANG)
    leftbehind_person(village, DAZHUANG)
    case(village, DAZHUANG)
    case(township2, SHANGQUAN)
    give(finance, county_fund(county), amount="2345.00")


@pytest.fixture
def world(county: Any, township: Any, township2: Any, village: Any, finance: Any) -> None:
    build_world(county, township, township2, village, finance)


def module_figures(user: Any, area: Association, year: int) -> dict[str, str]:
    """What each module's own selector says for `area` and `year`, as the page shows it."""
    total, _children = family_selectors.coverage(user=user, root=area)
    fund = fund_selectors.fund_of(area)
    period = (datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    rights = rights_selectors.case_figures(user=user, root=area, first=period[0], last=period[1])
    activities = activity_selectors.figures(user=user, association=area, year=year)
    hours = volunteer_selectors.confirmed_hours_under(user=user, association=area, year=year)
    month = report_selectors.period_of(MONTHLY_SPECIAL, None)
    below = report_selectors.subordinates(
        user=user, association=area, kind=MONTHLY_SPECIAL, period=month
    )
    return {
        "families": str(total.families),
        "contacts_share": str(total.contacts_share) if total.contacts_share is not None else "—",
        "schedule_share": str(total.schedule_share) if total.schedule_share is not None else "—",
        "overdue": str(total.families - total.on_schedule),
        "open_needs": str(total.open_needs),
        "insured": str(total.insured),
        "members": str(member_selectors.counts(user=user, association=area).figures["total"]),
        "volunteers": str(member_selectors.volunteer_count(user=user, association=area)),
        "volunteer_hours": str(hours),
        "fund_balance": str(fund_selectors.available(fund)),
        "fund_notices": str(len(fund_selectors.public_notices(fund))),
        "activities": str(activities.get("activities")),
        "activity_people": str(activities.get("people")),
        "migrants": str(migrant_selectors.migrant_counts(user=user, root=area).total.total),
        "leftbehind": str(
            sum(r.total for r in leftbehind_selectors.counts_per_association(user=user, root=area))
        ),
        "rights_open": str(rights.total.open_now),
        "rights_overdue": str(rights.total.overdue_now),
        "reports_late": str(sum(1 for row in below if row.late)),
        "reports_waiting": str(sum(1 for row in below if row.status == "submitted")),
    }


# --- the figures are the modules' own ---------------------------------------------------------


def test_each_figure_of_the_township_is_the_modules_own_figure(
    client_for: Any, world: None, township: Any
) -> None:
    # given records of every module in the township and in its sibling
    year = timezone.localdate().year
    # when the township opens its overview (its own association by default)
    shown = figures(client_for(township))
    # then every figure is what the module's selector gives for the township, and not zero
    expected = module_figures(township, assoc(LIUJIAXIA), year)
    assert {key: value for key, (_url, value) in shown.items()} == expected
    assert expected["families"] == "2"  # the sibling township's family is not counted
    assert expected["open_needs"] == "2" and expected["contacts_share"] == "100.0"
    assert expected["members"] == "1" and expected["volunteers"] == "1"
    assert Decimal(expected["volunteer_hours"]) == Decimal("4.5")
    assert expected["fund_balance"] == "2345.00"
    assert expected["activities"] == "1" and expected["activity_people"] != "0"
    assert expected["migrants"] == expected["leftbehind"] == expected["rights_open"] == "1"


def test_the_county_chooses_a_township_and_sees_the_same_figures(
    client_for: Any, world: None, county: Any, township: Any
) -> None:
    as_county = figures(client_for(county), f"{URL}?code={LIUJIAXIA}")
    as_township = figures(client_for(township))
    assert {k: v for k, (_u, v) in as_county.items()} == {
        k: v for k, (_u, v) in as_township.items()
    }
    own = figures(client_for(county))
    assert own["families"][1] == "3" and own["rights_open"][1] == "2"


def test_the_county_sees_each_township_with_bars_that_click_through(
    client_for: Any, world: None, county: Any
) -> None:
    page = client_for(county).get(URL).content.decode()
    row = re.search(rf'<tr data-child="{LIUJIAXIA}">(.*?)</tr>', page, re.S)
    assert row is not None
    cells = re.findall(r'<td class="text-end">([^<]*)</td>', row.group(1))
    assert cells == ["2", "100.0%", "0", "1"]
    assert f'href="/overview/?code={LIUJIAXIA}&amp;year=' in row.group(1)
    data = json.loads(
        re.search(r'id="overview-chart-data"[^>]*>(.*?)</script>', page, re.S).group(1)  # type: ignore[union-attr]
    )
    index = next(i for i, label in enumerate(data["labels"]) if label.startswith("刘家峡镇"))
    charts = {c["key"]: c for c in data["charts"]}
    assert set(charts) == {"coverage", "overdue", "activities"}
    assert charts["coverage"]["data"][index] == 100.0
    assert charts["overdue"]["data"][index] == 0 and charts["activities"]["data"][index] == 1
    assert charts["overdue"]["links"][index] == (
        f"/families/?code={LIUJIAXIA}&measure=on_schedule&has=0"
    )
    activities_link = charts["activities"]["links"][index]
    listed = client_for(county).get(activities_link).content.decode()
    assert "活动" in listed and client_for(county).get(activities_link).status_code == 200


def test_families_behind_their_schedule_are_counted_and_listed(
    client_for: Any, world: None, township: Any
) -> None:
    # given two families of the township registered and never contacted
    later = timezone.now() + datetime.timedelta(days=120)
    with time_machine.travel(later, tick=False):
        client = client_for(township)
        # when the township opens its overview months later
        shown = figures(client)
        total, _children = family_selectors.coverage(user=township, root=assoc(LIUJIAXIA))
        # then both are overdue, as on the coverage page, and the link lists them
        assert shown["overdue"][1] == str(total.families - total.on_schedule) == "2"
        listed = client.get(shown["overdue"][0]).content.decode()
        assert "未按计划联系走访" in listed
        assert listed.count(">测试二<") + listed.count("测试二") >= 1


# --- click-through ------------------------------------------------------------------------------


def test_each_figure_clicks_through_to_the_records_behind_it(
    client_for: Any, world: None, township: Any
) -> None:
    client = client_for(township)
    shown = figures(client)
    year = timezone.localdate().year
    assert shown["overdue"][0] == f"/families/?code={LIUJIAXIA}&measure=on_schedule&has=0"
    assert shown["open_needs"][0] == f"/families/?code={LIUJIAXIA}&measure=open_needs&has=1"
    assert shown["activities"][0] == (
        f"/activities/figures/records/?code={LIUJIAXIA}&year={year}&figure=activities"
    )
    assert shown["rights_open"][0] == f"/rights/?code={LIUJIAXIA}&status=open"
    assert shown["migrants"][0] == f"/migrants/?code={LIUJIAXIA}"
    # the families behind "有未办结诉求" are listed by that filter: one family, the one with the need
    needs_page = client.get(shown["open_needs"][0]).content.decode()
    assert "有未办结诉求" in needs_page
    for key, (url, _value) in shown.items():
        assert client.get(url).status_code == 200, key


# --- refused --------------------------------------------------------------------------------------


def test_another_townships_code_shows_nothing(client_for: Any, world: None, township: Any) -> None:
    for code in (YANGUOXIA, SHANGQUAN, "zzz", "1' or '1'='1"):
        page = client_for(township).get(URL, {"code": code})
        text = page.content.decode()
        assert page.status_code == 200
        assert "不在您的管辖范围内" in text and "data-figure" not in text


def test_the_auditor_reads_the_fund_and_activities_only(
    client_for: Any, world: None, auditor: Any
) -> None:
    shown = figures(client_for(auditor))
    assert set(shown) == {
        "fund_balance",
        "fund_notices",
        "activities",
        "activity_people",
        "reports_late",
        "reports_waiting",
    }
    assert shown["activities"][1] == "1"


def test_a_volunteer_and_a_finance_clerk_are_refused_and_a_visitor_signs_in(
    client: Client, client_for: Any, volunteer: Any, finance: Any
) -> None:
    assert client_for(volunteer).get(URL).status_code == 403
    assert client_for(finance).get(URL).status_code == 403
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_bad_year_is_explained_and_this_year_is_shown(client_for: Any, township: Any) -> None:
    page = client_for(township).get(URL, {"year": "1999x"}).content.decode()
    assert "年份无效" in page
    assert f"{timezone.localdate().year}年" in page


def test_a_village_sees_its_own_figures_and_no_children(
    client_for: Any, world: None, village: Any
) -> None:
    page = client_for(village).get(URL).content.decode()
    assert 'data-figure="families"><a href="/families/?code=' + DAZHUANG in page
    assert "data-child" not in page and "overview-chart-data" not in page


def test_reports_late_and_waiting_below_show_with_their_page(county, township, village) -> None:
    """The 下级上报 of last month's special-family report: the county sees its townships that are
    late (a due date it set has passed) and those waiting for its review; a village, with no
    level below, has no such figures."""
    from fpa.reports import services as report_services
    from fpa.reports.kinds import MONTHLY_SPECIAL
    from tests.reports_helpers import family, last_month, submitted, visit

    visit(township, family(township, DAZHUANG))
    submitted(township)
    month = last_month()
    report_services.due_date_set(
        actor=county, kind=MONTHLY_SPECIAL, period=month, due_on=month.last
    )
    year = timezone.localdate().year
    found = {f.key: f for f in overview.figures_for(user=county, area=assoc("622923"), year=year)}
    townships = Association.objects.filter(parent__code="622923", kind="township").count()
    assert found["reports_waiting"].value == 1
    assert found["reports_late"].value == townships - 1 and found["reports_late"].urgent
    assert found["reports_late"].url == (
        f"/reports/below/?kind=monthly_special&period={month.key}&code=622923"
    )
    own = overview.figures_for(user=village, area=village.home_association, year=year)
    assert not {f.key for f in own} & {"reports_late", "reports_waiting"}


# --- fast ----------------------------------------------------------------------------------------


def test_the_county_page_reads_a_bounded_number_of_queries(
    client_for: Any,
    world: None,
    county: Any,
    village: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(county)
    client.get(URL)  # warm the per-process caches (area options, links)
    # the figures of every module: one or two grouped queries each (下级上报: the children, their
    # reports and the due date set above, three)
    area, year = assoc("622923"), timezone.localdate().year
    county.has_capability("family.view")  # the roles, read once per request by the page too
    with one_reading(), django_assert_max_num_queries(33):
        found = overview.figures_for(user=county, area=area, year=year)
    assert len(found) == 19
    counts = []
    for n in range(2):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        counts.append(len(captured))
        for _ in range(5):  # more records do not add queries
            cared_family(village, DAZHUANG, mother=f"更多{n}")
            held(village, DAZHUANG)
    assert counts[0] == counts[1], counts
    # the page: the figures, the area picker, the session and the to-do registry's counts
    with django_assert_max_num_queries(70):
        client.get(URL)


# --- the home page --------------------------------------------------------------------------------


def test_the_county_home_page_shows_the_overviews_figures_and_links_to_it(
    client_for: Any, world: None, county: Any, township: Any
) -> None:
    home = client_for(county).get("/").content.decode()
    found = dict(re.findall(r'data-figure="([^"]+)"><a href="[^"]+">([^<]+)</a>', home))
    shown = figures(client_for(county))
    assert found["families"] == shown["families"][1] == "3"
    assert found["fund_balance"] == shown["fund_balance"][1] == "2345.00"
    assert 'href="/overview/"' in home
    township_home = client_for(township).get("/").content.decode()
    assert "data-overview-link" in township_home and "主要数据" not in township_home


# --- the API ----------------------------------------------------------------------------------------

API = "/api/v1/overview"


def test_the_api_gives_the_pages_figures(client_for: Any, world: None, township: Any) -> None:
    client = client_for(township)
    data = client.get(API).json()
    assert data["code"] == LIUJIAXIA and data["year"] == timezone.localdate().year
    by_key = {f["key"]: f for f in data["figures"]}
    shown = figures(client)
    assert set(by_key) == set(shown)
    assert by_key["families"]["value"] == 2 and by_key["families"]["url"] == shown["families"][0]
    assert Decimal(str(by_key["fund_balance"]["value"])) == Decimal("2345.00")
    assert [c["code"] for c in data["children"]] and all(
        c["code"].startswith(LIUJIAXIA) for c in data["children"]
    )
    # a village chosen by code
    village_data = client.get(API, {"code": DAZHUANG}).json()
    assert village_data["name"] == assoc(DAZHUANG).name and village_data["children"] == []


def test_the_api_refuses_what_the_page_refuses(
    client: Client, client_for: Any, township: Any, volunteer: Any, auditor: Any
) -> None:
    foreign = client_for(township).get(API, {"code": YANGUOXIA})
    assert foreign.status_code == 404 and foreign.json()["error"]["code"] == "not_found"
    bad_year = client_for(township).get(API, {"year": "1900"})
    assert bad_year.status_code == 422 and "year" in bad_year.json()["error"]["fields"]
    future = client_for(township).get(API, {"year": str(timezone.localdate().year + 5)})
    assert future.status_code == 400 and "year" in future.json()["error"]["fields"]
    assert client_for(volunteer).get(API).status_code == 403
    assert client.get(API).status_code == 401
    keys = {f["key"] for f in client_for(auditor).get(API).json()["figures"]}
    # no fund yet; no families for an auditor
    assert keys == {"activities", "activity_people", "reports_late", "reports_waiting"}
