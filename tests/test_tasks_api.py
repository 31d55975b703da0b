"""The task book's API at /api/v1/tasks: the list (filters, keyset pages, a bounded query count),
the measures, a task with its timeline; each step of both sides through the services (audited,
versioned): progress, completion, acceptance, return, reopening, the supervision ladder
(reminder, 督办单 and its answer, 约谈) and extensions. Refused: anonymous (401), a role without
the capability (403), another township or county (404), the wrong side acting (403), a step
from the wrong stage or a stale version (409), bad input (400/422), each changing nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from fpa.core.models import AuditEvent
from fpa.tasks import services
from fpa.tasks.models import Extension, ProgressReport, Step, Supervision, Task
from tests.conftest import LIUJIAXIA, YANGUOXIA, another_county
from tests.tasks_helpers import DEADLINE, county_task, delegated, measure
from tests.test_api import api_client, assert_error

pytestmark = pytest.mark.django_db
BASE = "/api/v1/tasks"
TODAY = datetime.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def frozen_day():
    with time_machine.travel(datetime.datetime(2026, 6, 1, 10, 0), tick=False):
        yield


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def post(client: Client, path: str, body: Any | None = None) -> Any:
    return client.post(path, body or {}, content_type="application/json")


def fresh(task: Task) -> Task:
    return Task.objects.get(pk=task.pk)


def report_body(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reported_on": TODAY.isoformat(),
        "percent": 40,
        "text": "已召开部署会，印发实施方案。",
        "links": ["/tasks/"],
    }
    body.update(extra)
    return body


@pytest.fixture
def ljx(county: Any) -> Task:
    """刘家峡镇's copy of a county task (set by the county, assigned to 刘家峡镇)."""
    _parent, mine, _theirs = delegated(county)
    return mine


# --- refused --------------------------------------------------------------------------------------


def test_anonymous_gets_401(client: Client, ljx: Task) -> None:
    assert_error(client.get(BASE), 401, "unauthenticated")
    assert_error(client.get(f"{BASE}/{ljx.pk}"), 401, "unauthenticated")
    assert_error(post(client, f"{BASE}/{ljx.pk}/reports", report_body()), 401, "unauthenticated")
    assert_error(post(client, f"{BASE}/{ljx.pk}/accept"), 401, "unauthenticated")
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize("persona", ["finance", "volunteer", "sysadmin"])
def test_roles_without_task_view_get_403(request: Any, ljx: Task, persona: str) -> None:
    client = api_client(request.getfixturevalue(persona))
    assert_error(client.get(BASE), 403, "forbidden")
    assert_error(client.get(f"{BASE}/{ljx.pk}"), 403, "forbidden")
    assert_error(post(client, f"{BASE}/{ljx.pk}/reports", report_body()), 403, "forbidden")
    assert not ProgressReport.objects.exists()


def test_the_auditor_reads_but_may_not_act(auditor: Any, ljx: Task) -> None:
    client = api_client(auditor)
    assert [t["id"] for t in client.get(BASE).json()["items"]] != []
    assert client.get(f"{BASE}/{ljx.pk}").json()["may_manage"] is False
    assert_error(post(client, f"{BASE}/{ljx.pk}/reports", report_body()), 403, "forbidden")
    assert_error(post(client, f"{BASE}/{ljx.pk}/reminders"), 403, "forbidden")
    assert not ProgressReport.objects.exists() and not Supervision.objects.exists()


def test_another_township_and_another_county_get_404(
    county: Any, township: Any, township2: Any, yongjing: Any, ljx: Task
) -> None:
    notice = services.notice_issue(
        actor=county,
        task=ljx,
        problem="进度滞后",
        new_deadline=TODAY + datetime.timedelta(days=10),
        required_answer="说明原因",
    )
    asked = services.extension_request(
        actor=township, task=ljx, requested_deadline=DEADLINE.replace(month=12), reason="人手不足"
    )
    for user in (township2, another_county(yongjing)):
        client = api_client(user)
        assert ljx.pk not in [t["id"] for t in client.get(f"{BASE}?size=100").json()["items"]]
        assert_error(client.get(f"{BASE}/{ljx.pk}"), 404, "not_found")
        assert_error(post(client, f"{BASE}/{ljx.pk}/reports", report_body()), 404, "not_found")
        assert_error(post(client, f"{BASE}/{ljx.pk}/complete"), 404, "not_found")
        assert_error(post(client, f"{BASE}/{ljx.pk}/reminders"), 404, "not_found")
        answer = {"answer": "已整改"}
        assert_error(post(client, f"{BASE}/notices/{notice.pk}/answer", answer), 404, "not_found")
        decide = {"approve": True}
        assert_error(post(client, f"{BASE}/extensions/{asked.pk}/decide", decide), 404, "not_found")
    assert_error(api_client(township2).get(f"{BASE}?association={LIUJIAXIA}"), 404, "not_found")
    task = fresh(ljx)
    assert task.version == ljx.version and task.progress == 0
    assert Supervision.objects.get(pk=notice.pk).answered_on is None
    assert Extension.objects.get(pk=asked.pk).status == "pending"


