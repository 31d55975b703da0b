"""The unified social credit code (统一社会信用代码, GB 32100-2015). Pure: no ORM.

18 characters from the alphabet "0123456789ABCDEFGHJKLMNPQRTUWXY" (no I, O, S, V, Z): the
registering authority (1), the kind of organisation (1), the division code of the registering
authority (6), the organisation code (9, itself with its own check character under GB 11714) and
one check character. The check character is computed over the first 17: each character's value
(its position in the alphabet) times the weight of its position (3^i mod 31: 1 3 9 27 19 26 16
17 20 29 25 13 8 24 10 30 28), summed; the check value is 31 minus the sum mod 31 (31 → 0), and
the check character is the alphabet's character of that value.

What people type is folded with NFKC first (full-width digits and letters become half-width; a
full-width space a space), upper-cased, and the spaces and hyphens between groups dropped. A
character still not ASCII after that is refused with a message that names it.
"""

from __future__ import annotations

import unicodedata

from django.utils.translation import gettext
from stdnum.cn import uscc as stdnum_uscc

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
LENGTH = 18
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class CreditCodeError(ValueError):
    """A code that breaks the standard; the message (Chinese) is shown to users. `code` is a
    short machine-readable reason for the API."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def fold(raw: str) -> str:
    """NFKC, upper case, without the spaces and hyphens people type between groups."""
    value = unicodedata.normalize("NFKC", raw or "").upper()
    return "".join(value.split()).replace("-", "")


def check_character(first17: str) -> str:
    """The check character of the first 17 characters (already in the alphabet), as
    python-stdnum computes it."""
    return str(stdnum_uscc.calc_check_digit(first17))


def with_check_character(first17: str) -> str:
    """A full code made from its first 17 characters (demo data and tests make them this way)."""
    return first17 + check_character(first17)


def parse(raw: str) -> str:
    """The code as stored (18 characters, half-width, upper case), or CreditCodeError naming
    what is wrong: the length, a character outside the alphabet, the division part, or the check
    character (with the one expected)."""
    value = fold(raw)
    foreign = next((ch for ch in value if not ch.isascii()), None)
    if foreign is not None:
        raise CreditCodeError(
            gettext("统一社会信用代码只能填写数字和大写字母，“%(ch)s”不是，请改正。")
            % {"ch": foreign},
            code="character",
        )
    if len(value) != LENGTH:
        raise CreditCodeError(
            gettext("统一社会信用代码应为18位，现为%(count)d位。") % {"count": len(value)},
            code="length",
        )
    bad = next((ch for ch in value if ch not in ALPHABET), None)
    if bad is not None:
        raise CreditCodeError(
            gettext("统一社会信用代码不使用字母I、O、S、V、Z，“%(ch)s”不符合，请核对。")
            % {"ch": bad},
            code="character",
        )
    if not value[2:8].isdigit():
        raise CreditCodeError(
            gettext("统一社会信用代码的第3至8位应为登记机关的行政区划代码（6位数字）。"),
            code="division",
        )
    expected = check_character(value[:17])
    if value[17] != expected:
        raise CreditCodeError(
            gettext(
                "统一社会信用代码的校验位（第18位）应为“%(expected)s”，现为“%(given)s”，"
                "请核对前17位和校验位。"
            )
            % {"expected": expected, "given": value[17]},
            code="check_character",
        )
    return value


def is_valid(raw: str) -> bool:
    try:
        parse(raw)
    except CreditCodeError:
        return False
    return True
