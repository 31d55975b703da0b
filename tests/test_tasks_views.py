"""改革任务书, the staff pages: the list (filters, htmx rows, a bounded query count, the Excel
export), a task's page with its timeline and each side's actions, the forms (set, hand down,
report with evidence, 督办单 and its answer, 约谈, extension and its decision), the roadmap and
the printable task book. Refused: anonymous, another role, another township (a forged id is a
404), the wrong side acting, bad input (each changing nothing)."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fpa.core.models import AuditEvent
from fpa.organizations.models import Association
from fpa.tasks import services
from fpa.tasks.models import Evidence, Extension, Measure, ProgressReport, Supervision, Task
from tests.conftest import LIUJIAXIA, YANGUOXIA, content, follow_job, make_user
from tests.tasks_helpers import DEADLINE, county_task, delegated, measure, pdf, png

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def frozen_day():
    with time_machine.travel(datetime.datetime(2026, 6, 1, 10, 0), tick=False):
        yield


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def page(client: Any, url: str, **params: Any) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def followed(client: Any, response: Any) -> str:
    assert response.status_code == 302, response.status_code
    return client.get(response["Location"]).content.decode()


# --- refused --------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client: Any, county: Any) -> None:
    _parent, ljx, _ygx = delegated(county)
    for url in (reverse("tasks:list"), reverse("tasks:detail", args=[ljx.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_other_roles_are_refused(client_for: Any, county: Any, yongjing: Any) -> None:
    _parent, ljx, _ygx = delegated(county)
    for role in ("finance", "volunteer"):
        other = make_user(f"other-{role}", "622923" if role == "finance" else "622923100201", role)
        client = client_for(other)
        assert client.get(reverse("tasks:list")).status_code == 403
        assert client.get(reverse("tasks:detail", args=[ljx.pk])).status_code == 403


def test_another_township_gets_404_and_changes_nothing(
    client_for: Any, county: Any, township: Any, township2: Any
) -> None:
    _parent, ljx, _ygx = delegated(county)
    services.task_complete(actor=township, task=ljx)
    client = client_for(township2)
    assert client.get(reverse("tasks:detail", args=[ljx.pk])).status_code == 404
    for name in ("report", "complete", "accept", "return", "reopen", "remind", "extension"):
        response = client.post(
            reverse(f"tasks:{name}", args=[ljx.pk]), {"reason": "越权", "text": "越权"}
        )
        assert response.status_code == 404, name
    ljx.refresh_from_db()
    assert ljx.stage == Task.Stage.COMPLETED


def test_the_parent_task_is_linked_only_for_who_may_open_it(
    client_for: Any, county: Any, township: Any
) -> None:
    """A township's copy names the county's task above it, but links it only for the county:
    the township's link led to a 404."""
    parent, ljx, _ygx = delegated(county)
    parent_url = reverse("tasks:detail", args=[parent.pk])
    client = client_for(township)
    assert f'href="{parent_url}"' not in page(client, reverse("tasks:detail", args=[ljx.pk]))
    assert client.get(parent_url).status_code == 404
    county_body = page(client_for(county), reverse("tasks:detail", args=[ljx.pk]))
    assert f'href="{parent_url}"' in county_body


def test_the_township_cannot_accept_its_own_task(
    client_for: Any, county: Any, township: Any
) -> None:
    _parent, ljx, _ygx = delegated(county)
    services.task_complete(actor=township, task=ljx)
    client = client_for(township)
    body = followed(client, client.post(reverse("tasks:accept", args=[ljx.pk]), {}))
    assert "只有下达该任务的单位可以进行此操作" in body
    ljx.refresh_from_db()
    assert ljx.stage == Task.Stage.COMPLETED


def test_an_auditor_reads_but_does_not_act(client_for: Any, county: Any, auditor: Any) -> None:
    _parent, ljx, _ygx = delegated(county)
    client = client_for(auditor)
    body = page(client, reverse("tasks:detail", args=[ljx.pk]))
    assert "报告进展" not in body and "下发督办单" not in body
    assert client.get(reverse("tasks:new")).status_code == 403
    assert client.post(reverse("tasks:remind", args=[ljx.pk])).status_code == 403


# --- the list -------------------------------------------------------------------------------------


