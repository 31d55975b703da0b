"""Parsing an amount of money typed by a person. Pure: no ORM.

Only plain half-width decimal notation with at most two decimals is money: `1e6`, `NaN`,
`Infinity`, `-0`, `0.001`, full-width digits (１２３) and absurd sizes are refused with a Chinese
message, never rounded or guessed.
"""

from __future__ import annotations

import re
from decimal import Decimal

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
        raise AmountError("请填写金额。")
    if len(text) > 20:
        raise AmountError("金额过大。")
    if not text.isascii():
        raise AmountError("金额请使用半角数字（0-9），例如 1200.50。")
    if text.startswith("-"):
        raise AmountError("金额必须大于 0。")
    if re.fullmatch(r"[0-9]+\.[0-9]{3,}", text):
        raise AmountError("金额最多保留两位小数（精确到分）。")
    if not _PLAIN.fullmatch(text):
        raise AmountError("金额格式不正确，请填写数字，例如 1200.50。")
    amount = Decimal(text)
    if amount <= 0:
        raise AmountError("金额必须大于 0。")
    if amount > MAXIMUM:
        raise AmountError("金额过大（单笔不得超过 1 亿元）。")
    return amount.quantize(Decimal("0.01"))
