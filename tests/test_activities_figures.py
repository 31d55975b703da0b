"""The figures pages: the numbers equal the selectors, every number clicks through to the records
behind it, the page reads tallies (its queries do not grow with the activities), the annual
report workbook, the tally check command, and the refusals."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlencode

import pytest
import python_calamine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fpa.activities import selectors, services, tallies
from fpa.activities.models import Activity, Specialty, Tally
from fpa.organizations.models import Association
from tests.activities_helpers import assoc, held, site
from tests.conftest import DAZHUANG, LIUJIAXIA, YANGUOXIA, content

pytestmark = pytest.mark.django_db
FIGURES = reverse("activities:figures")
RECORDS = reverse("activities:figure_records")
EXPORT = reverse("activities:figures_export")


def fullwidth(value: str) -> str:
    """The full-width form a Chinese input method types."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in value)


def year_of(activity: Activity) -> int:
    return timezone.localtime(activity.starts_at).year


def records_url(code: str, year: int, figure: str, dimension: str = "") -> str:
    query: dict[str, Any] = {"code": code, "year": year, "figure": figure}
    if dimension:
        query["dimension"] = dimension
    return f"{RECORDS}?{urlencode(query)}"


def listed(client: Client, url: str) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200
    return {row.pk for row in response.context["page"].items}


@pytest.fixture
def world(village: Any, township: Any, township2: Any, county: Any) -> dict[str, Any]:
    """Held activities in two townships (a highlight with a TV report among them), a planned
    one, open and planned sites, an expert and a peer club: made through the services."""
    talk = held(village, DAZHUANG, members=10, youth=5, title="大庄村政策宣传")
    training = held(
        township, LIUJIAXIA, category="training", theme=None, members=3, youth=0, title="专干培训"
    )
    youth = held(township2, YANGUOXIA, category="youth", theme="youth_health", members=0, youth=40)
    services.activity_record_counts(
        actor=township2, activity=youth, version=youth.version, youth=40, materials=0
    )
    youth.refresh_from_db()
    services.activity_summarise(
        actor=village,
        activity=talk,
        summary="活动开展顺利，现场答疑解惑。",
        highlight=True,
        version=talk.version,
    )
    services.media_add(
        actor=village,
        activity=talk,
        outlet="tv",
        name="永靖电视台",
        published_on=timezone.localdate(),
    )
    from tests.activities_helpers import plan

    plan(village, DAZHUANG, days=3, title="尚未开展的活动")
    home = site(township, LIUJIAXIA, name="刘家峡镇会员之家")
    site(township, LIUJIAXIA, name="筹建中的大院", kind="culture_yard", status="planned")
    base = site(township2, YANGUOXIA, name="盐锅峡青春健康基地", kind="youth_base")
    expert = services.expert_add(
        actor=township,
        association=assoc(LIUJIAXIA),
        specialties=Specialty.objects.filter(code__in=["youth_trainer"]),
        name="李老师",
        organisation="刘家峡中学",
    )
    club = services.peer_club_add(
        actor=township2, association=assoc(YANGUOXIA), school="永靖县第三中学", members=24
    )
    return {
        "talk": talk,
        "training": training,
        "youth": youth,
        "home": home,
        "base": base,
        "expert": expert,
        "club": club,
        "year": year_of(talk),
    }


# --- the page -----------------------------------------------------------------------------------


