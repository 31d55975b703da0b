"""Writing many rows of a model at once, below the ORM.

Who uses it: the families registration (`families.services.families_register`, which the Excel
import's commit and the single registration page both go through: one family is a batch of one),
and the audit rows of such a batch (`core.audit.audit_created_rows`). `clean_values` is also how
a family's and a person's values are checked before they are written.

`Model.objects.bulk_create` costs about 20 µs a row in Python before the database sees anything
(model instances, per-field preparation, SQL compilation), which made a 100,000-row import spend
more time building INSERT statements than reading the file. Here a service hands plain values by
attribute name; each field's conversion is chosen once per model; the rows go to PostgreSQL with
COPY (the server parses and indexes them while Python prepares the next batch) and to SQLite with
one prepared statement.

What the ORM would do and this does too: defaults for missing fields, `auto_now`/`auto_now_add`
timestamps, encryption of protected fields (`ProtectedField`) and their search hashes
(`BlindIndexField`), JSON encoding. What it does not: `save()` signals and model validation. The
caller validates (`clean_values`) and audits; this module only writes.

Primary keys are reserved before the rows are written, so a service can refer to them (children's
foreign keys, audit rows) without reading anything back: from the table's sequence on PostgreSQL;
on SQLite, above both the largest id and the AUTOINCREMENT counter, inside the transaction that
already holds the write lock (`transaction_mode` IMMEDIATE in the settings).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils import timezone

from fpa.core import crypto
from fpa.core.errors import ServiceError
from fpa.core.protected import BlindIndexField, Protected, ProtectedField

# Field types whose Python values the database drivers take as they are.
_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.DateField,
    models.ForeignKey,
)


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys for `model`, never used before. Call inside a transaction."""
    if count <= 0:
        return []
    if not connection.in_atomic_block:
        raise RuntimeError("reserve_ids must run inside transaction.atomic()")
    table = model._meta.db_table
    pk = str(model._meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return [row[0] for row in cursor.fetchall()]
        quoted = connection.ops.quote_name(str(table))
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608
            f"COALESCE((SELECT MAX({connection.ops.quote_name(pk)}) FROM {quoted}), 0))",
            [table],
        )
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How a Python value of `field` becomes what the driver takes; None when it is taken as is."""
    if isinstance(field, ProtectedField):
        keys, context = crypto.keyring(), field.crypto_context

        def seal(value: Any) -> Any:
            if value is None or value == "":
                return None
            if not isinstance(value, Protected):
                value = field.to_python(value)
            return keys.encrypt(value.reveal_unchecked(), context=context)

        return seal
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return lambda value: json.dumps(value, cls=encoder)
    if isinstance(field, models.DateTimeField):
        return lambda value: connection.ops.adapt_datetimefield_value(value)
    if isinstance(field, _PLAIN):
        return None
    return lambda value: field.get_db_prep_save(value, connection)


@functools.cache
def _plan(model: type[models.Model]) -> tuple[list[models.Field[Any, Any]], list[Any]]:
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, BlindIndexField)]
    blind = [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]
    return fields + blind, [_converter(f) for f in fields] + [None] * len(blind)


def _default(field: models.Field[Any, Any], now: Any) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    return field.get_default()


def insert(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> int:
    """Insert `rows` (values by attribute name) into `model`'s table.

    The rows are completed in place, so that the caller audits what was written: missing fields
    take their defaults, timestamps are now, a blind index is computed from its protected source.
    Either every row carries its primary key (from `reserve_ids`) or none does (the database
    numbers them)."""
    if not rows:
        return 0
    if not connection.in_atomic_block:
        raise RuntimeError("bulk.insert must run inside transaction.atomic()")
    fields, converters = _plan(model)
    if model._meta.pk.attname not in rows[0]:
        fields, converters = fields[1:], converters[1:]  # the pk comes first in concrete_fields
    now = timezone.now()
    defaults = {f.attname: _default(f, now) for f in fields}
    # A default is the same object for every row: converted once (the timestamps above all).
    stored = {
        name: (value if convert is None or value is None else convert(value))
        for (name, value), convert in zip(defaults.items(), converters, strict=True)
    }
    sources: dict[str, Any] = {
        f.attname: model._meta.get_field(f.source) for f in fields if isinstance(f, BlindIndexField)
    }
    keys = crypto.keyring()
    names = [f.attname for f in fields]

    def prepared() -> Iterator[tuple[Any, ...]]:
        for row in rows:
            for name, source in sources.items():
                value = row.get(source.attname)
                if value and not isinstance(value, Protected):
                    value = row[source.attname] = source.to_python(value)  # canonical
                if name not in row:
                    row[name] = (
                        keys.blind_index(value.reveal_unchecked(), purpose=source.kind)
                        if value
                        else ""
                    )
            values = []
            for name, convert in zip(names, converters, strict=True):
                if name in row:
                    value = row[name]
                    values.append(value if convert is None or value is None else convert(value))
                else:
                    row[name] = defaults[name]
                    values.append(stored[name])
            yield tuple(values)

    # Streamed: PostgreSQL parses and indexes the first rows while the next are encrypted.
    _write(model._meta.db_table, [str(f.column) for f in fields], prepared())
    return len(rows)


def _write(table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(
            f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})",  # noqa: S608
            list(rows),  # in-process: nothing to overlap, and the query log counts the rows
        )


def clean_values(
    model: type[models.Model], values: dict[str, Any], exclude: Iterable[str] = ()
) -> None:
    """Model validation of the given values, in place, without an instance: each field's own
    `clean` (conversion, choices, length and its validators) as `full_clean` runs it, and the
    required fields that are missing. The first problem is raised as a ServiceError on its field,
    like `fpa.core.errors.validate`. Foreign keys, unique checks and constraints are the caller's
    (it has resolved the related objects, and checks uniqueness for a whole batch at once)."""
    for field, name, required in _clean_plan(model, frozenset(exclude)):
        if name in values:
            raw = values[name]
        elif required:
            raw = field.get_default()  # what full_clean would see: "" for a CharField
        else:
            continue  # the default, valid by construction
        if field.blank and raw in field.empty_values:
            continue
        try:
            values[name] = field.clean(raw, None)
        except ValidationError as exc:
            raise ServiceError(exc.messages[0], field=name) from exc


@functools.cache
def _clean_plan(
    model: type[models.Model], exclude: frozenset[str]
) -> tuple[tuple[models.Field[Any, Any], str, bool], ...]:
    """(field, name, required when missing) for the fields `clean_values` checks, in order."""
    return tuple(
        (field, field.name, not (field.blank or field.has_default()))
        for field in model._meta.concrete_fields
        if not (
            field.primary_key or field.is_relation or field.name in exclude or not field.editable
        )
    )