def test_forged_ids_are_404_and_a_foreign_measure_is_refused(
    county: Any, township: Any, yongjing: Any, ljx: Task
) -> None:
    client = api_client(township)
    for path in (f"{BASE}/{2**70}", f"{BASE}/0", f"{BASE}/999999"):
        assert_error(client.get(path), 404, "not_found")
    assert_error(post(client, f"{BASE}/{2**70}/reports", report_body()), 404, "not_found")
    assert_error(post(client, f"{BASE}/notices/{2**70}/answer", {"answer": "x"}), 404, "not_found")
    assert_error(
        post(api_client(county), f"{BASE}/extensions/999999/decide", {"approve": True}),
        404,
        "not_found",
    )
    assert_error(client.get(f"{BASE}/abc"), 422, "invalid")
    other = another_county(yongjing)
    foreign = measure(other, number=1, title="外县措施")
    error = assert_error(client.get(f"{BASE}?measure={foreign.pk}"), 400, "invalid")
    assert "measure" in error["fields"]
    assert not ProgressReport.objects.exists()


# --- reads ----------------------------------------------------------------------------------------


def test_the_list_is_scoped_filtered_and_paged(
    county: Any, township: Any, township2: Any, ljx: Task
) -> None:
    services.report_add(
        actor=township, task=ljx, reported_on=TODAY, text="已部署。", percent=30, links=""
    )
    soon = county_task(county, title="本周到期的任务", deadline=TODAY + datetime.timedelta(days=3))
    mine = api_client(township)
    items = mine.get(BASE).json()["items"]
    assert [t["id"] for t in items] == [ljx.pk]
    row = items[0]
    assert row["association_code"] == LIUJIAXIA and row["set_by_code"] == "622923"
    assert row["status"] == "on_track" and row["progress"] == 30 and row["stage"] == "open"
    assert row["measure_number"] == 19 and row["version"] == ljx.version + 1
    assert ljx.pk not in [t["id"] for t in api_client(township2).get(BASE).json()["items"]]
    client = api_client(county)
    everything = client.get(f"{BASE}?size=100").json()["items"]
    assert len(everything) == 4  # the parent, its two copies and the task due this week
    assert everything[0]["id"] == soon.pk  # by deadline: the nearest first
    assert [t["id"] for t in client.get(f"{BASE}?status=due_soon").json()["items"]] == [soon.pk]
    by_area = client.get(f"{BASE}?association={YANGUOXIA}").json()["items"]
    assert [t["association_code"] for t in by_area] == [YANGUOXIA]
    assert len(client.get(f"{BASE}?q=本周").json()["items"]) == 1
    assert len(client.get(f"{BASE}?year=2027").json()["items"]) == 0
    own = measure(county)
    assert len(client.get(f"{BASE}?measure={own.pk}").json()["items"]) == 4
    newest = client.get(f"{BASE}?sort=newest").json()["items"]
    assert newest[0]["id"] == max(t["id"] for t in everything)
    first = client.get(f"{BASE}?size=3").json()
    assert len(first["items"]) == 3 and first["next"] and first["previous"] is None
    second = client.get(f"{BASE}?size=3&after={first['next']}").json()
    assert len(second["items"]) == 1 and second["previous"]
    assert not {t["id"] for t in first["items"]} & {t["id"] for t in second["items"]}
    back = client.get(f"{BASE}?size=3&before={second['previous']}").json()
    assert [t["id"] for t in back["items"]] == [t["id"] for t in first["items"]]


def test_list_bad_filters_are_structured(township: Any, ljx: Task) -> None:
    client = api_client(township)
    for query in ("status=late", "size=0", "size=101", "year=1999", "sort=title", "measure=0"):
        assert_error(client.get(f"{BASE}?{query}"), 422, "invalid")
    assert client.get(f"{BASE}?after=not-a-cursor").status_code == 200


