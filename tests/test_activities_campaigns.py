"""The campaign pages: the form with a number per target, edit, the progress moving as activities
are held, "尚未开展", the click-through to a target's activities, what a village sees, the
workbook, and the refusals."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
import python_calamine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fpa.activities import selectors, services
from fpa.activities.models import Campaign, CampaignTarget, Theme
from fpa.core.models import AuditEvent
from fpa.organizations.models import Association
from tests.activities_helpers import assoc, held, plan
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, YANGUOXIA, content

pytestmark = pytest.mark.django_db
NEW = reverse("activities:campaign_new")
LIST = reverse("activities:campaigns")
TODAY = timezone.localdate()


def fullwidth(value: str) -> str:
    """The full-width form a Chinese input method types."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in value)


def townships() -> list[Association]:
    return list(assoc("622923").children.filter(valid_to__isnull=True).order_by("code"))


def county_campaign(county: Any, **data: Any) -> Campaign:
    values: dict[str, Any] = {
        "title": "5·29会员活动日",
        "theme": Theme.objects.get(code="may29"),
        "starts_on": TODAY - datetime.timedelta(days=10),
        "ends_on": TODAY + datetime.timedelta(days=10),
        "description": "每个乡镇至少开展一次活动。",
    }
    values.update(data)
    return services.campaign_create(actor=county, association=assoc("622923"), **values)


def form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "2026年5·29会员活动日",
        "theme": Theme.objects.get(code="may29").pk,
        "starts_on": (TODAY - datetime.timedelta(days=5)).isoformat(),
        "ends_on": (TODAY + datetime.timedelta(days=25)).isoformat(),
        "description": "每个乡镇至少开展一次活动，每个村（社区）开展宣传。",
    }
    for township in townships():
        data[f"target_{township.code}"] = "1"
    data.update(overrides)
    return data


def page(response: Any) -> str:
    return response.content.decode()


def sheet_rows(data: bytes, name: str) -> list[list[Any]]:
    """A sheet of a workbook read back (python-calamine), whole numbers as int."""
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = book.get_sheet_by_name(name).to_python()
    return [[int(v) if isinstance(v, float) and v.is_integer() else v for v in r] for r in rows]


# --- new ----------------------------------------------------------------------------------------


def test_the_new_form_lists_every_township_with_one_activity(client_for: Any, county: Any) -> None:
    response = client_for(county).get(NEW)
    assert response.status_code == 200
    html = page(response)
    for township in townships():
        assert f'name="target_{township.code}" value="1"' in html
        assert township.name in html


def test_county_sets_a_campaign_with_a_number_per_township(client_for: Any, county: Any) -> None:
    # given: 3 activities asked of 刘家峡镇, none of 盐锅峡镇, the default 1 of the others
    data = form_data(**{f"target_{LIUJIAXIA}": "3", f"target_{YANGUOXIA}": "0"})
    response = client_for(county).post(NEW, data)
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("activities:campaign", args=[campaign.pk])
    wanted = dict(
        CampaignTarget.objects.filter(campaign=campaign).values_list(
            "association__code", "activities"
        )
    )
    assert wanted[LIUJIAXIA] == 3
    assert YANGUOXIA not in wanted
    assert len(wanted) == len(townships()) - 1
    assert campaign.association.code == "622923"
    assert campaign.theme is not None and campaign.theme.code == "may29"
    assert AuditEvent.objects.filter(
        object_type="activities.campaign", object_id=str(campaign.pk)
    ).exists()


def test_a_township_sets_a_campaign_for_its_villages(client_for: Any, township: Any) -> None:
    villages = list(assoc(LIUJIAXIA).children.filter(valid_to__isnull=True))
    client = client_for(township)
    html = page(client.get(NEW))
    assert f'name="target_{DAZHUANG}"' in html and f'name="target_{SHANGQUAN}"' not in html
    data = {
        "title": "青春健康进校园",
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + datetime.timedelta(days=60)).isoformat(),
        **{f"target_{v.code}": "1" for v in villages},
    }
    assert client.post(NEW, data).status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.association.code == LIUJIAXIA and campaign.theme is None
    assert campaign.targets.count() == len(villages)


