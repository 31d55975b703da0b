"""Parsing an amount of money typed by a person. Pure: no ORM.

Only plain half-width decimal notation with at most two decimals is money: `1e6`, `NaN`,
`Infinity`, `-0`, `0.001`, full-width digits and absurd sizes are refused with a Chinese
message, never rounded or guessed.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils.translation import gettext

MAXIMUM = Decimal("100000000.00")  # one hundred million yuan: far above any real entry
_PLAIN = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,2})?")


class AmountError(ValueError):
    pass


def parse_amount(raw: object) -> Decimal:
    """A positive amount in yuan with at most two decimals, or AmountError (中文说明)."""
    if isinstance(raw, Decimal):
        text = format(raw, "f") if raw.is_finite() else str(raw)
    else:
        text = str(raw if raw is not None else "").strip()
    if not text:
        raise AmountError(gettext("请填写金额。"))
    if len(text) > 20:
        raise AmountError(gettext("金额过大。"))
    if not text.isascii():
        raise AmountError(gettext("金额请使用半角数字（0-9），例如 1200.50。"))
    if text.startswith("-"):
        raise AmountError(gettext("金额必须大于 0。"))
    if re.fullmatch(r"[0-9]+\.[0-9]{3,}", text):
        raise AmountError(gettext("金额最多保留两位小数（精确到分）。"))
    if not _PLAIN.fullmatch(text):
        raise AmountError(gettext("金额格式不正确，请填写数字，例如 1200.50。"))
    amount = Decimal(text)
    if amount <= 0:
        raise AmountError(gettext("金额必须大于 0。"))
    if amount > MAXIMUM:
        raise AmountError(gettext("金额过大（单笔不得超过 1 亿元）。"))
    return amount.quantize(Decimal("0.01"))


DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = ["", "拾", "佰", "仟"]
GROUPS = ["", "万", "亿"]


def chinese_amount(amount: Decimal) -> str:
    """1200.50 -> 壹仟贰佰元伍角整 (the capital form written on financial receipts)."""
    fen = int((Decimal(amount) * 100).to_integral_value())
    yuan, jiao, cents = fen // 100, fen // 10 % 10, fen % 10
    text = _integer(yuan) + "元" if yuan else ""
    if jiao:
        text += DIGITS[jiao] + "角"
    elif yuan and cents:
        text += "零"
    if cents:
        text += DIGITS[cents] + "分"
    else:
        text += "整"
    return text or "零元整"


def _integer(number: int) -> str:
    groups = []
    while number:
        groups.append(number % 10000)
        number //= 10000
    out = ""
    zero = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            zero = bool(out)
            continue
        if zero or (out and group < 1000):
            out += "零"
        out += _group(group) + GROUPS[index]
        zero = False
    return out


def _group(number: int) -> str:
    out = ""
    zero = False
    for position in range(3, -1, -1):
        digit = number // 10**position % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += DIGITS[digit] + UNITS[position]
    return out
