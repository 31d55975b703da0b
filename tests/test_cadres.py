"""干部直接联系基层 (measure 4): cadres' contact points, visits and findings: who may give and
keep points, the cadre's own visits, findings closed or turned into a family's need in one
action, the month's overview of who has not been to their points, and the pages' refusals."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from fpa.cadres import selectors, services
from fpa.cadres.models import ContactPoint, Finding, Visit
from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from fpa.families.models import Need
from fpa.organizations.models import Association
from fpa.tasks import services as task_services
from fpa.tasks.models import Task
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, content, follow_job
from tests.test_excel_engine import read_back
from tests.test_families_services import HONGLIU, register

DAY = datetime.datetime(2026, 3, 20, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _on_a_day() -> Any:
    with time_machine.travel(DAY, tick=False):
        yield


def village(code: str) -> Association:
    return Association.objects.get(code=code)


def assign(actor: Any, cadre: Any, code: str = DAZHUANG, **kwargs: Any) -> ContactPoint:
    return services.point_assign(
        actor=actor,
        cadre=cadre,
        association=village(code),
        start_date=datetime.date(2026, 1, 1),
        **kwargs,
    )


def visit(cadre: Any, point: ContactPoint, day: int = 10, **kwargs: Any) -> Visit:
    return services.visit_log(
        actor=cadre,
        point=point,
        visited_on=datetime.date(2026, 3, day),
        method=kwargs.pop("method", Visit.Method.VILLAGE),
        summary=kwargs.pop("summary", "到村了解联系人制度落实情况"),
        **kwargs,
    )


# --- points ---------------------------------------------------------------------------------------


def test_the_county_gives_points_to_its_cadres(county, township):
    mine = assign(county, county)
    theirs = assign(county, township, HONGLIU)
    assert (mine.cadre, mine.association.code) == (county, DAZHUANG)
    assert theirs.assigned_by == county
    assert (
        AuditEvent.objects.filter(object_type="cadres.contactpoint", action="create").count() == 2
    )
    with pytest.raises(ServiceError, match="已有这个联系点"):
        assign(county, county)


def test_points_stay_inside_both_subtrees(county, township, township2, village):
    # a township may not give a point in another township, nor to a cadre above it
    with pytest.raises(NotAllowed):
        assign(township, township, SHANGQUAN)
    with pytest.raises(ServiceError, match="县、乡镇干部"):
        assign(township, county)
    # the cadre's own work area: a township cadre keeps villages of their own township
    with pytest.raises(ServiceError, match="工作范围"):
        assign(county, township2, DAZHUANG)
    # village staff are not cadres of measure 4, and may not give points
    with pytest.raises(ServiceError, match="县、乡镇干部"):
        assign(county, village)
    with pytest.raises(NotAllowed):
        assign(village, township)
    # a township, not a village, cannot be a point
    with pytest.raises(ServiceError, match="村（社区）"):
        services.point_assign(actor=county, cadre=township, association=township.home_association)
    assert not ContactPoint.objects.exists()


def test_a_family_point_is_in_the_familys_village(county, township):
    family = register(township, code=HONGLIU)
    point = services.point_assign(actor=county, cadre=township, family=family)
    assert point.association.code == HONGLIU and point.family == family
    other = register(county, code=SHANGQUAN)
    with pytest.raises(ServiceError, match="工作范围"):
        services.point_assign(actor=county, cadre=township, family=other)


def test_ending_a_point_keeps_its_visits(county, township):
    point = assign(county, township)
    visit(township, point)
    services.point_end(actor=county, point=point, end_date=datetime.date(2026, 3, 15))
    point.refresh_from_db()
    assert point.end_date == datetime.date(2026, 3, 15) and point.visits.count() == 1
    with pytest.raises(ServiceError, match="已结束"):
        visit(township, point, 16)
    with pytest.raises(ServiceError, match="已结束"):
        services.point_end(actor=county, point=point)


# --- visits and findings --------------------------------------------------------------------------


def test_a_cadre_logs_their_own_visits_with_findings(county, township):
    point = assign(county, township)
    logged = visit(township, point, findings=["活动室漏雨", "  ", "联系人电话停机"])
    assert [f.text for f in logged.findings.order_by("id")] == ["活动室漏雨", "联系人电话停机"]
    assert all(f.status == Finding.Status.RAISED for f in logged.findings.all())
    # someone else's point, a date in the future or before the point, no summary: refused
    with pytest.raises(NotAllowed):
        visit(county, point)
    with pytest.raises(ServiceError, match="晚于今天"):
        visit(township, point, 25)
    with pytest.raises(ServiceError, match="早于"):
        services.visit_log(
            actor=township,
            point=point,
            visited_on=datetime.date(2025, 12, 31),
            method=Visit.Method.HOME,
            summary="走访了解情况",
        )
    with pytest.raises(ServiceError, match="走访情况"):
        visit(township, point, summary="好")
    with pytest.raises(ServiceError, match="方式"):
        visit(township, point, method="fax")
    with pytest.raises(ServiceError, match="最多"):
        visit(township, point, findings=[f"问题{n}" for n in range(11)])
    with pytest.raises(ServiceError):
        visit(township, point, findings=["隐藏\u202e字符"])
    assert Visit.objects.count() == 1 and Finding.objects.count() == 2


def test_findings_are_solved_or_passed_on_once(county, township, township2):
    point = assign(county, township)
    first, second = visit(township, point, findings=["甲", "乙"]).findings.order_by("id")
    services.finding_solve(actor=township, finding=first, outcome="已协调解决", version=1)
    first.refresh_from_db()
    assert (first.status, first.closed_by, first.version) == ("solved", township, 2)
    with pytest.raises(ServiceError, match="已处理"):
        services.finding_pass_on(actor=county, finding=first, passed_to="县卫健局")
    # another township's staff may not close it; a stale version is refused
    with pytest.raises(NotAllowed):
        services.finding_solve(actor=township2, finding=second, outcome="已解决")
    with pytest.raises(ServiceError):
        services.finding_pass_on(actor=county, finding=second, passed_to="县卫健局", version=7)
    services.finding_pass_on(actor=county, finding=second, passed_to="县卫健局", version=1)
    second.refresh_from_db()
    assert (second.status, second.passed_to) == ("passed_on", "县卫健局")
    assert AuditEvent.objects.filter(object_type="cadres.finding", action="update").count() == 2


def test_a_family_finding_becomes_a_need_in_one_action(county, township):
    family = register(township)
    point = services.point_assign(
        actor=county, cadre=township, family=family, start_date=datetime.date(2026, 1, 1)
    )
    (finding,) = visit(township, point, findings=["老人就医需要陪同"]).findings.all()
    need = services.finding_to_need(
        actor=township, finding=finding, due_date=datetime.date(2026, 4, 1)
    )
    assert (need.family, need.description) == (family, "老人就医需要陪同")
    finding.refresh_from_db()
    assert finding.status == "passed_on" and finding.need == need
    # a village point's finding has no family to give it to
    other = assign(county, township, HONGLIU)
    (loose,) = visit(township, other, findings=["村里缺少活动场地"]).findings.all()
    with pytest.raises(ServiceError, match="联系家庭"):
        services.finding_to_need(actor=township, finding=loose)
    assert Need.objects.count() == 1


def test_a_finding_becomes_a_task_of_the_townships_in_one_action(county, township, auditor):
    family = register(township)
    point = services.point_assign(
        actor=county, cadre=township, family=family, start_date=datetime.date(2026, 1, 1)
    )
    (finding,) = visit(township, point, findings=["村卫生室缺少上门服务人员"]).findings.all()
    measure = task_services.measure_create(actor=county, number=4, title="建立干部直接联系基层制度")
    # the county sets it for the point's township, the task book's timeline says where it came from
    task = services.finding_to_task(
        actor=county, finding=finding, measure=measure, deadline=datetime.date(2026, 6, 30)
    )
    assert (task.title, task.association.code, task.set_by.code) == (
        "村卫生室缺少上门服务人员",
        LIUJIAXIA,
        "622923",
    )
    assert (task.measure, task.start_on, task.deadline) == (
        measure,
        datetime.date(2026, 3, 20),
        datetime.date(2026, 6, 30),
    )
    created = task.steps.get()
    assert "走访" in created.note and village(DAZHUANG).name in created.note
    assert family.people.first().name not in created.note  # the family stays unnamed
    finding.refresh_from_db()
    assert (finding.status, finding.task, finding.passed_to) == ("passed_on", task, "改革任务")
    assert AuditEvent.objects.filter(object_type="tasks.task", action="create").count() == 1
    # once passed on it cannot become a second task
    with pytest.raises(ServiceError, match="已处理"):
        services.finding_to_task(
            actor=county, finding=finding, measure=measure, deadline=datetime.date(2026, 6, 30)
        )
    # the task book's own rules: no deadline before the start, no task set by an auditor
    (other,) = visit(township, point, 12, findings=["缺少活动经费"]).findings.all()
    with pytest.raises(ServiceError):
        services.finding_to_task(
            actor=township, finding=other, measure=measure, deadline=datetime.date(2026, 3, 1)
        )
    with pytest.raises(NotAllowed):
        services.finding_to_task(
            actor=auditor, finding=other, measure=measure, deadline=datetime.date(2026, 6, 30)
        )
    other.refresh_from_db()
    assert other.status == "raised" and Task.objects.count() == 1


def test_the_point_page_turns_a_finding_into_a_task(client_for, county, township, township2):
    point = assign(county, township)
    (finding,) = visit(township, point, findings=["活动室缺少桌椅"]).findings.all()
    measure = task_services.measure_create(actor=county, number=4, title="建立干部直接联系基层制度")
    as_township = client_for(township)
    page = as_township.get(reverse("cadres:point", args=[point.pk])).content.decode()
    assert "转为改革任务" in page and "建立干部直接联系基层制度" in page
    url = reverse("cadres:finding_task", args=[finding.pk])
    # bad input: no measure, a forged measure id, a malformed date: nothing changes
    for body in (
        {"deadline": "2026-06-30", "version": 1},
        {"measure": 999999, "deadline": "2026-06-30", "version": 1},
        {"measure": measure.pk, "deadline": "2026-13-45", "version": 1},
    ):
        response = as_township.post(url, body, follow=True)
        assert "请选择改革措施并填写正确的完成时限" in response.content.decode()
    # another township cannot reach the finding
    assert (
        client_for(township2)
        .post(url, {"measure": measure.pk, "deadline": "2026-06-30", "version": 1})
        .status_code
        == 404
    )
    assert Task.objects.count() == 0
    response = as_township.post(
        url, {"measure": measure.pk, "deadline": "2026-06-30", "version": 1}
    )
    task = Task.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "tasks:detail", args=[task.pk]
    )
    # the township set it for itself; the point page links to it
    assert task.set_by.code == task.association.code == LIUJIAXIA
    page = as_township.get(reverse("cadres:point", args=[point.pk])).content.decode()
    assert reverse("tasks:detail", args=[task.pk]) in page


# --- the month's overview -------------------------------------------------------------------------


def test_the_overview_shows_who_has_not_been_to_their_points(
    county, township, django_assert_num_queries
):
    a = assign(county, township)
    b = assign(county, township, HONGLIU)
    c = assign(county, county)
    visit(township, a, 3, findings=["甲"])
    visit(township, a, 12)
    visit(county, c, 5)
    services.visit_log(
        actor=township,
        point=b,
        visited_on=datetime.date(2026, 2, 27),
        method=Visit.Method.PHONE,
        summary="电话了解情况",
    )
    march = selectors.month_of("2026-03", today=datetime.date(2026, 3, 20))
    # the points, the month's activity, the cadres and their roles, whatever their number
    with django_assert_num_queries(4):
        rows = {r.cadre_id: r for r in selectors.overview(user=county, month=march)}
    assert (rows[township.pk].points, rows[township.pk].visited) == (2, 1)
    assert (rows[township.pk].visits, rows[township.pk].findings) == (2, 1)
    assert rows[township.pk].unvisited == 1 and rows[county.pk].unvisited == 0
    unvisited = list(selectors.points(user=county, cadre=township.pk, unvisited=march))
    assert unvisited == [b]
    # the township sees the points in its villages (the county cadre's in 大庄村 too), not
    # those in another township
    elsewhere = assign(county, county, SHANGQUAN)
    mine = {r.cadre_id: r for r in selectors.overview(user=township, month=march)}
    assert mine[county.pk].points == 1 and mine[township.pk].points == 2
    assert elsewhere not in selectors.points(user=township)
    assert elsewhere in selectors.points(user=county)
    february = selectors.month_of("2026-02", today=datetime.date(2026, 3, 20))
    rows = {r.cadre_id: r for r in selectors.overview(user=county, month=february)}
    assert rows[township.pk].visited == 1
    # a forged month is this month
    assert selectors.month_of("2026-13", today=datetime.date(2026, 3, 20)) == march
    assert selectors.month_of("x" * 50, today=datetime.date(2026, 3, 20)) == march


# --- pages ----------------------------------------------------------------------------------------


def test_pages_for_the_cadre_and_the_county(client_for, county, township):
    point = assign(county, township)
    as_township = client_for(township)
    page = as_township.get(reverse("cadres:point", args=[point.pk]))
    assert page.status_code == 200 and "记录走访" in page.content.decode()
    # the date input offers today in the ISO form a browser's date field accepts
    assert 'name="visited_on" value="2026-03-20"' in page.content.decode()
    response = as_township.post(
        reverse("cadres:visit", args=[point.pk]),
        {
            "visited_on": "2026-03-18",
            "method": "home",
            "summary": "入户看望，了解生活情况",
            "findings": "屋顶漏雨\n需要就医陪同",
        },
    )
    assert response.status_code == 302
    assert Finding.objects.filter(visit__point=point).count() == 2
    overview = client_for(county).get(reverse("cadres:overview") + "?month=2026-03")
    assert overview.status_code == 200
    assert "cadre-overview" in overview.content.decode()
    finding = Finding.objects.filter(visit__point=point).order_by("id").first()
    assert finding is not None
    solved = as_township.post(
        reverse("cadres:finding_solve", args=[finding.pk]),
        {"outcome": "已联系维修", "version": 1},
    )
    assert solved.status_code == 302
    finding.refresh_from_db()
    assert finding.status == "solved"


def test_the_months_visits_export_as_a_workbook(client_for, county, township, township2):
    mine = assign(county, township)
    visit(township, mine, 4, findings=["活动室漏雨"])
    theirs = assign(county, township2, SHANGQUAN)
    visit(township2, theirs, 6)
    client = client_for(township)
    response = client.get(reverse("cadres:export"), {"month": "2026-03"})
    rows = read_back(content(follow_job(client, response)), "干部联系点走访")
    assert rows[0][:3] == ["走访日期", "联系干部", "所在协会"]
    assert len(rows) == 2  # the header and this township's one visit, not 盐锅峡镇's
    assert rows[1][4] == "大庄村委会计生协" and rows[1][8] == "活动室漏雨（待解决）"
    february = client.get(reverse("cadres:export"), {"month": "2026-02"})
    assert read_back(content(follow_job(client, february)), "干部联系点走访")[1:] == []


def test_the_assign_form_refuses_bad_input_and_changes_nothing(client_for, county, township):
    as_county = client_for(county)
    response = as_county.post(
        reverse("cadres:assign"),
        {"cadre": township.pk, "association": "", "family": "999999"},
    )
    assert response.status_code == 200
    assert "该家庭不存在或不在您的管辖范围内" in response.content.decode()
    forged = as_county.post(
        reverse("cadres:assign"), {"cadre": "x", "association": village(DAZHUANG).pk}
    )
    assert forged.status_code == 200
    assert not ContactPoint.objects.exists()
    foreign = as_county.post(
        reverse("cadres:assign"), {"cadre": township.pk, "association": village(SHANGQUAN).pk}
    )
    assert foreign.status_code == 200 and "工作范围" in foreign.content.decode()
    ok = as_county.post(
        reverse("cadres:assign"), {"cadre": township.pk, "association": village(DAZHUANG).pk}
    )
    assert ok.status_code == 302
    assert ContactPoint.objects.count() == 1


def test_refused_pages(client, client_for, county, township, township2, finance, auditor):
    point = assign(county, township)
    (finding,) = visit(township, point, findings=["甲"]).findings.all()
    # anonymous: to the sign-in page
    response = client.get(reverse("cadres:overview"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    # another role
    assert client_for(finance).get(reverse("cadres:overview")).status_code == 403
    # another township: the point is not found, its finding cannot be closed
    other = client_for(township2)
    assert other.get(reverse("cadres:point", args=[point.pk])).status_code == 404
    assert (
        other.post(reverse("cadres:finding_solve", args=[finding.pk]), {"outcome": "x"}).status_code
        == 404
    )
    # the auditor reads but does not write
    as_auditor = client_for(auditor)
    assert as_auditor.get(reverse("cadres:point", args=[point.pk])).status_code == 200
    assert as_auditor.post(reverse("cadres:assign"), {"cadre": township.pk}).status_code == 403
    assert as_auditor.post(reverse("cadres:visit", args=[point.pk]), {}).status_code == 403
    # the county may not log the township cadre's visit
    as_county = client_for(county)
    as_county.post(
        reverse("cadres:visit", args=[point.pk]),
        {"visited_on": "2026-03-18", "method": "home", "summary": "代为记录一次走访"},
    )
    assert Visit.objects.count() == 1
    finding.refresh_from_db()
    assert finding.status == "raised"