def test_the_list_does_not_grow_queries(
    county: Any, django_assert_max_num_queries: Any, django_assert_num_queries: Any
) -> None:
    for n in range(3):
        county_task(county, title=f"任务{n}")
    client = api_client(county)
    assert client.get(BASE).status_code == 200  # warm: the token's last use is recorded once
    with django_assert_max_num_queries(6) as small:
        assert len(client.get(BASE).json()["items"]) == 3
    for n in range(20):
        county_task(county, title=f"更多任务{n}")
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(client.get(f"{BASE}?size=100").json()["items"]) == 23


def test_the_measures_are_those_of_the_plans_above(county: Any, township: Any) -> None:
    measure(county, number=19)
    measure(county, number=21, title="跟踪督促检查")
    measure(township, number=1, title="本镇措施")
    mine = api_client(township).get(f"{BASE}/measures").json()
    assert [(m["association_code"], m["number"]) for m in mine] == [
        ("622923", 19),
        ("622923", 21),
        (LIUJIAXIA, 1),
    ]
    assert [m["number"] for m in api_client(county).get(f"{BASE}/measures").json()] == [19, 21]


def test_the_detail_shows_the_timeline_children_and_the_callers_side(
    county: Any, township: Any
) -> None:
    parent, ljx, _ygx = delegated(county)
    services.report_add(
        actor=township, task=ljx, reported_on=TODAY, text="已部署。", percent=30, links="/tasks/"
    )
    body = api_client(county).get(f"{BASE}/{parent.pk}").json()
    assert [c["association_code"] for c in body["children"]] == [LIUJIAXIA, YANGUOXIA]
    assert [s["kind"] for s in body["steps"]] == ["created", "delegated"]
    assert body["may_manage"] is True and body["may_report"] is True  # set for itself
    mine = api_client(township).get(f"{BASE}/{ljx.pk}").json()
    assert mine["may_report"] is True and mine["may_manage"] is False
    assert mine["parent_id"] == parent.pk and mine["deliverables"]
    report = mine["steps"][-1]
    assert report["kind"] == "reported" and report["by"] == "township"
    assert report["report"]["percent"] == 30 and report["report"]["links"] == ["/tasks/"]
    assert mine["open_notices"] == [] and mine["pending_extension"] is None


# --- the responsible side -------------------------------------------------------------------------


def test_a_progress_report_is_added_through_the_service(township: Any, ljx: Task) -> None:
    response = post(api_client(township), f"{BASE}/{ljx.pk}/reports", report_body())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["percent"] == 40 and body["links"] == ["/tasks/"] and body["files"] == []
    report = ProgressReport.objects.get(pk=body["id"])
    assert report.task_id == ljx.pk and report.reported_by == township
    task = fresh(ljx)
    assert task.progress == 40 and task.last_reported_on == TODAY
    assert task.version == ljx.version + 1
    assert AuditEvent.objects.filter(
        object_type="tasks.progressreport", object_id=str(report.pk), action="create"
    ).exists()
    assert Step.objects.filter(task=ljx, kind="reported", report=report).exists()


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (report_body(reported_on="2026-13-01"), 422, "reported_on"),
        (report_body(reported_on="yesterday"), 422, "reported_on"),
        (report_body(reported_on="2026-06-02"), 400, "reported_on"),  # after today
        (report_body(percent=101), 422, "percent"),
        (report_body(percent="many"), 422, "percent"),
        (report_body(text=" "), 400, "text"),
        (report_body(links=["https://example.com/x"]), 400, "links"),
        (report_body(links=["/no-such-page/"]), 400, "links"),
    ],
)
def test_a_bad_progress_report_changes_nothing(
    township: Any, ljx: Task, body: dict, status: int, field: str
) -> None:
    error = assert_error(
        post(api_client(township), f"{BASE}/{ljx.pk}/reports", body), status, "invalid"
    )
    assert field in {key.rpartition(".")[2] for key in error["fields"]}
    assert not ProgressReport.objects.exists()
    assert fresh(ljx).version == ljx.version


def test_the_setting_level_does_not_report_for_the_township(county: Any, ljx: Task) -> None:
    assert_error(
        post(api_client(county), f"{BASE}/{ljx.pk}/reports", report_body()), 403, "forbidden"
    )
    assert_error(post(api_client(county), f"{BASE}/{ljx.pk}/complete"), 403, "forbidden")
    assert not ProgressReport.objects.exists() and fresh(ljx).stage == "open"


