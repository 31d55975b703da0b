"""Childcare supervision's writes and reads: every rule and every refusal of the services, the
checklist change that leaves old inspections as they were, the overdue to-do, the figures per
area and the list's keyset pages."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from fpa.accounts.roles import Role
from fpa.childcare import rules, selectors, services
from fpa.childcare.models import (
    ChecklistItem,
    Inspection,
    InspectionScore,
    Institution,
    Problem,
    ProblemStep,
    Recommendation,
)
from fpa.core.errors import Conflict, NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from fpa.core.todo import todos_for
from fpa.organizations.models import Association
from fpa.organizations.services import association_create
from tests.childcare_helpers import (
    credit,
    full_scores,
    inspect,
    institution,
    problem,
    rectified,
)
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, YANGUOXIA, make_user

TODAY = timezone.localdate


def wide(text: str) -> str:
    """The full-width form of ASCII letters, digits and punctuation (what some input methods
    type)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def days(n: int) -> datetime.date:
    return TODAY() + datetime.timedelta(days=n)


# --- pure rules -----------------------------------------------------------------------------------


def test_credit_codes_are_folded_and_checked():
    code = credit(7)
    assert rules.credit_code(code) == code
    assert rules.credit_code(" " + wide(code).lower() + " ") == code
    assert rules.credit_code(code[:8] + " " + code[8:]) == code
    with pytest.raises(rules.RuleError, match="应为18位，现为17位"):
        rules.credit_code(code[:-1])
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(rules.RuleError, match="校验位"):
        rules.credit_code(wrong)
    with pytest.raises(rules.RuleError, match="不使用字母I、O、S、V、Z"):
        rules.credit_code("52622923MJ0000000I")  # 18 chars, an I
    with pytest.raises(rules.RuleError, match="第3至8位"):
        rules.credit_code(rules.with_check_character("52A22923MJ0000001"))


def test_full_width_left_after_folding_is_refused_with_its_character():
    code = credit(8)
    zero = "\u3007"  # ideographic zero: NFKC leaves it as it is
    with pytest.raises(rules.RuleError, match=f"“{zero}”不是"):
        rules.credit_code(code[:-1] + zero)
    with pytest.raises(rules.RuleError, match="全角字符“、”"):
        rules.licence_number("甘托备字、2023")
    assert rules.licence_number("YJ，2023".replace("，", "")) == "YJ2023"
    with pytest.raises(rules.RuleError, match="不能有“,”"):
        rules.licence_number("YJ，2023")  # NFKC makes it an ASCII comma
    with pytest.raises(rules.RuleError, match="不能有“#”"):
        rules.licence_number("YJ#2023")


def test_licence_numbers_keep_document_brackets_and_fold_the_rest():
    numbered = "甘托备字\u30142023\u3015第001号"  # with the tortoise-shell brackets
    assert rules.licence_number(numbered) == numbered
    assert rules.licence_number(wide("YJ-TY-2023") + " \u300001") == "YJ-TY-202301"
    assert rules.licence_number("（2023）12") == "(2023)12"
    with pytest.raises(rules.RuleError, match="4至40"):
        rules.licence_number("YJ1")
    assert rules.registration_number(rules.CREDIT, "  ") == ""


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "请填写得分"),
        ("abc", "应为数字"),
        ("NaN", "应为数字"),
        ("-1", "0至15分"),
        ("15.5", "0至15分"),
        ("1e3", "0至15分"),
        ("12.25", "一位小数"),
    ],
)
def test_scores_are_numbers_within_the_items_maximum(raw, message):
    with pytest.raises(rules.RuleError, match=message):
        rules.score(raw, Decimal("15"))


def test_scores_accept_full_width_digits_and_one_decimal():
    assert rules.score(wide("12.5"), Decimal("15")) == Decimal("12.5")
    assert rules.score(Decimal("15"), Decimal("15")) == Decimal("15.0")
    assert rules.score_text(Decimal("95.50"), Decimal("100.0")) == "95.5/100"


