"""特别扶助金发放花名册: the special-assistance payment roster of an area and a month.

Its figures come from the monthly report's register at the month's end (checked against
`monthly_report_for` for the same month) and from the family page's payment decision (checked
against `payment_decision` for each family); its names are masked unless revealed with a reason
(audited), on the page and in the workbook read back with python-calamine; 刘家峡镇 never sees
盐锅峡镇; roles without `family.view` are refused; the page costs the same number of queries for
two payees and for twenty.
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
from django.utils import timezone

from fpa.core.idnumbers import synthesize
from fpa.core.models import AuditEvent, Job
from fpa.families import reports, selectors, services
from fpa.families.models import Family, PaymentRate
from fpa.organizations.models import Association
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, YANGUOXIA, content, follow_job
from tests.test_excel_engine import read_back

URL = "/families/payments/"
HONGLIU = "622923100202"  # another village of 刘家峡镇
THIS = reports.month_of(timezone.localdate())
LAST = reports.month_of(THIS.first - datetime.timedelta(days=1))
OLD_MOTHER = datetime.date(1968, 5, 6)  # 49 long ago
YOUNG_MOTHER = datetime.date(1990, 2, 3)  # not 49 before 2039

_sequence = itertools.count(1)


def assoc(code: str) -> Association:
    return Association.objects.get(code=code)


def register(
    actor: Any,
    code: str,
    kind: str = Family.Kind.BEREAVED,
    *,
    mother: str = "",
    father: str | None = "",
    mother_born: datetime.date = OLD_MOTHER,
    registered_on: datetime.date = datetime.date(2024, 5, 1),
    grade: int = 2,
) -> Family:
    """A family whose mother (and father, unless `father` is None) may be paid."""
    n = next(_sequence)
    child: dict[str, Any] = {"role": "child", "name": f"子女{n}"}
    if kind == Family.Kind.BEREAVED:
        child["death_date"] = datetime.date(2019, 3, 2)
    elif kind == Family.Kind.DISABLED_CHILD:
        child["disability_grade"] = grade
    people: list[dict[str, Any]] = [
        {
            "role": "mother",
            "name": mother or f"王母亲{n}",
            "id_number": synthesize("622923", mother_born, 2 * (n % 480) + 10),
        },
        child,
    ]
    if father is not None:
        people.append(
            {
                "role": "father",
                "name": father or f"李父亲{n}",
                "id_number": synthesize("622923", datetime.date(1965, 1, 9), 2 * (n % 480) + 11),
            }
        )
    return services.family_register(
        actor=actor, association=assoc(code), kind=kind, registered_on=registered_on, people=people
    )


def change(actor: Any, family: Family, status: str, day: datetime.date) -> None:
    services.family_change_status(
        actor=actor, family=family, status=status, effective_date=day, reason="按规定办理"
    )


def in_last(days: int) -> datetime.date:
    return LAST.first + datetime.timedelta(days=days)


@pytest.fixture
def world(township, township2) -> dict[str, Family]:
    bereaved, disabled = Family.Kind.BEREAVED, Family.Kind.DISABLED_CHILD
    f = {
        "paid": register(township, DAZHUANG, bereaved, mother="张桂兰", father="刘德福"),
        "disabled": register(township, HONGLIU, disabled, mother="陈秀珍", father=None),
        "young": register(township, DAZHUANG, bereaved, mother="赵年轻", mother_born=YOUNG_MOTHER),
        "grade4": register(township, HONGLIU, disabled, mother="孙四级", grade=4),
        "complication": register(township, DAZHUANG, Family.Kind.COMPLICATION, mother="钱并发"),
        "moved": register(township, HONGLIU, bereaved, mother="周迁出"),
        "new_this_month": register(township, DAZHUANG, bereaved, registered_on=THIS.first),
        "widow": register(township, LIUJIAXIA, bereaved, mother="吴寡居", father="郑已故"),
        "foreign": register(township2, SHANGQUAN, bereaved, mother="外镇母亲"),
    }
    change(township, f["moved"], "moved_out", in_last(10))
    father = f["widow"].people.get(role="father")
    services.person_update(
        actor=township, person=father, deceased_on=LAST.first - datetime.timedelta(days=40)
    )
    return f


def roster_of(user: Any, code: str, month: reports.Month) -> selectors.PaymentRoster:
    return selectors.payment_roster_for(user=user, area=assoc(code), month=month)


# --- the figures ----------------------------------------------------------------------------------


@pytest.mark.parametrize("month", [LAST, THIS], ids=["last month", "this month"])
def test_the_register_is_the_monthly_reports(township, county, world, month):
    for user, code in ((township, LIUJIAXIA), (township, DAZHUANG), (county, "622923")):
        roster = roster_of(user, code, month)
        report = selectors.monthly_report_for(user=user, area=assoc(code), month=month)
        assert report.total is not None
        assert roster.in_register == {
            "bereaved": report.total.bereaved,
            "disabled_child": report.total.disabled,
        }, (code, month)
        paid = {p.family_id for p in roster.payees}
        unpaid = {u.family_id for u in roster.unpaid}
        assert not paid & unpaid
        assert len(paid) + len(unpaid) == report.total.bereaved + report.total.disabled


def test_who_is_paid_and_how_much(township, world):
    roster = roster_of(township, LIUJIAXIA, LAST)
    by_family: dict[int, list[str]] = {}
    for payee in roster.payees:
        by_family.setdefault(payee.family_id, []).append(payee.name)
    assert by_family == {
        world["paid"].pk: ["张桂兰", "刘德福"],  # the mother, then the father
        world["disabled"].pk: ["陈秀珍"],  # no father registered
        world["widow"].pk: ["吴寡居"],  # the father died before the month
    }
    unpaid = {u.family_id: u.reasons for u in roster.unpaid}
    assert set(unpaid) == {world["young"].pk, world["grade4"].pk}
    assert "母亲未满49周岁（2039年满）。" in unpaid[world["young"].pk]
    assert "子女残疾等级须为一至三级。" in unpaid[world["grade4"].pk]
    # Not in the register at the month's end, or not a kind the assistance is for.
    shown = set(by_family) | set(unpaid)
    for key in ("complication", "moved", "new_this_month", "foreign"):
        assert world[key].pk not in shown, key
    # Each standard is the family page's decision on the month's last day.
    for payee in roster.payees:
        family = Family.objects.get(pk=payee.family_id)
        decision = selectors.payment_decision(
            family=family, people=list(family.people.all()), on=LAST.last
        )
        assert payee.standard == decision.monthly_amount
        assert payee.months == 1 and payee.amount == payee.standard
    # In the order of the association's path (the township's own family first), mother first.
    assert [(p.name, p.standard, p.kind_label) for p in roster.payees] == [
        ("吴寡居", Decimal("590.00"), "失独家庭"),
        ("张桂兰", Decimal("590.00"), "失独家庭"),
        ("刘德福", Decimal("590.00"), "失独家庭"),
        ("陈秀珍", Decimal("460.00"), "伤残家庭"),
    ]
    assert roster.total == Decimal("590.00") * 3 + Decimal("460.00")
    assert roster.paid_families == 3
    # This month the new family is in the register and paid too; the moved one never again.
    this = roster_of(township, LIUJIAXIA, THIS)
    assert world["new_this_month"].pk in {p.family_id for p in this.payees}
    assert world["moved"].pk not in {p.family_id for p in this.payees}


def test_a_new_rate_applies_from_its_month(township, county, world):
    services.rate_set(
        actor=county,
        kind=Family.Kind.BEREAVED,
        monthly_amount=Decimal("700"),
        valid_from=THIS.first,
    )
    paid = world["paid"].pk
    assert {
        p.standard for p in roster_of(township, DAZHUANG, LAST).payees if p.family_id == paid
    } == {Decimal("590.00")}
    assert {
        p.standard for p in roster_of(township, DAZHUANG, THIS).payees if p.family_id == paid
    } == {Decimal("700.00")}


def test_without_a_rate_a_family_is_listed_as_not_paid(township, world):
    PaymentRate.objects.filter(kind=Family.Kind.DISABLED_CHILD).delete()
    roster = roster_of(township, HONGLIU, LAST)
    assert roster.payees == []
    reasons = {u.family_id: u.reasons for u in roster.unpaid}
    assert "本月没有适用的特别扶助金标准。" in reasons[world["disabled"].pk]


# --- the page -------------------------------------------------------------------------------------


def test_the_page_masks_names_and_prints_on_a4(township, client_for, world):
    client = client_for(township)
    response = client.get(URL, {"month": LAST.param})
    assert response.status_code == 200
    body = response.content.decode()
    assert response.context["roster"].root.code == LIUJIAXIA
    assert "特别扶助金发放花名册" in body and "发放单位：刘家峡镇计生协" in body
    assert f"发放月份：{LAST.first.year}年{LAST.first.month}月" in body
    for name in ("张桂兰", "刘德福", "陈秀珍", "吴寡居", "赵年轻"):
        assert name not in body, name
    assert body.count('<td class="payee-name">') == 4
    assert '<td class="payee-name">张**</td>' in body and '<td class="payee-name">刘**</td>' in body
    assert 'id="roster-total">2230.00<' in body
    assert "月末在册失独家庭 3 户、伤残家庭 2 户；本月发放 3 户 4 人，合计 2230.00 元。" in body
    assert "fpa-signatures" in body and "签字" in body  # the signature line, the 签字 column
    assert f"?code={LIUJIAXIA}&amp;month={LAST.param}&amp;download=xlsx" in body
    assert "外镇母亲" not in body and "盐锅峡" not in body
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).exists()
    # Linked from the monthly report and the families list.
    report = client.get("/families/monthly/", {"month": LAST.param}).content.decode()
    assert f'href="/families/payments/?code={LIUJIAXIA}&amp;month={LAST.param}"' in report
    assert 'href="/families/payments/"' in client.get("/families/").content.decode()


def test_a_roster_too_long_for_one_page_says_so_instead_of_a_total(
    township, client_for, world, monkeypatch
):
    """Past the page's limit the printout cannot serve as the roster people sign: it lists the
    first payees, says why and where the whole roster is, and prints no total (which would not be
    the sum of the rows above it); the summary line keeps the whole area's figures."""
    monkeypatch.setattr("fpa.families.views.payments.PAYEE_LIMIT", 3)
    body = client_for(township).get(URL, {"month": LAST.param}).content.decode()
    assert body.count('<td class="payee-name">') == 3
    assert "本页只列出前 3 人，不能作为发放花名册使用" in body
    assert 'id="roster-total"' not in body
    assert "本月发放 3 户 4 人，合计 2230.00 元。" in body