def test_complete_accept_with_versions_and_the_wrong_side(
    county: Any, township: Any, ljx: Task
) -> None:
    mine, theirs = api_client(township), api_client(county)
    version = mine.get(f"{BASE}/{ljx.pk}").json()["version"]
    assert_error(post(theirs, f"{BASE}/{ljx.pk}/accept", {}), 409, "conflict")  # still open
    assert_error(post(mine, f"{BASE}/{ljx.pk}/complete", {"version": version + 1}), 409, "conflict")
    assert fresh(ljx).stage == "open"
    done = post(mine, f"{BASE}/{ljx.pk}/complete", {"version": version, "note": "已印发"})
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["stage"] == "completed" and body["progress"] == 100
    assert body["completed_on"] == TODAY.isoformat() and body["version"] == version + 1
    assert AuditEvent.objects.filter(
        object_type="tasks.task", object_id=str(ljx.pk), action="update"
    ).exists()
    # The township may not accept its own task (it holds task.manage, but did not set it).
    assert_error(post(mine, f"{BASE}/{ljx.pk}/accept", {}), 403, "forbidden")
    assert_error(post(mine, f"{BASE}/{ljx.pk}/complete", {}), 409, "conflict")  # done already
    assert_error(post(theirs, f"{BASE}/{ljx.pk}/accept", {"version": version}), 409, "conflict")
    assert fresh(ljx).stage == "completed"
    accepted = post(theirs, f"{BASE}/{ljx.pk}/accept", {"version": version + 1, "note": "齐全"})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "done" and accepted.json()["accepted_on"]
    task = fresh(ljx)
    assert task.stage == "accepted" and task.accepted_by == county
    assert [s.kind for s in task.steps.order_by("id")][-2:] == ["completed", "accepted"]


def test_return_and_reopen_need_a_reason_and_the_right_stage(
    county: Any, township: Any, ljx: Task
) -> None:
    theirs = api_client(county)
    assert_error(post(theirs, f"{BASE}/{ljx.pk}/return", {"reason": "不合格"}), 409, "conflict")
    services.task_complete(actor=township, task=ljx)
    error = assert_error(post(theirs, f"{BASE}/{ljx.pk}/return", {"reason": " "}), 400, "invalid")
    assert "reason" in error["fields"]
    assert_error(post(theirs, f"{BASE}/{ljx.pk}/return", {}), 422, "invalid")
    assert fresh(ljx).stage == "completed"
    returned = post(theirs, f"{BASE}/{ljx.pk}/return", {"reason": "佐证材料不全"})
    assert returned.status_code == 200 and returned.json()["stage"] == "open"
    assert returned.json()["steps"][-1]["note"] == "佐证材料不全"
    assert_error(post(theirs, f"{BASE}/{ljx.pk}/reopen", {"reason": "发现问题"}), 409, "conflict")
    services.task_complete(actor=township, task=fresh(ljx))
    services.task_accept(actor=county, task=fresh(ljx))
    assert_error(
        post(api_client(township), f"{BASE}/{ljx.pk}/reopen", {"reason": "自行打开"}),
        403,
        "forbidden",
    )
    reopened = post(theirs, f"{BASE}/{ljx.pk}/reopen", {"reason": "复查发现问题"})
    assert reopened.status_code == 200 and reopened.json()["stage"] == "open"
    assert fresh(ljx).accepted_on is None
    assert Step.objects.filter(task=ljx, kind="reopened").count() == 1


# --- the supervision ladder -----------------------------------------------------------------------