# --- institutions ---------------------------------------------------------------------------------


def test_township_registers_a_running_institution_with_its_audit_row(yongjing, township):
    made = institution(township, DAZHUANG, phone=wide("136") + " 8888 0001", inclusive=True)
    assert made.status == Institution.Status.OPERATING
    assert made.phone.reveal_unchecked() == "13688880001"
    assert made.phone_hash
    assert made.created_by == township
    row = AuditEvent.objects.get(object_type="childcare.institution", action="create")
    assert row.scope_path == made.association.path
    assert row.changes["phone"][1] == "136****0001"


def test_a_planned_institution_may_wait_for_its_number_a_running_one_may_not(yongjing, township):
    planned = institution(
        township, DAZHUANG, status="planned", registration_number="", opened_on=None
    )
    assert planned.registration_number == "" and planned.opened_on is None
    with pytest.raises(ServiceError, match="须填写统一社会信用代码") as refused:
        institution(township, DAZHUANG, registration_number="")
    assert refused.value.field == "registration_number"
    with pytest.raises(ServiceError, match="开业日期"):
        institution(township, DAZHUANG, opened_on=None)
    with pytest.raises(ServiceError, match="筹建或运营"):
        institution(township, DAZHUANG, status="closed")
    assert Institution.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"capacity": 0}, "capacity", "至少为1"),
        ({"capacity": 10_001}, "capacity", "不能超过10000"),
        ({"capacity": 10, "places_used": 11}, "places_used", "不能超过托位数"),
        ({"places_used": -1}, "places_used", "不能为负数"),
        ({"opened_on": days(1)}, "opened_on", "不能晚于今天"),
        ({"opened_on": datetime.date(1999, 12, 31)}, "opened_on", "不在合理范围内"),
        ({"registration_number": "52622923MJ00000"}, "registration_number", "应为18位"),
        ({"name": ""}, "name", "不能为空"),
        ({"name": "托育\u202e园"}, "name", "文字方向"),
        ({"phone": "12345"}, "phone", "电话号码格式不正确"),
        ({"kind": "night"}, "kind", "不是有效选项"),
        ({"address": "x" * 201}, "address", "200"),
    ],
)
def test_bad_institution_data_is_refused_on_its_field(
    yongjing, township, overrides, field, message
):
    with pytest.raises(ServiceError, match=message) as refused:
        institution(township, DAZHUANG, **overrides)
    assert refused.value.field == field
    assert not Institution.objects.exists()
    assert not AuditEvent.objects.filter(object_type="childcare.institution").exists()


def test_one_record_per_registration_number(yongjing, township, county):
    number = credit()
    institution(township, DAZHUANG, registration_number=number)
    with pytest.raises(ServiceError, match="不能重复登记") as refused:
        institution(county, LIUJIAXIA, registration_number=number.lower())
    assert refused.value.code == "duplicate"
    assert Institution.objects.count() == 1


def test_who_may_register_and_where(yongjing, township, village, auditor, county):
    with pytest.raises(NotAllowed):
        institution(village, DAZHUANG)  # village staff read only
    with pytest.raises(NotAllowed):
        institution(auditor, DAZHUANG)
    with pytest.raises(NotAllowed):
        institution(township, SHANGQUAN)  # another township's village
    with pytest.raises(NotAllowed):
        institution(county, "6229")  # above the county: out of its scope
    firm = association_create(
        actor=county, parent=Association.objects.get(code=LIUJIAXIA), kind="enterprise", name="某厂"
    )
    with pytest.raises(ServiceError, match="县、乡镇或村") as refused:
        institution(county, firm.code)  # not an area association
    assert refused.value.field == "association"
    assert not Institution.objects.exists()