def test_full_names_after_a_reason_audited(township, client_for, world):
    client = client_for(township)
    query = f"?code={DAZHUANG}&month={LAST.param}"
    refused = client.post(URL + query, {"reveal": "1", "reason": " "})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "请填写查看完整姓名的原因。" in body and "张桂兰" not in body
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).exists()
    response = client.post(URL + query, {"reveal": "1", "reason": "打印发放花名册"})
    assert response.status_code == 200
    body = response.content.decode()
    assert '<td class="payee-name">张桂兰</td>' in body and "刘德福" in body
    assert "赵年轻" in body  # the families not paid, in full too
    event = AuditEvent.objects.get(action=AuditEvent.Action.REVEAL)
    assert event.reason == "打印发放花名册" and event.actor == township
    assert event.scope_path == assoc(DAZHUANG).path
    name = assoc(DAZHUANG).name
    assert event.object_repr == f"特别扶助金发放花名册：{name} {LAST.label}（完整姓名2人）"
    assert event.changes["people"] == 2 and event.changes["month"] == LAST.param


@pytest.mark.parametrize("month", ["2026-13", "abc", "1999-12"])
def test_a_bad_month_is_a_message(township, client_for, world, month):
    for params in ({"month": month}, {"month": month, "download": "xlsx"}):
        response = client_for(township).get(URL, params)
        assert response.status_code == 200
        assert response.context["roster"] is None
        assert response.context["error"]
    assert not Job.objects.exists()