def test_reminder_notice_answer_and_interview(county: Any, township: Any, ljx: Task) -> None:
    theirs, mine = api_client(county), api_client(township)
    reminded = post(theirs, f"{BASE}/{ljx.pk}/reminders", {"message": "请尽快报告进展。"})
    assert reminded.status_code == 201, reminded.content
    assert (
        reminded.json()["kind"] == "reminder" and reminded.json()["problem"] == "请尽快报告进展。"
    )
    notice_body = {
        "problem": "进度滞后",
        "new_deadline": (TODAY + datetime.timedelta(days=10)).isoformat(),
        "required_answer": "说明原因和整改措施",
    }
    issued = post(theirs, f"{BASE}/{ljx.pk}/notices", notice_body)
    assert issued.status_code == 201, issued.content
    notice = issued.json()
    assert notice["number"] == "DB-2026-001" and notice["answered_on"] is None
    assert AuditEvent.objects.filter(
        object_type="tasks.supervision", object_id=str(notice["id"]), action="create"
    ).exists()
    detail = mine.get(f"{BASE}/{ljx.pk}").json()
    assert [n["id"] for n in detail["open_notices"]] == [notice["id"]]
    url = f"{BASE}/notices/{notice['id']}/answer"
    assert_error(post(theirs, url, {"answer": "代为答复"}), 403, "forbidden")  # not its task
    stale = {"answer": "已整改", "version": notice["version"] + 1}
    assert_error(post(mine, url, stale), 409, "conflict")
    assert_error(post(mine, url, {"answer": " "}), 400, "invalid")
    assert Supervision.objects.get(pk=notice["id"]).answered_on is None
    answered = post(mine, url, {"answer": "已补齐人员", "version": notice["version"]})
    assert answered.status_code == 200, answered.content
    assert answered.json()["answer"] == "已补齐人员" and answered.json()["answered_on"]
    assert Supervision.objects.get(pk=notice["id"]).answered_by == township
    assert_error(post(mine, url, {"answer": "再次答复"}), 409, "conflict")
    reminder_url = f"{BASE}/notices/{reminded.json()['id']}/answer"
    assert_error(post(mine, reminder_url, {"answer": "提醒无需答复"}), 400, "invalid")
    interview = {
        "held_on": TODAY.isoformat(),
        "attendees": "县计生协秘书长、刘家峡镇专干",
        "conclusions": "两周内完成整改",
    }
    held = post(theirs, f"{BASE}/{ljx.pk}/interviews", interview)
    assert held.status_code == 201 and held.json()["kind"] == "interview"
    ladder = [s["kind"] for s in mine.get(f"{BASE}/{ljx.pk}").json()["steps"] if s["on_ladder"]]
    assert ladder == ["reminded", "notice", "answered", "interview"]


def test_the_ladder_refuses_the_wrong_side_and_bad_input(
    county: Any, township: Any, ljx: Task
) -> None:
    theirs, mine = api_client(county), api_client(township)
    body = {"problem": "进度滞后", "new_deadline": "2026-06-11", "required_answer": "说明原因"}
    # 刘家峡镇 holds task.manage but did not set the task: it may not supervise it.
    assert_error(post(mine, f"{BASE}/{ljx.pk}/notices", body), 403, "forbidden")
    assert_error(post(mine, f"{BASE}/{ljx.pk}/reminders"), 403, "forbidden")
    bad_dates = ("2026-02-30", "11 June", "2026-06-11T25:00")
    for day in bad_dates:
        assert_error(
            post(theirs, f"{BASE}/{ljx.pk}/notices", {**body, "new_deadline": day}), 422, "invalid"
        )
    error = assert_error(
        post(theirs, f"{BASE}/{ljx.pk}/notices", {**body, "new_deadline": "2026-05-31"}),
        400,
        "invalid",
    )
    assert "new_deadline" in error["fields"]
    assert_error(post(theirs, f"{BASE}/{ljx.pk}/notices", {**body, "problem": ""}), 400, "invalid")
    interview = {"held_on": "2026-06-02", "attendees": "县计生协", "conclusions": "限期整改"}
    assert_error(post(theirs, f"{BASE}/{ljx.pk}/interviews", interview), 400, "invalid")
    assert_error(
        post(theirs, f"{BASE}/{ljx.pk}/interviews", {**interview, "held_on": "June"}),
        422,
        "invalid",
    )
    assert not Supervision.objects.exists()
    services.task_complete(actor=township, task=ljx)
    services.task_accept(actor=county, task=fresh(ljx))
    assert_error(post(theirs, f"{BASE}/{ljx.pk}/reminders"), 409, "conflict")  # done
    assert not Supervision.objects.exists()


# --- extensions -----------------------------------------------------------------------------------