def test_the_county_may_set_a_campaign_for_a_township_it_picks(
    client_for: Any, county: Any
) -> None:
    client = client_for(county)
    url = f"{NEW}?code={LIUJIAXIA}"
    html = page(client.get(url))
    assert f'name="target_{DAZHUANG}"' in html and "data-fpa-picker" in html
    villages = assoc(LIUJIAXIA).children.filter(valid_to__isnull=True)
    data = {
        "title": "健康家庭创建宣传",
        "starts_on": TODAY.isoformat(),
        "ends_on": TODAY.isoformat(),
        **{f"target_{v.code}": "1" for v in villages},
    }
    assert client.post(url, data).status_code == 302
    assert Campaign.objects.get().association.code == LIUJIAXIA


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_on": (TODAY - datetime.timedelta(days=30)).isoformat()}, "结束日期不能早于"),
        ({"starts_on": "2026-02-30"}, "日期"),
        ({"ends_on": "明天"}, "日期"),
        ({"title": "长" * 101}, "100"),
        ({"title": ""}, "必填"),
        ({f"target_{LIUJIAXIA}": "abc"}, "整数"),
        ({f"target_{LIUJIAXIA}": "-1"}, "0"),
        ({f"target_{LIUJIAXIA}": "100000"}, "1000"),
        ({"description": "字" * 2001}, "2000"),
        ({"theme": "999999"}, "选择"),
        ({"ends_on": (TODAY + datetime.timedelta(days=800)).isoformat()}, "一年"),
    ],
)
def test_bad_input_gives_a_clear_message_and_changes_nothing(
    client_for: Any, county: Any, overrides: dict[str, Any], message: str
) -> None:
    response = client_for(county).post(NEW, form_data(**overrides))
    assert response.status_code == 200
    assert message in page(response)
    assert not Campaign.objects.exists()


def test_no_target_at_all_is_refused(client_for: Any, county: Any) -> None:
    zeros = {f"target_{t.code}": "0" for t in townships()}
    response = client_for(county).post(NEW, form_data(**zeros))
    assert "请至少为一个承办协会填写" in page(response)
    assert not Campaign.objects.exists()


def test_full_width_digits_are_read_as_digits(client_for: Any, county: Any) -> None:
    client_for(county).post(NEW, form_data(**{f"target_{LIUJIAXIA}": fullwidth("2")}))
    target = CampaignTarget.objects.get(association__code=LIUJIAXIA)
    assert target.activities == 2


def test_a_forged_target_is_ignored(client_for: Any, township: Any) -> None:
    """A number for an association that is not a row of the form (another township's village)
    is not read: the targets are the rows the server listed."""
    villages = assoc(LIUJIAXIA).children.filter(valid_to__isnull=True)
    data = {
        "title": "青春健康进校园",
        "starts_on": TODAY.isoformat(),
        "ends_on": TODAY.isoformat(),
        f"target_{SHANGQUAN}": "5",
        **{f"target_{v.code}": "1" for v in villages},
    }
    client_for(township).post(NEW, data)
    assert not CampaignTarget.objects.filter(association__code=SHANGQUAN).exists()


def test_a_setter_outside_the_scope_is_refused(client_for: Any, township: Any) -> None:
    client = client_for(township)
    assert client.get(f"{NEW}?code={YANGUOXIA}").status_code == 404
    assert client.post(f"{NEW}?code={YANGUOXIA}", {"title": "x"}).status_code == 404
    assert client.get(f"{NEW}?code={DAZHUANG}").status_code == 404  # a village sets none
    assert not Campaign.objects.exists()


# --- edit ---------------------------------------------------------------------------------------


