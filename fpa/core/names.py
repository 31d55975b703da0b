"""Pinyin forms of Chinese names, so that "ljx" and "liujiaxia" find 刘家峡. Pure, no ORM."""

from __future__ import annotations

import functools
import unicodedata

from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PHRASES_DICT


@functools.lru_cache(maxsize=65536)
def pinyin_forms(name: str) -> tuple[str, str]:
    """(full pinyin without spaces, initials), lower-case ASCII.

    Cached: division names repeat (407,190 distinct among the 665,276 national units), and the
    conversion is most of the CPU of loading the national file."""
    syllables = _syllables(name)
    full = "".join(syllables).lower()
    initials = "".join(s[0] for s in syllables if s).lower()
    return full[:200], initials[:64]


def _syllables(name: str) -> list[str]:
    """lazy_pinyin's syllables of `name`, character by character when that is the same.

    pypinyin reads a polyphonic character by the phrase around it (重庆 chong, 重要 zhong), found
    by forward maximum matching against its phrase dictionary. When no run of two or more
    characters of the name is a phrase, every character is converted on its own: the result is
    the concatenation of each character's syllables, cached per character. People's names are
    mostly like that, and each new name would otherwise cost the whole segmentation (~50 µs)."""
    if _has_phrase(name):
        return lazy_pinyin(name, style=Style.NORMAL, errors="ignore")
    return [syllable for ch in name for syllable in _char_syllables(ch)]


def _has_phrase(name: str) -> bool:
    longest = _longest_phrase()
    return any(
        name[start:end] in PHRASES_DICT
        for start in range(len(name) - 1)
        for end in range(start + 2, min(len(name), start + longest) + 1)
    )


@functools.cache
def _longest_phrase() -> int:
    return max(map(len, PHRASES_DICT), default=0)


@functools.lru_cache(maxsize=65536)
def _char_syllables(ch: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin(ch, style=Style.NORMAL, errors="ignore"))


def normalize_query(raw: str) -> str:
    """Full-width to half-width, trimmed, at most 50 characters."""
    return unicodedata.normalize("NFKC", raw or "").strip()[:50]


def is_ascii_query(query: str) -> bool:
    return query.isascii() and query.replace(" ", "").isalpha()
