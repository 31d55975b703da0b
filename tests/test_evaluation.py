"""The year-end evaluation of the reform (改革评估): each figure is the selector's behind the page
it opens, the figures click through to exactly their records, results appear once published,
the workbook and its audit row, and the refusals."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from fpa.accounts.roles import Role
from fpa.assessment import services as assessment_services
from fpa.core.models import AuditEvent
from fpa.dashboard import evaluation
from fpa.organizations.models import Association
from fpa.tasks import selectors as task_selectors
from fpa.tasks import services as task_services
from tests.assessment_helpers import advance, round_in, score_all
from tests.assessment_helpers import scheme as make_scheme
from tests.conftest import LIUJIAXIA, YANGUOXIA, content, make_user
from tests.tasks_helpers import county_task, delegated, measure
from tests.test_excel_engine import read_back

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _on_a_day() -> Any:
    with time_machine.travel(datetime.datetime(2026, 6, 1, 10, 0), tick=False):
        yield


def _published(county: Any, year: int, cutoff: datetime.date, points: dict[str, int]) -> Any:
    made, indicators = make_scheme(county, year=year)
    round_ = advance(county, round_in(county, made, cutoff=cutoff), 2)
    score_all(county, round_, indicators, points)
    assessment_services.round_freeze(actor=county, round_=round_)
    return advance(county, round_)  # preliminary results: published to the townships


@pytest.fixture
def reform(county: Any, township: Any, township2: Any) -> dict[str, Any]:
    """Tasks of two measures in several statuses, every rung of the ladder, and published
    results of 2025 and 2026 (a 2027 round still open)."""
    first = measure(county, 19, "坚持统筹推进")
    second = measure(county, 4, "建立干部直接联系基层制度")
    _p, ljx, ygx = delegated(county, measure=first, title="制定任务书")
    done = county_task(
        county,
        measure=second,
        title="建立联系点",
        start_on=datetime.date(2026, 1, 5),
        deadline=datetime.date(2026, 5, 31),
    )
    task_services.task_complete(actor=county, task=done)
    vice_chair = make_user("vice-chair", "622923", Role.COUNTY_ADMIN)  # not who completed it
    task_services.task_accept(actor=vice_chair, task=done)
    late = county_task(
        county,
        measure=second,
        title="逾期的任务",
        association=Association.objects.get(code=YANGUOXIA),
        start_on=datetime.date(2026, 1, 5),
        deadline=datetime.date(2026, 5, 1),
    )
    task_services.task_remind(actor=county, task=late, message="请抓紧")
    task_services.task_remind(actor=county, task=late)
    notice = task_services.notice_issue(
        actor=county,
        task=late,
        problem="进度滞后",
        new_deadline=datetime.date(2026, 6, 20),
        required_answer="说明原因和措施",
    )
    task_services.notice_issue(
        actor=county,
        task=ljx,
        problem="尚未部署",
        new_deadline=datetime.date(2026, 6, 20),
        required_answer="说明原因",
    )
    task_services.notice_answer(actor=township2, notice=notice, answer="已召开专题会议部署。")
    task_services.interview_record(
        actor=county, task=late, held_on=TODAY, attendees="镇计生协会长", conclusions="限期整改"
    )
    extension = task_services.extension_request(
        actor=township, task=ljx, requested_deadline=datetime.date(2026, 12, 31), reason="人手不足"
    )
    task_services.extension_decide(actor=county, extension=extension, approve=True)
    _published(county, 2025, datetime.date(2025, 12, 31), {LIUJIAXIA: 20, YANGUOXIA: 25})
    this_year = _published(county, 2026, datetime.date(2026, 5, 31), {LIUJIAXIA: 30})
    make_scheme(county, year=2027)  # published scheme, no round: nothing to show
    return {"late": late, "ygx": ygx, "ljx": ljx, "done": done, "round": this_year}


def _county() -> Association:
    return Association.objects.get(code="622923")


def test_the_figures_are_the_task_books_and_the_assessments(
    reform: dict[str, Any], county: Any
) -> None:
    found = evaluation.evaluation_for(user=county, area=_county(), year=2026)
    filters = task_selectors.Filters(association=_county(), year=2026)
    by_status = task_selectors.status_counts(user=county, filters=filters)
    codes = [code for code, _label in found.statuses]
    assert [c.value for c in found.totals] == [by_status.get(code, 0) for code in codes]
    assert found.task_total == 5  # the parent, its two copies, the done and the late task
    assert [line.label for line in found.measures] == [
        "4. 建立干部直接联系基层制度",
        "19. 坚持统筹推进",
    ]
    ladder = {item.key: item.value for item in found.ladder}
    assert ladder == {
        "reminder": 1,
        "steps_reminder": 2,
        "notice": 2,
        "steps_notice": 2,
        "notice_open": 1,
        "interview": 1,
        "steps_interview": 1,
        "extension": 1,
        "extensions_approved": 1,
        "extensions_refused": 0,
        "extensions_pending": 0,
    }
    # results of the years published, oldest first, ranked; the scheme without a round is absent
    assert [y.year for y in found.years] == [2025, 2026]
    first, second, *others = found.years[0].results
    assert (first.township.code, first.rank) == (YANGUOXIA, 1)
    assert (second.township.code, second.rank) == (LIUJIAXIA, 2)
    assert others and all(r.rank == 3 for r in others)  # the others tie at the default score
    # outcomes: the overview's own figures of the year, and the fund's grant figures
    keys = {f.key for f in found.outcomes}
    assert {"families", "contacts_share", "members", "volunteers", "activities"} <= keys
    assert {"fund_households", "fund_relief", "fund_wishes"} <= keys


def test_every_count_of_tasks_opens_exactly_those_tasks(
    reform: dict[str, Any], client_for: Any, county: Any
) -> None:
    client = client_for(county)
    page = client.get(reverse("dashboard:evaluation"), {"code": "622923", "year": 2026})
    assert page.status_code == 200
    found = evaluation.evaluation_for(user=county, area=_county(), year=2026)
    cells = [c for line in found.measures for c in line.cells if c.url]
    cells += [line.total for line in found.measures]
    ladder = [item for item in found.ladder if item.url]
    assert cells and len(ladder) == 5
    html = page.content.decode()
    for value, url in [(c.value, c.url) for c in cells] + [(i.value, i.url) for i in ladder]:
        assert url.replace("&", "&amp;") in html
        listed = client.get(url).content.decode()
        rows = re.findall(r'<a href="/tasks/\d+/">', listed)
        assert len(rows) == value, url


def test_the_chart_data_follows_the_tables(reform: dict[str, Any], county: Any) -> None:
    found = evaluation.evaluation_for(user=county, area=_county(), year=2026)
    data = evaluation.chart_data(found)
    assert data["tasks"]["labels"] == [line.label for line in found.measures]
    stacked = [sum(s["data"][i] for s in data["tasks"]["series"]) for i in range(2)]
    assert stacked == [line.total.value for line in found.measures]
    assert data["results"]["years"] == [2025, 2026]
    lines = {line["name"]: line["data"] for line in data["results"]["lines"]}
    assert lines["刘家峡镇"] == [
        float(r.total) for y in found.years for r in y.results if r.township.code == LIUJIAXIA
    ]


def test_a_township_sees_its_own_tasks_and_its_own_results(
    reform: dict[str, Any], client_for: Any, township: Any
) -> None:
    found = evaluation.evaluation_for(
        user=township, area=Association.objects.get(code=LIUJIAXIA), year=2026
    )
    assert found.task_total == 1  # its copy of the delegated task
    assert [[r.township.code for r in y.results] for y in found.years] == [[LIUJIAXIA]] * 2
    assert found.years[0].results[0].rank == 2  # its rank among every township
    page = client_for(township).get(reverse("dashboard:evaluation"), {"year": 2026})
    assert page.status_code == 200
    assert "盐锅峡" not in page.content.decode()


def test_the_workbook_has_every_figure_and_is_audited(
    reform: dict[str, Any], client_for: Any, county: Any
) -> None:
    response = client_for(county).get(
        reverse("dashboard:evaluation_export"), {"code": "622923", "year": 2026}
    )
    assert response.status_code == 200
    header, *rows = read_back(content(response))
    assert header == ["部分", "项目", "分项或单位", "数值"]
    found = evaluation.evaluation_for(user=county, area=_county(), year=2026)
    assert len(rows) == len(evaluation._rows(found))
    by_item = {(section, item, detail): value for section, item, detail, value in rows}
    assert by_item[("督促", "督办单（份）", "")] == 2
    assert by_item[("考核结果", "2025 盐锅峡镇计生协", "第1名")] == 50
    event = AuditEvent.objects.get(action="export", object_type="organizations.association")
    assert "2026" in event.reason and event.scope_path == _county().path


def test_refused(
    reform: dict[str, Any], client: Any, client_for: Any, township: Any, finance: Any
) -> None:
    url = reverse("dashboard:evaluation")
    export = reverse("dashboard:evaluation_export")
    # anonymous: to the sign-in page
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    # a role without the overview
    assert client_for(finance).get(url).status_code == 403
    assert client_for(finance).get(export).status_code == 403
    # a township asking for the county or for another township: nothing of it is shown
    as_township = client_for(township)
    for code in ("622923", YANGUOXIA, "forged'<>"):
        page = as_township.get(url, {"code": code, "year": 2026}).content.decode()
        assert "所选协会不存在或不在您的管辖范围内" in page
        assert 'id="tasks-by-measure"' not in page and "逾期的任务" not in page
        response = as_township.get(export, {"code": code, "year": 2026})
        assert response.status_code == 302 and response["Location"] == url
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_page_reads_a_fixed_number_of_queries(
    reform: dict[str, Any], client_for: Any, county: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(county)
    query = {"code": "622923", "year": 2026}
    client.get(reverse("dashboard:evaluation"), query)  # warm the per-worker caches
    with django_assert_max_num_queries(75) as before:
        client.get(reverse("dashboard:evaluation"), query)
    # more measures, tasks, steps and a third year of results add no query
    for number in range(5, 10):
        extra = measure(county, number, f"措施{number}")
        task = county_task(county, measure=extra, title=f"任务{number}")
        task_services.task_remind(actor=county, task=task)
    _published(county, 2024, datetime.date(2024, 12, 31), {})
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(reverse("dashboard:evaluation"), query)