def test_updates_check_the_version_and_keep_the_phone_when_left_empty(yongjing, township):
    made = institution(township, DAZHUANG, capacity=40)
    services.institution_update(
        actor=township, institution=made, version=1, capacity=45, phone="", inclusive=True
    )
    made.refresh_from_db()
    assert (made.capacity, made.inclusive, made.version) == (45, True, 2)
    assert made.phone.reveal_unchecked().startswith("1368888")
    with pytest.raises(Conflict, match="托位数"):
        services.institution_update(actor=township, institution=made, version=1, capacity=46)
    services.institution_update(actor=township, institution=made, version=2, capacity=45)
    made.refresh_from_db()
    assert made.version == 2  # nothing changed: nothing saved
    with pytest.raises(ServiceError, match="不能修改这些字段"):
        services.institution_update(actor=township, institution=made, status="closed")


def test_an_institution_moves_only_inside_the_scope(yongjing, township, township2):
    made = institution(township, DAZHUANG)
    with pytest.raises(NotAllowed):
        services.institution_update(
            actor=township,
            institution=made,
            association=Association.objects.get(code=SHANGQUAN),
        )
    with pytest.raises(NotAllowed):
        services.institution_update(actor=township2, institution=made, capacity=10)
    made.refresh_from_db()
    assert made.association.code == DAZHUANG and made.capacity == 50


def test_status_goes_planned_running_closed_and_back(yongjing, township):
    made = institution(township, DAZHUANG, status="planned", registration_number="", opened_on=None)
    with pytest.raises(ServiceError, match="须填写统一社会信用代码"):
        services.institution_change_status(
            actor=township, institution=made, status="operating", on=days(-5)
        )
    services.institution_update(actor=township, institution=made, registration_number=credit())
    services.institution_change_status(
        actor=township, institution=made, status="operating", on=days(-5)
    )
    with pytest.raises(ServiceError, match="停业原因"):
        services.institution_change_status(
            actor=township, institution=made, status="closed", on=days(-1)
        )
    with pytest.raises(ServiceError, match="不能早于上一次"):
        services.institution_change_status(
            actor=township, institution=made, status="closed", on=days(-6), reason="停办"
        )
    with pytest.raises(ServiceError, match="不能晚于今天"):
        services.institution_change_status(
            actor=township, institution=made, status="closed", on=days(1), reason="停办"
        )
    services.institution_change_status(
        actor=township, institution=made, status="closed", on=days(-1), reason="举办者停办"
    )
    made.refresh_from_db()
    assert (made.status, made.closed_on) == ("closed", days(-1))
    with pytest.raises(ServiceError, match="不能变更为"):
        services.institution_change_status(
            actor=township, institution=made, status="planned", on=TODAY()
        )
    services.institution_change_status(
        actor=township, institution=made, status="operating", on=TODAY(), version=made.version
    )
    made.refresh_from_db()
    assert (made.status, made.opened_on, made.closed_on) == ("operating", TODAY(), None)
    reasons = AuditEvent.objects.filter(object_type="childcare.institution", action="update")
    assert "举办者停办" in set(reasons.values_list("reason", flat=True))


# --- inspections and the checklist ----------------------------------------------------------------


def test_the_default_checklist_has_eight_items_worth_100(db):
    items = selectors.checklist(active_only=True)
    assert [i.code for i in items][:3] == ["facilities", "staffing", "safety"]
    assert len(items) == 8
    assert sum(i.max_score for i in items) == Decimal("100")
    assert items[0].text.startswith("场地设施")


def test_an_inspection_scores_every_item_and_keeps_the_totals(yongjing, township):
    made = institution(township, DAZHUANG)
    done = inspect(township, made, deduct={"safety": 3, "records": "1.5"})
    assert done.association.code == LIUJIAXIA  # the inspecting level
    assert (done.total, done.max_total) == (Decimal("95.5"), Decimal("100"))
    rows = list(done.scores.all())
    assert len(rows) == 8 and rows[2].code == "safety" and rows[2].score == Decimal("17")
    audit = AuditEvent.objects.get(object_type="childcare.inspection")
    assert audit.changes["scores"][1]["records"] == "5.5"