def test_edit_changes_what_is_asked_and_the_targets(client_for: Any, county: Any) -> None:
    campaign = county_campaign(county)
    url = reverse("activities:campaign_edit", args=[campaign.pk])
    client = client_for(county)
    html = page(client.get(url))
    assert f'name="target_{LIUJIAXIA}" value="1"' in html
    data = form_data(
        title="5·29会员活动日（调整）",
        version=campaign.version,
        starts_on=campaign.starts_on.isoformat(),
        ends_on=campaign.ends_on.isoformat(),
        **{f"target_{LIUJIAXIA}": "2", f"target_{YANGUOXIA}": ""},
    )
    assert client.post(url, data).status_code == 302
    campaign.refresh_from_db()
    assert campaign.title == "5·29会员活动日（调整）" and campaign.version == 2
    assert campaign.theme is not None and campaign.theme.code == "may29"
    wanted = dict(campaign.targets.values_list("association__code", "activities"))
    assert wanted[LIUJIAXIA] == 2 and YANGUOXIA not in wanted
    # a stale version (someone saved in between) changes nothing
    response = client.post(url, {**data, "title": "旧页面的修改", "version": 1})
    assert "已被他人修改" in page(response)
    campaign.refresh_from_db()
    assert campaign.title == "5·29会员活动日（调整）"
    # the theme emptied is the theme removed
    assert client.post(url, {**data, "theme": "", "version": 2}).status_code == 302
    campaign.refresh_from_db()
    assert campaign.theme is None and campaign.version == 3


def test_edit_refuses_dates_that_leave_activities_out(
    client_for: Any, county: Any, village: Any
) -> None:
    campaign = county_campaign(county)
    held(village, DAZHUANG, campaign=campaign, days=-5)
    data = form_data(version=campaign.version, starts_on=TODAY.isoformat())
    response = client_for(county).post(
        reverse("activities:campaign_edit", args=[campaign.pk]), data
    )
    assert "不在新的时间范围内" in page(response)
    campaign.refresh_from_db()
    assert campaign.version == 1