def test_the_page_numbers_equal_the_selectors(
    client_for: Any, county: Any, world: dict[str, Any]
) -> None:
    year, county_ = world["year"], assoc("622923")
    response = client_for(county).get(FIGURES, {"code": "622923", "year": year})
    assert response.status_code == 200
    cards = {str(label): cell.value for label, cell in response.context["cards"]}
    assert cards["活动次数"] == selectors.activity_count(
        user=county, association=county_, year=year
    )
    assert cards["活动次数"] == 3
    assert cards["服务人次"] == selectors.people_served(user=county, association=county_, year=year)
    assert cards["服务人次"] == 15 + 3 + 40
    assert cards["发放资料（份）"] == selectors.materials_handed_out(
        user=county, association=county_, year=year
    )
    assert cards["媒体报道"] == selectors.media_reports(user=county, association=county_, year=year)
    assert cards["媒体报道"] == 1
    assert cards["亮点"] == selectors.highlights(user=county, association=county_, year=year) == 1
    assert cards["服务阵地"] == selectors.site_count(user=county, association=county_) == 2
    assert cards["专家和师资"] == selectors.expert_count(user=county, association=county_) == 1
    assert cards["青春健康同伴社"] == selectors.peer_club_count(user=county, association=county_)
    # per category: the table's numbers are the category selectors'
    rows = {name: [c.value for c in cells] for name, cells in response.context["category_rows"]}
    for name, code in (("宣传教育", "publicity"), ("业务培训", "training"), ("青春健康", "youth")):
        assert rows[name][0] == selectors.activity_count(
            user=county, association=county_, year=year, category=code
        )
        assert rows[name][1] == selectors.people_served(
            user=county, association=county_, year=year, category=code
        )
    assert rows["青春健康"][:2] == [1, 40]
    assert rows["权益维护"][:2] == [0, 0]
    assert response.context["category_total"][0].value == 3
    # media by outlet, sites by kind, people by group
    media = {str(label): cell.value for label, cell in response.context["media_rows"]}
    assert media["电视"] == 1 and media["报纸"] == 0
    kinds = {name: cell.value for name, cell in response.context["site_rows"]}
    assert kinds["会员之家"] == 1 and kinds["人口文化大院"] == 0
    groups = {str(label): cell.value for label, cell in response.context["group_rows"]}
    assert groups["青少年"] == 45 and groups["会员"] == 13
    assert response.context["club_members"].value == 24
    # per child: each township's line is that township's figures
    children = {
        row["name"]: [c.value for c in row["cells"]] for row in response.context["children"]
    }
    ljx = selectors.figures(user=county, association=assoc(LIUJIAXIA), year=year)
    assert children[assoc(LIUJIAXIA).name][:3] == [
        ljx.get("activities"),
        ljx.get("people"),
        ljx.get("materials"),
    ]
    assert children[assoc(YANGUOXIA).name][0] == 1
    html = response.content.decode()
    assert "activities-chart-data" in html and "<script>" not in html


def test_every_number_clicks_through_to_its_records(
    client_for: Any, county: Any, world: dict[str, Any]
) -> None:
    year = world["year"]
    client = client_for(county)
    html = client.get(FIGURES, {"code": "622923", "year": year}).content.decode()
    expected = {
        ("activities", "publicity"): {world["talk"].pk},
        ("activities", ""): {world["talk"].pk, world["training"].pk, world["youth"].pk},
        ("people", "youth"): {world["youth"].pk},
        ("materials", ""): {world["talk"].pk, world["training"].pk},  # the youth one gave none
        ("highlights", ""): {world["talk"].pk},
        ("media", "tv"): {world["talk"].pk},
        ("group_people", "youth"): {world["talk"].pk, world["youth"].pk},
        ("theme_activities", "youth_health"): {world["youth"].pk},
        ("sites", "member_home"): {world["home"].pk},
        ("sites", ""): {world["home"].pk, world["base"].pk},  # the planned one is not open
        ("experts", ""): {world["expert"].pk},
        ("experts", "youth_trainer"): {world["expert"].pk},
        ("peer_clubs", ""): {world["club"].pk},
    }
    for (figure, dimension), pks in expected.items():
        url = records_url("622923", year, figure, dimension)
        assert url.replace("&", "&amp;") in html, (figure, dimension)
        assert listed(client, url) == pks, (figure, dimension)
    # a township's line clicks through to that township's records only
    assert listed(client, records_url(YANGUOXIA, year, "activities")) == {world["youth"].pk}
    # a 0 is not a link
    assert records_url("622923", year, "activities", "rights").replace("&", "&amp;") not in html


def test_the_records_page_shows_the_figure_and_its_records(
    client_for: Any, county: Any, world: dict[str, Any]
) -> None:
    client = client_for(county)
    response = client.get(records_url("622923", world["year"], "activities", "publicity"))
    html = response.content.decode()
    assert "大庄村政策宣传" in html and "专干培训" not in html and "尚未开展的活动" not in html
    assert response.context["value"] == 1 and response.context["dimension_label"] == "宣传教育"
    assert reverse("activities:detail", args=[world["talk"].pk]) in html  # each row opens
    html = client.get(records_url("622923", world["year"], "experts")).content.decode()
    assert "李老师" in html and "刘家峡中学" in html
    assert reverse("activities:expert", args=[world["expert"].pk]) in html
    html = client.get(records_url("622923", world["year"], "peer_clubs")).content.decode()
    assert "永靖县第三中学" in html and reverse("activities:club", args=[world["club"].pk]) in html
    html = client.get(records_url("622923", world["year"], "sites", "youth_base")).content.decode()
    assert "盐锅峡青春健康基地" in html and "刘家峡镇会员之家" not in html
    assert reverse("activities:site", args=[world["base"].pk]) in html


