"""Report pages: 本级上报 (open, fill, save, submit), one report (figures with click-through,
checks on the page, review buttons, the live comparison of a frozen report), 下级上报, 归档 and
the workbooks (read back with python-calamine), the county's kinds page. Refused: anonymous, another role,
another township's report (404), a village reviewing; bad input explained, nothing written.
Query counts of the 下级上报 and archive lists do not grow with the rows."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from fpa.accounts.roles import Role
from fpa.core.models import Job
from fpa.organizations.models import Association
from fpa.reports import selectors, services
from fpa.reports.kinds import WARMTH
from fpa.reports.models import Report, ReportValue
from tests.conftest import DAZHUANG, content, make_user
from tests.reports_helpers import family, last_month, opened, submitted, visit
from tests.test_excel_engine import read_back

MONTH = last_month().key


def workbook(response: Any) -> bytes:
    """The workbook's bytes (openpyxl is not among the project's dependencies: the workbooks are
    read back with python-calamine, as the other export tests do)."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return content(response)


def cells(data: bytes, sheet: int = 0) -> list[list[Any]]:
    """Rows as values; whole numbers as int (calamine reads numbers as float)."""
    return [
        [int(v) if isinstance(v, float) and v.is_integer() else v for v in row]
        for row in read_back(data, sheet)
    ]


@pytest.fixture
def filed(township, county) -> Report:
    """刘家峡镇's monthly report with one visit, submitted to the county."""
    visit(township, family(township, DAZHUANG))
    return submitted(township)


