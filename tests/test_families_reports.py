"""The monthly report of special families (计生特殊家庭月报): its numbers, its page, its workbook.

Every number is checked against families, status changes, care records and needs made through the
services, for last month (complete, in the past) and this month. 刘家峡镇 (`township`) sees its
villages and its own families; 盐锅峡镇 (`township2`) is never counted in it and cannot open it;
the county sees both townships. The aggregates are a fixed number of grouped queries.
"""

from __future__ import annotations

import datetime
import itertools
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fpa.core.idnumbers import synthesize
from fpa.families import reports, services
from fpa.families.models import CareKind, CareRecord, Family, Need, StatusChange
from fpa.organizations.models import Association
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, YANGUOXIA, content, follow_job
from tests.test_excel_engine import read_back

HONGLIU = "622923100202"
URL = "/families/monthly/"
ORDER = [name for _, _, name in reports.COLUMNS]
FOREIGN_MOTHER = "外镇母亲丙"

_sequence = itertools.count(1)


def today() -> datetime.date:
    return timezone.localdate()


THIS = reports.month_of(today())
LAST = reports.month_of(THIS.first - datetime.timedelta(days=1))


def in_last(days: int) -> datetime.date:
    return LAST.first + datetime.timedelta(days=days)


BEFORE = LAST.first - datetime.timedelta(days=10)  # the month before last


def assoc(code: str) -> Association:
    return Association.objects.get(code=code)


def register(
    actor: Any,
    code: str,
    kind: str,
    registered_on: datetime.date = datetime.date(2024, 5, 1),
    mother: str = "",
) -> Family:
    n = next(_sequence)
    child: dict[str, Any] = {"role": "child", "name": f"子女{n}"}
    if kind == Family.Kind.BEREAVED:
        child["death_date"] = datetime.date(2019, 3, 2)
    elif kind == Family.Kind.DISABLED_CHILD:
        child["disability_grade"] = 2
    return services.family_register(
        actor=actor,
        association=assoc(code),
        kind=kind,
        registered_on=registered_on,
        people=[
            {
                "role": "mother",
                "name": mother or f"母亲{n}",
                "id_number": synthesize("622923", datetime.date(1968, 5, 6), 2 * (n % 480) + 10),
            },
            child,
        ],
    )


def log(actor: Any, family: Family, day: datetime.date, kind: str = "routine_visit") -> CareRecord:
    return services.care_log(
        actor=actor, family=family, kind=CareKind.objects.get(code=kind), occurred_on=day
    )


def change(actor: Any, family: Family, status: str, day: datetime.date) -> Family:
    return services.family_change_status(
        actor=actor, family=family, status=status, effective_date=day, reason="按规定办理"
    )


@pytest.fixture
def world(township, township2) -> dict[str, Family]:
    bereaved, disabled = Family.Kind.BEREAVED, Family.Kind.DISABLED_CHILD
    complication = Family.Kind.COMPLICATION
    f = {
        "old": register(township, DAZHUANG, bereaved),
        "new_bereaved": register(township, DAZHUANG, bereaved, in_last(3)),
        "new_disabled": register(township, HONGLIU, disabled, in_last(3)),
        "moved": register(township, HONGLIU, complication),
        "back": register(township, DAZHUANG, bereaved),
        "own": register(township, LIUJIAXIA, disabled),
        "later": register(township, DAZHUANG, complication, today()),
        "moved_later": register(township, HONGLIU, bereaved),
        "foreign": register(township2, SHANGQUAN, bereaved, in_last(3), mother=FOREIGN_MOTHER),
    }
    log(township, f["old"], in_last(1), "counselling")  # the first: a new case
    log(township, f["old"], in_last(9), "counselling")  # the same family again: still one
    log(township, f["old"], in_last(2))
    log(township, f["new_disabled"], BEFORE, "counselling")  # a case from before
    log(township, f["new_disabled"], in_last(4), "counselling")
    log(township2, f["foreign"], in_last(4), "counselling")
    change(township, f["moved"], "moved_out", in_last(10))
    change(township, f["back"], "cancelled", BEFORE)
    change(township, f["back"], "active", in_last(10))
    change(township, f["own"], "deceased", in_last(20))
    change(township, f["moved_later"], "moved_out", today())
    services.need_raise(actor=township, family=f["old"], description="申请临时救助")
    solved = services.need_raise(actor=township, family=f["new_bereaved"], description="就医陪护")
    services.need_update(actor=township, need=solved, status="resolved", result="已安排志愿者")
    return f


