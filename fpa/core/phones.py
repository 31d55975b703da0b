"""Phone numbers as people type them in China. Pure rules, no ORM."""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
# Beijing (010) and the 02x cities have three-digit area codes; every other area code has four.
THREE_DIGIT_AREAS = ("010", "02")


class PhoneError(ValueError):
    """Not a mainland mobile or landline number; the message is shown to users."""


def normalize(raw: str) -> str:
    """Full-width to half-width, no country code, only the digits and hyphens."""
    raw = raw or ""
    if raw.isascii() and raw.isdigit():
        return raw  # what is typed or exported: nothing to fold or drop
    text = unicodedata.normalize("NFKC", raw).strip()
    if text.startswith("+86"):
        text = text[3:]
    return "".join(ch for ch in text if ch.isdigit() or ch == "-").strip("-")


def parse(raw: str) -> str:
    number = normalize(raw)
    if not number:
        raise PhoneError(gettext("请填写电话号码。"))
    digits = number.replace("-", "")
    if MOBILE.match(digits):
        return digits
    if LANDLINE.match(number) or LANDLINE.match(digits):
        # One canonical form however it was typed, so that the search hash finds it.
        area = area_code_length(digits)
        if 7 <= len(digits) - area <= 8:
            return f"{digits[:area]}-{digits[area:]}"
    raise PhoneError(
        gettext("电话号码格式不正确：手机号为1开头的11位数字，座机为区号加7至8位号码。")
    )


def area_code_length(digits: str) -> int:
    return 3 if digits.startswith(THREE_DIGIT_AREAS) else 4
