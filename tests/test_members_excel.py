"""Member import and export through the shared Excel engine: template, dry run, commit,
idempotency, bad IDs and malicious spreadsheets, scope, masking and flat query counts."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fpa.core.errors import NotAllowed
from fpa.core.models import AuditEvent
from fpa.members import excel as member_excel
from fpa.members.models import Member
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, all_text, content, follow_job
from tests.members_helpers import member, new_id_number
from tests.test_excel_engine import Formula, fullwidth, read_back, xlsx
from tests.test_excel_safety import MACROS, parts_of, rezip

pytestmark = pytest.mark.django_db
HEADER = [
    "协会编码",
    "姓名",
    "会员类型",
    "身份证号码",
    "联系电话",
    "住址",
    "政治面貌",
    "服务对象",
    "申请日期",
    "状态",
    "会员证号",
]
IMPORT_URL = "/members/import/"
EXPORT_URL = "/members/export/"


def workbook(*rows: list[Any]) -> bytes:
    return xlsx([HEADER, *rows], sheet="会员")


def row(number: str, **overrides: Any) -> list[Any]:
    values = {
        "code": DAZHUANG,
        "name": "张三",
        "kind": "个人会员",
        "id": number,
        "phone": "13912345678",
        "address": "大庄村",
        "political": "群众",
        "serves": "",
        "applied": datetime.date(2024, 3, 1),
        "status": None,
        "card": None,
    }
    values.update(overrides)
    return list(values.values())


def upload(client: Any, data: bytes, name: str = "会员.xlsx") -> Any:
    """Upload, then follow to the dry-run job's page (the report, the confirm button)."""
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, data)}, follow=True)


def state() -> tuple[int, int, list[Any]]:
    rows = list(Member.objects.order_by("id").values_list("id", "name", "status", "version"))
    return Member.objects.count(), AuditEvent.objects.count(), rows


def test_template_download(client_for, village):
    response = client_for(village).get(IMPORT_URL, {"download": "template"})
    assert read_back(content(response))[0] == HEADER


def test_dry_run_lists_every_problem_and_writes_nothing(township):
    good = new_id_number()
    data = workbook(
        row(good),
        row("11010519491231002Y", name="坏号码"),
        row("NaN", name="非数字"),
        row("1e6", name="科学计数"),
        row(new_id_number(), code=SHANGQUAN, name="外镇"),
        row(new_id_number(), kind="团体会员", name="团体"),
        row(new_id_number(), card="622923100201-00009", name="自带证号"),
        row(good, name="重复行"),
        row(new_id_number(), status="已故", name="错误状态"),
    )
    before = state()
    report = member_excel.MemberImporter(actor=township).dry_run(data)
    text = "\n".join(report.messages)
    assert "第3行「身份证号码」" in text
    assert "第4行「身份证号码」" in text and "第5行「身份证号码」" in text
    assert "第6行「协会编码」：协会编码不存在或不在您的管辖范围内。" in text
    assert "第7行「会员类型」：团体会员请在“会员”页面逐个登记。" in text
    assert "第8行「会员证号」" in text and "第9行" in text and "第10行「状态」" in text
    assert state() == before


def test_commit_creates_applications_and_approves_active_rows(township, client_for, uploads_dir):
    client = client_for(township)
    data = workbook(
        row(new_id_number(), name="甲"),
        row(new_id_number(), name="乙", status="在册", kind="流动人口会员"),
        row(fullwidth(new_id_number()), name="丙", phone=fullwidth("13900001111")),
    )
    response = upload(client, data)
    report = response.context["report"]
    assert report.ok and report.created == 3
    token = response.context["token"]
    response = client.post(IMPORT_URL, {"token": token})
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    assert "导入完成：新登记3名会员" in client.get(response["Location"]).content.decode()
    assert Member.objects.get(name="甲").status == "pending"
    approved = Member.objects.get(name="乙")
    assert approved.status == "active" and approved.card_number == f"{DAZHUANG}-00001"
    assert Member.objects.get(name="丙").phone.reveal_unchecked() == "13900001111"
    # the same file again changes nothing
    report = member_excel.MemberImporter(actor=township).dry_run(data)
    assert report.ok and not report.has_changes and report.unchanged == 3


def test_village_cannot_approve_a_township_member_by_import(village):
    data = workbook(row(new_id_number(), code=DAZHUANG, status="在册"))
    assert member_excel.MemberImporter(actor=village).dry_run(data).ok
    other = workbook(row(new_id_number(), code=LIUJIAXIA))
    report = member_excel.MemberImporter(actor=village).dry_run(other)
    assert "不在您的管辖范围内" in "\n".join(report.messages)


