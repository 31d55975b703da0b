"""The daily sweep (每日待办汇总): for each active account, what waits for it in the to-do
centre (`fpa.core.todo.todos_for`: visits due or overdue, needs past due, grants at its step,
...) and the messages it chose to receive in the digest, as one message; a to-do kind for which
the user chose single messages comes as its own message instead.

Run by `manage.py notify_daily` (cron, once a day) or as the background job "notifications.daily".
Running it twice on a day writes nothing new (each message carries the day in its `dedupe` key).
Cost: one query for the accounts (per 200), one for the choices, one for the held messages, the
to-do counts of each account (one or two bounded queries per kind it may act on), and a fixed
handful of writes per 200 accounts.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django.utils.translation import gettext

from fpa.core.links import link
from fpa.core.todo import todos_for
from fpa.notifications import kinds
from fpa.notifications.models import Message, Preference
from fpa.notifications.sending import Choice, Outgoing, choice, notify, stored_choices

BATCH = 200


def sweep(
    *, today: datetime.date | None = None, progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Write today's digests and single to-do messages; returns the figures of the run."""
    today = today or timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):
        return _sweep(today, progress)


def _sweep(today: datetime.date, progress: Callable[[int, int], None] | None) -> dict[str, int]:
    users = get_user_model().objects.filter(is_active=True).order_by("pk")
    total = users.count()
    stored = stored_choices(Preference.objects.filter(kind__startswith=kinds.TODO_PREFIX))
    held: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for recipient, pk, title, url in Message.objects.filter(
        held=True, digested_at__isnull=True
    ).values_list("recipient_id", "pk", "title", "url"):
        held[recipient].append((pk, title, url))
    figures = {"users": 0, "digests": 0, "singles": 0, "digested": 0}
    batch: list[Outgoing] = []
    for user in users.iterator(chunk_size=BATCH):
        batch += _for_user(user, today, stored, held.get(user.pk, []))
        figures["users"] += 1
        if figures["users"] % BATCH == 0:
            _write(batch, held, today, figures)
            batch = []
            if progress is not None:
                progress(figures["users"], total)
    _write(batch, held, today, figures)
    if progress is not None:
        progress(figures["users"], total)
    return figures


def _for_user(
    user: Any,
    today: datetime.date,
    stored: dict[tuple[int, str], Choice],
    held: list[tuple[int, str, str]],
) -> list[Outgoing]:
    items: list[Outgoing] = []
    lines: list[dict[str, Any]] = []
    for todo in todos_for(user):
        key = kinds.TODO_PREFIX + todo.key
        count = todo.count or len(todo.notices)
        if choice(stored, user.pk, key).digest:
            lines.append({"key": key, "label": todo.label, "count": count, "url": todo.url})
            continue
        items.append(
            Outgoing(
                recipient=user.pk,
                kind=key,
                title=gettext("待办提醒：%(label)s %(count)s 项")
                % {"label": todo.label, "count": count},
                url=todo.url,
                dedupe=f"{key}:{today:%Y-%m-%d}",
                held=False,
            )
        )
    waiting = len(lines)
    lines += [{"key": "", "label": title, "count": None, "url": url} for _, title, url in held]
    if lines:
        items.append(
            Outgoing(
                recipient=user.pk,
                kind=kinds.DIGEST,
                title=_digest_title(today, waiting, len(held)),
                url=link("dashboard:home"),
                lines=lines,
                dedupe=f"{kinds.DIGEST}:{today:%Y-%m-%d}",
                held=False,
            )
        )
    return items


def _digest_title(today: datetime.date, waiting: int, held: int) -> str:
    words = {"date": f"{today:%m-%d}", "todos": waiting, "messages": held}
    if waiting and held:
        return gettext("每日汇总（%(date)s）：%(todos)s 类待办，%(messages)s 条消息") % words
    if held:
        return gettext("每日汇总（%(date)s）：%(messages)s 条消息") % words
    return gettext("每日汇总（%(date)s）：%(todos)s 类待办") % words


def _write(
    batch: list[Outgoing],
    held: dict[int, list[tuple[int, str, str]]],
    today: datetime.date,
    figures: dict[str, int],
) -> None:
    written = notify(batch)
    digested: list[int] = []
    for message in written:
        if message.kind == kinds.DIGEST:
            figures["digests"] += 1
            digested += [pk for pk, _, _ in held.get(message.recipient_id, [])]
        else:
            figures["singles"] += 1
    if digested:
        Message.objects.filter(pk__in=digested).update(digested_at=timezone.now())
        figures["digested"] += len(digested)
