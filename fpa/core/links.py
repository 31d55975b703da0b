"""Addresses of named URLs, reversed once per worker.

`reverse` walks the resolver and formats the pattern on every call (about 130 function calls);
a list page with twenty rows and a dozen buttons paid for it thirty times per request. The
address of a name without arguments never changes while the process runs (for a given script
prefix), and the address of a name whose one argument is an integer key is a fixed head and
tail around the key, so both are computed once and kept.
"""

from __future__ import annotations

import functools

from django.urls import get_script_prefix, reverse

_SENTINEL = 918273645  # an integer key no URL of ours spells otherwise


@functools.lru_cache(maxsize=512)
def _link(name: str, prefix: str) -> str:
    return reverse(name)


@functools.lru_cache(maxsize=256)
def _around_key(name: str, prefix: str) -> tuple[str, str]:
    url = reverse(name, args=[_SENTINEL])
    head, found, tail = url.partition(str(_SENTINEL))
    if not found or str(_SENTINEL) in tail:
        raise ValueError(f"{name} does not take one integer key")
    return head, tail


def link(name: str) -> str:
    """`reverse(name)` for a URL without arguments (the script prefix is part of the key)."""
    return _link(name, get_script_prefix())


def link_to(name: str, key: int) -> str:
    """`reverse(name, args=[key])` for a URL whose one argument is an integer key."""
    head, tail = _around_key(name, get_script_prefix())
    return f"{head}{int(key)}{tail}"
