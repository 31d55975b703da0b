"""The assessment's pure rules: points of a computed value, phase order, weights, ranking."""

from __future__ import annotations

from decimal import Decimal

from fpa.assessment import rules

D = Decimal


def test_full_points_at_or_above_target() -> None:
    assert rules.points_for(D(95), target=D(95), weight=D(15)) == D("15.00")
    assert rules.points_for(D(120), target=D(95), weight=D(15)) == D("15.00")


def test_linear_below_target() -> None:
    assert rules.points_for(D(76), target=D(95), weight=D(15)) == D("12.00")
    assert rules.points_for(D(1), target=D(3), weight=D(10)) == D("3.33")
    assert rules.points_for(D(0), target=D(3), weight=D(10)) == D("0.00")


def test_no_value_no_points() -> None:
    assert rules.points_for(None, target=D(1), weight=D(10)) == 0


def test_ratio_without_denominator_is_zero() -> None:
    assert rules.ratio(D(5), D(0)) == 0
    assert rules.ratio(D(1), D(3), per=D(100)) == D("33.33")


def test_phases_only_move_forward_one_at_a_time() -> None:
    assert rules.next_phase(rules.OPEN) == rules.SELF
    assert rules.next_phase(rules.SELF) == rules.SCORING
    assert rules.next_phase(rules.SCORING) == rules.PRELIMINARY
    assert rules.next_phase(rules.PRELIMINARY) == rules.APPEAL
    assert rules.next_phase(rules.APPEAL) == rules.FINAL
    assert rules.next_phase(rules.FINAL) is None


def test_weights_must_add_up_to_100() -> None:
    assert rules.weights_problem([D(30), D(70)]) is None
    assert "99" in (rules.weights_problem([D(30), D(69)]) or "")


def test_score_must_lie_within_the_weight() -> None:
    assert rules.score_problem(D(10), D(10)) is None
    assert rules.score_problem(D("10.01"), D(10))
    assert rules.score_problem(D(-1), D(10))
    assert rules.score_problem(D("1.005"), D(10))
    assert rules.score_problem(None, D(10))


def test_ranking_ties_share_a_rank_and_the_next_skips() -> None:
    ranked = rules.ranking([("b", D(90)), ("a", D(95)), ("c", D(90)), ("d", D(80))])
    assert ranked == [(1, "a", D(95)), (2, "b", D(90)), (2, "c", D(90)), (4, "d", D(80))]