def test_refusals(client, client_for, township2, finance, auditor, volunteer, world):
    other = client_for(township2)
    for params in ({"code": LIUJIAXIA}, {"code": DAZHUANG, "download": "xlsx"}):
        response = other.get(URL, {"month": LAST.param, **params})
        assert response.status_code == 404
        body = response.content.decode()
        assert "所选协会不存在或不在您的管辖范围内。" in body
        assert response.context["roster"] is None
        for name in ("张**", "张桂兰", "刘德福", "吴寡居"):
            assert name not in body
    response = other.post(
        URL + f"?code={LIUJIAXIA}&month={LAST.param}", {"reveal": "1", "reason": "越权查看"}
    )
    assert response.status_code == 404 and "张桂兰" not in response.content.decode()
    response = other.post(
        URL + f"?code={LIUJIAXIA}&month={LAST.param}", {"download": "xlsx", "reason": "越权导出"}
    )
    assert response.status_code == 404
    assert not Job.objects.exists()
    assert not AuditEvent.objects.filter(
        action__in=[AuditEvent.Action.REVEAL, AuditEvent.Action.EXPORT]
    ).exists()
    own = other.get(URL, {"month": LAST.param})
    assert own.context["roster"].root.code == YANGUOXIA
    assert {p.family_id for p in own.context["roster"].payees} == {world["foreign"].pk}
    assert own.context["roster"].payees[0].name == "外镇母亲"
    for user in (finance, auditor, volunteer):
        for params in ({}, {"download": "xlsx"}):
            assert client_for(user).get(URL, params).status_code == 403
        assert client_for(user).post(URL, {"reveal": "1", "reason": "无权"}).status_code == 403
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- the workbook ---------------------------------------------------------------------------------


