"""The task book's API writes beside the steps (tests/test_tasks_api.py): setting a task,
correcting it (only the fields sent, with versions), handing it down to the townships, the plan's
measures, and evidence files uploaded with a progress report or a 督办单's answer (multipart,
checked by the page's validator). Each through the services (audited); refused: anonymous
(401), a role without `task.manage` (403), another county's task (404), forged ids (404/422),
a stale version (409), bad input (400/422), each changing nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fpa.core.models import AuditEvent
from fpa.organizations.models import Association
from fpa.tasks import services
from fpa.tasks.models import Evidence, Measure, ProgressReport, Step, Supervision, Task
from tests.conftest import LIUJIAXIA, YANGUOXIA, another_county
from tests.tasks_helpers import DEADLINE, START, county_task, delegated, measure, pdf, png
from tests.test_api import api_client, assert_error
from tests.test_api import fullwidth_digits as wide

pytestmark = pytest.mark.django_db
BASE = "/api/v1/tasks"
COUNTY = "622923"
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


def counts() -> tuple[int, int, int, int, int]:
    return (
        Task.objects.count(),
        Step.objects.count(),
        Measure.objects.count(),
        ProgressReport.objects.count(),
        AuditEvent.objects.filter(object_type__startswith="tasks.").count(),
    )


def task_body(county: Any, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "measure": measure(county).pk,
        "title": "建立计生协改革任务台账",
        "association": COUNTY,
        "co_associations": [LIUJIAXIA],
        "lead_department": "县卫生健康局",
        "co_departments": "县民政局、县人社局",
        "start_on": START.isoformat(),
        "deadline": DEADLINE.isoformat(),
        "deliverables": "印发台账，按月更新。",
    }
    body.update(extra)
    return body


# --- setting a task -------------------------------------------------------------------------------


def test_the_county_sets_a_task_through_the_service(county: Any, township: Any) -> None:
    body = task_body(county, association=LIUJIAXIA, responsible=township.pk)
    response = post(api_client(county), BASE, body)
    assert response.status_code == 201, response.content
    made = response.json()
    task = Task.objects.get(pk=made["id"])
    assert task.title == "建立计生协改革任务台账" and task.association.code == LIUJIAXIA
    assert task.set_by.code == COUNTY and task.responsible == township
    assert task.start_on == START and task.deadline == task.original_deadline == DEADLINE
    assert [a.code for a in task.co_associations.all()] == [LIUJIAXIA]
    assert made["lead_department"] == "县卫生健康局" and made["version"] == task.version
    assert made["co_associations"] == [{"code": LIUJIAXIA, "name": task.association.name}]
    assert [s["kind"] for s in made["steps"]] == ["created"]
    assert made["may_manage"] is True and made["may_report"] is False
    assert AuditEvent.objects.filter(
        object_type="tasks.task", object_id=str(task.pk), action="create"
    ).exists()
    # The township sees it at once, as the responsible side.
    assert api_client(township).get(f"{BASE}/{task.pk}").json()["may_report"] is True


def test_anonymous_and_roles_without_task_manage_may_not_set_or_change(
    client: Client, county: Any, village: Any, auditor: Any
) -> None:
    task = county_task(county)
    before = counts()
    assert_error(post(client, BASE, task_body(county)), 401, "unauthenticated")
    assert_error(post(client, f"{BASE}/{task.pk}", {"title": "冒名修改"}), 401, "unauthenticated")
    assert_error(post(client, f"{BASE}/{task.pk}/delegate", {"all": True}), 401, "unauthenticated")
    assert_error(
        post(client, f"{BASE}/measures", {"number": 2, "title": "x"}), 401, "unauthenticated"
    )
    for user in (village, auditor):  # task.view (and task.report) without task.manage
        mine = api_client(user)
        assert_error(post(mine, BASE, task_body(county)), 403, "forbidden")
        assert_error(post(mine, f"{BASE}/{task.pk}", {"title": "越权修改"}), 403, "forbidden")
        assert_error(post(mine, f"{BASE}/{task.pk}/delegate", {"all": True}), 403, "forbidden")
        assert_error(
            post(mine, f"{BASE}/measures", {"number": 2, "title": "措施"}), 403, "forbidden"
        )
    assert counts() == before and fresh(task).title == task.title


def test_a_township_may_not_set_a_task_for_the_county_or_serve_a_foreign_measure(
    county: Any, township: Any, yongjing: Any
) -> None:
    mine = api_client(township)
    before = counts()
    error = assert_error(post(mine, BASE, task_body(county)), 400, "invalid")  # the county
    assert "association" in error["fields"]
    other = another_county(yongjing)
    foreign = measure(other, number=1, title="外县措施")
    body = task_body(county, association=LIUJIAXIA, co_associations=[], measure=foreign.pk)
    error = assert_error(post(mine, BASE, body), 400, "invalid")
    assert "measure" in error["fields"]
    # Another county's administrator may not set a task for Yongjing's township either.
    theirs = api_client(other)
    body = task_body(county, association=LIUJIAXIA, co_associations=[])
    assert_error(post(theirs, BASE, body), 400, "invalid")
    assert counts()[:2] == before[:2]
    # The township does set a task for itself, serving the county's measure.
    body = task_body(county, association=LIUJIAXIA, co_associations=[])
    made = post(mine, BASE, body)
    assert made.status_code == 201, made.content
    assert Task.objects.get(pk=made.json()["id"]).set_by.code == LIUJIAXIA


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"title": None}, 422, "title"),
        ({"title": " "}, 400, "title"),
        ({"deliverables": ""}, 400, "deliverables"),
        ({"deadline": "2026-02-01"}, 400, "deadline"),  # before the start
        ({"deadline": "2026-02-30"}, 422, "deadline"),
        ({"start_on": "1 March"}, 422, "start_on"),
        ({"start_on": wide("2026-03-01")}, 422, "start_on"),  # full-width digits
        ({"measure": wide("19")}, 422, "measure"),
        ({"measure": 2**70}, 422, "measure"),
        ({"measure": 999999}, 400, "measure"),
        ({"association": wide(COUNTY)}, 400, "association"),
        ({"association": "999999"}, 400, "association"),
        ({"co_associations": ["622924"]}, 400, "co_associations"),
        ({"responsible": 999999}, 400, "responsible"),
        ({"title": "长" * 201}, 422, "title"),
    ],
)
def test_a_bad_task_changes_nothing(
    county: Any, change: dict[str, Any], status: int, field: str
) -> None:
    body = task_body(county)
    for key, value in change.items():
        if value is None:
            body.pop(key)
        else:
            body[key] = value
    before = counts()
    error = assert_error(post(api_client(county), BASE, body), status, "invalid")
    assert field in {key.rpartition(".")[2] for key in error["fields"]}, error
    assert counts() == before


def test_a_responsible_person_of_another_association_is_refused(
    county: Any, township2: Any
) -> None:
    body = task_body(county, association=LIUJIAXIA, responsible=township2.pk)
    before = counts()
    error = assert_error(post(api_client(county), BASE, body), 400, "invalid")
    assert "responsible" in error["fields"]
    assert counts() == before


# --- correcting a task ----------------------------------------------------------------------------


def test_the_setting_level_corrects_a_task_with_versions(county: Any, township: Any) -> None:
    task = county_task(county)
    client = api_client(county)
    url = f"{BASE}/{task.pk}"
    later = (DEADLINE + datetime.timedelta(days=10)).isoformat()
    stale = {"version": task.version + 1, "title": "改后的名称"}
    assert_error(post(client, url, stale), 409, "conflict")
    assert fresh(task).title == task.title
    body = {"version": task.version, "title": "改后的名称", "deadline": later}
    changed = post(client, url, body)
    assert changed.status_code == 200, changed.content
    data = changed.json()
    assert data["title"] == "改后的名称" and data["deadline"] == later
    assert data["version"] == task.version + 1 and data["steps"][-1]["kind"] == "edited"
    row = fresh(task)
    assert row.deliverables == task.deliverables  # not sent: unchanged
    assert row.original_deadline.isoformat() == later  # a correction, not an extension
    event = AuditEvent.objects.get(
        object_type="tasks.task", object_id=str(task.pk), action="update"
    )
    assert event.changes["title"] == [task.title, "改后的名称"]
    # The same version again is stale now.
    assert_error(post(client, url, {**body, "title": "第三次"}), 409, "conflict")
    # The responsible person and the co-associations, by id and code among the caller's choices.
    moved = post(client, url, {"association": LIUJIAXIA, "responsible": township.pk})
    assert moved.status_code == 200, moved.content
    assert moved.json()["association_code"] == LIUJIAXIA
    assert fresh(task).responsible == township
    cleared = post(client, url, {"responsible": None, "co_associations": [YANGUOXIA]})
    assert cleared.status_code == 200 and cleared.json()["responsible_id"] is None
    assert [a["code"] for a in cleared.json()["co_associations"]] == [YANGUOXIA]


def test_a_bad_correction_changes_nothing(county: Any, township: Any, yongjing: Any) -> None:
    task = county_task(county)
    client = api_client(county)
    url = f"{BASE}/{task.pk}"
    before = (counts(), fresh(task).version)
    for body, status, field in (
        ({"deadline": "2026-01-01"}, 400, "deadline"),
        ({"deadline": "2026-13-01"}, 422, "deadline"),
        ({"title": None}, 422, "title"),
        ({"start_on": None}, 422, "start_on"),
        ({"measure": 999999}, 400, "measure"),
        ({"association": "nope"}, 400, "association"),
        ({"version": 0}, 422, "version"),
    ):
        error = assert_error(post(client, url, body), status, "invalid")
        assert field in {key.rpartition(".")[2] for key in error["fields"]}, (body, error)
    # 刘家峡镇 holds task.manage but did not set its copy; another county does not see it.
    _parent, ljx, _ygx = delegated(county)
    before = (counts(), fresh(task).version)
    theirs = f"{BASE}/{ljx.pk}"
    assert_error(post(api_client(township), theirs, {"title": "越级修改"}), 403, "forbidden")
    assert fresh(ljx).title == ljx.title
    other = api_client(another_county(yongjing))
    assert_error(post(other, url, {"title": "外县修改"}), 404, "not_found")
    for path in (f"{BASE}/{2**70}", f"{BASE}/0", f"{BASE}/999999"):
        assert_error(post(client, path, {"title": "伪造"}), 404, "not_found")
    assert (counts(), fresh(task).version) == before
    services.task_complete(actor=county, task=task)
    services.task_accept(actor=make_second_county_manager(), task=fresh(task))
    assert_error(post(client, url, {"title": "验收后修改"}), 409, "conflict")


def make_second_county_manager() -> Any:
    from fpa.accounts.roles import Role
    from tests.conftest import make_user

    return make_user("county-second", COUNTY, Role.COUNTY_ADMIN)


# --- handing down ---------------------------------------------------------------------------------


def test_a_task_is_handed_down_to_chosen_townships_then_to_the_rest(county: Any) -> None:
    task = county_task(county)
    client = api_client(county)
    url = f"{BASE}/{task.pk}/delegate"
    first = post(client, url, {"associations": [LIUJIAXIA]})
    assert first.status_code == 201, first.content
    assert [c["association_code"] for c in first.json()["children"]] == [LIUJIAXIA]
    copy = Task.objects.get(parent=task)
    assert copy.association.code == LIUJIAXIA and copy.set_by.code == COUNTY
    assert AuditEvent.objects.filter(
        object_type="tasks.task", object_id=str(copy.pk), action="create"
    ).exists()
    before = counts()
    error = assert_error(post(client, url, {"associations": [LIUJIAXIA]}), 400, "invalid")
    assert "associations" in error["fields"]  # a copy already
    for codes in (["999999999"], [COUNTY], [wide(LIUJIAXIA)], []):
        error = assert_error(post(client, url, {"associations": codes}), 400, "invalid")
        assert "associations" in error["fields"]
    assert_error(post(client, url, {"associations": "622923100"}), 422, "invalid")
    assert counts() == before
    rest = post(client, url, {"all": True})
    assert rest.status_code == 201, rest.content
    below = Association.objects.current().filter(parent__code=COUNTY).count()
    assert len(rest.json()["children"]) == below >= 2
    assert YANGUOXIA in {c["association_code"] for c in rest.json()["children"]}
    assert [s["kind"] for s in rest.json()["steps"]] == ["created", "delegated", "delegated"]
    assert_error(post(client, url, {"all": True}), 400, "invalid")  # nothing left to hand down


def test_each_copy_handed_down_may_name_its_person_responsible(
    county: Any, township: Any, township2: Any
) -> None:
    task = county_task(county)
    client = api_client(county)
    url = f"{BASE}/{task.pk}/delegate"
    before = counts()
    for people in (
        {LIUJIAXIA: township2.pk},  # 盐锅峡镇's staff for 刘家峡镇's copy
        {YANGUOXIA: township2.pk},  # a township not chosen
        {LIUJIAXIA: 999999},
    ):
        body = {"associations": [LIUJIAXIA], "responsible": people}
        error = assert_error(post(client, url, body), 400, "invalid")
        assert "responsible" in error["fields"], people
    assert counts() == before
    body = {"associations": [LIUJIAXIA, YANGUOXIA], "responsible": {LIUJIAXIA: township.pk}}
    done = post(client, url, body)
    assert done.status_code == 201, done.content
    copies = {copy.association.code: copy for copy in Task.objects.filter(parent=task)}
    assert copies[LIUJIAXIA].responsible == township
    assert copies[YANGUOXIA].responsible is None


def test_only_the_responsible_side_hands_down_an_open_task(
    county: Any, township: Any, yongjing: Any
) -> None:
    _parent, ljx, _ygx = delegated(county)
    before = counts()
    # The county set 刘家峡镇's copy: handing it further down is the township's.
    assert_error(
        post(api_client(county), f"{BASE}/{ljx.pk}/delegate", {"all": True}), 403, "forbidden"
    )
    other = api_client(another_county(yongjing))
    assert_error(post(other, f"{BASE}/{ljx.pk}/delegate", {"all": True}), 404, "not_found")
    assert_error(
        post(api_client(township), f"{BASE}/{2**70}/delegate", {"all": True}), 404, "not_found"
    )
    assert counts() == before
    services.task_complete(actor=township, task=ljx)
    assert_error(
        post(api_client(township), f"{BASE}/{ljx.pk}/delegate", {"all": True}), 409, "conflict"
    )
    assert counts()[0] == before[0]


# --- the plan's measures --------------------------------------------------------------------------


def test_the_measures_are_added_and_renamed_with_versions(county: Any, township: Any) -> None:
    client = api_client(county)
    made = post(client, f"{BASE}/measures", {"number": 7, "title": "完善基层组织"})
    assert made.status_code == 201, made.content
    item = made.json()
    assert item["association_code"] == COUNTY and item["number"] == 7 and item["version"] == 1
    assert AuditEvent.objects.filter(
        object_type="tasks.measure", object_id=str(item["id"]), action="create"
    ).exists()
    before = counts()
    error = assert_error(
        post(client, f"{BASE}/measures", {"number": 7, "title": "重复"}), 400, "duplicate"
    )
    assert "number" in error["fields"]
    for body in (
        {"number": 0, "title": "x"},
        {"number": wide("7"), "title": "全角"},
        {"title": "无序号"},
    ):
        assert_error(post(client, f"{BASE}/measures", body), 422, "invalid")
    assert_error(post(client, f"{BASE}/measures", {"number": 8, "title": " "}), 400, "invalid")
    url = f"{BASE}/measures/{item['id']}"
    assert_error(post(client, url, {"version": 2, "title": "改名"}), 409, "conflict")
    # 刘家峡镇 sees the county's measure but it is not its plan's.
    assert_error(post(api_client(township), url, {"title": "改名"}), 403, "forbidden")
    assert_error(post(client, f"{BASE}/measures/999999", {"title": "改名"}), 404, "not_found")
    assert_error(post(client, f"{BASE}/measures/{2**70}", {"title": "改名"}), 404, "not_found")
    assert counts() == before
    renamed = post(client, url, {"version": 1, "title": "健全基层组织"})
    assert renamed.status_code == 200, renamed.content
    assert renamed.json()["title"] == "健全基层组织" and renamed.json()["version"] == 2
    listed = client.get(f"{BASE}/measures").json()
    assert [(m["number"], m["title"]) for m in listed] == [(7, "健全基层组织")]


def test_the_measure_list_does_not_grow_queries(
    county: Any, django_assert_max_num_queries: Any, django_assert_num_queries: Any
) -> None:
    client = api_client(county)
    measure(county, number=1)
    assert client.get(f"{BASE}/measures").status_code == 200  # warm
    with django_assert_max_num_queries(5) as small:
        assert len(client.get(f"{BASE}/measures").json()) == 1
    for n in range(2, 22):
        measure(county, number=n, title=f"措施{n}")
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(client.get(f"{BASE}/measures").json()) == 21


# --- evidence files -------------------------------------------------------------------------------


def upload(client: Client, url: str, files: list[Any], **fields: Any) -> Any:
    data: dict[str, Any] = {
        "reported_on": TODAY.isoformat(),
        "percent": "60",
        "text": "已建立台账，附照片和文件。",
        "links": "/tasks/\n/tasks/roadmap/",
        **fields,
    }
    data["files"] = files
    return client.post(url, data)


def test_a_progress_report_with_evidence_files(township: Any, county: Any) -> None:
    _parent, ljx, _ygx = delegated(county)
    response = upload(api_client(township), f"{BASE}/{ljx.pk}/reports/upload", [png(), pdf()])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["percent"] == 60 and body["links"] == ["/tasks/", "/tasks/roadmap/"]
    assert sorted(f["format"] for f in body["files"]) == ["pdf", "png"]
    report = ProgressReport.objects.get(pk=body["id"])
    files = list(Evidence.objects.filter(report=report))
    assert len(files) == 2 and all(f.uploaded_by == township for f in files)
    for item in files:
        assert AuditEvent.objects.filter(
            object_type="tasks.evidence", object_id=str(item.pk), action="create"
        ).exists()
        assert default_storage.exists(item.file)
    assert fresh(ljx).progress == 60
    # The page address serves the file to whoever sees the task.
    url = next(f["url"] for f in body["files"] if f["format"] == "png")
    assert url == f"/tasks/evidence/{next(f.pk for f in files if f.format == 'png')}/"


@pytest.mark.parametrize(
    "bad",
    [
        lambda: SimpleUploadedFile("setup.png", b"MZ\x90\x00" + b"\x00" * 200, "image/png"),
        lambda: SimpleUploadedFile("empty.pdf", b"", "application/pdf"),
        lambda: SimpleUploadedFile(
            "fake.pdf", b"%PDF-1.4\n/JavaScript (app.alert(1))", "application/pdf"
        ),
    ],
)
def test_a_refused_file_keeps_nothing(township: Any, county: Any, bad: Any, tmp_path: Any) -> None:
    _parent, ljx, _ygx = delegated(county)
    before = (counts(), Evidence.objects.count())
    response = upload(api_client(township), f"{BASE}/{ljx.pk}/reports/upload", [png(), bad()])
    error = assert_error(response, 400, "invalid")
    assert "files" in error["fields"]
    assert (counts(), Evidence.objects.count()) == before
    assert fresh(ljx).version == ljx.version


def test_upload_refusals(client: Client, county: Any, township: Any, township2: Any) -> None:
    _parent, ljx, _ygx = delegated(county)
    url = f"{BASE}/{ljx.pk}/reports/upload"
    before = (counts(), Evidence.objects.count())
    assert_error(upload(client, url, [png()]), 401, "unauthenticated")
    assert_error(upload(api_client(township2), url, [png()]), 404, "not_found")
    assert_error(upload(api_client(county), url, [png()]), 403, "forbidden")  # not its task
    mine = api_client(township)
    assert_error(upload(mine, url, []), 422, "invalid")  # no file
    assert_error(upload(mine, url, [png()], percent=wide("10")), 422, "invalid")
    assert_error(upload(mine, url, [png()], reported_on="2026-06-31"), 422, "invalid")
    error = assert_error(upload(mine, url, [png()], reported_on="2026-06-02"), 400, "invalid")
    assert "reported_on" in error["fields"]
    many = [png(f"p{n}.png") for n in range(6)]
    assert_error(upload(mine, url, many), 400, "invalid")
    assert_error(upload(mine, f"{BASE}/{2**70}/reports/upload", [png()]), 404, "not_found")
    assert (counts(), Evidence.objects.count()) == before


def test_a_notice_answer_with_evidence_files(county: Any, township: Any) -> None:
    _parent, ljx, _ygx = delegated(county)
    notice = services.notice_issue(
        actor=county,
        task=ljx,
        problem="进度滞后",
        new_deadline=TODAY + datetime.timedelta(days=10),
        required_answer="说明原因",
    )
    url = f"{BASE}/notices/{notice.pk}/answer/upload"
    mine = api_client(township)
    bad = SimpleUploadedFile("x.png", b"not an image", "image/png")
    stale = {"answer": "已整改", "version": str(notice.version + 1)}
    assert_error(mine.post(url, {**stale, "files": [png()]}), 409, "conflict")
    assert_error(mine.post(url, {"answer": "已整改", "files": [bad]}), 400, "invalid")
    assert not Evidence.objects.exists()
    assert Supervision.objects.get(pk=notice.pk).answered_on is None
    done = mine.post(url, {"answer": "已整改", "version": str(notice.version), "files": [png()]})
    assert done.status_code == 200, done.content
    assert done.json()["answered_on"] and [f["format"] for f in done.json()["files"]] == ["png"]
    assert Evidence.objects.get().supervision_id == notice.pk


def test_openapi_documents_the_new_operations(township: Any) -> None:
    paths = api_client(township).get("/api/v1/openapi.json").json()["paths"]
    for path, method in (
        ("/api/v1/tasks", "post"),
        ("/api/v1/tasks/{task_id}", "post"),
        ("/api/v1/tasks/{task_id}/delegate", "post"),
        ("/api/v1/tasks/measures", "post"),
        ("/api/v1/tasks/measures/{measure_id}", "post"),
        ("/api/v1/tasks/{task_id}/reports/upload", "post"),
        ("/api/v1/tasks/notices/{notice_id}/answer/upload", "post"),
    ):
        responses = paths[path][method]["responses"]
        assert {"400", "401", "403", "404", "409", "422"} <= set(responses), path
    upload_body = paths["/api/v1/tasks/{task_id}/reports/upload"]["post"]["requestBody"]
    assert "multipart/form-data" in upload_body["content"]
