"""Migrants imported from Excel through the shared engine: template headers, dry run with row
and column messages, commit as a job, the same file again changes nothing, a changed row updates,
full-width input, malformed rows refuse the whole file (nothing half-written), scope, roles."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from fpa.core.models import AuditEvent
from fpa.migrants import excel
from fpa.migrants.models import Migrant
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, content
from tests.migrants_helpers import CHENGDU, enterprise, id_for
from tests.test_excel_engine import Formula, fullwidth, read_back, xlsx

HEADER = [c.header for c in excel.SHEET.columns]
URL = "/migrants/import/"


def row(code: str = DAZHUANG, **extra: Any) -> list[Any]:
    values = {
        "协会编码": code,
        "流动方向": "流入",
        "姓名": "马明",
        "身份证号码": id_for(30),
        "联系电话": "13611112222",
        "流出地区划代码": "622901",
        "工作单位": "某工地",
        "流入（流出）日期": "2024-03-01",
        **extra,
    }
    return [values.get(h) for h in HEADER]


def workbook(*rows: list[Any]) -> bytes:
    return xlsx([HEADER, *rows], sheet="流动人口")


def upload(client: Any, data: bytes) -> Any:
    return client.post(URL, {"file": SimpleUploadedFile("a.xlsx", data)}, follow=True)


def confirm(client: Any, response: Any) -> str:
    done = client.post(URL, {"token": response.context["token"]})
    assert done.status_code == 302 and done["Location"].startswith("/jobs/")
    return client.get(done["Location"]).content.decode()


def state() -> tuple[Any, ...]:
    return (
        list(Migrant.objects.order_by("id").values_list("id", "workplace", "version")),
        AuditEvent.objects.count(),
    )


def test_template_has_the_headers_and_roles_are_refused(client, client_for, township, finance):
    data = content(client_for(township).get(URL, {"download": "template"}))
    assert read_back(data)[0][: len(HEADER)] == HEADER
    assert client.get(URL).status_code == 302
    assert client_for(finance).get(URL).status_code == 403
    refused = client_for(finance).post(URL, {"file": SimpleUploadedFile("a.xlsx", b"x")})
    assert refused.status_code == 403


def test_dry_run_commit_again_and_update(client_for, township, uploads_dir):
    client = client_for(township)
    firm = enterprise(township, LIUJIAXIA)
    number = id_for(28)
    data = workbook(
        row(),
        row(
            fullwidth(DAZHUANG),
            姓名="王建军",
            流动方向="流出",
            身份证号码=fullwidth(number.lower()),
            流出地区划代码=None,
            流入地区划代码=fullwidth(CHENGDU),
            企业计生协编码=firm.code,
        ),
    )
    before = state()
    response = upload(client, data)
    report = response.context["report"]
    assert report.ok, report.messages
    assert (report.created, report.updated) == (2, 0)
    page = response.content.decode()
    assert "13611112222" not in page and "马明" not in page
    assert state() == before  # the dry run wrote nothing
    confirm(client, response)
    out = Migrant.objects.get(direction="outflow")
    assert out.id_number.reveal_unchecked() == number and out.destination_code == CHENGDU
    assert out.employer == firm
    after = state()
    report = upload(client, data).context["report"]
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert state() == after
    changed = workbook(
        row(
            姓名="王建军",
            流动方向="流出",
            身份证号码=number,
            流出地区划代码=None,
            流入地区划代码=CHENGDU,
            企业计生协编码=firm.code,
            工作单位="新工地",
        )
    )
    response = upload(client, changed)
    report = response.context["report"]
    assert (report.created, report.updated) == (0, 1), report.messages
    confirm(client, response)
    out.refresh_from_db()
    assert out.workplace == "新工地" and out.version == 2


def test_malformed_rows_are_reported_by_row_and_column_and_nothing_written(township, township2):
    data = workbook(
        row(SHANGQUAN),
        row(身份证号码="622923199001011234"),
        row(流出地区划代码="999999"),
        row(流动方向="横向"),
        row(**{"流入（流出）日期": "2024-02-30"}),
        row(企业计生协编码="622923101-E001"),
        row(工作单位=Formula('=HYPERLINK("http://x.invalid","点")', "点")),
        row(流出地区划代码=None),
        row(),
    )
    before = state()
    report = excel.MigrantImporter(actor=township).dry_run(data)
    text = "\n".join(report.messages)
    assert "第2行「协会编码」" in text and "不在您的管辖范围内" in text
    assert "第3行「身份证号码」" in text
    assert "第4行「流出地区划代码」" in text and "不是已知的县级行政区" in text
    assert "第5行「流动方向」" in text
    assert "第6行「流入（流出）日期」" in text and "日期不存在" in text
    assert "第7行「企业计生协编码」" in text
    assert "第8行「工作单位」" in text
    assert "第9行" in text and "流出地" in text
    assert not report.ok
    assert not excel.MigrantImporter(actor=township).commit(data).committed
    assert state() == before


def test_a_village_imports_into_itself_only(village):
    data = workbook(row(LIUJIAXIA), row())
    report = excel.MigrantImporter(actor=village).commit(data)
    assert not report.committed and "第2行「协会编码」" in "\n".join(report.messages)
    assert not Migrant.objects.exists()
    assert excel.MigrantImporter(actor=village).commit(workbook(row())).committed
    assert Migrant.objects.get().association.code == DAZHUANG
