"""The assessment's services: weights and points, phase order, who may score, frozen values,
appeals and the ranking. Set up through the real services."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from fpa.accounts.roles import Role
from fpa.assessment import rules, selectors, services
from fpa.assessment.models import Appeal, Indicator, Round, Score, Snapshot
from fpa.core.errors import Conflict, NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from tests.activities_helpers import held
from tests.assessment_helpers import (
    COUNTY,
    LIUJIAXIA,
    YANGUOXIA,
    advance,
    assoc,
    at_appeal,
    round_in,
    score_all,
)
from tests.assessment_helpers import scheme as make_scheme
from tests.conftest import DAZHUANG, make_user

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = datetime.datetime(2026, 12, 5, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _today() -> Any:
    with time_machine.travel(TODAY, tick=True):
        yield


# --- schemes --------------------------------------------------------------------------------------


def test_scheme_is_published_only_when_weights_add_up_to_100(county: Any) -> None:
    made = services.scheme_create(actor=county, county=assoc(COUNTY), year=2026, title="方案")
    services.indicator_save(
        actor=county, scheme=made, area="A", name="甲", weight=D(60), kind=Indicator.Kind.SCORED
    )
    with pytest.raises(ServiceError, match="合计应为100分，现为60"):
        services.scheme_publish(actor=county, scheme=made)
    made.refresh_from_db()
    assert not made.published


def test_an_indicator_added_without_a_position_comes_last(county: Any) -> None:
    """序号 is optional on the page: left blank, the new indicator follows the others (it was 1
    for every one of them, and the score sheet numbered them 1, 1, 1)."""
    made = services.scheme_create(actor=county, county=assoc(COUNTY), year=2026, title="方案")
    added = [
        services.indicator_save(
            actor=county, scheme=made, area="A", name=name, weight=D(10), kind="scored", **extra
        )
        for name, extra in (("甲", {}), ("乙", {"position": 5}), ("丙", {}))
    ]
    assert [i.position for i in added] == [1, 5, 6]
    changed = services.indicator_save(
        actor=county, scheme=made, indicator=added[0], version=added[0].version, name="甲一"
    )
    assert changed.position == 1  # an edit without a position keeps it


def test_indicator_weight_and_computed_key_are_checked(county: Any) -> None:
    made = services.scheme_create(actor=county, county=assoc(COUNTY), year=2026, title="方案")
    with pytest.raises(ServiceError, match="分值"):
        services.indicator_save(
            actor=county, scheme=made, area="A", name="甲", weight=D(0), kind="scored"
        )
    with pytest.raises(ServiceError, match="自动计算"):
        services.indicator_save(
            actor=county,
            scheme=made,
            area="A",
            name="甲",
            weight=D(10),
            kind="computed",
            computed_key="no.such",
        )
    assert not made.indicators.exists()


def test_township_cannot_make_a_scheme(township: Any) -> None:
    with pytest.raises(NotAllowed):
        services.scheme_create(actor=township, county=assoc(COUNTY), year=2026, title="方案")


def test_indicators_are_fixed_once_a_round_starts(county: Any) -> None:
    made, indicators = make_scheme(county)
    advance(county, round_in(county, made))
    with pytest.raises(ServiceError, match="不能再修改"):
        services.indicator_save(
            actor=county, scheme=made, indicator=indicators[0], name="改名", weight=D(30)
        )


def test_stale_indicator_edit_is_refused(county: Any) -> None:
    made = services.scheme_create(actor=county, county=assoc(COUNTY), year=2026, title="方案")
    item = services.indicator_save(
        actor=county, scheme=made, area="A", name="甲", weight=D(10), kind="scored"
    )
    services.indicator_save(actor=county, scheme=made, indicator=item, version=1, name="乙")
    with pytest.raises(Conflict):
        services.indicator_save(actor=county, scheme=made, indicator=item, version=1, name="丙")
    item.refresh_from_db()
    assert item.name == "乙"


# --- phases ---------------------------------------------------------------------------------------


def test_self_assessment_only_in_its_phase(county: Any, township: Any) -> None:
    made, indicators = make_scheme(county)
    round_ = round_in(county, made)
    with pytest.raises(ServiceError, match="自评阶段"):
        services.self_assess(
            actor=township,
            round_=round_,
            indicator=indicators[0],
            township=assoc(LIUJIAXIA),
            score=20,
            note="已完成",
        )
    round_ = advance(county, round_)
    row = services.self_assess(
        actor=township,
        round_=round_,
        indicator=indicators[0],
        township=assoc(LIUJIAXIA),
        score="25.5",
        note="已完成，见会议记录",
    )
    assert row.self_score == D("25.5")
    assert AuditEvent.objects.filter(object_type="assessment.score", object_id=str(row.pk)).exists()


def test_no_scoring_before_self_assessment_closes(county: Any) -> None:
    made, indicators = make_scheme(county)
    round_ = advance(county, round_in(county, made))  # self-assessment
    with pytest.raises(ServiceError, match="乡镇自评结束后"):
        services.score_give(
            actor=county,
            round_=round_,
            indicator=indicators[0],
            township=assoc(LIUJIAXIA),
            score=20,
            note="",
        )
    assert not Score.objects.filter(score__isnull=False).exists()


def test_no_appeal_outside_the_window(county: Any, township: Any) -> None:
    made, indicators = make_scheme(county)
    round_ = advance(county, round_in(county, made), 2)
    score_all(county, round_, indicators, {})
    services.round_freeze(actor=county, round_=round_)
    round_ = advance(county, round_)  # preliminary
    with pytest.raises(ServiceError, match="申诉期"):
        services.appeal_file(
            actor=township,
            round_=round_,
            indicator=indicators[0],
            township=assoc(LIUJIAXIA),
            reason="理由",
        )
    round_ = advance(county, round_, 2)  # appeal window, then final
    with pytest.raises(ServiceError, match="申诉期"):
        services.appeal_file(
            actor=township,
            round_=round_,
            indicator=indicators[0],
            township=assoc(LIUJIAXIA),
            reason="理由",
        )
    assert not Appeal.objects.exists()


def test_preliminary_results_need_every_score_and_the_frozen_values(county: Any) -> None:
    made, indicators = make_scheme(county)
    round_ = advance(county, round_in(county, made), 2)
    with pytest.raises(ServiceError, match="未评分"):
        advance(county, round_)
    score_all(county, round_, indicators, {})
    with pytest.raises(ServiceError, match="冻结"):
        advance(county, round_)
    services.round_freeze(actor=county, round_=round_)
    assert advance(county, round_).phase == Round.Phase.PRELIMINARY


def test_cannot_freeze_before_the_cutoff(county: Any) -> None:
    made, _ = make_scheme(county)
    round_ = round_in(county, made, cutoff=datetime.date(2026, 12, 31))
    with pytest.raises(ServiceError, match="截止日期之后"):
        services.round_freeze(actor=county, round_=round_)


# --- who scores -----------------------------------------------------------------------------------


def test_scorer_cannot_score_own_township(county: Any) -> None:
    # given a county administrator account whose home is a township
    insider = make_user("insider", LIUJIAXIA, Role.COUNTY_ADMIN)
    made, indicators = make_scheme(county)
    round_ = advance(county, round_in(county, made), 2)
    # when it scores its own township, then it is refused
    with pytest.raises(NotAllowed, match="本乡镇"):
        services.score_give(
            actor=insider,
            round_=round_,
            indicator=indicators[1],
            township=assoc(LIUJIAXIA),
            score=30,
            note="",
        )
    assert not Score.objects.exists()


def test_only_the_assigned_scorer_scores(county: Any) -> None:
    other = make_user("scorer2", COUNTY, Role.COUNTY_ADMIN)
    made, indicators = make_scheme(county, scorer=other)
    round_ = advance(county, round_in(county, made), 2)
    with pytest.raises(NotAllowed, match="评分人"):
        services.score_give(
            actor=county,
            round_=round_,
            indicator=indicators[0],
            township=assoc(LIUJIAXIA),
            score=20,
            note="",
        )
    row = services.score_give(
        actor=other,
        round_=round_,
        indicator=indicators[0],
        township=assoc(LIUJIAXIA),
        score=20,
        note="",
    )
    assert row.score == 20


def test_score_above_the_weight_is_refused(county: Any) -> None:
    made, indicators = make_scheme(county)
    round_ = advance(county, round_in(county, made), 2)
    with pytest.raises(ServiceError, match="0至30"):
        services.score_give(
            actor=county,
            round_=round_,
            indicator=indicators[0],
            township=assoc(LIUJIAXIA),
            score="30.5",
            note="",
        )


def test_township_cannot_self_assess_another_township(county: Any, township2: Any) -> None:
    made, indicators = make_scheme(county)
    round_ = advance(county, round_in(county, made))
    with pytest.raises(NotAllowed):
        services.self_assess(
            actor=township2,
            round_=round_,
            indicator=indicators[0],
            township=assoc(LIUJIAXIA),
            score=20,
            note="冒名自评",
        )
    assert not Score.objects.exists()


# --- frozen values --------------------------------------------------------------------------------


def test_snapshot_does_not_move_when_records_change_after_freezing(county: Any) -> None:
    # given a round frozen at its cut-off with one activity held in 刘家峡镇
    held(county, DAZHUANG, days=-20)
    made, _indicators = make_scheme(county)
    round_ = advance(county, round_in(county, made), 2)
    services.round_freeze(actor=county, round_=round_)
    frozen = Snapshot.objects.get(round=round_, association=assoc(LIUJIAXIA))
    assert frozen.numerator == 1
    # when another activity dated before the cut-off is recorded afterwards
    held(county, DAZHUANG, days=-15)
    # then the frozen value stays and the live value moves
    sheet = selectors.sheet(user=county, round_=round_, township=assoc(LIUJIAXIA), live=True)
    line = next(line for line in sheet.lines if line.indicator.computed)
    assert line.snapshot is not None and line.snapshot.numerator == 1
    assert line.snapshot.value == frozen.value
    assert line.live is not None and line.live.numerator == 2
    assert line.live.value > frozen.value
    assert line.points == rules.points_for(frozen.value, target=D(2), weight=D(30))
    assert line.live_points is not None and line.live_points > (line.points or 0)


def test_frozen_values_are_final_once_results_are_published(county: Any) -> None:
    made, indicators = make_scheme(county)
    round_ = advance(county, round_in(county, made), 2)
    score_all(county, round_, indicators, {})
    services.round_freeze(actor=county, round_=round_)
    round_ = advance(county, round_)
    with pytest.raises(ServiceError, match="不能再改变"):
        services.round_freeze(actor=county, round_=round_)


# --- appeals and results --------------------------------------------------------------------------


def test_appeal_changes_the_score_and_keeps_the_reason(county: Any, township: Any) -> None:
    round_, indicators = at_appeal(county)
    appeal = services.appeal_file(
        actor=township,
        round_=round_,
        indicator=indicators[0],
        township=assoc(LIUJIAXIA),
        reason="已按期换届，附换届文件",
    )
    assert appeal.score_before == 20
    answered = services.appeal_answer(
        actor=county, appeal=appeal, answer="核实属实，调整为28分", new_score="28", version=1
    )
    assert answered.status == Appeal.Status.CHANGED
    assert answered.score_before == 20 and answered.score_after == 28
    row = Score.objects.get(round=round_, indicator=indicators[0], association=assoc(LIUJIAXIA))
    assert row.score == 28
    assert "核实属实" in row.score_note
    assert AuditEvent.objects.filter(object_type="assessment.appeal").count() == 2


def test_appeal_answer_without_new_score_keeps_it(county: Any, township: Any) -> None:
    round_, indicators = at_appeal(county)
    appeal = services.appeal_file(
        actor=township,
        round_=round_,
        indicator=indicators[1],
        township=assoc(LIUJIAXIA),
        reason="理由",
    )
    answered = services.appeal_answer(actor=county, appeal=appeal, answer="经复核维持原分")
    assert answered.status == Appeal.Status.KEPT and answered.score_after == 20
    with pytest.raises(ServiceError, match="已答复"):
        services.appeal_answer(actor=county, appeal=appeal, answer="再答复")


def test_final_results_wait_for_every_answer(county: Any, township: Any) -> None:
    round_, indicators = at_appeal(county)
    appeal = services.appeal_file(
        actor=township,
        round_=round_,
        indicator=indicators[0],
        township=assoc(LIUJIAXIA),
        reason="理由",
    )
    with pytest.raises(ServiceError, match="未答复"):
        advance(county, round_)
    services.appeal_answer(actor=county, appeal=appeal, answer="维持")
    assert advance(county, round_).phase == Round.Phase.FINAL


def test_township_cannot_appeal_for_another_township(county: Any, township2: Any) -> None:
    round_, indicators = at_appeal(county)
    with pytest.raises(NotAllowed):
        services.appeal_file(
            actor=township2,
            round_=round_,
            indicator=indicators[0],
            township=assoc(LIUJIAXIA),
            reason="理由",
        )


def test_totals_and_ranking_with_ties(county: Any) -> None:
    round_, _indicators = at_appeal(county)
    everyone = services.townships_of(assoc(COUNTY))
    results = selectors.results(round_=round_, townships=everyone)
    by_code = {r.township.code: r for r in results}
    # two scored indicators at 25 each, no activities: 50 points, first
    assert by_code[YANGUOXIA].total == D(50) and by_code[YANGUOXIA].rank == 1
    # the others at 10 + 10 share the second rank; 刘家峡镇 (20 + 20) comes before them
    assert by_code[LIUJIAXIA].total == D(40) and by_code[LIUJIAXIA].rank == 2
    others = [r for r in results if r.township.code not in (LIUJIAXIA, YANGUOXIA)]
    assert others and {r.rank for r in others} == {3}
    assert {r.total for r in others} == {D(20)}