def test_the_list_shows_only_the_townships_tasks(
    client_for: Any, county: Any, township: Any
) -> None:
    parent, ljx, ygx = delegated(county, title="乡镇落实的任务")
    body = page(client_for(township), reverse("tasks:list"))
    assert f'href="/tasks/{ljx.pk}/"' in body
    assert f'href="/tasks/{ygx.pk}/"' not in body
    assert f'href="/tasks/{parent.pk}/"' not in body
    county_body = page(client_for(county), reverse("tasks:list"))
    assert all(f'href="/tasks/{t.pk}/"' in county_body for t in (parent, ljx, ygx))


def test_the_list_filters_by_status_measure_and_township(client_for: Any, county: Any) -> None:
    first = measure(county, 19, "坚持统筹推进")
    other = measure(county, 21, "做好督促评估")
    late = county_task(
        county,
        measure=first,
        title="逾期任务",
        deadline=TODAY - datetime.timedelta(days=1),
        start_on=datetime.date(2026, 1, 1),
    )
    soon = county_task(
        county, measure=other, title="临近任务", deadline=TODAY + datetime.timedelta(days=3)
    )
    client = client_for(county)
    body = page(client, reverse("tasks:list"), status="overdue")
    assert "逾期任务" in body and "临近任务" not in body
    body = page(client, reverse("tasks:list"), measure=other.pk)
    assert "临近任务" in body and "逾期任务" not in body
    assert soon.status_code == "due_soon" and late.status_code == "overdue"
    _p, _ljx, _y = delegated(county, measure=first, title="镇里的任务")
    body = page(client, reverse("tasks:list"), code=LIUJIAXIA)
    assert "镇里的任务" in body and "临近任务" not in body
    rows = client.get(reverse("tasks:list"), {"code": "999999"}, HTTP_HX_REQUEST="true")
    assert "不在您的管辖范围内" in rows.content.decode() and "<html" not in rows.content.decode()


def test_a_bad_filter_value_is_not_a_500(client_for: Any, county: Any) -> None:
    county_task(county)
    client = client_for(county)
    for params in ({"status": "bogus"}, {"measure": "x"}, {"year": "abc"}, {"after": "zz"}):
        assert client.get(reverse("tasks:list"), params).status_code == 200


def test_the_list_query_count_does_not_grow_with_rows(
    client_for: Any, county: Any, township: Any
) -> None:
    client = client_for(county)
    delegated(county, title="甲任务")
    client.get(reverse("tasks:list"))  # warm the per-worker caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("tasks:list")).status_code == 200
    for n in range(4):
        delegated(county, title=f"乙任务{n}")
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("tasks:list")).status_code == 200
    assert len(many) == len(few)
    assert len(few) <= 15


def test_the_export_has_the_listed_tasks(client_for: Any, county: Any, township: Any) -> None:
    from tests.test_excel_engine import read_back

    delegated(county, title="导出的任务")
    client = client_for(township)
    got = follow_job(client, client.get(reverse("tasks:export")))
    rows = read_back(content(got))
    text = json.dumps(rows, ensure_ascii=False, default=str)
    assert "导出的任务" in text
    assert "盐锅峡镇" not in text


# --- one task -------------------------------------------------------------------------------------


def test_set_a_task_from_the_form(client_for: Any, county: Any) -> None:
    plan = measure(county)
    client = client_for(county)
    assert "下达改革任务" in page(client, reverse("tasks:new"))
    data = {
        "measure": plan.pk,
        "title": "建立督促检查台账",
        "association": Association.objects.get(code="622923").pk,
        "start_on": "2026-06-01",
        "deadline": "2026-05-01",
        "deliverables": "台账一份",
    }
    body = client.post(reverse("tasks:new"), data).content.decode()
    assert "完成时限不能早于开始日期" in body
    assert not Task.objects.exists()
    data["deadline"] = "2026-12-31"
    response = client.post(reverse("tasks:new"), data)
    task = Task.objects.get()
    assert response["Location"] == reverse("tasks:detail", args=[task.pk])


def test_hand_down_from_the_form(client_for: Any, county: Any) -> None:
    task = county_task(county)
    client = client_for(county)
    body = page(client, reverse("tasks:delegate", args=[task.pk]))
    assert "刘家峡镇" in body
    ids = [Association.objects.get(code=c).pk for c in (LIUJIAXIA, YANGUOXIA)]
    followed(client, client.post(reverse("tasks:delegate", args=[task.pk]), {"associations": ids}))
    assert task.children.count() == 2
    detail = page(client, reverse("tasks:detail", args=[task.pk]))
    assert "分解下达" in detail and "盐锅峡镇" in detail


