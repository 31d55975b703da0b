"""The public list of named healthy families (no sign-in): a household's name only with the
family's consent ("某户（未公开姓名）" otherwise), its village and township, the count per
township; nothing that is not named, nothing else about a family (address, reason, household
size, opinions), and a withdrawn consent takes the name off at once. Linked from the front door."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fpa.healthyfamilies import selectors, services
from fpa.organizations.models import Association
from tests.conftest import SHANGQUAN
from tests.test_healthyfamilies_services import (
    HONGLIU,
    THIS_YEAR,
    awarded,
    nominate,
    recommended,
)

pytestmark = pytest.mark.django_db
COUNTY = "622923"


def public_url(year: int = THIS_YEAR, code: str = COUNTY) -> str:
    return reverse("healthyfamilies:public_list", args=[code, year])


@pytest.fixture
def named(village: Any, township: Any, township2: Any, county: Any) -> dict[str, Any]:
    """Named families of both townships, one without consent, and families at every other stage."""
    made = {
        "public": awarded(
            village,
            township,
            county,
            household_name="光明户",
            address="大庄村秘密地址1号",
            reason="只给工作人员看的提名理由，不应公开。",
            members_count=7,
            publish_name=True,
            consent_version=1,
        ),
        "private": awarded(township, township, county, code=HONGLIU, household_name="保密户"),
        "other": awarded(
            township2,
            township2,
            county,
            code=SHANGQUAN,
            household_name="盐锅峡户",
            publish_name=True,
            consent_version=1,
        ),
        "nominated": nominate(
            village, household_name="提名户", publish_name=True, consent_version=1
        ),
        "recommended": recommended(
            village, township, household_name="推荐户", publish_name=True, consent_version=1
        ),
    }
    declined = recommended(village, township, household_name="未命名户")
    services.nomination_award(actor=county, nomination=declined, award=False, opinion="名额已满")
    last_year = awarded(village, township, county, household_name="去年户", year=THIS_YEAR - 1)
    made.update(declined=declined, last_year=last_year)
    return made


def test_the_public_list_shows_named_families_only_and_names_only_with_consent(
    client: Client, named: dict[str, Any]
) -> None:
    response = client.get(public_url())
    assert response.status_code == 200
    html = response.content.decode()
    entries = html.split('id="public-entries"', 1)[1].split("</table>", 1)[0]
    assert "光明户" in entries and "盐锅峡户" in entries
    assert "保密户" not in html and entries.count("某户（未公开姓名）") == 1
    for hidden in ("提名户", "推荐户", "未命名户", "去年户"):
        assert hidden not in html
    # nothing about a family beyond its village
    for secret in ("大庄村秘密地址1号", "只给工作人员看", "名额已满", "同意推荐", "永计协1号"):
        assert secret not in html
    assert "大庄村" in entries and "红柳村" in entries and "刘家峡镇" in entries


def test_the_county_page_counts_named_families_per_township(
    client: Client, named: dict[str, Any]
) -> None:
    html = client.get(public_url()).content.decode()
    counts = html.split('id="public-counts"', 1)[1].split("</table>", 1)[0]
    assert "刘家峡镇" in counts and "盐锅峡镇" in counts
    table = selectors.township_counts(
        selectors.public_awarded(county=Association.objects.get(code=COUNTY), year=THIS_YEAR)
    )
    assert [(row.name, row.total) for row in table.rows] == [("刘家峡镇", 2), ("盐锅峡镇", 1)]
    assert table.total == 3


def test_last_years_list_is_its_own(client: Client, named: dict[str, Any]) -> None:
    html = client.get(public_url(THIS_YEAR - 1)).content.decode()
    assert "某户（未公开姓名）" in html and "光明户" not in html


def test_a_withdrawn_consent_takes_the_name_off_at_once(
    client: Client, named: dict[str, Any], village: Any
) -> None:
    services.nomination_set_consent(
        actor=village, nomination=named["public"], publish=False, note="户主要求撤回"
    )
    html = client.get(public_url()).content.decode()
    entries = html.split('id="public-entries"', 1)[1].split("</table>", 1)[0]
    assert "光明户" not in html and entries.count("某户（未公开姓名）") == 2


def test_the_index_lists_each_countys_years(client: Client, named: dict[str, Any]) -> None:
    html = client.get(reverse("healthyfamilies:public_index")).content.decode()
    lists = html.split('id="public-lists"', 1)[1].split("</ul>", 1)[0]
    assert public_url() in lists and public_url(THIS_YEAR - 1) in lists
    assert lists.index(public_url()) < lists.index(public_url(THIS_YEAR - 1))
    assert "3户" in lists and "1户" in lists


def test_the_index_without_any_list_says_so(client: Client, yongjing: Any) -> None:
    html = client.get(reverse("healthyfamilies:public_index")).content.decode()
    assert "暂无公开的命名名单" in html


def test_what_is_not_a_county_and_year_is_a_404(client: Client, named: dict[str, Any]) -> None:
    for url in (
        public_url(code="622923100"),  # a township
        public_url(code="999999"),
        public_url(THIS_YEAR + 1),
        public_url(2000),
        "/healthy-families/public/622923/99999999999999999999/",
        "/healthy-families/public/622923/abc/",
    ):
        assert client.get(url).status_code == 404, url


def test_the_public_pages_are_read_only(client: Client, named: dict[str, Any]) -> None:
    assert client.post(public_url()).status_code == 405
    assert client.post(reverse("healthyfamilies:public_index")).status_code == 405


def test_the_public_page_query_count_does_not_grow(
    client: Client,
    named: dict[str, Any],
    village: Any,
    township: Any,
    county: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client.get(public_url())
    with django_assert_max_num_queries(8) as few:
        client.get(public_url())
    for _ in range(10):
        awarded(village, township, county, publish_name=True, consent_version=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(public_url())
    assert response.content.decode().count("<tr>") >= 13


def test_the_front_door_links_the_public_lists(client: Client, yongjing: Any) -> None:
    html = client.get("/").content.decode()
    card = html.split('id="healthy-families"', 1)[1]
    assert reverse("healthyfamilies:public_index") in card.split("</div></div></div>", 1)[0]
