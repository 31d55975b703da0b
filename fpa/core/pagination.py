"""Keyset pagination: the cost of a page does not depend on how deep it is or how big the table is.

Pages are ordered by one unique key; "next" carries the last key seen, "previous" the first. No
COUNT(*) is run: the page fetches one extra row to know whether another page follows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
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


@dataclass(frozen=True)
class Window:
    """Which page of a keyset-ordered query to read: built from the request's cursors (already
    checked), it orders, bounds and slices a queryset, then turns the rows read into a `Page`.
    A window is hashable, so it can be part of a memo key (`fpa.core.statements`)."""

    key: str
    after: str | None
    before: str | None
    size: int
    descending: bool

    def query(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        key, descending = self.key, self.descending
        forward, backward = (f"-{key}", key) if descending else (key, f"-{key}")
        past, behind = ("lt", "gt") if descending else ("gt", "lt")
        if self.before:
            queryset = queryset.filter(**{f"{key}__{behind}": self.before}).order_by(backward)
        elif self.after:
            queryset = queryset.filter(**{f"{key}__{past}": self.after}).order_by(forward)
        else:
            queryset = queryset.order_by(forward)
        return queryset[: self.size + 1]

    def page(self, rows: list[Any], key_of: Callable[[Any], Any]) -> Page:
        """`rows` as read by `query` (one more than the page when another page follows)."""
        size = self.size
        if self.before:
            more_before = len(rows) > size
            rows = list(reversed(rows[:size]))
            return Page(
                items=rows,
                next_cursor=str(key_of(rows[-1])) if rows else None,
                prev_cursor=str(key_of(rows[0])) if rows and more_before else None,
                size=size,
            )
        more_after = len(rows) > size
        rows = rows[:size]
        return Page(
            items=rows,
            next_cursor=str(key_of(rows[-1])) if rows and more_after else None,
            prev_cursor=str(key_of(rows[0])) if rows and self.after else None,
            size=size,
        )


def keyset_window(
    model: type[models.Model],
    *,
    key: str,
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
    descending: bool = False,
) -> Window:
    """The window of the page after the cursor `after` (or before `before`), in `key` order.

    Cursors come straight from the query string: one that cannot be a value of `key` (not digits
    for an integer key, or absurdly long) is ignored, so a forged cursor gives the first page.
    """
    after, before = _clean(model, key, after), _clean(model, key, before)
    size = max(1, min(size, MAX_PAGE_SIZE))
    return Window(key=key, after=after, before=before, size=size, descending=descending)


def keyset_page(
    queryset: QuerySet[Any],
    *,
    key: str,
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
    descending: bool = False,
) -> Page:
    """One page after the cursor `after` (or before `before`), in `key` order (`keyset_window`)."""
    window = keyset_window(
        queryset.model, key=key, after=after, before=before, size=size, descending=descending
    )
    return window.page(list(window.query(queryset)), key_of=attrgetter(key))


def _clean(model: type[models.Model], key: str, cursor: str | None) -> str | None:
    if not cursor or len(cursor) > 255:
        return None
    field = model._meta.pk if key == "pk" else model._meta.get_field(key)
    if isinstance(field, models.IntegerField | models.AutoField):
        return cursor if cursor.isascii() and cursor.isdigit() and len(cursor) < 19 else None
    return cursor


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
