"""Rate limits that hold across processes and machines: one fixed-window counter in the shared
cache (`CACHES["default"]`: the database cache by default, Redis when REDIS_URL is set).

Every public form (fund comments and objections, the volunteer application, the certificate check)
and the sign-in lockout per address count through `hit`; nothing else keeps a counter.

A window of `window` seconds is aligned on the clock (window number = now // window). Its counter
is a row of `limit` slots, keys `<scope>:<ident>:<window number>:<n>`, each claimed with
`cache.add`, which is atomic in every shared backend (an INSERT under a unique key in the database
cache, SET NX in Redis). A hit reads the slots in one `get_many` and claims the first free one;
slots are only ever claimed in order and all expire together at the end of the window, so the
claimed slots are always 1..k and exactly `limit` hits of a window are let through however many
workers count at once. A hit past the limit writes nothing.

`cache.incr` is not used: Django's database cache implements it as a read then a write (two
processes can both read 3 and both write 4) and the write resets the key's expiry to the default
timeout.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.core.cache import cache

from fpa.core.context import current_ip

PREFIX = "fpa:rl"


def _base(scope: str, ident: str, window: int, now: float) -> tuple[str, int]:
    number = int(now // window)
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    # Live until the window ends, plus a second so that a slow hit at the edge finds its slots.
    ttl = max(1, math.ceil((number + 1) * window - now) + 1)
    return f"{PREFIX}:{scope}:{digest}:{number}", ttl


def hit(scope: str, ident: str, *, limit: int, window: int) -> int:
    """Count one event of `ident` in `scope` for the current window.

    Returns the event's rank in the window, 1..limit, or limit + 1 when the window is already full
    (nothing is written then). A limit of 0 or less lets everything through (returns 1).
    """
    if limit <= 0:
        return 1
    base, ttl = _base(scope, ident, window, time.time())
    keys = [f"{base}:{n}" for n in range(1, limit + 1)]
    taken = cache.get_many(keys)
    for n in range(len(taken) + 1, limit + 1):
        if cache.add(keys[n - 1], 1, ttl):
            return n
    return limit + 1


def count(scope: str, ident: str, *, limit: int, window: int) -> int:
    """The events counted so far in the current window (at most `limit`), without counting one."""
    if limit <= 0:
        return 0
    base, _ = _base(scope, ident, window, time.time())
    return len(cache.get_many([f"{base}:{n}" for n in range(1, limit + 1)]))


def exceeded(scope: str, *, limit: int, window: int, ident: str | None = None) -> bool:
    """Count this request against `limit` per `window` seconds; True when it is over the limit.

    `ident` defaults to the client address of the current request (fpa.core.context). A limit
    of 0 or less is no limit."""
    if limit <= 0:
        return False
    who = ident if ident is not None else (current_ip() or "unknown")
    return hit(scope, who, limit=limit, window=window) > limit
