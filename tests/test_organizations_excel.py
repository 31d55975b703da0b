"""Staff import and export on the Excel engine, through the real views, services and personas.

刘家峡镇 (`township`) imports and exports its staff; 盐锅峡镇 (`township2`) is the sibling that
must never appear; `auditor` may read but not reveal. Every failed import leaves the staff table
and the audit trail exactly as they were.
"""

from __future__ import annotations

import datetime
import os
import time
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.excel.pages import UPLOAD_EXPIRED
from fpa.core.excel.reader import FORMULA, NUMBER_TOO_LONG
from fpa.core.excel.safety import neutralise
from fpa.core.idnumbers import synthesize
from fpa.core.models import AuditEvent
from fpa.organizations import excel as staff_excel
from fpa.organizations import services
from fpa.organizations.models import Association, StaffMember
from fpa.organizations.views import STAFF_IMPORT
from tests.conftest import (
    DAZHUANG,
    LIUJIAXIA,
    SHANGQUAN,
    YANGUOXIA,
    all_text,
    content,
    follow_job,
    staff_in,
)
from tests.test_excel_engine import Formula, fullwidth, read_back, xlsx

HEADER = ["协会编码", "姓名", "身份证号码", "联系电话", "职务", "任职方式", "任期开始", "任期结束"]
IMPORT_URL = "/org/staff/import/"
EXPORT_URL = "/org/staff/export/"
POSTS = "会长、常务副会长、副会长、秘书长、副秘书长、专干、理事、联络员、会员小组长"


def person(n: int, year: int = 1980) -> str:
    return synthesize("622923", datetime.date(year, 1, 1), n)


def full_width(text: str) -> str:
    return fullwidth(text)


def masked_id(value: str) -> str:
    return value[:6] + "*" * 8 + value[-4:]


def workbook(*rows: list[Any]) -> bytes:
    return xlsx([HEADER, *rows], sheet="工作人员")


def upload(client: Any, data: bytes, name: str = "工作人员.xlsx") -> Any:
    """Upload, then follow to the dry-run job's page (the report, the confirm button)."""
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, data)}, follow=True)


def state() -> tuple[int, int, list[tuple[Any, ...]]]:
    """Everything an import could change."""
    rows = list(
        StaffMember.objects.order_by("id").values_list(
            "id", "name", "phone_hash", "post", "term_end", "version"
        )
    )
    return StaffMember.objects.count(), AuditEvent.objects.count(), rows


# --- template and pages -----------------------------------------------------------------------


def test_template_download(township, client_for):
    client = client_for(township)
    page = client.get(IMPORT_URL)
    assert page.status_code == 200
    assert b'enctype="multipart/form-data"' in page.content
    response = client.get(IMPORT_URL, {"download": "template"})
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''" + quote("工作人员导入模板.xlsx")
    )
    data = content(response)
    assert read_back(data) == [HEADER]
    notes = read_back(data, "填写说明")
    assert any(POSTS in str(cell) for row in notes for cell in row)


def test_pages_need_their_capabilities(client, auditor, client_for):
    assert client.get(IMPORT_URL)["Location"].startswith("/accounts/login/")
    reader = client_for(auditor)
    assert reader.get(IMPORT_URL).status_code == 403
    assert upload(reader, workbook()).status_code == 403
    page = reader.get(EXPORT_URL)
    assert page.status_code == 200
    assert "导出完整信息".encode() not in page.content


# --- dry run ------------------------------------------------------------------------------------


