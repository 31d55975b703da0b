"""Resident identity card numbers (GB 11643-1999). Pure rules, no ORM.

python-stdnum checks length, format, checksum (ISO 7064 MOD 11-2), calendar date and region.
What it lacks, and what this module adds: normalising what people really type (full-width digits,
spaces, a lowercase x), a clear message for the legacy 15-digit numbers, a birth date not in the
future and an age a living person can have.
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass

from stdnum.cn import ric
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)

MAX_AGE_YEARS = 120


class IdNumberError(ValueError):
    """A number that is not a valid 18-digit resident ID; the message is shown to users."""


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: datetime.date
    sex: str  # "M" or "F"

    @property
    def region_code(self) -> str:
        return self.value[:6]


def normalize(raw: str) -> str:
    """Full-width to half-width, drop spaces and hyphens, upper-case the check character."""
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(ch for ch in text if not ch.isspace() and ch != "-").upper()


def parse(raw: str, *, today: datetime.date | None = None) -> IdNumber:
    """Validate and return the number with its derived birth date and sex."""
    number = normalize(raw)
    today = today or datetime.date.today()
    if not number:
        raise IdNumberError("请填写身份证号码。")
    if len(number) == 15 and number.isdigit():
        raise IdNumberError("这是15位旧身份证号码，请填写现行的18位号码。")
    if len(number) != 18:
        raise IdNumberError(f"身份证号码应为18位，现为{len(number)}位。")
    if not (number[:17].isdigit() and (number[17].isdigit() or number[17] == "X")):
        raise IdNumberError("身份证号码只能由数字和末位的X组成。")
    try:
        ric.validate(number)
    except InvalidChecksum as exc:
        raise IdNumberError("身份证号码校验位不正确，请核对。") from exc
    except InvalidComponent as exc:
        raise IdNumberError(_component_message(number)) from exc
    except (InvalidLength, InvalidFormat, ValidationError) as exc:
        raise IdNumberError("身份证号码格式不正确。") from exc
    birth = ric.get_birth_date(number)
    if birth > today:
        raise IdNumberError("身份证号码中的出生日期晚于今天。")
    if _age(birth, today) > MAX_AGE_YEARS:
        raise IdNumberError(f"身份证号码中的出生日期（{birth:%Y-%m-%d}）不合理。")
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return IdNumber(value=number, birth_date=birth, sex=sex)


def _component_message(number: str) -> str:
    try:
        ric.get_birth_date(number)
    except (InvalidComponent, ValueError):
        return "身份证号码中的出生日期不存在。"
    return "身份证号码的地区码不存在。"


def _age(birth: datetime.date, today: datetime.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def check_character(first17: str) -> str:
    """The check character for 17 digits; used to build synthetic demo and test numbers."""
    return ric.calc_check_digit(first17 + "0")  # stdnum expects a placeholder check character


def synthesize(region: str, birth: datetime.date, sequence: int) -> str:
    """A valid synthetic number: region (6 digits), birth date, 3-digit sequence (odd = male)."""
    body = f"{region}{birth:%Y%m%d}{sequence % 1000:03d}"
    return body + check_character(body)
