"""The to-do centre's registry (待办): what waits for a user, declared once by each module.

Each app names its to-do kinds on its AppConfig (`todo_kinds = "fpa.volunteers.todos.KINDS"`), a
sequence of `TodoKind`; core imports no app and finds them through the registry, as it finds the
demo seeders and the backup parts. A kind says who may act on it (a capability), how many items
wait for this user (a selector of the module, scoped, which leaves out what the user may not act
on, e.g. a grant they submitted themselves), and where they are handled. A kind may also list
`notices`: something returned to the user with the reason (a filing or a grant sent back).

`todos_for(user)` asks each kind the user has the capability for, and returns those with work, in
the order of the kinds' `order`; the home page shows them, each with its count and its link.
Several kinds often read one figure (the grants at each step come from one grouped query):
`shared(key, compute)` computes it once per `one_reading()` block, which `todos_for` opens and a
page may open around it to share the figure with what else it shows.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.apps import apps
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from fpa.core.actors import Actor
from fpa.core.links import link


@dataclass(frozen=True)
class Notice:
    """Something sent back to the user: what it is, why, and where to put it right."""

    title: str
    reason: str
    url: str


@dataclass(frozen=True)
class TodoKind:
    """One kind of pending action. `label` is marked with gettext_noop where declared and
    translated when shown; `url` is a URL name (no arguments), `query` is appended to it."""

    key: str
    label: str
    capability: str
    count: Callable[[Actor], int]
    url: str
    query: str = ""
    order: int = 100
    urgent: bool = False  # overdue work: shown in red
    notices: Callable[[Actor], Sequence[Notice]] | None = None


@dataclass(frozen=True)
class Todo:
    """A kind with work for this user."""

    key: str
    label: str
    count: int
    url: str
    urgent: bool
    notices: tuple[Notice, ...] = field(default=())


T = TypeVar("T")
_READING: ContextVar[dict[str, Any] | None] = ContextVar("fpa_todo_reading", default=None)


@contextmanager
def one_reading() -> Iterator[None]:
    """Figures read through `shared` inside this block are computed once (nested blocks join the
    outer one)."""
    if _READING.get() is not None:
        yield
        return
    token = _READING.set({})
    try:
        yield
    finally:
        _READING.reset(token)


def shared(key: str, compute: Callable[[], T]) -> T:
    """`compute()`, once per `one_reading()` block for `key` (computed each time outside one)."""
    reading = _READING.get()
    if reading is None:
        return compute()
    if key not in reading:
        reading[key] = compute()
    value: T = reading[key]
    return value


def share_ahead(compute: Callable[[], dict[str, Any]]) -> bool:
    """Inside a `one_reading()` block, give `shared` the values `compute()` returns, under their
    keys, before they are asked for (a figure read once for a county, then found by each
    township's own key). Outside a block nothing is computed and False is returned: each
    `shared` then computes its own value."""
    reading = _READING.get()
    if reading is None:
        return False
    for key, value in compute().items():
        reading.setdefault(key, value)
    return True


@functools.cache
def todo_kinds() -> tuple[TodoKind, ...]:
    """Every installed app's declared kinds, in `order` (then app order)."""
    kinds: list[TodoKind] = []
    for config in apps.get_app_configs():
        path = getattr(config, "todo_kinds", None)
        if path:
            kinds.extend(import_string(path))
    keys = [kind.key for kind in kinds]
    duplicates = {key for key in keys if keys.count(key) > 1}
    if duplicates:
        raise ValueError(f"to-do kinds declared twice: {sorted(duplicates)}")
    return tuple(sorted(kinds, key=lambda kind: kind.order))


def todos_for(user: Actor) -> list[Todo]:
    """The kinds with work for `user`: only those whose capability the user holds, only when the
    count (or a notice) is not zero. One or two bounded count queries per kind."""
    with one_reading():
        return _todos(user)


def _todos(user: Actor) -> list[Todo]:
    found = []
    for kind in todo_kinds():
        if not user.has_capability(kind.capability):
            continue
        count = kind.count(user)
        notices = tuple(kind.notices(user)) if kind.notices is not None else ()
        if count or notices:
            found.append(
                Todo(
                    key=kind.key,
                    label=gettext(kind.label),
                    count=count,
                    url=link(kind.url) + kind.query,
                    urgent=kind.urgent,
                    notices=notices,
                )
            )
    return found
