"""Events that other modules want to hear of, published once where they happen.

A module publishes what happened to whom (a report returned, a filing returned, a grant waiting at
a step, an import finished); core imports no app, so whoever wants to act on events (the
notifications app: inbox, SMS, e-mail) registers a handler with `listen`. Handlers run after the
transaction that published the event commits, so nothing is sent for work that was rolled back.

An event carries plain words only: a title and a reason a stranger may read over the recipient's
shoulder. A family is named by its masked reference, never by its kind or what happened to its
child; the notifications app refuses an event whose words carry sensitive data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction


@dataclass(frozen=True)
class Event:
    """`kind` is "<app>.<what>" (e.g. "reports.returned"); `recipients` are user ids."""

    kind: str
    recipients: tuple[int, ...]
    title: str
    url: str = ""
    reason: str = ""
    extra: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Event], None]
_handlers: list[Handler] = []


def listen(handler: Handler) -> Handler:
    """Register `handler` for every event (idempotent; usable as a decorator)."""
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def publish(
    kind: str,
    *,
    recipients: Iterable[int],
    title: str,
    url: str = "",
    reason: str = "",
    extra: dict[str, str] | None = None,
) -> None:
    """Tell the listeners, once the current transaction commits (at once outside one)."""
    people = tuple(dict.fromkeys(int(pk) for pk in recipients))
    if not people:
        return
    event = Event(
        kind=kind, recipients=people, title=title, url=url, reason=reason, extra=dict(extra or {})
    )
    transaction.on_commit(lambda: _deliver(event))


def _deliver(event: Event) -> None:
    for handler in tuple(_handlers):
        handler(event)
