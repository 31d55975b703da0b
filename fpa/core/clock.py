"""Today's date, cheaply, for parsers that ask once per spreadsheet cell.

`datetime.date.today()` costs about 5 µs and `timezone.localdate()` about 25 µs (it looks up the
active time zone); an import of 10,000 rows asks once per date cell. No time zone is a whole day
away from UTC, so whatever the local date is, it lies within a day of the UTC date, which is plain
arithmetic on `time.time()`. A parser checks a date against these bounds and asks for the exact
local date only when the date falls between them (a date near today): the answer is the same.
"""

from __future__ import annotations

import datetime
import functools
import time

_EPOCH = datetime.date(1970, 1, 1).toordinal()
_DAY_SECONDS = 86_400


def today_bounds() -> tuple[datetime.date, datetime.date]:
    """(earliest, latest) date that today can be in any time zone: UTC yesterday and tomorrow."""
    return _around(int(time.time() // _DAY_SECONDS))


@functools.lru_cache(maxsize=2)
def _around(utc_day: int) -> tuple[datetime.date, datetime.date]:
    utc = _EPOCH + utc_day
    return datetime.date.fromordinal(utc - 1), datetime.date.fromordinal(utc + 1)


def local_today() -> datetime.date:
    """`timezone.localdate()`, asked at most once a second: a parser that checks thousands of cells
    pays the time-zone lookup once. Never `datetime.date.today()`, the machine's date, which is a
    day behind Asia/Shanghai for eight hours of each day when the machine runs on UTC."""
    return _local_date(int(time.time()))


@functools.lru_cache(maxsize=2)
def _local_date(_second: int) -> datetime.date:
    from django.utils import timezone

    return timezone.localdate()
