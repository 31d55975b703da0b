"""The special-assistance payment (计划生育家庭特别扶助金): who qualifies and how much. Pure rules.

National conditions: the mother is 49 or older; the couple had or adopted one child only; that child
died, or is disabled at grade 1-3; no further child was born or adopted. The monthly amount per
person comes from a dated rate table per family kind (local rates may be above the national minimum
of 590 元 for bereaved and 460 元 for disabled-child families from 2022-07-01).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext

MOTHER_MIN_AGE = 49
MAX_QUALIFYING_GRADE = 3


@dataclass(frozen=True)
class Facts:
    kind: str  # "bereaved" | "disabled_child" | "complication"
    mother_birth: datetime.date | None
    one_child_only: bool
    later_child: bool
    child_died: bool
    disability_grade: int | None


@dataclass
class Decision:
    eligible: bool
    reasons: list[str] = field(default_factory=list)
    eligible_from: datetime.date | None = None
    monthly_amount: Decimal | None = None


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def birthday_at(birth: datetime.date, years: int) -> datetime.date:
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # 29 February
        return datetime.date(birth.year + years, 3, 1)


def rate_on(
    rates: Iterable[tuple[str, Decimal, datetime.date]], kind: str, day: datetime.date
) -> Decimal | None:
    """The amount in force on `day` for `kind`: the rate with the latest start not after `day`."""
    best: tuple[datetime.date, Decimal] | None = None
    for rate_kind, amount, valid_from in rates:
        if rate_kind == kind and valid_from <= day and (best is None or valid_from > best[0]):
            best = (valid_from, amount)
    return best[1] if best else None


def decide(
    facts: Facts, *, today: datetime.date, rates: Iterable[tuple[str, Decimal, datetime.date]] = ()
) -> Decision:
    reasons: list[str] = []
    if facts.kind == "complication":
        return Decision(False, [gettext("手术并发症家庭按并发症等级另行扶助，不适用特别扶助金。")])
    if facts.mother_birth is None:
        reasons.append(gettext("缺少母亲出生日期（请填写母亲身份证号码）。"))
    elif age_on(facts.mother_birth, today) < MOTHER_MIN_AGE:
        turns = birthday_at(facts.mother_birth, MOTHER_MIN_AGE)
        # Only the year: with the month or day, the masked ID number could be rebuilt.
        reasons.append(
            gettext("母亲未满%(age)s周岁（%(year)s年满）。")
            % {"age": MOTHER_MIN_AGE, "year": turns.year}
        )
    if not facts.one_child_only:
        reasons.append(gettext("不是只生育或收养一个子女。"))
    if facts.later_child:
        reasons.append(gettext("此后再生育或收养了子女。"))
    if facts.kind == "bereaved" and not facts.child_died:
        reasons.append(gettext("未登记子女死亡日期。"))
    if facts.kind == "disabled_child":
        grade = facts.disability_grade
        if grade is None or not 1 <= grade <= MAX_QUALIFYING_GRADE:
            reasons.append(gettext("子女残疾等级须为一至三级。"))
    eligible_from = birthday_at(facts.mother_birth, MOTHER_MIN_AGE) if facts.mother_birth else None
    if reasons:
        # Waiting only for the mother's 49th birthday is still worth showing as a date.
        return Decision(False, reasons, eligible_from=eligible_from)
    return Decision(
        True, [], eligible_from=eligible_from, monthly_amount=rate_on(rates, facts.kind, today)
    )
