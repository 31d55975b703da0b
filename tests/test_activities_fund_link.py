"""An activity's cost linked to the care-fund grant (target 活动) that paid for it: the link is
made by staff holding fund.apply in scope of both records, audited, shown on the activity's page
(number, amount, status, link, only to a viewer who may open the grant) and on the grant's page;
refused for a grant of another township or of another fund, a grant that is not for an activity
or was refused, a township user without the fund capability, another township, anonymous."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fpa.accounts.roles import Role
from fpa.activities import services
from fpa.activities.models import Activity
from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from fpa.fund import services as fund_services
from fpa.fund.models import Grant
from tests.activities_helpers import assoc, plan
from tests.conftest import DAZHUANG, LIUJIAXIA, YANGUOXIA, make_user
from tests.fund_helpers import acct, county_fund
from tests.test_api import api_client, assert_error

pytestmark = pytest.mark.django_db
BASE = "/api/v1/activities"


def activity_grant(actor: Any, code: str, amount: str = "1500.00", **extra: Any) -> Grant:
    data: dict[str, Any] = {
        "target": Grant.Target.ACTIVITY,
        "activity_name": "5·29会员活动日宣传",
        "category": acct("5105"),
        "amount": amount,
        "purpose": "宣传资料印制与场地布置",
    }
    data.update(extra)
    return fund_services.grant_apply(actor=actor, association=assoc(code), **data)


@pytest.fixture
def fund(county: Any) -> Any:
    return county_fund(county)


def link_url(activity: Activity) -> str:
    return reverse("activities:fund_link", args=[activity.pk])


def test_a_township_links_its_activity_and_both_pages_show_it(
    fund: Any, township: Any, client_for: Any
) -> None:
    activity = plan(township, LIUJIAXIA)
    grant = activity_grant(township, LIUJIAXIA)
    client = client_for(township)
    page = client.get(reverse("activities:detail", args=[activity.pk]))
    assert page.status_code == 200
    assert f'value="{grant.pk}"'.encode() in page.content  # offered in the link form
    response = client.post(link_url(activity), {"grant": grant.pk, "version": activity.version})
    assert response.status_code == 302, response.content
    activity.refresh_from_db()
    assert activity.fund_grant_id == grant.pk and activity.version == 2
    assert activity.cost == Decimal("0")  # a link, never a copy of the amount
    event = AuditEvent.objects.get(object_type="activities.activity", action="update")
    assert event.changes["fund_grant"][1] == grant.pk
    page = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert grant.number in page and "1500.00" in page
    assert reverse("fund:grant_detail", args=[grant.pk]) in page
    assert grant.stage_label() in page
    grant_page = client.get(reverse("fund:grant_detail", args=[grant.pk])).content.decode()
    assert "data-grant-activities" in grant_page
    assert reverse("activities:detail", args=[activity.pk]) in grant_page


def test_unlinking_is_audited_and_the_grant_page_no_longer_lists_it(
    fund: Any, township: Any, client_for: Any
) -> None:
    activity = plan(township, LIUJIAXIA)
    grant = activity_grant(township, LIUJIAXIA)
    services.activity_fund_link(actor=township, activity=activity, grant=grant)
    client = client_for(township)
    response = client.post(link_url(activity), {"grant": "", "version": 2})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.fund_grant_id is None
    events = AuditEvent.objects.filter(object_type="activities.activity", action="update")
    changes = [e.changes["fund_grant"] for e in events.order_by("id")]
    assert changes == [[None, grant.pk], [grant.pk, None]]
    grant_page = client.get(reverse("fund:grant_detail", args=[grant.pk])).content.decode()
    assert "data-grant-activities" not in grant_page


def test_a_viewer_who_may_not_open_the_grant_sees_only_that_one_is_linked(
    fund: Any, township: Any, village: Any, client_for: Any
) -> None:
    activity = plan(village, DAZHUANG)
    grant = activity_grant(township, LIUJIAXIA, amount="777.00")  # the township's grant
    services.activity_fund_link(actor=township, activity=activity, grant=grant)
    page = client_for(village).get(reverse("activities:detail", args=[activity.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and f'data-fund-grant="{grant.pk}"' in text
    assert "777.00" not in text and grant.number not in text
    assert reverse("fund:grant_detail", args=[grant.pk]) not in text
    township_view = client_for(township).get(reverse("activities:detail", args=[activity.pk]))
    assert "777.00" in township_view.content.decode()


def test_a_grant_of_another_township_or_another_fund_is_refused(
    fund: Any, county: Any, township: Any, township2: Any, client_for: Any
) -> None:
    activity = plan(township, LIUJIAXIA)
    theirs = activity_grant(township2, YANGUOXIA)  # the county fund, another township
    with pytest.raises(NotAllowed):
        services.activity_fund_link(actor=township, activity=activity, grant=theirs)
    response = client_for(township).post(link_url(activity), {"grant": theirs.pk})
    assert response.status_code == 200  # not offered: the form says so, nothing changes
    assert b"is-invalid" in response.content
    # The county sees both but they are on different lines of the tree.
    with pytest.raises(ServiceError, match="其他协会"):
        services.activity_fund_link(actor=county, activity=activity, grant=theirs)
    # Another fund: Yanguoxia sets up its own; its grants never pay a Liujiaxia activity.
    fund_services.fund_create(
        actor=county, association=assoc(YANGUOXIA), name="盐锅峡镇关怀基金", receipt_prefix="YGX"
    )
    other_fund = activity_grant(township2, YANGUOXIA)
    assert other_fund.fund.association.code == YANGUOXIA
    with pytest.raises(ServiceError, match="覆盖本活动"):
        services.activity_fund_link(actor=county, activity=activity, grant=other_fund)
    activity.refresh_from_db()
    assert activity.fund_grant_id is None
    assert not AuditEvent.objects.filter(object_type="activities.activity", action="update")


def test_a_grant_not_for_an_activity_or_refused_is_refused(
    fund: Any, township: Any, village: Any
) -> None:
    activity = plan(township, LIUJIAXIA)
    person = activity_grant(
        township, LIUJIAXIA, target=Grant.Target.PERSON, person_name="受助人乙", activity_name=""
    )
    with pytest.raises(ServiceError, match="活动"):
        services.activity_fund_link(actor=township, activity=activity, grant=person)
    refused = activity_grant(village, DAZHUANG)  # reviewed by someone else than its applicant
    fund_services.grant_review(actor=township, grant=refused, approve=False, note="材料不全")
    refused.refresh_from_db()
    assert refused.status == Grant.Status.REJECTED
    with pytest.raises(ServiceError, match="未通过"):
        services.activity_fund_link(actor=township, activity=activity, grant=refused)
    activity.refresh_from_db()
    assert activity.fund_grant_id is None


def test_a_township_user_without_the_fund_capability_is_refused(
    fund: Any, township: Any, client_for: Any
) -> None:
    activity = plan(township, LIUJIAXIA)
    grant = activity_grant(township, LIUJIAXIA)
    reader = make_user("reader", LIUJIAXIA, Role.AUDITOR)  # activity.view, fund.view only
    assert not reader.has_capability("fund.apply")
    with pytest.raises(NotAllowed):
        services.activity_fund_link(actor=reader, activity=activity, grant=grant)
    client = client_for(reader)
    assert client.post(link_url(activity), {"grant": grant.pk}).status_code == 403
    page = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert 'data-step="fund"' not in page
    activity.refresh_from_db()
    assert activity.fund_grant_id is None


def test_another_township_and_anonymous_cannot_reach_the_link(
    fund: Any, township: Any, township2: Any, client_for: Any, client: Client
) -> None:
    activity = plan(township, LIUJIAXIA)
    grant = activity_grant(township, LIUJIAXIA)
    assert client_for(township2).post(link_url(activity), {"grant": grant.pk}).status_code == 404
    response = client.post(link_url(activity), {"grant": grant.pk})
    assert response.status_code == 302 and "login" in response["Location"]
    activity.refresh_from_db()
    assert activity.fund_grant_id is None


def test_a_cancelled_activity_cannot_be_linked(fund: Any, township: Any) -> None:
    activity = plan(township, LIUJIAXIA)
    grant = activity_grant(township, LIUJIAXIA)
    activity = services.activity_cancel(actor=township, activity=activity, reason="天气原因")
    with pytest.raises(ServiceError, match="已取消"):
        services.activity_fund_link(actor=township, activity=activity, grant=grant)


def test_the_api_links_and_refuses_with_structured_errors(
    fund: Any, township: Any, township2: Any, client: Client
) -> None:
    activity = plan(township, LIUJIAXIA)
    grant = activity_grant(township, LIUJIAXIA)
    theirs = activity_grant(township2, YANGUOXIA)
    url = f"{BASE}/{activity.pk}/fund"
    mine = api_client(township)
    error = assert_error(
        mine.post(url, {"grant_id": theirs.pk}, content_type="application/json"), 400, "invalid"
    )
    assert "grant_id" in error["fields"]
    assert_error(mine.post(url, {"grant_id": "x"}, content_type="application/json"), 422, "invalid")
    assert_error(
        api_client(township2).post(url, {"grant_id": grant.pk}, content_type="application/json"),
        404,
        "not_found",
    )
    assert_error(
        client.post(url, {"grant_id": grant.pk}, content_type="application/json"),
        401,
        "unauthenticated",
    )
    response = mine.post(url, {"grant_id": grant.pk, "version": 1}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["fund_grant_id"] == grant.pk
    assert_error(
        mine.post(url, {"grant_id": None, "version": 1}, content_type="application/json"),
        409,
        "conflict",
    )
    response = mine.post(url, {"grant_id": None}, content_type="application/json")
    assert response.status_code == 200 and response.json()["fund_grant_id"] is None
