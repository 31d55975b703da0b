"""Volunteers and service hours through the shared Excel engine: template, dry run, commit,
idempotent re-import, masked export; refused cases (another township, another role)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fpa.core.models import AuditEvent
from fpa.volunteers import excel as volunteer_excel
from fpa.volunteers.models import HoursRecord, Volunteer
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, all_text, content, follow_job
from tests.test_excel_engine import fullwidth, read_back, xlsx
from tests.volunteers_helpers import active, apply, id_for, service

HEADER = [c.header for c in volunteer_excel.VOLUNTEER_SHEET.columns]
HOURS_HEADER = [c.header for c in volunteer_excel.HOURS_SHEET.columns]


def row(code: str, name: str, number: str, phone: str = "13611112222", **extra: Any) -> list:
    values = {
        "协会编码": code,
        "姓名": name,
        "身份证号码": number,
        "联系电话": phone,
        "技能": "心理咨询、法律援助",
        "周末可服务": "是",
        **extra,
    }
    return [values.get(h) for h in HEADER]


def upload(client: Any, url: str, data: bytes) -> Any:
    """Upload, then follow to the dry-run job's page (the report, the confirm button)."""
    return client.post(url, {"file": SimpleUploadedFile("v.xlsx", data)}, follow=True)


def state() -> tuple:
    return (
        Volunteer.objects.count(),
        HoursRecord.objects.count(),
        AuditEvent.objects.count(),
        list(Volunteer.objects.order_by("id").values_list("name", "phone_hash", "version")),
    )


def test_template_has_the_headers(client_for, yongjing, township):
    response = client_for(township).get("/volunteers/import/", {"download": "template"})
    rows = read_back(content(response))
    assert rows[0] == HEADER


def test_import_dry_run_commit_and_again(client_for, yongjing, township, uploads_dir):
    client = client_for(township)
    first, second = id_for(30), id_for(40)
    data = xlsx(
        [
            HEADER,
            row(DAZHUANG, "孙导入", fullwidth(first)),
            row(LIUJIAXIA, "周导入", second.lower(), phone=fullwidth("13622223333")),
        ],
        sheet="志愿者",
    )
    before = state()
    response = upload(client, "/volunteers/import/", data)
    report = response.context["report"]
    assert report.ok, report.messages
    assert (report.created, report.updated) == (2, 0)
    assert first not in response.content.decode()
    assert state() == before
    response = client.post("/volunteers/import/", {"token": response.context["token"]})
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    assert 'href="/volunteers/"' in client.get(response["Location"]).content.decode()
    sun = Volunteer.objects.get(name="孙导入")
    assert sun.status == Volunteer.Status.APPLIED and sun.on_weekends
    assert sorted(sun.skills.values_list("code", flat=True)) == ["counselling", "legal_aid"]
    assert sun.consent.version == 1
    # The same file again changes nothing.
    after = state()
    report = upload(client, "/volunteers/import/", data).context["report"]
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert state() == after


def test_problems_are_listed_by_row_and_nothing_written(client_for, yongjing, township):
    client = client_for(township)
    existing = apply(DAZHUANG)
    data = xlsx(
        [
            HEADER,
            row(SHANGQUAN, "外镇", id_for(30)),
            row(DAZHUANG, "坏号", "622923"),
            row(DAZHUANG, "坏技能", id_for(30), 技能="飞行"),
            row(DAZHUANG, "未成年", id_for(15)),
            row(LIUJIAXIA, "换协会", existing.id_number.reveal_unchecked()),
        ],
        sheet="志愿者",
    )
    before = state()
    report = upload(client, "/volunteers/import/", data).context["report"]
    text = "\n".join(report.messages)
    assert "第2行「协会编码」" in text and "不在您的管辖范围内" in text
    assert "第3行「身份证号码」" in text
    assert "第4行「技能」" in text and "飞行" in text
    assert "第6行「协会编码」" in text and "不能通过导入变更所属协会" in text
    assert not report.ok
    assert state() == before
    # The minor passes the dry run but not the service: the commit rolls back with a message.
    only_minor = xlsx([HEADER, row(DAZHUANG, "未成年", id_for(15))], sheet="志愿者")
    report = volunteer_excel.VolunteerImporter(actor=township).commit(only_minor)
    assert not report.committed and "监护人" in "\n".join(report.messages)
    assert state() == before


