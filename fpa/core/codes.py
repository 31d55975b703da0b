"""Unguessable codes that a printed paper or a receipt carries to its public check: the volunteer
certificate, the member card, an online application's reference. Pure rules, no ORM.

16 characters of a 32-letter alphabet without 0/O and 1/I (2**80 codes), grouped by four for
reading aloud: ABCD-EFGH-JKLM-NPQR. What a person types back is folded (any case, spaces or
dashes, full-width characters) by `normalise_code`, which answers "" for anything that cannot
be a code, so a forged or mistyped value is refused before any query."""

from __future__ import annotations

import secrets
import unicodedata

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 16  # 32**16 = 2**80 codes
GROUP = 4
MAX_TYPED = 64  # longer input is cut before it is folded


def _grouped(raw: str) -> str:
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))


def new_code() -> str:
    """A fresh unguessable code, grouped: ABCD-EFGH-JKLM-NPQR."""
    return _grouped("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)))


def normalise_code(text: str) -> str:
    """The stored form of what a person typed, or "" when it cannot be a code."""
    text = unicodedata.normalize("NFKC", text or "")[:MAX_TYPED].upper()
    raw = "".join(ch for ch in text if ch.isalnum())
    if len(raw) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in raw):
        return ""
    return _grouped(raw)