def test_an_extension_is_asked_and_decided_by_the_setting_level(
    county: Any, township: Any, ljx: Task
) -> None:
    theirs, mine = api_client(county), api_client(township)
    later = datetime.date(2026, 12, 31)
    body = {"requested_deadline": later.isoformat(), "reason": "人手不足，需延期"}
    asked = post(mine, f"{BASE}/{ljx.pk}/extensions", body)
    assert asked.status_code == 201, asked.content
    extension = asked.json()
    assert extension["status"] == "pending" and extension["old_deadline"] == DEADLINE.isoformat()
    assert AuditEvent.objects.filter(
        object_type="tasks.extension", object_id=str(extension["id"]), action="create"
    ).exists()
    assert_error(post(mine, f"{BASE}/{ljx.pk}/extensions", body), 409, "conflict")  # one pending
    assert theirs.get(f"{BASE}/{ljx.pk}").json()["pending_extension"]["id"] == extension["id"]
    url = f"{BASE}/extensions/{extension['id']}/decide"
    # The township that asked may not decide (it holds task.manage, but did not set the task).
    assert_error(post(mine, url, {"approve": True}), 403, "forbidden")
    error = assert_error(post(theirs, url, {"approve": False}), 400, "invalid")
    assert "note" in error["fields"]
    assert_error(post(theirs, url, {"approve": "perhaps"}), 422, "invalid")
    assert_error(post(theirs, url, {}), 422, "invalid")
    assert Extension.objects.get(pk=extension["id"]).status == "pending"
    assert fresh(ljx).deadline == DEADLINE
    decided = post(theirs, url, {"approve": True, "note": "同意"})
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == "approved" and decided.json()["decided_on"]
    task = fresh(ljx)
    assert task.deadline == later and task.original_deadline == DEADLINE
    assert AuditEvent.objects.filter(
        object_type="tasks.extension", object_id=str(extension["id"]), action="update"
    ).exists()
    assert_error(post(theirs, url, {"approve": False, "note": "改主意"}), 409, "conflict")
    assert Extension.objects.get(pk=extension["id"]).status == "approved"


def test_a_bad_extension_request_changes_nothing(county: Any, township: Any, ljx: Task) -> None:
    mine = api_client(township)
    url = f"{BASE}/{ljx.pk}/extensions"
    assert_error(
        post(mine, url, {"requested_deadline": "2026-31-12", "reason": "x"}), 422, "invalid"
    )
    error = assert_error(
        post(mine, url, {"requested_deadline": DEADLINE.isoformat(), "reason": "人手不足"}),
        400,
        "invalid",
    )
    assert "requested_deadline" in error["fields"]
    assert_error(
        post(mine, url, {"requested_deadline": "2026-12-31", "reason": ""}), 400, "invalid"
    )
    body = {"requested_deadline": "2026-12-31", "reason": "人手不足"}
    assert_error(post(api_client(county), url, body), 403, "forbidden")  # not the responsible side
    assert not Extension.objects.exists()


def test_openapi_documents_the_operations_and_their_errors(township: Any) -> None:
    paths = api_client(township).get("/api/v1/openapi.json").json()["paths"]
    for path, method in (
        ("/api/v1/tasks", "get"),
        ("/api/v1/tasks/measures", "get"),
        ("/api/v1/tasks/{task_id}", "get"),
        ("/api/v1/tasks/{task_id}/reports", "post"),
        ("/api/v1/tasks/{task_id}/complete", "post"),
        ("/api/v1/tasks/{task_id}/accept", "post"),
        ("/api/v1/tasks/{task_id}/return", "post"),
        ("/api/v1/tasks/{task_id}/reopen", "post"),
        ("/api/v1/tasks/{task_id}/reminders", "post"),
        ("/api/v1/tasks/{task_id}/notices", "post"),
        ("/api/v1/tasks/notices/{notice_id}/answer", "post"),
        ("/api/v1/tasks/{task_id}/interviews", "post"),
        ("/api/v1/tasks/{task_id}/extensions", "post"),
        ("/api/v1/tasks/extensions/{extension_id}/decide", "post"),
    ):
        responses = paths[path][method]["responses"]
        assert {"400", "401", "403", "404", "409", "422"} <= set(responses), path


def schema_names_shared_with_other_modules(module_name: str) -> set[str]:
    """The Schema classes of `module_name` whose names another API module uses too: the OpenAPI
    description keeps one component per name, so a shared name documents the wrong fields."""
    import importlib
    import inspect
    from pathlib import Path

    from ninja import Schema

    root = Path(__file__).resolve().parent.parent
    owners: dict[str, set[str]] = {}
    for path in sorted(root.glob("fpa/*/api.py")):
        module = importlib.import_module(f"fpa.{path.parent.name}.api")
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, Schema)
                and value.__module__ == module.__name__
            ):
                owners.setdefault(name, set()).add(module.__name__)
    return {name for name, where in owners.items() if module_name in where and len(where) > 1}


def test_the_schemas_names_are_the_modules_own() -> None:
    assert schema_names_shared_with_other_modules("fpa.tasks.api") == set()