def test_other_roles_cannot_import(client_for, yongjing, finance, volunteer):
    for user in (finance, volunteer):
        client = client_for(user)
        assert client.get("/volunteers/import/").status_code == 403
        assert client.get("/volunteers/export/").status_code == 403


def test_export_is_masked_scoped_and_bounded_in_queries(client_for, yongjing, township, township2):
    client = client_for(township)
    mine = active(township, DAZHUANG, name="导出甲", skills=("nursing",))
    apply(DAZHUANG, name="王小明", age=12)
    theirs = active(township2, SHANGQUAN, name="外镇导出")

    def export() -> tuple[bytes, int]:
        # The request that runs the job (the immediate backend of the tests) is counted; the
        # job page and the download, which do not read the rows, follow.
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/volunteers/export/", {"download": "volunteers"})
        count = len(ctx.captured_queries)
        return content(follow_job(client, response)), count

    data, few = export()
    text = all_text(data).decode()
    assert "导出甲" in text and "王**" in text and "王小明" not in text
    assert "外镇导出" not in text and theirs.phone.masked not in text
    assert mine.id_number.reveal_unchecked() not in text and mine.id_number.masked in text
    assert "护理" in text
    for _ in range(10):
        active(township, DAZHUANG, skills=("nursing", "legal_aid"))
    assert export()[1] == few


def test_full_export_needs_reveal_and_is_audited(client_for, yongjing, township, village):
    mine = active(township, DAZHUANG)
    client = client_for(township)
    response = follow_job(
        client,
        client.post(
            "/volunteers/export/", {"reveal": "1", "reason": "上报名册", "download": "volunteers"}
        ),
    )
    text = all_text(content(response)).decode()
    assert mine.id_number.reveal_unchecked() in text
    assert AuditEvent.objects.filter(action="export", reason="上报名册").count() == 1


def test_hours_import_confirms_and_refuses_changes(client_for, yongjing, township, township2):
    client = client_for(township)
    person = active(township, DAZHUANG)
    task = service(township, LIUJIAXIA)
    foreign_task = service(township2, SHANGQUAN)
    number = person.id_number.reveal_unchecked()

    def hours_row(service_id, hours, id_number=number):
        values = {"服务编号": service_id, "身份证号码": id_number, "服务时长（小时）": hours}
        return [values.get(h) for h in HOURS_HEADER]

    bad = xlsx(
        [
            HOURS_HEADER,
            hours_row(foreign_task.pk, 2),
            hours_row(task.pk, "NaN"),
            hours_row(task.pk, 30),
            hours_row(task.pk, 2, id_for(50)),
        ],
        sheet="志愿服务时长",
    )
    report = volunteer_excel.HoursImporter(actor=township).commit(bad)
    text = "\n".join(report.messages)
    assert "第2行「服务编号」" in text and "第3行「服务时长（小时）」" in text
    assert "第4行" in text and "第5行「身份证号码」" in text
    assert not HoursRecord.objects.exists()
    good = xlsx([HOURS_HEADER, hours_row(task.pk, 3.5)], sheet="志愿服务时长")
    report = volunteer_excel.HoursImporter(actor=township).commit(good)
    assert report.committed, report.messages
    record = HoursRecord.objects.get()
    assert record.status == "confirmed" and record.hours == 3.5
    again = volunteer_excel.HoursImporter(actor=township).commit(good)
    assert (again.created, again.unchanged) == (0, 1)
    changed = xlsx([HOURS_HEADER, hours_row(task.pk, 5)], sheet="志愿服务时长")
    report = volunteer_excel.HoursImporter(actor=township).dry_run(changed)
    assert "不能通过导入修改" in "\n".join(report.messages)
    # The export reads back in the same layout, masked.
    data = content(follow_job(client, client.get("/volunteers/export/", {"download": "hours"})))
    rows = read_back(data)
    assert rows[0] == HOURS_HEADER and rows[1][0] == task.pk
    assert "*" in rows[1][HOURS_HEADER.index("身份证号码")]