def report_for(user: Any, code: str, month: reports.Month) -> reports.MonthlyReport:
    root = assoc(code)
    return reports.monthly_report(
        root=root,
        children=Association.objects.visible_to(user).filter(parent=root).order_by("code"),
        month=month,
        families=Family.objects.visible_to(user),
        status_changes=StatusChange.objects.visible_to(user),
        care_records=CareRecord.objects.visible_to(user),
        needs=Need.objects.visible_to(user),
    )


def numbers(row: reports.ReportRow) -> dict[str, int]:
    return {name: getattr(row, name) for name in ORDER if getattr(row, name)}


def by_code(report: reports.MonthlyReport) -> dict[str, reports.ReportRow]:
    return {row.code: row for row in report.rows if not row.own}


# --- the numbers --------------------------------------------------------------------------------

DAZHUANG_LAST = {
    "families": 3,
    "bereaved": 3,
    "new_bereaved": 1,
    "new_counselling": 1,
    "reactivated": 1,
    "care_records": 3,
}
HONGLIU_LAST = {
    "families": 2,
    "bereaved": 1,
    "disabled": 1,
    "new_disabled": 1,
    "moved_out": 1,
    "care_records": 1,
}
OWN_LAST = {"deceased": 1}
TOTAL_LAST = {
    "families": 5,
    "bereaved": 4,
    "disabled": 1,
    "new_bereaved": 1,
    "new_disabled": 1,
    "new_counselling": 1,
    "moved_out": 1,
    "deceased": 1,
    "reactivated": 1,
    "care_records": 4,
}


def test_last_months_numbers_for_a_township(township, world):
    report = report_for(township, LIUJIAXIA, LAST)
    own, *children = report.rows
    assert own.own and own.name == "刘家峡镇计生协（本级）"
    assert numbers(own) == OWN_LAST
    villages = Association.objects.filter(parent__code=LIUJIAXIA, kind="village")
    assert [row.code for row in children] == sorted(villages.values_list("code", flat=True))
    rows = by_code(report)
    assert numbers(rows[DAZHUANG]) == DAZHUANG_LAST
    assert numbers(rows[HONGLIU]) == HONGLIU_LAST
    assert all(not numbers(row) for code, row in rows.items() if code not in (DAZHUANG, HONGLIU))
    assert report.total is not None and numbers(report.total) == TOTAL_LAST
    assert all(row.code.startswith(LIUJIAXIA) for row in report.rows)


def test_this_months_numbers_count_what_is_open_at_its_end(township, world):
    rows = by_code(report_for(township, LIUJIAXIA, THIS))
    # registered today; the need raised today and still open; the family moved out today.
    assert numbers(rows[DAZHUANG]) == {
        "families": 4,
        "bereaved": 3,
        "complication": 1,
        "open_needs": 1,
    }
    assert numbers(rows[HONGLIU]) == {"families": 1, "disabled": 1, "moved_out": 1}
    # The month before last: the cancelled family was out of the register at its end.
    before = by_code(report_for(township, LIUJIAXIA, reports.month_of(BEFORE)))
    assert numbers(before[DAZHUANG]) == {"families": 1, "bereaved": 1, "cancelled": 1}


def test_the_county_sees_both_townships(county, world):
    report = report_for(county, "622923", LAST)
    rows = by_code(report)
    townships = Association.objects.filter(parent__code="622923", kind="township")
    assert set(townships.values_list("code", flat=True)) <= set(rows)
    assert numbers(rows[LIUJIAXIA]) == TOTAL_LAST
    assert numbers(rows[YANGUOXIA]) == {
        "families": 1,
        "bereaved": 1,
        "new_bereaved": 1,
        "new_counselling": 1,
        "care_records": 1,
    }
    assert report.total is not None
    assert report.total.families == 6 and report.total.new_counselling == 2
    assert not any(row.own for row in report.rows)