def test_a_campaign_set_above_cannot_be_edited_below(
    client_for: Any, county: Any, township: Any
) -> None:
    campaign = county_campaign(county)
    client = client_for(township)
    url = reverse("activities:campaign_edit", args=[campaign.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, form_data(version=1, title="改")).status_code == 403
    campaign.refresh_from_db()
    assert campaign.title == "5·29会员活动日"
    html = page(client.get(reverse("activities:campaign", args=[campaign.pk])))
    assert url not in html


# --- the campaign page --------------------------------------------------------------------------


def test_progress_moves_as_activities_are_held(
    client_for: Any, county: Any, village: Any, township: Any
) -> None:
    campaign = county_campaign(county, description="每个乡镇至少开展一次活动。")
    url = reverse("activities:campaign", args=[campaign.pk])
    client = client_for(county)
    response = client.get(url)
    html = page(response)
    assert "每个乡镇至少开展一次活动。" in html
    not_started = {p.association.code for p in response.context["not_started"]}
    assert not_started == {t.code for t in townships()}
    # when: a village of 刘家峡镇 holds an activity of the campaign, the township plans another
    activity = plan(village, DAZHUANG, campaign=campaign)
    plan(township, LIUJIAXIA, campaign=campaign, days=2)
    line = {p.association.code: p for p in client.get(url).context["not_started"]}[LIUJIAXIA]
    assert (line.held, line.planned) == (0, 2)
    services.activity_hold(actor=village, activity=activity, members=8)
    response = client.get(url)
    lines = {line["p"].association.code: line["p"] for line in response.context["lines"]}
    # then: 刘家峡镇's line is done, it leaves "尚未开展", the others stay in it
    assert (lines[LIUJIAXIA].held, lines[LIUJIAXIA].planned) == (1, 1)
    assert lines[LIUJIAXIA].done and lines[LIUJIAXIA].percent == 100
    not_started = {p.association.code for p in response.context["not_started"]}
    assert LIUJIAXIA not in not_started and YANGUOXIA in not_started
    assert response.context["done_count"] == 1
    chart = response.context["chart"]
    index = chart["labels"].index(assoc(LIUJIAXIA).name.removesuffix("计生协"))
    assert chart["series"][1]["data"][index] == 1
    assert "activities-chart-data" in page(response) and "echarts.min.js" in page(response)
    assert "<script>" not in page(response)  # no inline script (CSP)


def test_each_line_clicks_through_to_its_activities(
    client_for: Any, county: Any, village: Any, township2: Any
) -> None:
    campaign = county_campaign(county)
    ours = held(village, DAZHUANG, campaign=campaign, title="大庄村5·29宣传")
    theirs = held(township2, YANGUOXIA, campaign=campaign, title="盐锅峡镇5·29宣传")
    held(village, DAZHUANG, title="不属于部署的活动")
    client = client_for(county)
    link = reverse("activities:campaign_activities", args=[campaign.pk]) + f"?code={LIUJIAXIA}"
    html = page(client.get(reverse("activities:campaign", args=[campaign.pk])))
    assert link in html
    response = client.get(link)
    assert [a.pk for a in response.context["page"].items] == [ours.pk]
    html = page(response)
    assert reverse("activities:detail", args=[ours.pk]) in html
    # the same activities in the module's list, with its filters and export
    assert f"{reverse('activities:list')}?campaign={campaign.pk}&amp;code={LIUJIAXIA}" in html
    assert "不属于部署的活动" not in page(response)
    everything = client.get(reverse("activities:campaign_activities", args=[campaign.pk]))
    assert {a.pk for a in everything.context["page"].items} == {ours.pk, theirs.pk}
    done = client.get(link + "&status=planned")
    assert done.context["page"].items == []


def test_a_village_sees_its_townships_line_only(
    client_for: Any, county: Any, village: Any, township: Any
) -> None:
    campaign = county_campaign(county)
    mine = held(village, DAZHUANG, campaign=campaign)
    neighbour = held(township, LIUJIAXIA, campaign=campaign, title="镇里的活动")
    client = client_for(village)
    assert [c.pk for c in client.get(LIST).context["page"].items] == [campaign.pk]
    response = client.get(reverse("activities:campaign", args=[campaign.pk]))
    assert response.status_code == 200
    assert [line["p"].association.code for line in response.context["lines"]] == [LIUJIAXIA]
    assert response.context["below"] and response.context["mine"]
    assert not response.context["overview"]  # its one line, shown as what is asked of it
    assert "对本协会的要求" in page(response) and "activities-chart-data" not in page(response)
    assert reverse("activities:campaign_edit", args=[campaign.pk]) not in page(response)
    # the township's line lists the village's own activities only
    base = reverse("activities:campaign_activities", args=[campaign.pk])
    listed = client.get(f"{base}?code={LIUJIAXIA}").context["page"].items
    assert [a.pk for a in listed] == [mine.pk] and neighbour.pk not in [a.pk for a in listed]
    # another township's line is not the village's to open
    other = client.get(f"{base}?code={YANGUOXIA}")
    assert other.context["foreign"] and other.context["page"].items == []
    assert "不在您的管辖范围内" in page(other)


def test_a_township_sees_its_line_and_the_villages_asked_directly(
    client_for: Any, county: Any, township: Any, village: Any
) -> None:
    campaign = services.campaign_create(
        actor=county,
        association=assoc("622923"),
        title="健康家庭创建",
        starts_on=TODAY - datetime.timedelta(days=3),
        ends_on=TODAY + datetime.timedelta(days=3),
        targets=[(assoc(LIUJIAXIA), 1), (assoc(YANGUOXIA), 1), (assoc(DAZHUANG), 2)],
    )
    held(village, DAZHUANG, campaign=campaign, theme="healthy_family")
    response = client_for(township).get(reverse("activities:campaign", args=[campaign.pk]))
    lines = {line["p"].association.code: line for line in response.context["lines"]}
    assert set(lines) == {LIUJIAXIA, DAZHUANG}
    assert lines[LIUJIAXIA]["mine"] and not lines[DAZHUANG]["mine"]
    assert lines[DAZHUANG]["p"].held == 1 and not lines[DAZHUANG]["p"].done
    assert lines[LIUJIAXIA]["p"].held == 0  # the village's activity counts for its own target
    assert response.context["overview"]


def test_a_campaign_of_another_township_is_not_found(
    client_for: Any, township: Any, township2: Any
) -> None:
    campaign = services.campaign_create(
        actor=township,
        association=assoc(LIUJIAXIA),
        title="青春健康进校园",
        starts_on=TODAY,
        ends_on=TODAY,
    )
    client = client_for(township2)
    for name in ("campaign", "campaign_activities", "campaign_export", "campaign_edit"):
        url = reverse(f"activities:{name}", args=[campaign.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"title": "越权修改", "version": "1"}).status_code == 404
    campaign.refresh_from_db()
    assert campaign.title == "青春健康进校园" and campaign.version == 1
    assert client.get(LIST).context["page"].items == []
    assert client.get(reverse("activities:campaign", args=[999999])).status_code == 404


def test_refused_roles_and_visitors(
    client: Client, client_for: Any, county: Any, village: Any, finance: Any, auditor: Any
) -> None:
    campaign = county_campaign(county)
    detail = reverse("activities:campaign", args=[campaign.pk])
    for url in (LIST, NEW, detail):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]
    # a village neither sets nor edits a campaign
    village_client = client_for(village)
    assert village_client.get(NEW).status_code == 403
    assert village_client.post(NEW, form_data()).status_code == 403
    assert Campaign.objects.count() == 1
    assert "发布部署" not in page(village_client.get(LIST))
    # finance has no activity pages; the auditor reads them
    assert client_for(finance).get(LIST).status_code == 403
    assert client_for(finance).get(detail).status_code == 403
    assert client_for(auditor).get(detail).status_code == 200
    assert client_for(auditor).get(NEW).status_code == 403


