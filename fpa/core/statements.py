"""Compiled SQL kept per worker, for the read that page views repeat most: the family list.

Building and compiling a scoped list query through the ORM costs about 0.8 ms of Python per
request on a 2-core machine (the family list: the union of the user's subtree and the families
they look after, the status filter, the keyset condition, the join for the village's name), while
running it costs about 0.04 ms. For the same inputs the ORM writes the same SQL with the same
parameters, so a `StatementMemo` keeps the compiled statement per worker, keyed by every input
the SQL depends on, which the caller names in full (for the family list: the database, the user,
their scope path and capability, the filters, the cursor and the page size). A user who reopens
the list, goes back to it from a family or pages back and forth reads the memo; a new search
compiles once. Only the statement is kept, never rows: it runs against the database every time,
so what it returns is as current as an uncached query's.

A key that leaves out an input the SQL depends on would hand one user another's statement, so
keys are built next to the query (`fpa.families.selectors.registry`) and a test compiles each
variant both ways and compares them (`tests/test_statements.py`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet


@dataclass(frozen=True)
class Statement:
    """A compiled `values_list` query: its SQL, parameters and the ORM's converters (e.g. a date
    read back from SQLite), applied to each row as the ORM would."""

    alias: str
    sql: str
    params: tuple[Any, ...]
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]

    @classmethod
    def compile(cls, queryset: QuerySet[Any]) -> Statement:
        """The statement of `queryset`; one that can match nothing (e.g. `pk__in=[]`, which the
        ORM refuses to compile) has no SQL and reads no rows."""
        compiler = queryset.query.get_compiler(queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return cls(alias=queryset.db, sql="", params=(), converters=())
        columns = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
        found = compiler.get_converters(columns)
        return cls(
            alias=queryset.db,
            sql=sql,
            params=tuple(params),
            converters=tuple((pos, tuple(convs), expr) for pos, (convs, expr) in found.items()),
        )

    def rows(self) -> list[tuple[Any, ...]]:
        if not self.sql:
            return []
        connection = connections[self.alias]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.params)
            fetched = cursor.fetchall()
        if not self.converters:
            return [tuple(row) for row in fetched]
        converted = []
        for row in fetched:
            values = list(row)
            for pos, convs, expression in self.converters:
                value = values[pos]
                for convert in convs:
                    value = convert(value, expression, connection)
                values[pos] = value
            converted.append(tuple(values))
        return converted


class StatementMemo:
    """Least recently used compiled statements, at most `size` of them per worker."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, Statement] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def statement(self, key: Hashable, build: Callable[[], QuerySet[Any]]) -> Statement:
        """The statement for `key`, compiled from `build()` (a `values_list` queryset) on a miss.
        `key` names every input the SQL depends on, the database alias included."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return found
        compiled = Statement.compile(build())
        with self._lock:
            self.misses += 1
            self._entries[key] = compiled
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return compiled

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0