def test_the_sibling_township_is_never_counted(township2, world):
    report = report_for(township2, YANGUOXIA, LAST)
    assert report.total is not None and report.total.families == 1
    assert all(row.code.startswith(YANGUOXIA) for row in report.rows)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10", (2026, 10)),
        ("2026/1", (2026, 1)),
        ("２０２６年１０月", (2026, 10)),
        (" 2026.02 ", (2026, 2)),
    ],
)
def test_month_parameter(text, expected):
    month = reports.parse_month(text, today=datetime.date(2026, 11, 28))
    assert (month.first.year, month.first.month) == expected
    assert month.last.month == expected[1] and (month.last + datetime.timedelta(days=1)).day == 1
    assert reports.parse_month("", today=datetime.date(2026, 11, 28)).param == "2026-11"
    assert reports.parse_month("2024-02", today=datetime.date(2026, 11, 28)).last.day == 29


# --- the page, the workbook and the refusals ----------------------------------------------------


def test_the_printable_page(township, client_for, world):
    response = client_for(township).get(URL, {"month": LAST.param})
    assert response.status_code == 200
    body = response.content.decode()
    report = response.context["report"]
    assert report.root.code == LIUJIAXIA and report.month == LAST
    assert "计生特殊家庭月报" in body and f"报告期：{LAST.label}" in body
    assert "填报单位：刘家峡镇计生协" in body and "刘家峡镇计生协（本级）" in body
    assert response.context["total"] == [getattr(report.total, name) for name in ORDER]
    assert f'href="?code={DAZHUANG}&amp;month={LAST.param}"' in body  # drill down to a village
    assert f"?code={LIUJIAXIA}&amp;month={LAST.param}&amp;download=xlsx" in body
    for marker in ("盐锅峡", FOREIGN_MOTHER, YANGUOXIA):
        assert marker not in body
    # Drilled down to a village: its own families, no children.
    village = client_for(township).get(URL, {"code": DAZHUANG, "month": LAST.param})
    rows = village.context["report"].rows
    assert [row.own for row in rows] == [True]
    assert numbers(rows[0]) == DAZHUANG_LAST
    # Without a month: this month.
    assert client_for(township).get(URL).context["report"].month == THIS


def test_the_workbook(township, client_for, world):
    client = client_for(township)
    response = follow_job(client, client.get(URL, {"month": LAST.param, "download": "xlsx"}))
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"计生特殊家庭月报-{LAST.param}-刘家峡镇计生协.xlsx"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote(name)
    rows = read_back(content(response), "计生特殊家庭月报")
    assert rows[0][0] == "计生特殊家庭月报"
    assert rows[1][0] == "填报单位：刘家峡镇计生协" and rows[1][2] == f"报告期：{LAST.label}"
    assert rows[3][:5] == ["协会", "协会编码", "月末在册户数", "", ""]
    assert rows[4][2:6] == ["合计", "失独", "伤残", "并发症"]
    table = {row[0]: row for row in rows[5:] if row and row[0]}
    expected_total = [float(TOTAL_LAST.get(name, 0)) for name in ORDER]
    assert table["合计"][2 : 2 + len(ORDER)] == expected_total
    dazhuang = table["大庄村委会计生协"]
    assert dazhuang[1] == DAZHUANG
    assert dazhuang[2 : 2 + len(ORDER)] == [float(DAZHUANG_LAST.get(n, 0)) for n in ORDER]
    assert table["刘家峡镇计生协（本级）"][2 + ORDER.index("deceased")] == 1.0
    assert not any("盐锅峡" in str(cell) for row in rows for cell in row)


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2026-13", reports.MONTH_NUMBER),
        ("2026-00", reports.MONTH_NUMBER),
        ("abc", reports.MONTH_FORMAT),
        ("99999-01", reports.MONTH_FORMAT),
        ("9" * 200, reports.MONTH_FORMAT),
        ("2026-10-01", reports.MONTH_FORMAT),
        ("0000-01", reports.MONTH_RANGE),
        ("1999-12", reports.MONTH_RANGE),
        ("future", reports.MONTH_RANGE),
    ],
)
def test_bad_months_are_a_message(township, client_for, month, message):
    if month == "future":
        month = reports.month_of(THIS.last + datetime.timedelta(days=1)).param
    client = client_for(township)
    for params in ({"month": month}, {"month": month, "download": "xlsx"}):
        response = client.get(URL, params)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert response.context["report"] is None
        assert message in response.content.decode()


