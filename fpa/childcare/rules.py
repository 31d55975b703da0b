"""Pure rules of childcare supervision (no ORM): the registration numbers of an institution and
the scores of an inspection.

An institution is registered under its 统一社会信用代码 (GB 32100-2015: 18 characters of
"0123456789ABCDEFGHJKLMNPQRTUWXY", the 3rd to 8th the division code, the last a check character
computed as python-stdnum's `cn.uscc` does) or, where it has none yet, under the number of its
filing or licence (备案号/许可证号) as the health commission wrote it. What people type is folded
with NFKC first (full-width digits and letters become half-width, a full-width space a space);
a character that is still full-width after that (an ideographic comma or full stop …) is refused
with a message naming it, never silently dropped.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext

from fpa.core import uscc as core_uscc

CREDIT = "credit"
LICENCE = "licence"
CREDIT_LENGTH = 18
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
LICENCE_MIN, LICENCE_MAX = 4, 40
# Besides letters, digits and Chinese characters, what a filing number is written with: ASCII
# hyphens, brackets, slashes and stops, and the tortoise-shell brackets of document numbers
# (U+3014, U+3015: 甘托备字 [2023] 第001号 with those brackets).
LICENCE_MARKS = frozenset("-()[]/.\u3014\u3015")
MAX_SCORE = Decimal("100")  # of one checklist item
SCORE_STEP = Decimal("0.1")


class RuleError(ValueError):
    """Input that breaks a rule; the message is shown to users."""


def fold(raw: str) -> str:
    """NFKC, upper case, without the spaces and hyphens people type between groups."""
    value = unicodedata.normalize("NFKC", raw or "")
    return "".join(value.split()).upper()


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("F", "W")


def _ideograph(ch: str) -> bool:
    return unicodedata.category(ch) == "Lo" and "CJK" in unicodedata.name(ch, "")


def credit_code(raw: str) -> str:
    """A 统一社会信用代码 as stored, or RuleError with the reason (the one check, fpa.core.uscc)."""
    try:
        return core_uscc.parse(raw)
    except core_uscc.CreditCodeError as exc:
        raise RuleError(exc.message) from exc


def licence_number(raw: str) -> str:
    """A filing or licence number as stored: folded, no full-width punctuation, 4-40 characters."""
    value = "".join(unicodedata.normalize("NFKC", raw or "").split())
    for ch in value:
        if ch.isascii() and (ch.isalnum() or ch in LICENCE_MARKS):
            continue
        if _ideograph(ch) or ch in LICENCE_MARKS:
            continue
        if _wide(ch):
            raise RuleError(
                gettext("备案号或许可证号中有全角字符“%(ch)s”，请改为半角或删除。") % {"ch": ch}
            )
        raise RuleError(gettext("备案号或许可证号中不能有“%(ch)s”。") % {"ch": ch})
    if not LICENCE_MIN <= len(value) <= LICENCE_MAX:
        raise RuleError(
            gettext("备案号或许可证号应为%(min)d至%(max)d个字符。")
            % {"min": LICENCE_MIN, "max": LICENCE_MAX}
        )
    return value


def registration_number(kind: str, raw: str) -> str:
    """The number of the kind chosen (CREDIT or LICENCE), as stored; "" for an empty one."""
    if not (raw or "").strip():
        return ""
    if kind == CREDIT:
        return credit_code(raw)
    if kind == LICENCE:
        return licence_number(raw)
    raise RuleError(gettext("请选择登记号码的类型。"))


with_check_character = core_uscc.with_check_character


def score(raw: object, maximum: Decimal) -> Decimal:
    """One item's score: a number from 0 to the item's maximum, at most one decimal place."""
    text = unicodedata.normalize("NFKC", str(raw if raw is not None else "")).strip()
    if not text:
        raise RuleError(gettext("请填写得分。"))
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise RuleError(gettext("得分应为数字。")) from exc
    if not value.is_finite():
        raise RuleError(gettext("得分应为数字。"))
    if value < 0 or value > maximum:
        raise RuleError(gettext("得分应在0至%(max)s分之间。") % {"max": _plain(maximum)})
    if value != value.quantize(SCORE_STEP):
        raise RuleError(gettext("得分最多保留一位小数。"))
    return value.quantize(SCORE_STEP)


def _plain(value: Decimal) -> str:
    """12 rather than 12.0 in a message."""
    return format(value.normalize(), "f")


def score_text(total: Decimal, maximum: Decimal) -> str:
    """95.5/100: a total as people write it."""
    return f"{_plain(Decimal(total))}/{_plain(Decimal(maximum))}"
