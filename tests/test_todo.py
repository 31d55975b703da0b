"""The to-do centre (待办) on the home page: one registry (fpa.core.todo) where each module declares
its kinds; each count is what its link shows; nothing the user cannot act on (separation of
duties, scope, role); returned filings and refused grants show their reason to the submitter."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from fpa.core.todo import TodoKind, todo_kinds, todos_for
from fpa.fund import services as fund_services
from fpa.members.models import Member
from fpa.organizations import services as org_services
from fpa.organizations.models import Association
from fpa.volunteers.models import Volunteer
from tests.conftest import DAZHUANG, LIUJIAXIA, make_user, staff_in
from tests.fund_helpers import county_fund, family_in, give, grant_for
from tests.members_helpers import apply as member_apply
from tests.volunteers_helpers import apply as volunteer_apply

pytestmark = pytest.mark.django_db


def todos(client: Client) -> dict[str, tuple[str, int]]:
    """key -> (link, count) of the to-do items on the home page."""
    html = client.get("/").content.decode()
    found = re.findall(r'data-todo="([^"]+)"><a href="([^"]+)">[^<]+</a><span[^>]*>(\d+)<', html)
    return {key: (url.replace("&amp;", "&"), int(n)) for key, url, n in found}


def rows(client: Client, url: str, marker: str) -> int:
    return client.get(url).content.decode().count(marker)


def test_every_app_declares_its_kinds_once_with_a_known_capability() -> None:
    from fpa.accounts.roles import ALL_CAPABILITIES

    kinds = todo_kinds()
    keys = {kind.key for kind in kinds}
    assert {
        "families.mine_overdue",
        "families.needs_due",
        "families.area_overdue",
        "fund.grants_submitted",
        "fund.grants_reviewed",
        "fund.grants_approved",
        "fund.grants_refused",
        "fund.feedback_held",
        "fund.feedback_unanswered",
        "organizations.filings_to_review",
        "organizations.filings_returned",
        "members.applications",
        "volunteers.applications",
        "volunteers.hours",
        "volunteers.renewals",
    } <= keys
    assert all(isinstance(kind, TodoKind) for kind in kinds)
    assert {kind.capability for kind in kinds} <= ALL_CAPABILITIES
    assert [kind.order for kind in kinds] == sorted(kind.order for kind in kinds)


def test_grants_wait_for_the_next_step_but_never_for_who_handled_them(
    client_for: Any, village: Any, township: Any, county: Any, finance: Any
) -> None:
    fund = county_fund(county)
    give(finance, fund)
    family = family_in(village, DAZHUANG)
    theirs = grant_for(village, family)  # submitted by the village: the township reviews it
    own = grant_for(township, family, amount="300.00")  # the township's own application
    link, count = todos(client_for(township))["fund.grants_submitted"]
    assert count == 1  # not its own
    listed = client_for(township).get(link).content.decode()
    assert theirs.number in listed and own.number not in listed  # the link shows that one
    # The county may review as well (fund.review); it has not handled either grant.
    assert todos(client_for(county))["fund.grants_submitted"][1] == 2
    fund_services.grant_review(actor=county, grant=own, approve=True)
    as_county = todos(client_for(county))
    assert as_county["fund.grants_submitted"][1] == 1
    assert "fund.grants_reviewed" not in as_county  # it reviewed that one: another must approve
    assert "fund.grants_submitted" not in todos(client_for(finance))  # not finance's step


def test_a_refused_grant_and_a_returned_filing_show_their_reason_to_the_submitter(
    client_for: Any, village: Any, township: Any, county: Any, finance: Any
) -> None:
    fund = county_fund(county)
    give(finance, fund)
    grant = grant_for(village, family_in(village, DAZHUANG))
    fund_services.grant_review(actor=township, grant=grant, approve=False, note="不符合资助条件")
    person = staff_in(village, DAZHUANG)
    filing = org_services.filing_submit(
        actor=village, association=Association.objects.get(code=DAZHUANG), person=person
    )
    org_services.filing_return(actor=township, filing=filing, reason="缺少任职文件")
    html = client_for(village).get("/").content.decode()
    assert "不符合资助条件" in html and grant.number in html
    assert "缺少任职文件" in html
    # Another township's staff, and the reviewer, do not see them as their own.
    other = client_for(make_user("colleague", LIUJIAXIA, "township_staff")).get("/")
    assert "缺少任职文件" not in other.content.decode()
    # Filed again: the returned one is no longer a to-do.
    org_services.filing_submit(
        actor=village, association=Association.objects.get(code=DAZHUANG), person=person
    )
    assert "缺少任职文件" not in client_for(village).get("/").content.decode()


def test_applications_are_counted_where_they_can_be_decided(
    client_for: Any, township: Any, township2: Any, village: Any
) -> None:
    member_apply(village, DAZHUANG)
    member_apply(village, DAZHUANG)
    volunteer_apply(DAZHUANG)
    as_township = todos(client_for(township))
    assert as_township["members.applications"][1] == Member.objects.filter(status="pending").count()
    assert as_township["volunteers.applications"] == ("/volunteers/?status=applied", 1)
    assert Volunteer.objects.filter(status="applied").count() == 1
    as_other = todos(client_for(township2))  # another township: nothing of theirs
    assert "members.applications" not in as_other and "volunteers.applications" not in as_other


def test_nothing_for_roles_that_cannot_act(client_for: Any, auditor: Any, village: Any) -> None:
    member_apply(village, DAZHUANG)
    assert todos_for(auditor) == []
    html = client_for(auditor).get("/").content.decode()
    assert "没有等待您处理的事项" in html


def test_anonymous_sees_no_to_do(client: Client, township: Any, village: Any) -> None:
    member_apply(village, DAZHUANG)
    html = client.get("/").content.decode()
    assert "data-todo" not in html and "待审批的入会申请" not in html


def test_the_home_page_queries_are_bounded(
    client_for: Any, township: Any, village: Any, django_assert_max_num_queries: Any
) -> None:
    """One count per to-do kind the user holds (each a grouped or EXISTS query), whatever the
    number of items: the same with 5 and with 10 waiting applications, within a fixed bound."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(township)
    counts = []
    for _ in range(2):
        for _ in range(5):
            member_apply(village, DAZHUANG)
        with CaptureQueriesContext(connection) as captured:
            client.get("/")
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    # 36 before the reports' kinds (to submit, late, to review, returned notices) and the
    # inbox badge (one count): each new kind adds its one count, never a count per item. The
    # task book's four kinds share one count (fpa.tasks.selectors.todo_counts); the township's
    # assessment self-assessment due is one more (fpa.assessment.selectors.self_due).
    with django_assert_max_num_queries(42):
        client.get("/")