def test_refusals(client, client_for, township2, finance, auditor, volunteer, world):
    other = client_for(township2)
    for params in ({"code": LIUJIAXIA}, {"code": DAZHUANG, "download": "xlsx"}):
        response = other.get(URL, {"month": LAST.param, **params})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert response.context["report"] is None and response.context["foreign"]
        body = response.content.decode()
        assert "所选协会不存在或不在您的管辖范围内。" in body
        assert "刘家峡" not in body and "大庄" not in body
    own = other.get(URL, {"month": LAST.param})
    assert own.context["report"].root.code == YANGUOXIA
    for user in (finance, auditor, volunteer):
        for params in ({}, {"download": "xlsx"}):
            assert client_for(user).get(URL, params).status_code == 403
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- a fixed number of queries --------------------------------------------------------------------


def fill(actor: Any, codes: list[str]) -> None:
    """In each village: a family registered last month, a care record, a status change and an
    open need."""
    for code in codes:
        family = register(actor, code, Family.Kind.BEREAVED, in_last(2))
        other = register(actor, code, Family.Kind.DISABLED_CHILD)
        log(actor, family, in_last(5), "counselling")
        change(actor, other, "moved_out", in_last(6))
        services.need_raise(actor=actor, family=family, description="需要帮助")


def test_the_aggregates_are_a_fixed_number_of_queries(
    township, client_for, django_assert_num_queries
):
    villages = list(
        Association.objects.filter(parent__code=LIUJIAXIA, kind="village")
        .order_by("code")
        .values_list("code", flat=True)[:10]
    )
    assert len(villages) == 10
    root = assoc(LIUJIAXIA)
    client = client_for(township)

    def run(expected_villages: int) -> None:
        querysets = {
            "families": Family.objects.visible_to(township),
            "status_changes": StatusChange.objects.visible_to(township),
            "care_records": CareRecord.objects.visible_to(township),
            "needs": Need.objects.visible_to(township),
        }
        children = Association.objects.filter(parent=root).order_by("code")
        with django_assert_num_queries(5):  # the children, then four grouped queries
            report = reports.monthly_report(root=root, children=children, month=LAST, **querysets)
        with_data = [row for row in report.rows if row.new_bereaved]
        assert len(with_data) == expected_villages
        assert all(
            numbers(row)
            == {
                "families": 1,
                "bereaved": 1,
                "new_bereaved": 1,
                "new_counselling": 1,
                "moved_out": 1,
                "care_records": 1,
            }
            for row in with_data
        )
        assert report.total is not None and report.total.moved_out == expected_villages

    fill(township, villages[:2])
    run(2)
    client.get(URL)  # warm the session
    small = {}
    for download in ("", "xlsx"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"month": LAST.param, "download": download})
            assert response.status_code == (302 if download else 200)
        small[download] = len(queries)  # the request that runs the workbook job, if any
        if download:
            content(follow_job(client, response))
    fill(township, villages[2:])
    run(10)
    with django_assert_num_queries(small[""]):
        assert client.get(URL, {"month": LAST.param}).status_code == 200
    with django_assert_num_queries(small["xlsx"]):
        response = client.get(URL, {"month": LAST.param, "download": "xlsx"})
    content(follow_job(client, response))
