"""Producers that can recompute the log's leaves from their own tables, for ``verify_ledger``.

A producer (the fund) registers a function that yields ``(leaf index, canonical leaf bytes)``
for every leaf it appended, in index order, rebuilt from its own rows (not read from the log).
``manage.py verify_ledger`` compares them with the stored leaves index by index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

Rows = Callable[[], Iterator[tuple[int, bytes]]]

_SOURCES: dict[str, Rows] = {}


def register(name: str, rows: Rows) -> None:
    """Register (or replace) the source called ``name``."""
    if not name or not callable(rows):
        raise ValueError("a source needs a name and a callable")
    _SOURCES[name] = rows


def unregister(name: str) -> None:
    _SOURCES.pop(name, None)


def registered() -> dict[str, Rows]:
    return dict(_SOURCES)