def test_update_by_id_number_and_fixed_fields(township, village):
    number = new_id_number()
    existing = member(village, DAZHUANG, id_number=number, name="原名")
    version = existing.version
    importer = member_excel.MemberImporter(actor=township)
    report = importer.commit(workbook(row(number, name="新名", card=existing.card_number)))
    assert report.committed and report.updated == 1
    existing.refresh_from_db()
    assert existing.name == "新名" and existing.version == version + 1
    moved = importer.dry_run(workbook(row(number, code="622923100202", name="新名")))
    assert "转会" in "\n".join(moved.messages)
    changed_card = importer.dry_run(workbook(row(number, name="新名", card="X-1")))
    assert "会员证号" in "\n".join(changed_card.messages)


def test_a_number_that_is_a_member_elsewhere_is_refused_without_saying_where(township, township2):
    number = new_id_number()
    member(township2, SHANGQUAN, id_number=number, name="外镇会员")
    report = member_excel.MemberImporter(actor=township).dry_run(workbook(row(number)))
    text = "\n".join(report.messages)
    assert "已在其他地区入会" in text and "盐锅峡" not in text and "外镇会员" not in text


def test_formula_and_malicious_files_are_refused(township, client_for):
    client = client_for(township)
    before = state()
    formula = workbook(row(Formula('=HYPERLINK("http://x","y")', "y"), name="公式"))
    report = member_excel.MemberImporter(actor=township).dry_run(formula)
    assert not report.ok and "公式" in "\n".join(report.messages)
    macro = rezip(
        parts_of(workbook(row(new_id_number()))),
        extra=[("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")],
    )
    assert upload(client, macro).context["report"].messages == [MACROS]
    csv = "协会编码,姓名\n622923100201,王五\n".encode()
    assert "不是Excel工作簿" in upload(client, csv).context["report"].messages[0]
    huge = workbook(row(new_id_number(), name="名" * 500))
    assert not member_excel.MemberImporter(actor=township).dry_run(huge).ok
    assert state() == before


def test_import_needs_member_edit(auditor, volunteer, client_for):
    with pytest.raises(NotAllowed):
        member_excel.MemberImporter(actor=volunteer).dry_run(workbook(row(new_id_number())))
    assert client_for(auditor).get(IMPORT_URL).status_code == 403


def test_export_is_masked_scoped_and_reimportable(township, township2, village, client_for):
    number = new_id_number()
    member(village, DAZHUANG, id_number=number, phone="13987654321", name="本镇会员")
    member(township2, SHANGQUAN, name="外镇会员")
    client = client_for(township)
    data = content(follow_job(client, client.get(EXPORT_URL, {"download": "1"})))
    text = all_text(data).decode("utf-8", "replace")
    assert "本镇会员" in text and "外镇会员" not in text
    assert number not in text and "13987654321" not in text
    rows = read_back(data)
    assert rows[0] == HEADER and rows[1][10] == f"{DAZHUANG}-00001"
    # the masked export goes back in unchanged
    report = member_excel.MemberImporter(actor=township).dry_run(data)
    assert "打码" in "\n".join(report.messages) or report.unchanged == 1


def test_full_export_needs_reveal_and_a_reason_and_is_audited(township, village, client_for):
    number = new_id_number()
    member(village, DAZHUANG, id_number=number)
    client = client_for(township)
    refused = client.post(EXPORT_URL, {"reveal": "1", "reason": ""})
    assert refused.status_code == 200 and "原因" in refused.content.decode()
    response = follow_job(client, client.post(EXPORT_URL, {"reveal": "1", "reason": "上报县协会"}))
    assert number in all_text(content(response)).decode("utf-8", "replace")
    assert AuditEvent.objects.filter(action="export", reason="上报县协会").count() == 1


def test_export_query_count_is_flat(township, village, client_for, django_assert_max_num_queries):
    """The request that runs the export job (inside it, under the tests' immediate backend) costs
    a fixed number of queries whatever the rows; the job page and the download do not read them."""
    client = client_for(township)
    for _ in range(3):
        member(village, DAZHUANG)
    content(follow_job(client, client.get(EXPORT_URL, {"download": "1"})))
    with django_assert_max_num_queries(16) as small:
        response = client.get(EXPORT_URL, {"download": "1"})
    few = len(small.captured_queries)  # (read now: the next request resets the log)
    content(follow_job(client, response))
    for _ in range(27):
        member(village, DAZHUANG)
    with django_assert_max_num_queries(few):
        response = client.get(EXPORT_URL, {"download": "1"})
    data = content(follow_job(client, response))
    assert len(read_back(data)) == 31


def test_anonymous_and_other_township_cannot_export(client, township2, village, client_for):
    member(village, DAZHUANG, name="本镇会员")
    assert client.get(EXPORT_URL, {"download": "1"}).status_code == 302
    other = client_for(township2)
    data = content(follow_job(other, other.get(EXPORT_URL, {"download": "1"})))
    assert "本镇会员" not in all_text(data).decode("utf-8", "replace")
