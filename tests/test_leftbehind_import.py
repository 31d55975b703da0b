"""三留守 people imported from Excel on the shared engine: template, dry run (nothing written,
values masked in the report), commit all or nothing, the same file again, a changed row; refused:
another township's village, a child for a village officer, a wrong ID number, anonymous and
other roles."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from fpa.core.models import AuditEvent
from fpa.leftbehind import excel
from fpa.leftbehind.models import LeftBehindPerson
from tests.conftest import DAZHUANG, SHANGQUAN, content
from tests.leftbehind_helpers import id_for
from tests.test_excel_engine import read_back, xlsx

URL = "/left-behind/import/"
HEADER = [c.header for c in excel.SHEET.columns]


def row(code: str = DAZHUANG, **extra: Any) -> list[Any]:
    values = {
        "协会编码": code,
        "类别": "留守老人",
        "姓名": "导入老人",
        "身份证号码": id_for(78),
        "联系电话": "13612345678",
        "外出务工地点": "兰州市",
        "风险等级": "中",
        **extra,
    }
    return [values.get(h) for h in HEADER]


def workbook(*rows: list[Any]) -> bytes:
    return xlsx([HEADER, *rows], sheet="三留守人员")


def upload(client: Any, data: bytes) -> Any:
    return client.post(URL, {"file": SimpleUploadedFile("a.xlsx", data)}, follow=True)


def confirm(client: Any, response: Any) -> str:
    done = client.post(URL, {"token": response.context["token"]})
    assert done.status_code == 302 and done["Location"].startswith("/jobs/")
    return client.get(done["Location"]).content.decode()


def test_refused_callers(client, client_for, finance, auditor):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]
    assert client_for(finance).get(URL).status_code == 403
    assert (
        client_for(auditor).post(URL, {"file": SimpleUploadedFile("a.xlsx", b"x")}).status_code
        == 403
    )


def test_the_template_has_the_headers(client_for, township):
    rows = read_back(content(client_for(township).get(URL, {"download": "template"})))
    assert rows[0] == HEADER


def test_dry_run_commit_again_and_update(client_for, township, uploads_dir):
    client = client_for(township)
    number = id_for(80)
    data = workbook(
        row(身份证号码=number), row(类别="留守儿童", 姓名="导入儿童", 身份证号码=id_for(8))
    )
    response = upload(client, data)
    report = response.context["report"]
    assert report.ok, report.messages
    assert (report.created, report.updated) == (2, 0)
    page = response.content.decode()
    assert number not in page and "13612345678" not in page
    assert LeftBehindPerson.objects.count() == 0  # the dry run wrote nothing
    confirm(client, response)
    assert LeftBehindPerson.objects.count() == 2
    child = LeftBehindPerson.objects.get(kind="child")
    assert child.name.reveal_unchecked() == "导入儿童" and child.is_child()
    # the same file again changes nothing
    events = AuditEvent.objects.count()
    report = upload(client, data).context["report"]
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert AuditEvent.objects.count() == events
    # a changed row updates through the service (version, audit)
    response = upload(client, workbook(row(身份证号码=number, 风险等级="高")))
    report = response.context["report"]
    assert (report.created, report.updated) == (0, 1), report.messages
    confirm(client, response)
    changed = LeftBehindPerson.objects.get(kind="elderly")
    assert changed.risk == "high" and changed.version == 2


def test_one_bad_row_writes_nothing(client_for, township, uploads_dir):
    client = client_for(township)
    data = workbook(row(), row(SHANGQUAN), row(身份证号码="622923194912310021"))
    report = upload(client, data).context["report"]
    assert not report.ok
    text = " ".join(report.messages)
    assert "管辖范围" in text and "校验位" in text
    assert LeftBehindPerson.objects.count() == 0


def test_a_village_officer_may_not_import_a_child(client_for, village, uploads_dir):
    client = client_for(village)
    report = upload(client, workbook(row(), row(类别="留守儿童", 身份证号码=id_for(7)))).context[
        "report"
    ]
    assert not report.ok and "留守儿童" in " ".join(report.messages)
    assert LeftBehindPerson.objects.count() == 0