def test_the_records_page_follows_its_cursors(client_for: Any, village: Any) -> None:
    """Newest first, a page of 50 (fpa.core.pagination, tested there): the view passes the
    cursors on."""
    made = [held(village, DAZHUANG, members=1, youth=0) for _ in range(3)]
    client = client_for(village)
    url = records_url(DAZHUANG, year_of(made[0]), "activities")
    page = client.get(url).context["page"]
    assert [a.pk for a in page.items] == [a.pk for a in reversed(made)]
    assert page.next_cursor is None and page.prev_cursor is None
    after = client.get(url + f"&after={made[2].pk}").context["page"]
    assert [a.pk for a in after.items] == [made[1].pk, made[0].pk] and after.prev_cursor
    before = client.get(url + f"&before={made[0].pk}").context["page"]
    assert [a.pk for a in before.items] == [made[2].pk, made[1].pk]


def test_a_village_sees_its_own_figures_only(
    client_for: Any, village: Any, world: dict[str, Any]
) -> None:
    client = client_for(village)
    year = world["year"]
    response = client.get(FIGURES, {"year": year})
    assert response.context["area"].code == DAZHUANG
    cards = {str(label): cell.value for label, cell in response.context["cards"]}
    assert cards["活动次数"] == 1 and cards["服务人次"] == 15
    # the township, another township, the county: not the village's to read
    for code in (LIUJIAXIA, YANGUOXIA, "622923"):
        other = client.get(FIGURES, {"code": code, "year": year})
        assert other.context["foreign"] and "cards" not in other.context
        assert "不在您的管辖范围内" in other.content.decode()
        records = client.get(records_url(code, year, "activities"))
        assert records.context["page"] is None
        assert client.get(EXPORT, {"code": code, "year": year}).status_code == 400


def test_bad_input_gives_a_clear_message(
    client_for: Any, township: Any, world: dict[str, Any]
) -> None:
    client = client_for(township)
    response = client.get(FIGURES, {"year": fullwidth("2025")})
    assert "年份无效" in response.content.decode()
    assert response.context["year"] == timezone.localdate().year
    assert "年份无效" in client.get(FIGURES, {"year": "1900"}).content.decode()
    unknown = client.get(records_url(LIUJIAXIA, world["year"], "salaries"))
    assert "未知的统计项" in unknown.content.decode() and unknown.context["page"] is None
    forged = client.get(records_url(LIUJIAXIA, world["year"], "activities", "x" * 500))
    assert forged.context["page"].items == []
    cursor = client.get(records_url(LIUJIAXIA, world["year"], "activities") + "&after=1 or 1=1")
    assert cursor.status_code == 200
    assert client.get(EXPORT, {"code": LIUJIAXIA, "year": "abc"}).status_code == 400


def test_the_page_reads_tallies_and_its_queries_do_not_grow(
    client_for: Any, county: Any, village: Any, township2: Any, django_assert_max_num_queries: Any
) -> None:
    made = held(village, DAZHUANG)
    year = year_of(made)
    client = client_for(county)
    client.get(FIGURES, {"year": year})  # warm the session
    with django_assert_max_num_queries(14) as few:
        client.get(FIGURES, {"year": year})
    for n in range(15):
        held(township2 if n % 2 else village, YANGUOXIA if n % 2 else DAZHUANG)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(FIGURES, {"year": year})
    with django_assert_max_num_queries(12):
        client.get(records_url("622923", year, "activities"))
    with django_assert_max_num_queries(12):
        client.get(EXPORT, {"year": year})


# --- the workbook -------------------------------------------------------------------------------


def sheet_rows(data: bytes, name: str) -> list[list[Any]]:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = book.get_sheet_by_name(name).to_python()
    return [[int(v) if isinstance(v, float) and v.is_integer() else v for v in r] for r in rows]


