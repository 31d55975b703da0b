"""Keyset pagination: the cost of a page does not depend on how deep it is or how big the table is.

Pages are ordered by one unique key; "next" carries the last key seen, "previous" the first. No
COUNT(*) is run: the page fetches one extra row to know whether another page follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet

MAX_PAGE_SIZE = 100


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None
    prev_cursor: str | None
    size: int


def keyset_page(
    queryset: QuerySet[Any],
    *,
    key: str,
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
    descending: bool = False,
) -> Page:
    """One page after the cursor `after` (or before `before`), in `key` order.

    Cursors come straight from the query string: one that cannot be a value of `key` (not digits
    for an integer key, or absurdly long) is ignored, so a forged cursor gives the first page.
    """
    size = max(1, min(size, MAX_PAGE_SIZE))
    after, before = _clean(queryset, key, after), _clean(queryset, key, before)
    forward, backward = (f"-{key}", key) if descending else (key, f"-{key}")
    past, behind = ("lt", "gt") if descending else ("gt", "lt")
    if before:
        rows = list(queryset.filter(**{f"{key}__{behind}": before}).order_by(backward)[: size + 1])
        more_before = len(rows) > size
        rows = list(reversed(rows[:size]))
        return Page(
            items=rows,
            next_cursor=_key(rows[-1], key) if rows else None,
            prev_cursor=_key(rows[0], key) if rows and more_before else None,
            size=size,
        )
    if after:
        queryset = queryset.filter(**{f"{key}__{past}": after})
    rows = list(queryset.order_by(forward)[: size + 1])
    more_after = len(rows) > size
    rows = rows[:size]
    return Page(
        items=rows,
        next_cursor=_key(rows[-1], key) if rows and more_after else None,
        prev_cursor=_key(rows[0], key) if rows and after else None,
        size=size,
    )


def _clean(queryset: QuerySet[Any], key: str, cursor: str | None) -> str | None:
    if not cursor or len(cursor) > 255:
        return None
    field = queryset.model._meta.pk if key == "pk" else queryset.model._meta.get_field(key)
    if isinstance(field, models.IntegerField | models.AutoField):
        return cursor if cursor.isascii() and cursor.isdigit() and len(cursor) < 19 else None
    return cursor


def _key(obj: Any, key: str) -> str:
    return str(getattr(obj, key))


def _cursor_row(rows: QuerySet[Any], key: str, cursor: str | None) -> tuple[Any, int] | None:
    """(sort value, id) of the row a cursor names, looked up inside the same scoped rows: a
    forged or foreign cursor finds nothing and gives the first page."""
    if not cursor or not cursor.isascii() or not cursor.isdigit() or len(cursor) > 18:
        return None
    found = rows.filter(pk=int(cursor)).values_list(key, "pk").first()
    return (found[0], int(found[1])) if found is not None else None


def sorted_page(
    rows: QuerySet[Any],
    *,
    key: str,
    descending: bool,
    after: str | None,
    before: str | None,
    size: int,
) -> Page:
    """Keyset pagination on a sort column that need not be unique: ordered by (key, id), both in
    the same direction; the cursors are row ids whose sort value is read back inside `rows` (the
    user's scope), so a forged or foreign cursor gives the first page."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    forward = [f"-{key}", "-id"] if descending else [key, "id"]
    backward = [key, "id"] if descending else [f"-{key}", "-id"]
    past, behind = ("lt", "gt") if descending else ("gt", "lt")
    start = _cursor_row(rows, key, before)
    if start is not None:
        value, pk = start
        beyond = Q(**{f"{key}__{behind}": value}) | Q(**{key: value, f"id__{behind}": pk})
        found = list(rows.filter(beyond).order_by(*backward)[: size + 1])
        more = len(found) > size
        found = list(reversed(found[:size]))
        return Page(
            items=found,
            next_cursor=str(found[-1].pk) if found else None,
            prev_cursor=str(found[0].pk) if found and more else None,
            size=size,
        )
    mark = _cursor_row(rows, key, after)
    if mark is not None:
        value, pk = mark
        rows = rows.filter(Q(**{f"{key}__{past}": value}) | Q(**{key: value, f"id__{past}": pk}))
    found = list(rows.order_by(*forward)[: size + 1])
    more = len(found) > size
    found = found[:size]
    return Page(
        items=found,
        next_cursor=str(found[-1].pk) if found and more else None,
        prev_cursor=str(found[0].pk) if found and mark is not None else None,
        size=size,
    )