def test_inspection_refusals_change_nothing(yongjing, township, township2, village, county):
    made = institution(township, DAZHUANG)
    scores = full_scores()
    first = next(iter(scores))
    item = ChecklistItem.objects.get(pk=first)
    cases = [
        (village, {}, NotAllowed, ""),
        (township2, {}, NotAllowed, ""),
        (township, {"inspected_on": days(1)}, ServiceError, "不能晚于今天"),
        (township, {"inspectors": " "}, ServiceError, "检查人员"),
        (township, {"scores": {**scores, first: ("99", "")}}, ServiceError, item.text),
        (
            township,
            {"scores": {k: v for k, v in scores.items() if k != first}},
            ServiceError,
            "打分",
        ),
        (township, {"scores": {**scores, 10**9: ("1", "")}}, ServiceError, "刷新页面"),
        (township, {"scores": {**scores, first: ("1", "x" * 301)}}, ServiceError, "最多300个字"),
    ]
    for actor, overrides, error, message in cases:
        data = {
            "institution": made,
            "inspected_on": TODAY(),
            "inspectors": "张三",
            "scores": scores,
            **overrides,
        }
        with pytest.raises(error, match=message or None):
            services.inspection_record(actor=actor, **data)
    assert not Inspection.objects.exists() and not InspectionScore.objects.exists()
    services.institution_change_status(
        actor=county, institution=made, status="closed", on=TODAY(), reason="停办"
    )
    with pytest.raises(ServiceError, match="已停业"):
        inspect(township, made)


def test_a_changed_checklist_keeps_old_inspections_as_they_were_scored(yongjing, township, county):
    made = institution(township, DAZHUANG)
    old = inspect(township, made, deduct={"safety": 5})
    before = list(old.scores.values_list("code", "text", "max_score", "score"))
    # The county rewords and rescores one item, retires another and adds a new one.
    safety = ChecklistItem.objects.get(code="safety")
    services.checklist_item_update(
        actor=county, item=safety, text="安全管理（新）", max_score="25", sort=30, active=True
    )
    records = ChecklistItem.objects.get(code="records")
    services.checklist_item_update(
        actor=county, item=records, text=records.text, max_score="7", sort=80, active=False
    )
    services.checklist_item_add(actor=county, code="emergency", text="应急演练", max_score="2")
    old.refresh_from_db()
    assert list(old.scores.values_list("code", "text", "max_score", "score")) == before
    assert (old.total, old.max_total) == (Decimal("95"), Decimal("100"))
    shown = selectors.inspection_detail(inspection=old)["scores"]
    assert [s.code for s in shown] == [row[0] for row in before]
    new = inspect(township, made, days_ago=1)
    codes = list(new.scores.values_list("code", flat=True))
    assert "records" not in codes and "emergency" in codes
    assert new.max_total == Decimal("100") - 7 + 5 + 2
    assert new.scores.get(code="safety").text == "安全管理（新）"


def test_only_the_county_sets_the_checklist(yongjing, township, county):
    item = ChecklistItem.objects.get(code="care")
    with pytest.raises(NotAllowed, match="县级"):
        services.checklist_item_add(actor=township, code="new_item", text="新项目", max_score="5")
    with pytest.raises(NotAllowed):
        services.checklist_item_update(
            actor=township, item=item, text="x", max_score="5", sort=1, active=True
        )
    for code, text, score, message in [
        ("Bad Code", "项目", "5", "代码"),
        ("care", "项目", "5", "已被其他检查项目使用"),
        ("okcode", "", "5", "检查内容"),
        ("okcode", "项目", "0", "1至100"),
        ("okcode", "项目", "101", "1至100"),
        ("okcode", "项目", "2.25", "一位小数"),
        ("okcode", "项目", "NaN", "1至100"),
    ]:
        with pytest.raises(ServiceError, match=message):
            services.checklist_item_add(actor=county, code=code, text=text, max_score=score)
    services.checklist_item_update(
        actor=county, item=item, text="保育照护", max_score="10", sort=60, active=True, version=1
    )
    with pytest.raises(Conflict):
        services.checklist_item_update(
            actor=county, item=item, text="又改", max_score="10", sort=60, active=True, version=1
        )
    assert ChecklistItem.objects.count() == 8