def test_the_annual_report_workbook(client_for: Any, county: Any, world: dict[str, Any]) -> None:
    year = world["year"]
    response = client_for(county).get(EXPORT, {"code": "622923", "year": year})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    data = content(response)
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert book.sheet_names == ["八大项目", "年度工作报表", "按下级协会"]
    # 八大项目: 活动次数 and 服务人数 per category; 权益维护 counts events only
    projects = {row[0]: row[1:3] for row in sheet_rows(data, "八大项目")}
    assert projects["宣传教育"] == [1, 15]
    assert projects["业务培训"] == [1, 3]
    assert projects["青春健康"] == [1, 40]
    assert projects["权益维护"] == [0, ""]
    assert projects["合计"] == [3, 58]
    # the annual report's lines the platform derives
    annual = {row[0]: row[2] for row in sheet_rows(data, "年度工作报表")}
    assert annual["青少年/家长讲座和培训（场次）"] == 1
    assert annual["青少年/家长讲座和培训（人次）"] == 40
    assert annual["专家和师资"] == 1 and annual["其中：青春健康师资"] == 1
    assert annual["青春健康教育基地"] == 1
    assert annual["青春健康同伴社"] == 1 and annual["同伴社社员"] == 24
    assert annual["主题宣传活动（场次）"] == 1 and annual["主题宣传活动参与人数"] == 15
    assert annual["发放宣传资料"] == 200
    assert annual["电视报道"] == 1 and annual["报纸报道"] == 0
    assert annual["举办培训（期数）"] == 1 and annual["培训人次"] == 3
    # per child association, with the total
    by_child = {row[1]: row for row in sheet_rows(data, "按下级协会") if row[1]}
    header = sheet_rows(data, "按下级协会")[4]
    publicity = header.index("宣传教育")
    assert by_child[LIUJIAXIA][publicity : publicity + 2] == [1, 15]
    assert by_child[YANGUOXIA][header.index("青春健康") + 1] == 40
    total = next(row for row in sheet_rows(data, "按下级协会") if row[0] == "合计")
    assert total[publicity] == 1
    assert len([code for code in by_child if str(code).isdigit()]) == len(
        assoc("622923").children.filter(valid_to__isnull=True)
    )


def test_the_workbook_neutralises_formulas(client_for: Any, township: Any) -> None:
    from fpa.activities.models import Category

    Category.objects.create(code="evil", name="=HYPERLINK(1)", sort=99)
    activity = held(township, LIUJIAXIA, category="evil", theme=None)
    response = client_for(township).get(EXPORT, {"year": year_of(activity)})
    rows = sheet_rows(content(response), "八大项目")
    assert any(str(row[0]).startswith("'=") for row in rows)


# --- the check command --------------------------------------------------------------------------


def test_check_activity_tallies_finds_and_fixes_a_corrupted_figure(
    village: Any, capsys: Any
) -> None:
    activity = held(village, DAZHUANG)
    call_command("check_activity_tallies")
    assert "agree" in capsys.readouterr().out
    # a figure changed behind the services' back
    row = Tally.objects.get(association__code=DAZHUANG, figure="activities", dimension="publicity")
    row.value = 7
    row.save(update_fields=["value"])
    with pytest.raises(CommandError, match="1 figures disagree"):
        call_command("check_activity_tallies")
    out = capsys.readouterr().out
    assert f"association {DAZHUANG} {year_of(activity)} activities/publicity" in out
    assert "stored 7, records 1" in out
    call_command("check_activity_tallies", "--fix")
    assert "Rebuilt" in capsys.readouterr().out
    assert tallies.differences() == {}
    call_command("check_activity_tallies")
    assert "agree" in capsys.readouterr().out


# --- refusals -----------------------------------------------------------------------------------


def test_visitors_and_other_roles_are_refused(
    client: Client, client_for: Any, finance: Any, auditor: Any, volunteer: Any
) -> None:
    for url in (FIGURES, RECORDS, EXPORT):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]
        assert client_for(finance).get(url).status_code == 403
        assert client_for(volunteer).get(url).status_code == 403
    assert client_for(auditor).get(FIGURES).status_code == 200


def test_a_township_does_not_see_its_siblings_numbers(
    client_for: Any, township: Any, world: dict[str, Any]
) -> None:
    client = client_for(township)
    response = client.get(FIGURES, {"year": world["year"]})
    assert response.context["area"].code == LIUJIAXIA
    cards = {str(label): cell.value for label, cell in response.context["cards"]}
    assert cards["活动次数"] == 2 and cards["专家和师资"] == 1 and cards["青春健康同伴社"] == 0
    assert listed(client, records_url(LIUJIAXIA, world["year"], "activities")) == {
        world["talk"].pk,
        world["training"].pk,
    }
    sibling = client.get(records_url(YANGUOXIA, world["year"], "activities"))
    assert sibling.context["foreign"] and sibling.context["page"] is None
    assert Association.objects.filter(code=YANGUOXIA).exists()