# --- the list and the workbook ------------------------------------------------------------------


def test_the_list_shows_campaigns_set_here_and_above_with_filters(
    client_for: Any, county: Any, township: Any
) -> None:
    above = county_campaign(county)
    own = services.campaign_create(
        actor=township,
        association=assoc(LIUJIAXIA),
        title="青春健康进校园",
        starts_on=TODAY + datetime.timedelta(days=3),
        ends_on=TODAY + datetime.timedelta(days=30),
    )
    client = client_for(township)
    response = client.get(LIST)
    items = {item["campaign"].pk: item for item in response.context["items"]}
    assert set(items) == {above.pk, own.pk}
    assert items[above.pk]["from_above"] and not items[own.pk]["from_above"]
    assert items[own.pk]["state"] == "upcoming" and items[above.pk]["state"] == "running"
    assert [c.pk for c in client.get(LIST + "?state=upcoming").context["page"].items] == [own.pk]
    assert [c.pk for c in client.get(LIST + "?theme=may29").context["page"].items] == [above.pk]
    assert [c.pk for c in client.get(LIST + "?q=青春").context["page"].items] == [own.pk]
    assert client.get(LIST + f"?year={TODAY.year + 5}").context["page"].items == []
    assert (
        client.get(LIST + f"?year={fullwidth('2026')}&state=<x>&after=1' or 1=1").status_code == 200
    )


def test_list_and_page_queries_do_not_grow(
    client_for: Any, county: Any, village: Any, django_assert_max_num_queries: Any
) -> None:
    campaign = county_campaign(county)
    for n in range(3):
        county_campaign(county, title=f"部署{n}")
    for _ in range(12):
        held(village, DAZHUANG, campaign=campaign)
    client = client_for(county)
    client.get(LIST)  # warm the session and the per-worker caches
    with django_assert_max_num_queries(12):
        client.get(LIST)
    with django_assert_max_num_queries(12):
        client.get(reverse("activities:campaign", args=[campaign.pk]))
    with django_assert_max_num_queries(14):
        client.get(reverse("activities:campaign_activities", args=[campaign.pk]) + "?code=622923")


def test_the_progress_workbook(client_for: Any, county: Any, village: Any) -> None:
    campaign = county_campaign(county, title="5·29/会员活动日")
    held(village, DAZHUANG, campaign=campaign)
    response = client_for(county).get(reverse("activities:campaign_export", args=[campaign.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    table = sheet_rows(content(response), "部署进度")
    rows = {row[1]: row for row in table if str(row[1]).isdigit()}
    assert rows[LIUJIAXIA][2:7] == [1, 1, 0, 100, "是"]
    assert rows[YANGUOXIA][2:7] == [1, 0, 0, 0, "否"]
    assert len(rows) == len(townships())
    assert table[0][0] == "5·29/会员活动日"


def test_selectors_behind_the_pages(county: Any, village: Any, township: Any) -> None:
    campaign = county_campaign(county)
    assert selectors.campaign_area(user=village, campaign=campaign, code=LIUJIAXIA) is not None
    assert selectors.campaign_area(user=village, campaign=campaign, code=YANGUOXIA) is None
    assert selectors.campaign_area(user=village, campaign=campaign, code="622923") is None
    assert selectors.campaign_area(user=township, campaign=campaign, code=DAZHUANG) is not None
    assert selectors.campaign_targets(user=township, campaign=campaign).count() == 0
    assert selectors.campaign_targets(user=county, campaign=campaign).count() == len(townships())
