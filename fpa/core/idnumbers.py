"""Resident identity card numbers (GB 11643-1999). Pure rules, no ORM.

python-stdnum gives the division database. What this module adds: normalising what people really
type (full-width digits, spaces, a lowercase x), a clear message for the legacy 15-digit numbers,
a birth date not in the future, an age a living person can have, and a region check on the
province only (see `_known_province`).

The check character (ISO 7064 MOD 11-2) and the birth date are computed here rather than with
stdnum's `calc_check_digit` and `get_birth_date`, which clean the number character by character
again: an import parses one number per row, and this keeps a parse at a few microseconds.
"""

from __future__ import annotations

import datetime
import functools
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext

from fpa.core import clock

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
    raw = raw or ""
    if raw.isascii() and raw.isalnum():
        return raw.upper()  # what is typed or exported: nothing to fold or drop
    # str.split() splits on exactly the characters for which str.isspace() is true.
    return "".join(unicodedata.normalize("NFKC", raw).split()).replace("-", "").upper()


def parse(raw: str, *, today: datetime.date | None = None) -> IdNumber:
    """Validate and return the number with its derived birth date and sex."""
    number = normalize(raw)
    if not number:
        raise IdNumberError(gettext("请填写身份证号码。"))
    if len(number) == 15 and number.isdigit():
        raise IdNumberError(gettext("这是15位旧身份证号码，请填写现行的18位号码。"))
    if len(number) != 18:
        raise IdNumberError(
            gettext("身份证号码应为18位，现为%(length)s位。") % {"length": len(number)}
        )
    if not (number[:17].isdigit() and (number[17].isdigit() or number[17] == "X")):
        raise IdNumberError(gettext("身份证号码只能由数字和末位的X组成。"))
    if check_character(number[:17]) != number[17]:
        raise IdNumberError(gettext("身份证号码校验位不正确，请核对。"))
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise IdNumberError(gettext("身份证号码中的出生日期不存在。")) from exc
    if not _known_province(number[:6]):
        raise IdNumberError(gettext("身份证号码的地区码不存在。"))
    _check_birth(birth, today)
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return IdNumber(value=number, birth_date=birth, sex=sex)


def _check_birth(birth: datetime.date, today: datetime.date | None) -> None:
    """Not after today, and an age a living person can have. Without `today`, the local date is
    looked up only for a birth date near one of those limits (see `fpa.core.clock`)."""
    if today is None:
        earliest, latest = clock.today_bounds()
        if birth <= earliest and _age(birth, latest) <= MAX_AGE_YEARS:
            return
        today = clock.local_today()
    if birth > today:
        raise IdNumberError(gettext("身份证号码中的出生日期晚于今天。"))
    if _age(birth, today) > MAX_AGE_YEARS:
        raise IdNumberError(
            gettext("身份证号码中的出生日期（%(birth)s）不合理。") % {"birth": f"{birth:%Y-%m-%d}"}
        )


@functools.lru_cache(maxsize=8192)
def _known_province(region: str) -> bool:
    """The first two digits of a 6-digit region code name a province in stdnum's division
    database (cached by region code: a lookup costs ~0.3 ms, and there are a few thousand codes).

    stdnum's own `validate` also demands that the 6-digit county code existed in the holder's
    birth year, which refuses genuine numbers (codes are assigned when the ID is issued, and keep
    old or newer county codes), and raises KeyError on some development-zone codes; so the county
    is not checked here, only the province.
    """
    from stdnum import numdb

    try:
        parts = numdb.get("cn/loc").info(region)
    except (KeyError, ValueError):
        return False
    return any("province" in props for _, props in parts)


def _age(birth: datetime.date, today: datetime.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for 17 digits.

    The weights 2**(17-i) mod 11 are the powers of 13 mod 11, so the weighted sum is the digits
    read as a base-13 number (one C call). ValueError for a character that is not a digit."""
    checksum = (1 - 2 * int(first17, 13)) % 11
    return "X" if checksum == 10 else str(checksum)


def synthesize(region: str, birth: datetime.date, sequence: int) -> str:
    """A valid synthetic number: region (6 digits), birth date, 3-digit sequence (odd = male)."""
    body = f"{region}{birth:%Y%m%d}{sequence % 1000:03d}"
    return body + check_character(body)