def test_the_masked_workbook(township, client_for, world):
    client = client_for(township)
    response = follow_job(client, client.get(URL, {"month": LAST.param, "download": "xlsx"}))
    data = content(response)
    assert "filename*=utf-8''" in response["Content-Disposition"]
    rows = read_back(data)
    assert rows[0][0] == "特别扶助金发放花名册"
    assert rows[1][0] == "发放单位：刘家峡镇计生协"
    header = rows[3]
    assert header == [
        "序号",
        "村（社区）",
        "姓名",
        "身份",
        "扶助类别",
        "每人每月标准（元）",
        "月数",
        "金额（元）",
        "签字",
    ]
    body = rows[4:8]
    assert [row[2] for row in body] == ["吴**", "张**", "刘**", "陈**"]
    assert [row[4] for row in body] == ["失独家庭"] * 3 + ["伤残家庭"]
    assert [row[5] for row in body] == [590.0, 590.0, 590.0, 460.0]
    assert [row[8] for row in body] == [""] * 4  # blank, to sign
    total = rows[8]
    assert total[0] == "合计" and total[1] == "3户4人" and total[7] == 2230.0
    assert sum(row[7] for row in body) == 2230.0
    text = "".join(str(cell) for row in rows for cell in row)
    for name in ("张桂兰", "刘德福", "陈秀珍", "吴寡居", "外镇母亲"):
        assert name not in text
    assert "填表人" in text and "审核人" in text and "（盖章）" in text
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_the_full_workbook_needs_a_reason_and_is_audited(township, client_for, world):
    client = client_for(township)
    query = f"?code={DAZHUANG}&month={LAST.param}"
    refused = client.post(URL + query, {"download": "xlsx", "reason": ""})
    assert refused.status_code == 400
    assert "请填写导出完整信息的原因。" in refused.content.decode()
    assert not Job.objects.exists()
    response = follow_job(client, client.post(URL + query, {"download": "xlsx", "reason": "发放"}))
    rows = read_back(content(response))
    assert [row[2] for row in rows[4:6]] == ["张桂兰", "刘德福"]
    assert quote("（完整姓名）") in response["Content-Disposition"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.reason == "发放" and event.actor == township
    assert event.changes["people"] == 2 and event.scope_path == assoc(DAZHUANG).path
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).exists()


# --- a fixed number of queries --------------------------------------------------------------------


def test_the_page_costs_the_same_for_two_payees_and_for_twenty(
    township, client_for, django_assert_max_num_queries, django_assert_num_queries
):
    register(township, DAZHUANG, mother="甲", father="乙")
    client = client_for(township)
    assert client.get(URL, {"month": LAST.param}).status_code == 200  # warm the session
    with django_assert_max_num_queries(15) as small:
        response = client.get(URL, {"month": LAST.param})
    assert len(response.context["roster"].payees) == 2
    for code in (DAZHUANG, HONGLIU):
        for kind in (Family.Kind.BEREAVED, Family.Kind.DISABLED_CHILD):
            for _ in range(3):
                register(township, code, kind)
    register(township, HONGLIU, mother="年轻", mother_born=YOUNG_MOTHER)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(URL, {"month": LAST.param})
    assert len(response.context["roster"].payees) == 26
    assert len(response.context["roster"].unpaid) == 1