def test_the_county_home_page_carries_the_headline_figures(
    client_for: Any, county: Any, township: Any, village: Any, finance: Any
) -> None:
    fund = county_fund(county)
    give(finance, fund, amount="1234.00")
    family_in(village, DAZHUANG)
    html = client_for(county).get("/").content.decode()
    assert "主要数据" in html and "1234.00" in html
    assert "主要数据" not in client_for(township).get("/").content.decode()


def test_a_shared_figure_is_read_once_per_page() -> None:
    from fpa.core.todo import one_reading, shared

    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert shared("k", compute) == 1 and shared("k", compute) == 2  # outside: each time
    with one_reading():
        assert shared("k", compute) == 3
        with one_reading():  # a nested block joins the outer one
            assert shared("k", compute) == 3
        assert shared("other", compute) == 4
    assert shared("k", compute) == 5


def test_the_areas_overdue_count_is_its_click_through(
    client_for: Any, township: Any, village: Any
) -> None:
    import datetime

    from fpa.families import services as family_services
    from fpa.families.models import ContactRole, Family
    from fpa.families.selectors import coverage_family_ids
    from tests.fund_helpers import family_in

    family = family_in(village, DAZHUANG)
    Family.objects.filter(pk=family.pk).update(registered_on=datetime.date(2024, 1, 1))
    family.refresh_from_db()
    family_services.contact_assign(  # a cadre's rule: a call at least every week, never made
        actor=township,
        family=family,
        role=ContactRole.objects.get(code="village_cadre"),
        name="联系干部",
        start_date=datetime.date(2024, 1, 1),
    )
    link, count = todos(client_for(township))["families.area_overdue"]
    home = Association.objects.get(code=LIUJIAXIA)
    ids = coverage_family_ids(user=township, root=home, measure="on_schedule", has=False)
    assert count == len(ids) >= 1
    assert link == "/families/?measure=on_schedule&has=0"
