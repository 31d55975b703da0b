"""The special-assistance payment rules (fpa.families.eligibility): pure, no database."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fpa.families.eligibility import (
    MOTHER_MIN_AGE,
    Facts,
    age_on,
    birthday_at,
    decide,
    rate_on,
)

NATIONAL = [
    ("bereaved", Decimal("590.00"), datetime.date(2022, 7, 1)),
    ("disabled_child", Decimal("460.00"), datetime.date(2022, 7, 1)),
]
MOTHER = datetime.date(1975, 6, 15)
TURNS_49 = datetime.date(2024, 6, 15)


def facts(**overrides: object) -> Facts:
    data: dict[str, object] = {
        "kind": "bereaved",
        "mother_birth": MOTHER,
        "one_child_only": True,
        "later_child": False,
        "child_died": True,
        "disability_grade": None,
    }
    data.update(overrides)
    return Facts(**data)  # type: ignore[arg-type]


# --- the mother's age ---------------------------------------------------------------------------


def test_mother_exactly_49_today_is_eligible():
    decision = decide(facts(), today=TURNS_49, rates=NATIONAL)
    assert decision.eligible
    assert decision.reasons == []
    assert decision.eligible_from == TURNS_49
    assert decision.monthly_amount == Decimal("590.00")


def test_the_day_before_her_49th_birthday_is_not_eligible():
    decision = decide(facts(), today=TURNS_49 - datetime.timedelta(days=1), rates=NATIONAL)
    assert not decision.eligible
    assert decision.reasons == [f"母亲未满{MOTHER_MIN_AGE}周岁（2024年满）。"]
    assert decision.eligible_from == TURNS_49  # still shown as the date to wait for
    assert decision.monthly_amount is None


def test_missing_mother_birth_date_is_a_reason():
    decision = decide(facts(mother_birth=None), today=TURNS_49, rates=NATIONAL)
    assert not decision.eligible
    assert decision.reasons == ["缺少母亲出生日期（请填写母亲身份证号码）。"]
    assert decision.eligible_from is None


@pytest.mark.parametrize(
    ("today", "eligible"),
    [
        (datetime.date(2025, 2, 28), False),
        (datetime.date(2025, 3, 1), True),
        (datetime.date(2026, 2, 28), True),
    ],
)
def test_29_february_birthday_turns_49_on_1_march(today, eligible):
    leap = datetime.date(1976, 2, 29)
    decision = decide(facts(mother_birth=leap), today=today, rates=NATIONAL)
    assert decision.eligible is eligible
    assert decision.eligible_from == datetime.date(2025, 3, 1)


def test_29_february_in_a_leap_target_year_stays_on_29_february():
    assert birthday_at(datetime.date(1976, 2, 29), 48) == datetime.date(2024, 2, 29)
    assert birthday_at(datetime.date(1976, 2, 29), 49) == datetime.date(2025, 3, 1)
    assert age_on(datetime.date(1976, 2, 29), datetime.date(2024, 2, 28)) == 47
    assert age_on(datetime.date(1976, 2, 29), datetime.date(2024, 2, 29)) == 48


# --- the children ---------------------------------------------------------------------------------


def test_more_than_one_child_is_not_eligible():
    decision = decide(facts(one_child_only=False), today=TURNS_49, rates=NATIONAL)
    assert not decision.eligible
    assert decision.reasons == ["不是只生育或收养一个子女。"]


def test_a_later_child_is_not_eligible():
    decision = decide(facts(later_child=True), today=TURNS_49, rates=NATIONAL)
    assert not decision.eligible
    assert decision.reasons == ["此后再生育或收养了子女。"]


def test_bereaved_family_needs_the_child_death_date():
    decision = decide(facts(child_died=False), today=TURNS_49, rates=NATIONAL)
    assert not decision.eligible
    assert decision.reasons == ["未登记子女死亡日期。"]


def test_every_reason_is_listed_at_once():
    decision = decide(
        facts(one_child_only=False, later_child=True, child_died=False),
        today=TURNS_49 - datetime.timedelta(days=1),
        rates=NATIONAL,
    )
    assert len(decision.reasons) == 4


@pytest.mark.parametrize(("grade", "eligible"), [(1, True), (2, True), (3, True), (4, False)])
def test_disabled_child_grades_one_to_three_qualify(grade, eligible):
    decision = decide(
        facts(kind="disabled_child", child_died=False, disability_grade=grade),
        today=TURNS_49,
        rates=NATIONAL,
    )
    assert decision.eligible is eligible
    if eligible:
        assert decision.monthly_amount == Decimal("460.00")
    else:
        assert decision.reasons == ["子女残疾等级须为一至三级。"]


def test_disabled_child_without_a_grade_is_not_eligible():
    decision = decide(
        facts(kind="disabled_child", child_died=False, disability_grade=None),
        today=TURNS_49,
        rates=NATIONAL,
    )
    assert decision.reasons == ["子女残疾等级须为一至三级。"]


def test_complication_families_are_not_applicable():
    decision = decide(facts(kind="complication"), today=TURNS_49, rates=NATIONAL)
    assert not decision.eligible
    assert decision.reasons == ["手术并发症家庭按并发症等级另行扶助，不适用特别扶助金。"]
    assert decision.monthly_amount is None


# --- the dated rate table -------------------------------------------------------------------------

LOCAL = [*NATIONAL, ("bereaved", Decimal("800.00"), datetime.date(2024, 1, 1))]


@pytest.mark.parametrize(
    ("day", "amount"),
    [
        (datetime.date(2022, 6, 30), None),
        (datetime.date(2022, 7, 1), Decimal("590.00")),
        (datetime.date(2023, 12, 31), Decimal("590.00")),
        (datetime.date(2024, 1, 1), Decimal("800.00")),
        (datetime.date(2030, 1, 1), Decimal("800.00")),
    ],
)
def test_the_latest_rate_not_after_today_applies(day, amount):
    assert rate_on(LOCAL, "bereaved", day) == amount
    assert rate_on(list(reversed(LOCAL)), "bereaved", day) == amount  # order does not matter


def test_a_local_rate_of_one_kind_leaves_the_other_kind_alone():
    assert rate_on(LOCAL, "disabled_child", datetime.date(2024, 6, 1)) == Decimal("460.00")
    assert rate_on(LOCAL, "complication", datetime.date(2024, 6, 1)) is None


def test_the_decision_uses_the_local_rate_in_force():
    assert decide(facts(), today=TURNS_49, rates=LOCAL).monthly_amount == Decimal("800.00")
    older = decide(facts(mother_birth=datetime.date(1970, 1, 1)), today=datetime.date(2023, 5, 1))
    assert older.eligible
    assert older.monthly_amount is None  # no rate table given: eligible, amount unknown
    assert decide(
        facts(mother_birth=datetime.date(1970, 1, 1)),
        today=datetime.date(2023, 5, 1),
        rates=LOCAL,
    ).monthly_amount == Decimal("590.00")


# --- properties -----------------------------------------------------------------------------------

dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31))
all_facts = st.builds(
    Facts,
    kind=st.sampled_from(["bereaved", "disabled_child", "complication"]),
    mother_birth=st.none() | st.dates(datetime.date(1900, 1, 1), datetime.date(2060, 12, 31)),
    one_child_only=st.booleans(),
    later_child=st.booleans(),
    child_died=st.booleans(),
    disability_grade=st.none() | st.integers(min_value=0, max_value=6),
)


@settings(max_examples=400, deadline=None)
@given(all_facts, dates, st.integers(min_value=0, max_value=40000))
def test_eligibility_never_flips_back_as_today_advances(case, today, days_later):
    later = today + datetime.timedelta(days=days_later)
    if decide(case, today=today, rates=NATIONAL).eligible:
        assert decide(case, today=later, rates=NATIONAL).eligible


@settings(max_examples=400, deadline=None)
@given(dates, dates)
def test_eligible_exactly_from_the_49th_birthday(birth, today):
    decision = decide(facts(mother_birth=birth), today=today, rates=NATIONAL)
    assert decision.eligible_from == birthday_at(birth, MOTHER_MIN_AGE)
    assert decision.eligible is (today >= decision.eligible_from)
    assert decision.eligible is (age_on(birth, today) >= MOTHER_MIN_AGE)
