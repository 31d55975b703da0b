"""Gap-free numbers (receipts, grants, member cards), one mechanism for every module.

A counter is a row of a model with a unique key and an integer field. `next_number` creates the
row if it is missing (INSERT … ON CONFLICT DO NOTHING, so two first numbers at once cannot both
create it), then advances it with one UPDATE, which takes the row lock on PostgreSQL and the
write lock on SQLite before the value is read: concurrent callers queue, none gets a number twice,
and a rolled-back transaction rolls its number back, leaving no gap. Call it inside the
transaction that uses the number.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.db.models import F


def next_number(model: type[models.Model], field: str, **key: Any) -> int:
    """Advance the counter `model` row named by `key` and return its new `field` value."""
    if not transaction.get_connection(using=None).in_atomic_block:
        raise RuntimeError("next_number must run inside the transaction that uses the number")
    manager = model._default_manager
    manager.bulk_create([model(**key)], ignore_conflicts=True)
    manager.filter(**key).update(**{field: F(field) + 1})
    return int(manager.filter(**key).values_list(field, flat=True).get())
