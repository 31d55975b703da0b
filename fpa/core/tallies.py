"""Counters of figures, kept in the same transaction as the records they count, summed over a
subtree at read time: one mechanism for every module (members by type and sex, activities and
people served per category and year, sites per kind).

Why counters and not COUNT(*) over the subtree: with millions of records a province-level figure
would read millions of rows per request, whatever the index. A tally row holds one figure of one
association under a key (e.g. year and category); every service that changes what a record counts
for computes the record's keys before and after the change and calls `move`, inside its own
transaction, so the counters and the record commit or roll back together. A township's figures
read its associations' few tally rows.

`add` is one `INSERT ... ON CONFLICT (key) DO UPDATE SET value = value + delta` (SQLite >= 3.24
and PostgreSQL): concurrent changes to the same key serialise on the row and none is lost. The
model needs a unique constraint over exactly the key's fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection, models


def add(model: type[models.Model], key: Mapping[str, Any], delta: int, *, value: str) -> None:
    """Add `delta` to the `value` column of the `model` row named by `key` (created at `delta`)."""
    if not delta:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [_column(model, name) for name in key]
    names = ", ".join(quote(c) for c in [*columns, _column(model, value)])
    marks = ", ".join(["%s"] * (len(columns) + 1))
    target = ", ".join(quote(c) for c in columns)
    column = quote(_column(model, value))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({names}) VALUES ({marks}) "  # noqa: S608 (names from the model)
            f"ON CONFLICT ({target}) DO UPDATE SET {column} = {table}.{column} + %s",
            [*key.values(), delta, delta],
        )


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.column:
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return str(field.column)


def move(
    model: type[models.Model],
    fields: Sequence[str],
    before: Mapping[tuple[Any, ...], int],
    after: Mapping[tuple[Any, ...], int],
    *,
    value: str,
) -> None:
    """A record counted `before[key]` under each key and now counts `after[key]`: add the
    differences. Keys are tuples of `fields`' values."""
    for key in sorted(set(before) | set(after), key=repr):
        delta = after.get(key, 0) - before.get(key, 0)
        if delta:
            add(model, dict(zip(fields, key, strict=True)), delta, value=value)