def test_dry_run_lists_every_problem_and_writes_nothing(township, client_for, uploads_dir):
    client = client_for(township)
    good = person(1)
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    data = workbook(
        [LIUJIAXIA, "王五", good, "13900001111", "专干", "专职", "2024-01-01", None],
        [YANGUOXIA, "外镇甲", person(2), None, "专干", "专职", "2024-01-01", None],
        ["999999999", "查无此会", person(3), None, "专干", "专职", "2024-01-01", None],
        [DAZHUANG, "赵六", bad_check, None, "联络员", "兼职", "2024-01-01", None],
        [DAZHUANG, "钱七", 622923198001010000, None, "联络员", "兼职", "2024-01-01", None],
        [DAZHUANG, "孙八", person(4), None, "主任", "兼职", "2024-01-01", None],
        [DAZHUANG, "周九", person(5), None, "理事", "兼职", "2024-03-01", "2024-02-01"],
        [DAZHUANG, Formula('="吴"&"十"', "吴十"), person(6), None, "理事", "兼职", "2024-01-01"],
        [LIUJIAXIA, "王五", full_width(good), None, "专干", "兼职", "2024-05-01", None],
        [SHANGQUAN, "外村乙", person(7), None, "理事", "兼职", "2024-01-01", None],
    )
    before = state()
    response = upload(client, data)
    assert response.status_code == 200
    report = response.context["report"]
    assert report.messages == [
        "第3行「协会编码」：协会编码不存在或不在您的管辖范围内。",
        "第4行「协会编码」：协会编码不存在或不在您的管辖范围内。",
        "第5行「身份证号码」：身份证号码校验位不正确，请核对。",
        f"第6行「身份证号码」：{NUMBER_TOO_LONG}",
        f"第7行「职务」：无法识别“主任”，可填写：{POSTS}。",
        "第8行「任期结束」：任期结束日期不能早于开始日期。",
        f"第9行「姓名」：{FORMULA}",
        "第10行：与第2行重复（协会编码、身份证号码、职务相同），请删除重复的行。",
        "第11行「协会编码」：协会编码不存在或不在您的管辖范围内。",
    ]
    assert "token" not in response.context
    body = response.content.decode()
    assert "第5行「身份证号码」：身份证号码校验位不正确，请核对。" in body
    assert 'name="token"' not in body
    assert state() == before
    assert list(uploads_dir.iterdir()) == []
    # Committing the same file directly refuses it just the same.
    result = staff_excel.StaffImporter(actor=township).commit(data)
    assert not result.committed and result.messages == report.messages
    assert state() == before


def test_wrong_headers_and_missing_required_column(township):
    data = xlsx(
        [
            ["协会编码", "姓名", "身份证", "职务", "任职方式"],
            [LIUJIAXIA, "王五", person(1), "专干", "专职"],
        ],
        sheet="工作人员",
    )
    report = staff_excel.StaffImporter(actor=township).dry_run(data)
    assert report.messages == [
        "第1行：无法识别的列名「身份证」，请使用模板中的列名，或删除该列。",
        "缺少必填列「身份证号码」，请使用系统提供的模板。",
        "缺少必填列「任期开始」，请使用系统提供的模板。",
    ]


def test_refused_files_are_reported_on_the_page(township, client_for):
    client = client_for(township)
    before = state()
    csv = "协会编码,姓名\n622923100,王五\n".encode()
    response = upload(client, csv, "伪装.xlsx")
    assert response.context["report"].messages == [
        "该文件不是Excel工作簿（.xlsx）格式（只改扩展名无效）。"
        "请在Excel或WPS中“另存为”Excel工作簿（*.xlsx）后重新上传。"
    ]
    response = client.post(IMPORT_URL, {})
    assert response.context["report"].messages == ["请选择要上传的Excel文件（.xlsx）。"]
    assert state() == before


# --- commit and idempotency ---------------------------------------------------------------------


