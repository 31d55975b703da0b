"""The childcare (托育服务) and 健康家庭创建 pages in English (the second UI language): every page
of the two modules, for the township and the county and the public, renders with no Chinese left
in its chrome (visible text, placeholders, labels, tooltips, confirmations) once the data is taken
out: the names of associations and people, the records' own typed text (institution names,
addresses, problems, opinions, household names), the checklist items and the stored consent
texts. Chinese stays the default."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from fpa.accounts.models import User
from fpa.childcare import services as childcare
from fpa.childcare.models import ChecklistItem, Recommendation
from fpa.core.models import ConsentText
from fpa.healthyfamilies import services as healthy
from fpa.healthyfamilies.models import Nomination, NominationStep
from fpa.organizations.models import Association
from tests.childcare_helpers import inspect, institution, problem, rectified
from tests.conftest import DAZHUANG
from tests.english import (  # noqa: F401 (the autouse fixture)
    chinese_left,
    data_words,
    default_language_afterwards,
    english,
)
from tests.test_healthyfamilies_services import (
    THIS_YEAR,
    awarded,
    consent_version,
    nominate,
    recommended,
)

pytestmark = pytest.mark.django_db

OPINION = "事迹突出"
NOTE = "材料齐全"


@pytest.fixture
def records(village: Any, township: Any, county: Any) -> dict[str, Any]:
    """One of each record the pages show, in every state a page draws differently: a problem
    open, one rectified waiting for the county's check, one checked and closed; a recommendation
    waiting for its outcome; nominations nominated, recommended, declined and named (published)."""
    centre = institution(township, DAZHUANG)
    first = ChecklistItem.objects.filter(active=True).first()
    assert first is not None
    visit = inspect(township, centre, deduct={first.code: 1})
    open_problem = problem(township, visit, text="消防通道堆放杂物")
    submitted = rectified(township, problem(township, visit, text="晨检记录不全"))
    closed = childcare.problem_close(
        actor=county,
        problem=rectified(township, problem(township, visit, text="厨房未留样")),
        on=timezone.localdate(),
        note=NOTE,
    )
    pending = childcare.recommendation_create(
        actor=township,
        institution=centre,
        year=THIS_YEAR,
        level=Recommendation.Level.PREFECTURE,
        recommended_on=timezone.localdate() - datetime.timedelta(days=1),
        note=NOTE,
    )
    named = awarded(village, township, county)
    named = healthy.nomination_set_consent(
        actor=village, nomination=named, publish=True, consent_version=consent_version()
    )
    declined = healthy.nomination_review(
        actor=township, nomination=nominate(village), recommend=False, opinion=OPINION
    )
    return {
        "centre": centre,
        "visit": visit,
        "open": open_problem,
        "submitted": submitted,
        "closed": closed,
        "recommendation": pending,
        "fresh": nominate(village),
        "reviewed": recommended(village, township),
        "named": named,
        "declined": declined,
    }


def data(records: dict[str, Any]) -> list[str]:
    values: list[str | None] = list(Association.objects.values_list("name", flat=True))
    values += [a.division_name for a in Association.objects.all()]
    values += list(User.objects.values_list("full_name", flat=True))
    values += [line for c in ConsentText.objects.all() for line in c.body.splitlines()]
    values += list(ChecklistItem.objects.values_list("text", flat=True))
    centre = records["centre"]
    values += [centre.name, centre.operator, centre.address, centre.contact_name]
    values += ["张检查、李检查", "总体良好", "已清理并设置标识", NOTE, OPINION, "同意推荐"]
    values += ["消防通道堆放杂物", "晨检记录不全", "厨房未留样"]
    values += ["永计协1号", "家庭和睦，坚持定期体检，积极参加健康讲座。"]
    for n in Nomination.objects.all():
        values += [n.household_name, n.address]
    # the steps' notes are written once, in Chinese, by the services (stored data)
    values += list(NominationStep.objects.values_list("note", flat=True))
    # the inspectors' field shows how names are typed: its example names stay Chinese
    values.append("张三、李四")
    values.append("永靖县计划生育协会")  # the deployment's name in the footer
    return data_words(values)


def pretty(left: dict[str, list[str]]) -> str:
    return "\n".join(f"{url}: {words}" for url, words in left.items())


def staff_pages(records: dict[str, Any]) -> list[str]:
    centre, visit = records["centre"], records["visit"]
    pages = [
        "/childcare/",
        "/childcare/new/",
        "/childcare/problems/",
        "/childcare/checklist/",
        f"/childcare/{centre.pk}/",
        f"/childcare/{centre.pk}/edit/",
        f"/childcare/{centre.pk}/status/",
        f"/childcare/{centre.pk}/inspect/",
        f"/childcare/{centre.pk}/recommend/",
        f"/childcare/inspections/{visit.pk}/",
        f"/childcare/inspections/{visit.pk}/problem/",
        f"/childcare/problems/{records['open'].pk}/rectify/",
        f"/childcare/recommendations/{records['recommendation'].pk}/outcome/",
        "/healthy-families/",
        "/healthy-families/new/",
        "/healthy-families/counts/",
        "/healthy-families/awards/",
    ]
    pages += [
        f"/healthy-families/{records[k].pk}/" for k in ("fresh", "reviewed", "named", "declined")
    ]
    pages.append(f"/healthy-families/{records['fresh'].pk}/edit/")
    return pages


@pytest.mark.parametrize("who", ["township", "county"])
def test_the_staff_pages_have_no_chinese_chrome(
    request: Any, who: str, records: dict[str, Any]
) -> None:
    client = english(request.getfixturevalue(who))
    words = data(records)
    left = {}
    for url in staff_pages(records):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        html = response.content.decode()
        assert '<html lang="en">' in html, url
        remaining = chinese_left(html, words)
        if remaining:
            left[url] = remaining
    assert left == {}, pretty(left)


def test_the_village_pages_have_no_chinese_chrome(village: Any, records: dict[str, Any]) -> None:
    client = english(village)
    words = data(records)
    left = {}
    for url in (
        "/healthy-families/",
        "/healthy-families/new/",
        f"/healthy-families/{records['fresh'].pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        remaining = chinese_left(response.content.decode(), words)
        if remaining:
            left[url] = remaining
    assert left == {}, pretty(left)


def test_the_public_pages_have_no_chinese_chrome(records: dict[str, Any]) -> None:
    client = english()
    words = data(records)
    for url in ("/healthy-families/public/", f"/healthy-families/public/622923/{THIS_YEAR}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert chinese_left(response.content.decode(), words) == [], url


def test_the_published_name_is_data_and_stays(records: dict[str, Any]) -> None:
    """The filter of data is not so wide that it hides the page: the public list in English
    still names the family that agreed, in Chinese (it is data)."""
    html = english().get(f"/healthy-families/public/622923/{THIS_YEAR}/").content.decode()
    assert records["named"].household_name in html
    assert "Healthy" in html or "healthy" in html


def test_chinese_stays_the_default(client_for: Any, township: Any, records: dict[str, Any]) -> None:
    body = client_for(township).get("/childcare/").content.decode()
    assert "托育" in body and '<html lang="zh-hans">' in body