# --- problems -------------------------------------------------------------------------------------


def test_a_problem_is_rectified_by_the_area_and_closed_by_the_inspecting_level(yongjing, township):
    made = institution(township, DAZHUANG)
    found = problem(township, inspect(township, made))
    assert found.status == Problem.Status.OPEN and found.institution == made
    rectified(township, found)
    found.refresh_from_db()
    assert found.status == Problem.Status.SUBMITTED and found.rectified_on == TODAY()
    services.problem_close(actor=township, problem=found, note="复查合格", version=found.version)
    found.refresh_from_db()
    assert (found.status, found.closed_on) == (Problem.Status.CLOSED, TODAY())
    steps = list(found.steps.values_list("action", "by_association__code"))
    assert steps == [("rectified", LIUJIAXIA), ("closed", LIUJIAXIA)]
    actions = (
        AuditEvent.objects.filter(object_type="childcare.problem")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert list(actions) == ["create", "update", "update"]


def test_a_returned_rectification_goes_back_with_the_reason_and_a_new_deadline(yongjing, township):
    made = institution(township, DAZHUANG)
    found = rectified(township, problem(township, inspect(township, made)))
    with pytest.raises(ServiceError, match="退回原因"):
        services.problem_return(actor=township, problem=found, reason=" ")
    with pytest.raises(ServiceError, match="不能超过一年"):
        services.problem_return(actor=township, problem=found, reason="未到位", deadline=days(400))
    services.problem_return(actor=township, problem=found, reason="标识未设置", deadline=days(7))
    found.refresh_from_db()
    assert (found.status, found.deadline, found.rectified_on) == ("open", days(7), None)
    assert found.rectification == "已清理并设置标识"  # what was said stays, in the steps too
    assert found.steps.last().note == "标识未设置"
    with pytest.raises(ServiceError, match="只有已整改待复查"):
        services.problem_close(actor=township, problem=found)


def test_closing_needs_a_level_strictly_above_the_institution_or_the_county(
    yongjing, township, county
):
    # An institution registered at the township itself: the township inspects, records the
    # rectification, but cannot close its own problem; the county can.
    own = institution(township, LIUJIAXIA)
    found = rectified(township, problem(township, inspect(township, own)))
    with pytest.raises(NotAllowed, match="复查销号"):
        services.problem_close(actor=township, problem=found)
    with pytest.raises(NotAllowed):
        services.problem_return(actor=township, problem=found, reason="不行")
    services.problem_close(actor=county, problem=found)
    found.refresh_from_db()
    assert found.status == Problem.Status.CLOSED


def test_a_problem_the_county_found_is_verified_by_the_county(yongjing, township, county):
    made = institution(township, DAZHUANG)
    found = rectified(township, problem(county, inspect(county, made)))
    assert not services.may_verify(township, found)
    with pytest.raises(NotAllowed):
        services.problem_close(actor=township, problem=found)
    assert services.may_verify(county, found)


def test_problem_refusals(yongjing, township, township2, village):
    made = institution(township, DAZHUANG)
    done = inspect(township, made, days_ago=20)
    with pytest.raises(ServiceError, match="不能早于"):
        problem(township, done, deadline=days(-21))
    with pytest.raises(ServiceError, match="不能超过一年"):
        problem(township, done, deadline=days(360))
    with pytest.raises(ServiceError, match="问题描述"):
        services.problem_add(actor=township, inspection=done, description="", deadline=days(5))
    with pytest.raises(NotAllowed):
        problem(village, done)
    with pytest.raises(NotAllowed):
        problem(township2, done)
    found = problem(township, done)
    for actor, data, error, message in [
        (village, {}, NotAllowed, ""),
        (township2, {}, NotAllowed, ""),
        (township, {"rectification": "x"}, ServiceError, "整改情况"),
        (township, {"rectified_on": days(1)}, ServiceError, "不能晚于今天"),
        (township, {"rectified_on": days(-21)}, ServiceError, "不能早于检查日期"),
        (township, {"rectified_on": None}, ServiceError, "请填写整改完成日期"),
        (township, {"version": 5}, Conflict, ""),
    ]:
        kwargs = {"rectification": "已整改", "rectified_on": TODAY(), **data}
        with pytest.raises(error, match=message or None):
            services.problem_rectify(actor=actor, problem=found, **kwargs)
    found.refresh_from_db()
    assert found.status == "open" and found.version == 1 and not ProblemStep.objects.exists()
    with pytest.raises(ServiceError, match="只有已整改待复查"):
        services.problem_close(actor=township, problem=found)
    rectified(township, found)
    with pytest.raises(ServiceError, match="只有待整改"):
        rectified(township, found)
    with pytest.raises(ServiceError, match="不能早于整改完成日期"):
        services.problem_close(actor=township, problem=found, on=days(-1))
    with pytest.raises(NotAllowed):
        services.problem_close(actor=village, problem=found)


def test_overdue_problems_are_a_to_do_for_the_editors_in_scope(
    yongjing, township, township2, village, county
):
    made = institution(township, DAZHUANG)
    done = inspect(township, made)
    late = problem(township, done, deadline=days(3))
    waiting = rectified(township, problem(township, done, deadline=days(3)))
    assert not selectors.overdue_problems(user=township).exists()
    with time_machine.travel(days(5), tick=False):
        assert list(selectors.overdue_problems(user=township)) == [late]
        assert list(selectors.overdue_problems(user=county)) == [late]
        assert not selectors.overdue_problems(user=township2).exists()
        todo = next(t for t in todos_for(township) if t.key == "childcare.overdue")
        assert todo.count == 1 and todo.urgent and todo.url == "/childcare/problems/?state=overdue"
        assert "childcare.overdue" not in {t.key for t in todos_for(village)}  # read only
        assert "childcare.overdue" not in {t.key for t in todos_for(township2)}
    assert waiting.status == "submitted"  # waiting for verification is not overdue


# --- recommendations ------------------------------------------------------------------------------


def test_one_open_recommendation_per_institution_level_and_year(yongjing, township, county):
    made = institution(township, DAZHUANG)
    year = TODAY().year
    first = services.recommendation_create(
        actor=county, institution=made, year=year, level="prefecture", recommended_on=days(-10)
    )
    assert (first.association.code, first.recommended_by) == ("622923", county)
    with pytest.raises(ServiceError, match="待评审") as refused:
        services.recommendation_create(
            actor=township, institution=made, year=year, level="prefecture", recommended_on=TODAY()
        )
    assert refused.value.code == "duplicate"
    services.recommendation_create(
        actor=county, institution=made, year=year, level="province", recommended_on=TODAY()
    )
    services.recommendation_create(
        actor=county, institution=made, year=year - 1, level="prefecture", recommended_on=TODAY()
    )
    services.recommendation_decide(
        actor=county, recommendation=first, outcome="failed", outcome_on=days(-1)
    )
    again = services.recommendation_create(
        actor=county, institution=made, year=year, level="prefecture", recommended_on=TODAY()
    )
    services.recommendation_decide(
        actor=county, recommendation=again, outcome="named", outcome_on=TODAY(), note="州级示范"
    )
    with pytest.raises(ServiceError, match="已被命名"):
        services.recommendation_create(
            actor=county, institution=made, year=year, level="prefecture", recommended_on=TODAY()
        )
    again.refresh_from_db()
    assert (again.outcome, again.note) == ("named", "州级示范")
    assert Recommendation.objects.filter(outcome="pending").count() == 2


def test_recommendation_refusals(yongjing, township, township2, village):
    made = institution(township, DAZHUANG)
    planned = institution(
        township, DAZHUANG, status="planned", registration_number="", opened_on=None
    )
    base = {"institution": made, "year": TODAY().year, "level": "province"}
    base["recommended_on"] = TODAY()
    for actor, data, error, message in [
        (village, {}, NotAllowed, ""),
        (township2, {}, NotAllowed, ""),
        (township, {"institution": planned}, ServiceError, "运营中"),
        (township, {"year": 1999}, ServiceError, "年度应在2000"),
        (township, {"year": TODAY().year + 2}, ServiceError, "年度应在"),
        (township, {"year": wide("202") + "x"}, ServiceError, "四位数字"),
        (township, {"level": "nation"}, ServiceError, "推荐级别"),
        (township, {"recommended_on": days(1)}, ServiceError, "不能晚于今天"),
    ]:
        with pytest.raises(error, match=message or None):
            services.recommendation_create(actor=actor, **{**base, **data})
    assert not Recommendation.objects.exists()
    made_one = services.recommendation_create(actor=township, **base)
    for data, message in [
        ({"outcome": "pending"}, "已命名或未通过"),
        ({"outcome_on": days(-1)}, "不能早于推荐日期"),
        ({"outcome_on": days(1)}, "不能晚于今天"),
        ({"version": 9}, "已被他人修改"),
    ]:
        with pytest.raises(ServiceError, match=message):
            services.recommendation_decide(
                actor=township,
                recommendation=made_one,
                **{"outcome": "named", "outcome_on": TODAY(), **data},
            )
    with pytest.raises(NotAllowed):
        services.recommendation_decide(
            actor=township2, recommendation=made_one, outcome="named", outcome_on=TODAY()
        )
    services.recommendation_decide(
        actor=township, recommendation=made_one, outcome="named", outcome_on=TODAY()
    )
    with pytest.raises(ServiceError, match="已登记"):
        services.recommendation_decide(
            actor=township, recommendation=made_one, outcome="failed", outcome_on=TODAY()
        )


# --- reads ----------------------------------------------------------------------------------------


def test_figures_per_area_roll_up_to_the_children_of_the_area(
    yongjing, county, township, township2
):
    a = institution(township, DAZHUANG, capacity=80, places_used=60, inclusive=True)
    institution(township, LIUJIAXIA, capacity=20, places_used=5)
    institution(township, DAZHUANG, status="planned", registration_number="", opened_on=None)
    institution(township2, SHANGQUAN, capacity=30, inclusive=True)
    found = problem(township, inspect(township, a), deadline=days(1))
    rectified(township, problem(township, inspect(township, a)))
    with time_machine.travel(days(3), tick=False):
        whole = selectors.area_figures(user=county)
    t = whole.total
    assert (t.institutions, t.operating, t.planned) == (4, 3, 1)
    assert (t.capacity, t.places_used, t.inclusive, t.inclusive_capacity) == (130, 85, 2, 110)
    assert (t.open_problems, t.overdue_problems, t.inclusive_share) == (2, 1, 85)
    rows = {row.code: row for row in whole.rows}
    assert set(rows) == {LIUJIAXIA, YANGUOXIA}
    assert (rows[LIUJIAXIA].institutions, rows[LIUJIAXIA].capacity) == (3, 100)
    township_view = selectors.area_figures(user=township)
    assert township_view.total.institutions == 3
    assert {row.code for row in township_view.rows} == {DAZHUANG, LIUJIAXIA}  # village, itself
    assert township_view.rows[-1].code == LIUJIAXIA  # the area's own institutions come last
    chosen = selectors.area_figures(
        user=county, association=Association.objects.get(code=YANGUOXIA)
    )
    assert chosen.total.institutions == 1 and chosen.total.open_problems == 0
    assert found.status == "open"


def test_the_list_pages_by_keyset_in_each_sort_order(yongjing, township, township2):
    for n, (name, capacity) in enumerate([("丙园", 30), ("甲园", 30), ("乙园", 10), ("丁园", 50)]):
        institution(township, DAZHUANG, name=name, capacity=capacity, places_used=n)
    institution(township2, SHANGQUAN, name="外镇园")
    filters = selectors.InstitutionFilters()

    def walk(sort):
        page = selectors.institution_list(user=township, filters=filters, sort=sort, size=3)
        seen = [i.name for i in page.items]
        assert page.prev_cursor is None
        nxt = selectors.institution_list(
            user=township, filters=filters, sort=sort, size=3, after=page.next_cursor
        )
        back = selectors.institution_list(
            user=township, filters=filters, sort=sort, size=3, before=nxt.prev_cursor
        )
        assert [i.name for i in back.items] == seen
        return seen + [i.name for i in nxt.items]

    by_name = walk("name")
    assert by_name == sorted(by_name) and len(by_name) == 4 and "外镇园" not in by_name
    by_capacity = walk("capacity")
    assert [Institution.objects.get(name=n).capacity for n in by_capacity] == [50, 30, 30, 10]
    assert walk("recent") == ["丁园", "乙园", "甲园", "丙园"]
    assert len(walk("area")) == 4
    forged = selectors.institution_list(
        user=township, filters=filters, sort="name", size=3, after="99999"
    )
    assert [i.name for i in forged.items] == by_name[:3]  # an unknown cursor: the first page
    foreign = Institution.objects.get(name="外镇园")
    leak = selectors.institution_list(
        user=township, filters=filters, sort="name", size=3, after=str(foreign.pk)
    )
    assert [i.name for i in leak.items] == by_name[:3]  # another township's row: not a cursor


def test_the_list_filters(yongjing, township):
    a = institution(township, DAZHUANG, name="甲园", inclusive=True)
    institution(township, LIUJIAXIA, name="乙园", kind="hourly")
    institution(township, DAZHUANG, name="丙园", status="planned", registration_number="")
    problem(township, inspect(township, a))

    def names(**kwargs):
        filters = selectors.InstitutionFilters(**kwargs)
        page = selectors.institution_list(user=township, filters=filters, sort="name")
        return sorted(i.name for i in page.items)

    dazhuang = Association.objects.get(code=DAZHUANG)
    assert names() == ["丙园", "乙园", "甲园"]
    assert names(association=dazhuang) == ["丙园", "甲园"]
    assert names(status="planned") == ["丙园"]
    assert names(inclusive=True) == ["甲园"] and names(inclusive=False) == ["丙园", "乙园"]
    assert names(with_problems=True) == ["甲园"]
    assert names(kind="hourly") == ["乙园"]
    assert names(query="乙") == ["乙园"]
    page = selectors.institution_list(user=township, filters=selectors.InstitutionFilters())
    by_name = {i.name: i for i in page.items}
    assert by_name["甲园"].open_problems == 1 and by_name["乙园"].open_problems == 0
    assert by_name["甲园"].last_total == Decimal("100") and by_name["乙园"].last_total is None


def test_demo_data_loads_through_the_services(yongjing, county, township, township2):
    from fpa.childcare.demo import seed_childcare

    made = seed_childcare(county=county, townships={LIUJIAXIA: township, YANGUOXIA: township2})
    assert made["childcare_institutions"] == Institution.objects.count() == 6
    assert Problem.objects.filter(status="closed").count() == 1
    assert Problem.objects.filter(status="submitted").count() == 1
    assert selectors.overdue_problems(user=township).count() == 1
    assert Recommendation.objects.filter(outcome="pending", level="province").count() == 1
    assert Institution.objects.visible_to(township2).count() == 1


def test_a_village_staff_member_reads_the_village_only(yongjing, township):
    institution(township, DAZHUANG)
    institution(township, LIUJIAXIA)
    reader = make_user("reader", DAZHUANG, Role.VILLAGE_STAFF)
    assert reader.has_capability("childcare.view") and not reader.has_capability("childcare.edit")
    page = selectors.institution_list(user=reader, filters=selectors.InstitutionFilters())
    assert [i.association.code for i in page.items] == [DAZHUANG]