def test_upload_preview_commit_and_the_same_file_again(township, client_for, uploads_dir):
    client = client_for(township)
    first, second = person(11), person(12, 1975)
    data = workbook(
        [
            LIUJIAXIA,
            "王五",
            full_width(first),
            fullwidth("13900001111"),
            "专干",
            "专职",
            "2024-01-01",
            None,
        ],
        [
            DAZHUANG,
            "赵六",
            second.lower(),
            None,
            "联络员",
            "兼职",
            datetime.date(2023, 5, 1),
            "2026/12/31",
        ],
    )
    before = state()
    response = upload(client, data)
    report = response.context["report"]
    assert report.ok, report.messages
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert [p.label for p in report.preview] == [
        "王五（刘家峡镇计生协）",
        "赵六（大庄村委会计生协）",
    ]
    assert dict(report.preview[0].values)["身份证号码"] == masked_id(first)
    assert dict(report.preview[0].values)["联系电话"] == "139****1111"
    body = response.content.decode()
    assert "确认导入（新增2人，修改0人）" in body
    assert first not in body and "13900001111" not in body
    assert state() == before  # the dry run wrote nothing
    token = response.context["token"]
    stored = list(uploads_dir.iterdir())
    assert [p.name for p in stored] == [f"{token}.bin"]
    assert first.encode() not in stored[0].read_bytes()  # encrypted at rest

    response = client.post(IMPORT_URL, {"token": token})
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    summary = client.get(response["Location"]).content.decode()  # the commit job's result page
    assert 'href="/org/staff/"' in summary
    assert list(uploads_dir.iterdir()) == []
    created = StaffMember.objects.filter(name__in=["王五", "赵六"]).order_by("name")
    wang = created.get(name="王五")
    assert wang.id_number.reveal_unchecked() == first
    assert wang.phone.reveal_unchecked() == "13900001111"
    assert (wang.association.code, wang.post, wang.employment) == (
        LIUJIAXIA,
        "officer",
        "full_time",
    )
    assert wang.birth_date == datetime.date(1980, 1, 1)
    zhao = created.get(name="赵六")
    assert (zhao.term_start, zhao.term_end) == (
        datetime.date(2023, 5, 1),
        datetime.date(2026, 12, 31),
    )
    audits = AuditEvent.objects.filter(object_type="organizations.staffmember", action="create")
    assert set(audits.values_list("object_id", flat=True)) == {str(wang.pk), str(zhao.pk)}
    assert all(a.actor_id == township.pk for a in audits)
    assert "导入完成：新增2人，修改0人，0人未变化。" in summary

    # The same file again: every row unchanged, no token, nothing written.
    after = state()
    response = upload(client, data)
    report = response.context["report"]
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert report.ok and "token" not in response.context
    assert "文件中的2行与系统中的记录完全相同，无需导入。" in response.content.decode()
    result = staff_excel.StaffImporter(actor=township).commit(data)
    assert result.committed and (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert state() == after
    # The used token is gone.
    response = client.post(IMPORT_URL, {"token": token}, follow=True)
    assert UPLOAD_EXPIRED in response.content.decode()
    assert state() == after


def test_update_by_natural_key_shows_and_writes_field_changes(township):
    staff = staff_in(township, DAZHUANG, name="李四", phone="13900000001", post="liaison")
    id_number = staff.id_number.reveal_unchecked()
    data = workbook(
        [DAZHUANG, "李四", id_number, "13900000002", "联络员", "兼职", "2023-01-01", "2025-12-31"]
    )
    job = staff_excel.StaffImporter(actor=township)
    report = job.dry_run(data)
    assert report.ok, report.messages
    assert (report.created, report.updated) == (0, 1)
    assert [(c.header, c.old, c.new) for c in report.preview[0].changes] == [
        ("联系电话", "139****0001", "139****0002"),
        ("任职方式", "专职", "兼职"),
        ("任期结束", "", "2025-12-31"),
    ]
    staff.refresh_from_db()
    assert staff.version == 1
    result = staff_excel.StaffImporter(actor=township).commit(data)
    assert result.committed
    staff.refresh_from_db()
    assert staff.phone.reveal_unchecked() == "13900000002"
    assert (staff.employment, staff.term_end, staff.version) == (
        "part_time",
        datetime.date(2025, 12, 31),
        2,
    )
    event = AuditEvent.objects.get(
        object_type="organizations.staffmember", object_id=str(staff.pk), action="update"
    )
    assert sorted(event.changes) == ["employment", "phone", "term_end", "version"]
    assert event.changes["phone"] == ["139****0001", "139****0002"]
    # The same key in another post is another record.
    other = staff_excel.StaffImporter(actor=township).dry_run(
        workbook([DAZHUANG, "李四", id_number, None, "理事", "兼职", "2023-01-01", None])
    )
    assert (other.created, other.updated) == (1, 0)


def test_commit_is_all_or_nothing(township, monkeypatch):
    real = services.staff_create
    calls = []

    def failing(**kwargs: Any) -> Any:
        calls.append(kwargs["name"])
        if len(calls) == 3:
            raise ServiceError("此人已在本协会担任该职务。", field="id_number")
        return real(**kwargs)

    monkeypatch.setattr(services, "staff_create", failing)
    data = workbook(
        *[
            [DAZHUANG, f"人员{n}", person(20 + n), None, "理事", "兼职", "2024-01-01", None]
            for n in range(5)
        ]
    )
    before = state()
    report = staff_excel.StaffImporter(actor=township).commit(data)
    assert calls == ["人员0", "人员1", "人员2"]
    assert not report.committed
    assert report.messages == ["第4行「身份证号码」：此人已在本协会担任该职务。"]
    assert state() == before


def test_a_village_cannot_import_into_its_township(village):
    data = workbook(
        [LIUJIAXIA, "王五", person(30), None, "专干", "专职", "2024-01-01", None],
        [DAZHUANG, "赵六", person(31), None, "理事", "兼职", "2024-01-01", None],
    )
    report = staff_excel.StaffImporter(actor=village).dry_run(data)
    assert report.messages == ["第2行「协会编码」：协会编码不存在或不在您的管辖范围内。"]


def test_a_closed_association_is_refused(township):
    village_code = (
        Association.objects.filter(parent__code=LIUJIAXIA).exclude(code=DAZHUANG).first().code
    )
    services.association_close(
        actor=township,
        association=Association.objects.get(code=village_code),
        effective_date=datetime.date(2024, 1, 1),
    )
    report = staff_excel.StaffImporter(actor=township).dry_run(
        workbook([village_code, "王五", person(32), None, "理事", "兼职", "2024-01-01", None])
    )
    assert report.messages == ["第2行「协会编码」：该协会已停用，不能导入工作人员。"]


def test_the_token_belongs_to_one_user(township, township2, client_for, uploads_dir):
    client = client_for(township)
    data = workbook([DAZHUANG, "王五", person(40), None, "理事", "兼职", "2024-01-01", None])
    token = upload(client, data).context["token"]
    other = client_for(township2)  # another user
    before = state()
    response = other.post(IMPORT_URL, {"token": token}, follow=True)
    assert UPLOAD_EXPIRED in response.content.decode()
    for forged in ("x" * 43, "../../etc/passwd", ""):
        response = client.post(IMPORT_URL, {"token": forged}, follow=True)
        assert response.status_code == 200
    assert state() == before
    # The kept upload cannot be replayed under another kind or by another user either.
    from fpa.core.excel import uploads
    from fpa.core.jobs import job_secret
    from fpa.core.models import Job

    key = job_secret(Job.objects.get(kind="excel.dry_run", token=token))
    assert uploads.unseal("families.members", township.pk, token, key) is None
    assert uploads.unseal(STAFF_IMPORT.kind, township2.pk, token, key) is None
    assert uploads.unseal(STAFF_IMPORT.kind, township.pk, token, key) == data
    assert client.post(IMPORT_URL, {"token": token}).status_code == 302
    assert StaffMember.objects.filter(name="王五").count() == 1


def test_a_stashed_upload_expires(township, client_for, uploads_dir, settings):
    client = client_for(township)
    data = workbook([DAZHUANG, "王五", person(41), None, "理事", "兼职", "2024-01-01", None])
    token = upload(client, data).context["token"]
    settings.FPA_EXCEL_UPLOAD_TTL = 60
    old = time.time() - 120
    os.utime(uploads_dir / f"{token}.bin", (old, old))  # kept two minutes ago: expired
    before = state()
    response = client.post(IMPORT_URL, {"token": token}, follow=True)
    assert UPLOAD_EXPIRED in response.content.decode()
    assert state() == before
    assert (uploads_dir / f"{token}.bin").exists()
    fresh = upload(client, data).context["token"]  # the next upload sweeps what has expired
    assert [p.name for p in uploads_dir.iterdir()] == [f"{fresh}.bin"]


# --- export -------------------------------------------------------------------------------------


@pytest.fixture
def two_townships(county):
    local = [
        staff_in(county, LIUJIAXIA, name="本镇甲", phone="13911110001"),
        staff_in(county, DAZHUANG, name="本村乙", phone="13911110002", post="liaison"),
        staff_in(county, DAZHUANG, name='=HYPERLINK("http://x.invalid","点")', phone="13911110003"),
    ]
    foreign = [
        staff_in(county, YANGUOXIA, name="外镇丙", phone="13922220001"),
        staff_in(county, SHANGQUAN, name="外村丁", phone="13922220002"),
    ]
    return local, foreign


def secrets_of(staff: StaffMember) -> list[str]:
    return [staff.id_number.reveal_unchecked(), staff.phone.reveal_unchecked()]


def test_masked_export_holds_no_plaintext(township, client_for, two_townships):
    local, foreign = two_townships
    client = client_for(township)
    assert client.get(EXPORT_URL).status_code == 200
    before = AuditEvent.objects.count()
    response = follow_job(client, client.get(EXPORT_URL, {"download": "1"}))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert quote("工作人员-") in response["Content-Disposition"]
    data = content(response)
    raw = all_text(data)
    rows = read_back(data)
    assert rows[0] == HEADER
    flat = [str(cell) for row in rows for cell in row]
    for staff in local:
        for secret in secrets_of(staff):
            assert secret.encode() not in raw and secret not in flat
        assert masked_id(staff.id_number.reveal_unchecked()) in flat
        assert staff.phone.masked in flat
    for staff in foreign:
        assert staff.name not in flat
        assert all(secret not in flat for secret in secrets_of(staff))
    assert '\'=HYPERLINK("http://x.invalid","点")' in flat
    assert b"<f>" not in raw
    assert AuditEvent.objects.count() == before  # a masked export reveals nothing


def test_full_export_is_audited_and_round_trips(township, client_for, two_townships):
    local, foreign = two_townships
    client = client_for(township)
    before = AuditEvent.objects.count()
    response = follow_job(client, client.post(EXPORT_URL, {"reveal": "1", "reason": "年度核对"}))
    assert response.status_code == 200
    assert quote("（完整信息）") in response["Content-Disposition"]
    data = content(response)
    flat = [str(cell) for row in read_back(data) for cell in row]
    for staff in local:
        assert all(secret in flat for secret in secrets_of(staff))
    for staff in foreign:
        assert staff.name not in flat and all(s not in flat for s in secrets_of(staff))
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert AuditEvent.objects.count() == before + 1
    assert (event.actor_id, event.reason, event.object_type) == (
        township.pk,
        "年度核对",
        "organizations.staffmember",
    )
    assert event.changes == {"rows": 3, "columns": ["身份证号码", "联系电话"]}
    assert event.scope_path == Association.objects.get(code=LIUJIAXIA).path
    # The full export re-imports as unchanged; the masked one cannot key its rows.
    report = staff_excel.StaffImporter(actor=township).dry_run(data)
    assert (report.unchanged, report.created, report.updated) == (3, 0, 0), report.messages
    masked = content(follow_job(client, client.get(EXPORT_URL, {"download": "1"})))
    report = staff_excel.StaffImporter(actor=township).dry_run(masked)
    assert report.messages == [
        f"第{n}行「身份证号码」：该号码已打码（含*号），无法用来匹配已有记录，请填写完整号码。"
        for n in (2, 3, 4)
    ]


def test_full_export_needs_a_reason(township, client_for, two_townships):
    client = client_for(township)
    before = AuditEvent.objects.count()
    response = client.post(EXPORT_URL, {"reveal": "1", "reason": " "})
    assert response.status_code == 200
    assert "请填写导出完整信息的原因。" in response.content.decode()
    assert AuditEvent.objects.count() == before


def test_full_export_is_refused_without_personal_reveal(auditor, client_for, two_townships):
    client = client_for(auditor)
    before = AuditEvent.objects.count()
    response = client.post(EXPORT_URL, {"reveal": "1", "reason": "想看看"})
    assert response.status_code == 403
    assert AuditEvent.objects.count() == before
    masked = follow_job(client, client.get(EXPORT_URL, {"download": "1"}))
    assert masked.status_code == 200
    flat = [str(cell) for row in read_back(content(masked)) for cell in row]
    local, foreign = two_townships
    for staff in local + foreign:  # the county-wide auditor sees every township, masked
        assert staff.phone.masked in flat
        assert all(secret not in flat for secret in secrets_of(staff))
    with pytest.raises(NotAllowed) as caught:
        staff_excel.staff_export(user=auditor, reveal=True, reason="想看看")
    assert caught.value.message == "您没有导出完整个人信息的权限。"


def test_each_township_exports_only_its_own(township, township2, client_for, two_townships):
    local, foreign = two_townships
    for user, mine, theirs in ((township, local, foreign), (township2, foreign, local)):
        client = client_for(user)
        response = follow_job(
            client, client.post(EXPORT_URL, {"reveal": "1", "reason": "核对名单"})
        )
        flat = [str(cell) for row in read_back(content(response)) for cell in row]
        assert all(neutralise(s.name) in flat for s in mine)
        for staff in theirs:
            assert staff.name not in flat
            assert all(secret not in flat for secret in secrets_of(staff))


def test_pre_filled_template_holds_only_the_scoped_rows(township, two_townships):
    local, foreign = two_townships
    response = staff_excel.excel.template_response(
        staff_excel.STAFF_SHEET,
        queryset=staff_excel.staff_for_export(user=township),
        actor=township,
    )
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''" + quote("工作人员导入模板（含现有记录）.xlsx")
    )
    rows = read_back(content(response))
    assert rows[0] == HEADER
    assert sorted(row[1] for row in rows[1:]) == sorted(neutralise(s.name) for s in local)
    flat = [str(cell) for row in rows for cell in row]
    assert not any(s.name in flat for s in foreign)


def test_export_query_count_does_not_grow_with_rows(county, township, django_assert_num_queries):
    for n in range(3):
        staff_in(county, DAZHUANG, name=f"少{n}")

    def run(reveal: bool) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = staff_excel.staff_export(user=township, reveal=reveal, reason="核对")
            content(response)
        return len(queries)

    masked, full = run(False), run(True)
    for n in range(30):
        staff_in(county, DAZHUANG, name=f"多{n}")
    with django_assert_num_queries(masked):
        content(staff_excel.staff_export(user=township))
    with django_assert_num_queries(full):
        content(staff_excel.staff_export(user=township, reveal=True, reason="核对"))
