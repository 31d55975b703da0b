"""Pure rules of insurance, no ORM: ages, policy dates, premium shares, an enrolment rule and the
reasons a person is left out of it."""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

SOURCES = (
    ("parents", _("特殊家庭父母")),
    ("people", _("特殊家庭全部成员")),
    ("members", _("会员")),
    ("volunteers", _("志愿者")),
)
SOURCE_CODES = frozenset(code for code, _label in SOURCES)

# Why a person the rule selects is not added (the preview's "left out" column).
LEFT_OUT = {
    "no_id": _("没有身份证号码"),
    "no_birth": _("没有出生日期，无法判断年龄"),
    "age": _("不在产品的投保年龄内"),
    "deceased": _("已亡故"),
    "removed": _("本年度已退保（如需重新参保请逐人办理）"),
}


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def born_on_or_before(day: datetime.date, years: int) -> datetime.date:
    """The last birth date of someone aged at least `years` on `day` (29 Feb falls to 28)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def policy_dates(year: int, month: int, day: int) -> tuple[datetime.date, datetime.date]:
    """One year from the product's start day in `year`, to the day before the next start."""
    start = datetime.date(year, month, day)
    try:
        following = start.replace(year=year + 1)
    except ValueError:
        following = datetime.date(year + 1, 3, 1)
    return start, following - datetime.timedelta(days=1)


def shares_match(premium: Decimal, *shares: Decimal) -> bool:
    return all(s >= 0 for s in shares) and sum(shares, Decimal(0)) == premium


@dataclass(frozen=True)
class Rule:
    """Who an enrolment by rule selects. Ages are at the policy start; `area` is the code of an
    association whose subtree the people come from."""

    source: str = "parents"
    area: str = ""
    active_only: bool = True
    family_kind: str = ""
    member_kind: str = ""
    sex: str = ""
    age_min: int | None = None
    age_max: int | None = None

    def as_params(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_params(cls, data: dict[str, Any]) -> Rule:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


def left_out_reason(
    *,
    has_id: bool,
    birth: datetime.date | None,
    deceased: bool,
    removed: bool,
    start: datetime.date,
    min_age: int | None,
    max_age: int | None,
) -> str:
    """The first reason (a LEFT_OUT key) why a selected person is not enrolled, or ""."""
    if removed:
        return "removed"
    if deceased:
        return "deceased"
    if not has_id:
        return "no_id"
    if min_age is not None or max_age is not None:
        if birth is None:
            return "no_birth"
        age = age_on(birth, start)
        if (min_age is not None and age < min_age) or (max_age is not None and age > max_age):
            return "age"
    return ""
