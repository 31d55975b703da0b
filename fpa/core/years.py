"""The year of a figures page (?year=): parsed with a Chinese message, and the years offered.

Used by every page that shows a year's figures with a year select (the activity figures, the
overview), so they accept and refuse the same years."""

from __future__ import annotations

from django.utils.translation import gettext

FIRST_YEAR = 2000


def parse_year(value: str | None, today_year: int) -> tuple[int, str]:
    """The year asked for (default this year) and a message when it was not a year."""
    text = (value or "").strip()
    if not text:
        return today_year, ""
    if text.isascii() and text.isdigit() and FIRST_YEAR <= int(text) <= today_year + 1:
        return int(text), ""
    return today_year, gettext("年份无效，请选择%(first)s年至%(last)s年之间的年份。") % {
        "first": FIRST_YEAR,
        "last": today_year + 1,
    }


def year_choices(this_year: int, chosen: int) -> list[int]:
    """Next year back to ten years ago, newest first, with `chosen` among them."""
    years = list(range(this_year + 1, this_year - 10, -1))
    return years if chosen in years else sorted({*years, chosen}, reverse=True)
