"""Pinyin forms of Chinese names, so that "ljx" and "liujiaxia" find 刘家峡. Pure, no ORM."""

from __future__ import annotations

import functools
import unicodedata

from pypinyin import Style, lazy_pinyin


@functools.lru_cache(maxsize=65536)
def pinyin_forms(name: str) -> tuple[str, str]:
    """(full pinyin without spaces, initials), lower-case ASCII.

    Cached: division names repeat (407,190 distinct among the 665,276 national units), and the
    conversion is most of the CPU of loading the national file."""
    syllables = lazy_pinyin(name, style=Style.NORMAL, errors="ignore")
    full = "".join(syllables).lower()
    initials = "".join(s[0] for s in syllables if s).lower()
    return full[:200], initials[:64]


def normalize_query(raw: str) -> str:
    """Full-width to half-width, trimmed, at most 50 characters."""
    return unicodedata.normalize("NFKC", raw or "").strip()[:50]


def is_ascii_query(query: str) -> bool:
    return query.isascii() and query.replace(" ", "").isalpha()