def test_anonymous_and_other_roles_are_refused(client, client_for, volunteer, filed) -> None:
    for url in ("/reports/", "/reports/below/", "/reports/archive/", f"/reports/{filed.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert client_for(volunteer).get(url).status_code == 403
    assert client.post(f"/reports/{filed.pk}/accept/").status_code == 302
    assert Report.objects.get(pk=filed.pk).status == "submitted"


def test_another_townships_report_is_not_found(client_for, township2, filed) -> None:
    client = client_for(township2)
    for url in (f"/reports/{filed.pk}/", f"/reports/{filed.pk}/export/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/reports/{filed.pk}/return/", {"reason": "越权"}).status_code == 404
    assert Report.objects.get(pk=filed.pk).status == "submitted"


def test_own_page_opens_and_fills_a_report(client_for, township) -> None:
    client = client_for(township)
    page = client.get("/reports/")
    assert page.status_code == 200 and "特殊家庭帮扶月报" in page.text
    response = client.post("/reports/open/", {"kind": WARMTH.key, "period": ""})
    report = Report.objects.get(kind=WARMTH.key)
    assert response["Location"] == f"/reports/{report.pk}/"
    page = client.get(f"/reports/{report.pk}/")
    assert 'name="f:warmth.events"' in page.text and "需求调查户数" in page.text
    # a bad figure: a clear message on the page, nothing saved
    response = client.post(
        f"/reports/{report.pk}/save/", {"f:warmth.events": "十二", "action": "save"}
    )
    assert response.status_code == 400 and "「服务活动场次」应为数字。" in response.text
    assert not ReportValue.objects.filter(report=report).exists()
    # submitting with figures missing names them and keeps the draft
    response = client.post(
        f"/reports/{report.pk}/save/", {"f:warmth.events": "12", "action": "submit"}
    )
    assert response.status_code == 400 and "未填写" in response.text
    assert Report.objects.get(pk=report.pk).status == "draft"
    figures = {f"f:{key}": "2" for key in WARMTH.keys}
    response = client.post(f"/reports/{report.pk}/save/", {**figures, "action": "submit"})
    assert response.status_code == 302
    assert Report.objects.get(pk=report.pk).status == "submitted"
    bad_period = client.post("/reports/open/", {"kind": WARMTH.key, "period": "2026-13"})
    assert bad_period.status_code == 302
    assert Report.objects.filter(kind=WARMTH.key).count() == 1


def test_derived_figures_click_through_to_their_records(client_for, township, filed) -> None:
    page = client_for(township).get(f"/reports/{filed.pk}/")
    assert page.status_code == 200
    assert f"/families/monthly/?code=622923100&amp;month={MONTH}" in page.text
    assert "（1条记录）" in page.text  # the frozen list behind the visits figure
    assert 'id="accept"' not in page.text  # the township never reviews its own report


def test_county_returns_with_a_reason_then_accepts(client_for, county, township, filed) -> None:
    client = client_for(county)
    page = client.get(f"/reports/{filed.pk}/")
    assert 'id="accept"' in page.text and 'id="send-back"' in page.text
    client.post(f"/reports/{filed.pk}/return/", {"reason": ""})
    assert Report.objects.get(pk=filed.pk).status == "submitted"
    client.post(f"/reports/{filed.pk}/return/", {"reason": "请补充走访记录"})
    assert Report.objects.get(pk=filed.pk).status == "returned"
    own = client_for(township).get(f"/reports/{filed.pk}/")
    assert "请补充走访记录" in own.text and 'id="submit-report"' in own.text
    client_for(township).post(f"/reports/{filed.pk}/save/", {"action": "submit"})
    response = client.post(f"/reports/{filed.pk}/accept/")
    assert response.status_code == 302
    assert Report.objects.get(pk=filed.pk).status == "accepted"


def test_a_village_cannot_review_and_a_stale_version_is_refused(
    client_for, village, county, township, filed
) -> None:
    assert client_for(village).post(f"/reports/{filed.pk}/accept/").status_code in (403, 404)
    client_for(county).post(f"/reports/{filed.pk}/accept/", {"version": "1"})
    assert Report.objects.get(pk=filed.pk).status == "submitted"  # version 2 by now


def test_the_live_comparison_shows_a_later_visit(client_for, county, township, filed) -> None:
    services.report_accept(actor=county, report=filed)
    visit(township, family(township, DAZHUANG))  # a later visit, dated in the month
    client = client_for(county)
    plain = client.get(f"/reports/{filed.pk}/")
    assert "已变化" not in plain.text
    compared = client.get(f"/reports/{filed.pk}/?live=1")
    assert "（已变化）" in compared.text
    row = compared.text.split('data-key="families.care_records"')[1].split("</tr>")[0]
    assert '<a href="' in row and ">1</a>" in row and "2 （已变化）" in row


def test_below_lists_each_subordinate_and_its_status(
    client_for, county, township, township2, filed, django_assert_max_num_queries
) -> None:
    client = client_for(county)
    url = f"/reports/below/?kind=monthly_special&period={MONTH}"
    client.get(url)  # warm the per-worker caches
    with django_assert_max_num_queries(30) as few:
        page = client.get(url)
    rows = page.context["rows"]
    statuses = {r.association.code: r.status for r in rows}
    assert statuses["622923100"] == "submitted" and statuses["622923101"] == "not_started"
    visit(township2, family(township2, "622923101201"))
    submitted(township2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert sum(1 for r in page.context["rows"] if r.status == "submitted") == 2
    assert client.get("/reports/below/?kind=monthly_special&period=abc").status_code == 200
    foreign = client_for(township).get(f"{url}&code=622923101")
    assert foreign.status_code == 200 and foreign.context["rows"] == []


def test_the_rollup_workbook_has_a_row_per_subordinate(client_for, county, filed) -> None:
    services.report_accept(actor=county, report=filed)
    client = client_for(county)
    data = cells(
        workbook(client.get(f"/reports/below/?kind=monthly_special&period={MONTH}&download=xlsx"))
    )
    header = data[3]
    visits = header.index("帮扶记录（次）")
    liujiaxia = next(row for row in data if row[0] == "刘家峡镇计生协")
    assert liujiaxia[1] == "已审核" and liujiaxia[visits] == 1
    assert next(row for row in data if row[0] == "合计（已审核）")[visits] == 1


def test_a_single_report_exports_with_its_figures(client_for, township, filed) -> None:
    data = cells(workbook(client_for(township).get(f"/reports/{filed.pk}/export/")))
    assert data[0][0] == "特殊家庭帮扶月报"
    visits = next(row for row in data if row[0] == "帮扶记录")
    assert visits[1:] == ["次", 1, "自动生成"]
    book = workbook(client_for(township).get(f"/reports/{filed.pk}/export/"))
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        assert 'paperSize="9"' in archive.read("xl/worksheets/sheet1.xml").decode()  # A4


def test_archive_filters_sorts_exports_and_is_bounded(
    client_for, county, township, township2, filed, django_assert_max_num_queries
) -> None:
    client = client_for(county)
    client.get("/reports/archive/")
    with django_assert_max_num_queries(20) as few:
        client.get("/reports/archive/")
    opened(township, WARMTH)
    visit(township2, family(township2, "622923101201"))
    submitted(township2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/reports/archive/?sort=area")
    assert [r.association.code for r in page.context["page"].items] == [
        "622923100",
        "622923100",
        "622923101",
    ]
    page = client.get("/reports/archive/?status=submitted&kind=monthly_special")
    assert len(page.context["page"].items) == 2
    page = client.get("/reports/archive/?code=622923101")
    assert [r.association.code for r in page.context["page"].items] == ["622923101"]
    foreign = client_for(township).get("/reports/archive/?code=622923101")
    assert foreign.context["foreign"] and foreign.context["page"] is None
    book = workbook(client.get("/reports/archive/?kind=monthly_special&download=xlsx"))
    rows = cells(book)
    assert rows[0][:4] == ["填报单位", "报告期", "状态", "截止日期"]
    visits = rows[0].index("帮扶记录")
    assert sorted(row[visits] for row in rows[1:]) == [1, 1]
    # township staff see only their own township's reports
    mine = client_for(township).get("/reports/archive/")
    assert {r.association.code for r in mine.context["page"].items} == {"622923100"}


def test_the_kinds_page_is_the_countys(client_for, county, township) -> None:
    assert client_for(township).get("/reports/kinds/").status_code == 403
    client = client_for(county)
    assert client.get("/reports/kinds/").status_code == 200
    bad = client.post(
        "/reports/kinds/",
        {
            "form": "kind",
            "k-code": "坏",
            "k-name": "x",
            "k-periodicity": "month",
            "k-fields_text": "a",
        },
    )
    assert bad.status_code == 400 and "代码应为" in bad.text
    done = client.post(
        "/reports/kinds/",
        {
            "form": "kind",
            "k-code": "door",
            "k-name": "入户宣传",
            "k-periodicity": "month",
            "k-fields_text": "入户宣传|户\n发放资料|份",
        },
    )
    assert done.status_code == 302
    assert "入户宣传" in client.get("/reports/kinds/").text
    due = client.post(
        "/reports/kinds/",
        {"form": "due", "d-kind": "monthly_special", "d-period": MONTH, "d-due_on": "2020-01-01"},
    )
    assert due.status_code == 400 and "截止日期不能早于报告期开始" in due.text


def _live(client: Any, **data: str) -> Any:
    return client.post("/reports/below/live/", {"kind": "monthly_special", "period": MONTH, **data})


def test_live_figures_of_each_unit_below_come_as_a_job(client_for, county, township, filed) -> None:
    """The figures the records give now, township by township, beside nothing filed: a job
    (run inside the request here), its workbook served to the county."""
    client = client_for(county)
    response = _live(client, code="622923")
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    job = Job.objects.get(pk=int(response["Location"].split("/")[2]))
    townships = Association.objects.filter(parent__code="622923", kind="township").count()
    assert (job.kind, job.status, job.total, job.rows_written) == (
        "reports.live",
        "done",
        townships,
        townships,
    )
    data = cells(content(client.get(f"/jobs/{job.pk}/download/")))
    assert data[0][0] == "特殊家庭帮扶月报（实时数据）" and "手填项以各级上报为准" in data[2][0]
    header = data[3]
    visits = header.index("帮扶记录（次）")
    body = data[4:-1]
    assert len(body) == townships and {row[1] for row in body} == {"乡镇（街道）计生协"}
    liujiaxia = next(row for row in body if row[0] == "刘家峡镇计生协")
    assert liujiaxia[visits] == 1
    assert sum(row[visits] or 0 for row in body if row[0] != "刘家峡镇计生协") == 0
    assert data[-1][0] == "本级合计（实时）" and data[-1][visits] == 1
    # A visit after the report was filed shows in the live figures, not in the filed report.
    visit(township, family(township, DAZHUANG))
    job = Job.objects.get(pk=int(_live(client, code="622923")["Location"].split("/")[2]))
    data = cells(content(client.get(f"/jobs/{job.pk}/download/")))
    assert data[-1][visits] == 2
    assert ReportValue.objects.get(report=filed, key="families.care_records").value == 1
    # Hand fields stay empty: only a filed report knows them.
    year = str(last_month().first.year)
    job = Job.objects.get(
        pk=int(_live(client, code="622923", kind="annual_work", period=year)["Location"][6:-1])
    )
    data = cells(content(client.get(f"/jobs/{job.pk}/download/")))
    pilots = data[3].index("维权试点（个）")
    assert [row[pilots] for row in data[4:]] == [""] * (townships + 1)
    trainers = data[3].index("师资（市、县级）（人）")  # derived from the expert pools
    assert [row[trainers] for row in data[4:]] != [""] * (townships + 1)


def test_live_figures_above_county_level_go_county_by_county(client_for, township, filed) -> None:
    province = make_user("province", "62", Role.COUNTY_ADMIN)
    units = selectors.live_units(user=province, association=Association.objects.get(code="62"))
    assert [u.code for u in units] == ["6229", "622923"]  # the prefecture, then its county
    client = client_for(province)
    job = Job.objects.get(pk=int(_live(client, code="62")["Location"].split("/")[2]))
    data = cells(content(client.get(f"/jobs/{job.pk}/download/")))
    visits = data[3].index("帮扶记录（次）")
    assert [(row[0], row[visits]) for row in data[4:]] == [
        ("临夏回族自治州计生协", 1),
        ("永靖县计生协", 1),
        ("本级合计（实时）", 1),
    ]


def test_live_figures_are_refused_outside_the_scope(
    client, client_for, volunteer, township, filed
) -> None:
    before = Job.objects.count()
    own = client_for(township)
    refused = _live(own, code="622923101")  # another township
    assert refused.status_code == 302 and refused["Location"] == "/reports/below/"
    assert "不在您的管辖范围内" in own.get("/reports/below/").content.decode()
    assert _live(own, period="2026-13").status_code == 302
    assert "报告期" in own.get("/reports/below/").content.decode()
    assert _live(client_for(volunteer), code="622923100").status_code == 403
    anonymous = _live(client, code="622923100")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert client_for(township).get("/reports/below/live/").status_code == 405
    assert Job.objects.count() == before


def test_the_county_retires_and_restores_its_custom_kind(client_for, county, township) -> None:
    services.custom_kind_create(
        actor=county, code="door", name="入户宣传", periodicity="month", fields=[("入户", "户")]
    )
    client = client_for(county)
    page = client.get("/reports/kinds/").content.decode()
    assert 'data-code="door"' in page and "停用后各级不能再新建这种报表" in page
    assert (
        client_for(township)
        .post("/reports/kinds/", {"form": "active", "code": "door", "active": "0"})
        .status_code
        == 403
    )
    forged = client.post("/reports/kinds/", {"form": "active", "code": "nope", "active": "0"})
    assert forged.status_code == 302 and "不在您的管辖范围内" in client.get(forged["Location"]).text
    done = client.post("/reports/kinds/", {"form": "active", "code": "door", "active": "0"})
    assert done.status_code == 302 and "已停用" in client.get(done["Location"]).text
    assert "custom.door" not in client_for(township).get("/reports/").text
    opened = client_for(township).post("/reports/open/", {"kind": "custom.door", "period": MONTH})
    assert opened.status_code == 302 and not Report.objects.filter(kind="custom.door").exists()
    client.post("/reports/kinds/", {"form": "active", "code": "door", "active": "1"})
    assert "custom.door" in client_for(township).get("/reports/").text