def test_report_with_evidence_then_complete_accept_reopen(
    client_for: Any, county: Any, township: Any
) -> None:
    _parent, ljx, _ygx = delegated(county)
    township_client, county_client = client_for(township), client_for(county)
    response = township_client.post(
        reverse("tasks:report", args=[ljx.pk]),
        {
            "reported_on": "2026-06-01",
            "percent": "60",
            "text": "已完成摸底。",
            "links": "/families/",
            "evidence_files": [png(), pdf()],
        },
    )
    assert response.status_code == 302
    detail = page(township_client, reverse("tasks:detail", args=[ljx.pk]))
    assert "已完成摸底" in detail and 'href="/families/"' in detail
    evidence = Evidence.objects.filter(task=ljx).first()
    assert evidence is not None
    download = township_client.get(reverse("tasks:evidence", args=[evidence.pk]))
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert content(download).startswith(b"\x89PNG")  # read and closed as the server would
    followed(township_client, township_client.post(reverse("tasks:complete", args=[ljx.pk]), {}))
    followed(county_client, county_client.post(reverse("tasks:accept", args=[ljx.pk]), {}))
    ljx.refresh_from_db()
    assert ljx.stage == Task.Stage.ACCEPTED
    body = followed(
        county_client, county_client.post(reverse("tasks:reopen", args=[ljx.pk]), {"reason": ""})
    )
    assert "重新打开的原因" in body
    followed(
        county_client,
        county_client.post(reverse("tasks:reopen", args=[ljx.pk]), {"reason": "复查不合格"}),
    )
    ljx.refresh_from_db()
    assert ljx.stage == Task.Stage.OPEN
    timeline = page(county_client, reverse("tasks:detail", args=[ljx.pk]))
    assert "复查不合格" in timeline


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("report.docx", b"PK\x03\x04 an office file"), "无法识别"),
        (SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 1)), "不能超过"),
    ],
)
def test_a_wrong_or_too_large_file_is_refused_on_the_form(
    client_for: Any, county: Any, township: Any, upload: Any, message: str
) -> None:
    _parent, ljx, _ygx = delegated(county)
    response = client_for(township).post(
        reverse("tasks:report", args=[ljx.pk]),
        {"reported_on": "2026-06-01", "percent": "10", "text": "进展", "evidence_files": [upload]},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ProgressReport.objects.exists() and not Evidence.objects.exists()


def test_the_supervision_ladder_from_the_pages(client_for: Any, county: Any, township: Any) -> None:
    _parent, ljx, _ygx = delegated(county)
    county_client, township_client = client_for(county), client_for(township)
    followed(
        county_client,
        county_client.post(reverse("tasks:remind", args=[ljx.pk]), {"message": "请报告进展"}),
    )
    body = followed(
        county_client,
        county_client.post(
            reverse("tasks:notice", args=[ljx.pk]),
            {
                "problem": "未按时报告进展",
                "new_deadline": "2026-06-15",
                "required_answer": "说明原因并补报",
            },
        ),
    )
    assert "DB-2026-001" in body
    notice = Supervision.objects.get(kind="notice")
    township_detail = page(township_client, reverse("tasks:detail", args=[ljx.pk]))
    assert reverse("tasks:answer", args=[notice.pk]) in township_detail
    assert county_client.get(reverse("tasks:answer", args=[notice.pk])).status_code == 200
    refused = county_client.post(reverse("tasks:answer", args=[notice.pk]), {"answer": "代为答复"})
    assert "只有承担该任务的单位" in refused.content.decode()
    notice.refresh_from_db()
    assert not notice.answered
    response = township_client.post(
        reverse("tasks:answer", args=[notice.pk]),
        {"answer": "已补报进展", "evidence_files": [pdf()]},
    )
    assert response.status_code == 302
    followed(
        county_client,
        county_client.post(
            reverse("tasks:interview", args=[ljx.pk]),
            {"held_on": "2026-06-01", "attendees": "县计生协、刘家峡镇", "conclusions": "限期整改"},
        ),
    )
    ladder = page(county_client, reverse("tasks:detail", args=[ljx.pk]))
    ladder_part = ladder.split('id="ladder"')[1].split('id="timeline"')[0]
    for word in ("提醒", "下发督办单", "答复督办单", "约谈", "已补报进展", "限期整改"):
        assert word in ladder_part, word


def test_extension_requested_and_decided_from_the_pages(
    client_for: Any, county: Any, township: Any
) -> None:
    _parent, ljx, _ygx = delegated(county)
    township_client, county_client = client_for(township), client_for(county)
    body = township_client.post(
        reverse("tasks:extension", args=[ljx.pk]),
        {"requested_deadline": "2026-09-01", "reason": "人手不足"},
    ).content.decode()
    assert "须晚于" in body
    followed(
        township_client,
        township_client.post(
            reverse("tasks:extension", args=[ljx.pk]),
            {"requested_deadline": "2026-10-31", "reason": "机构调整"},
        ),
    )
    asked = Extension.objects.get()
    assert followed(
        township_client,
        township_client.post(reverse("tasks:decide", args=[asked.pk]), {"approve": "1"}),
    )
    asked.refresh_from_db()
    assert asked.status == Extension.Status.PENDING
    body = followed(
        county_client,
        county_client.post(
            reverse("tasks:decide", args=[asked.pk]), {"approve": "1", "note": "同意"}
        ),
    )
    assert "已同意延期" in body
    ljx.refresh_from_db()
    assert ljx.deadline == datetime.date(2026, 10, 31)
    assert "原定2026-09-30" in page(county_client, reverse("tasks:detail", args=[ljx.pk]))
    assert ljx.original_deadline == DEADLINE


def test_a_stale_edit_is_refused_with_a_message(client_for: Any, county: Any) -> None:
    task = county_task(county)
    client = client_for(county)
    services.task_update(actor=county, task=task, expected_version=1, title="别人改过的名称")
    data = {
        "measure": task.measure_id,
        "title": "我的名称",
        "association": task.association_id,
        "start_on": "2026-03-01",
        "deadline": "2026-09-30",
        "deliverables": "成果",
        "version": "1",
    }
    body = client.post(reverse("tasks:edit", args=[task.pk]), data).content.decode()
    assert "已被他人修改" in body
    task.refresh_from_db()
    assert task.title == "别人改过的名称"


# --- the roadmap, the book, the measures ----------------------------------------------------------


def test_the_roadmap_carries_its_data_and_no_inline_script(
    client_for: Any, county: Any, township: Any
) -> None:
    delegated(county, title="路线图上的任务")
    body = page(client_for(township), reverse("tasks:roadmap"))
    data = json.loads(
        re.search(
            r'<script id="roadmap-data" type="application/json">(.*?)</script>', body, re.S
        ).group(1)
    )
    assert [bar["title"] for bar in data["bars"]] == ["路线图上的任务"]
    assert data["bars"][0]["start"] == "2026-03-01" and data["bars"][0]["end"] == "2026-09-30"
    assert data["measures"] == ["19. 坚持统筹推进"]
    assert "tasks-roadmap.js" in body
    assert re.search(r"<script(?![^>]*\b(src|type=\"application/json\"))[^>]*>", body) is None


def test_the_printed_task_book(client_for: Any, county: Any) -> None:
    delegated(county, title="打印的任务")
    body = page(client_for(county), reverse("tasks:book"))
    assert "计生协改革任务书" in body and "打印的任务" in body and "fpa-print-landscape" in body
    assert "19. 坚持统筹推进" in body


def test_measures_are_added_by_the_level_and_refused_below(
    client_for: Any, county: Any, village: Any
) -> None:
    client = client_for(county)
    followed(
        client, client.post(reverse("tasks:measures"), {"number": "1", "title": "明确职能任务"})
    )
    assert Measure.objects.filter(number=1).exists()
    body = client.post(reverse("tasks:measures"), {"number": "1", "title": "重复"}).content.decode()
    assert "该序号的措施已存在" in body
    village_client = client_for(village)
    assert "明确职能任务" in page(village_client, reverse("tasks:measures"))
    followed(
        village_client,
        village_client.post(reverse("tasks:measures"), {"number": "2", "title": "越权"}),
    )
    assert not Measure.objects.filter(number=2).exists()


def test_every_write_is_audited(client_for: Any, county: Any, township: Any) -> None:
    before = AuditEvent.objects.count()
    _parent, ljx, _ygx = delegated(county)
    services.task_remind(actor=county, task=ljx)
    assert AuditEvent.objects.count() >= before + 4
