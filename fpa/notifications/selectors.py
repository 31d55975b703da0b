"""Reading the inbox: the user's own messages only (another user's message is "not found")."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import QuerySet

from fpa.core.pagination import Page, keyset_page
from fpa.notifications import kinds
from fpa.notifications.models import Message, Preference
from fpa.notifications.sending import Choice, choice

STATES = ("", "unread", "read")
SORTS = ("", "oldest")


@dataclass(frozen=True)
class InboxFilters:
    state: str = ""  # "", "unread", "read"
    kind: str = ""


def inbox(
    *,
    user: Any,
    filters: InboxFilters,
    sort: str = "",
    after: str | None = None,
    before: str | None = None,
    size: int = 30,
) -> Page:
    """One keyset page of the user's messages, newest first (`sort="oldest"`: oldest first).
    One query per page."""
    rows: QuerySet[Message] = Message.objects.of(user)
    if filters.state == "unread":
        rows = rows.filter(read_at__isnull=True)
    elif filters.state == "read":
        rows = rows.filter(read_at__isnull=False)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    return keyset_page(
        rows, key="id", after=after, before=before, size=size, descending=sort != "oldest"
    )


def message_get(*, user: Any, pk: Any) -> Message | None:
    """One of the user's messages, or None (another user's, unknown or forged: the same)."""
    try:
        number = int(pk)
    except (TypeError, ValueError):
        return None
    if not 0 < number < 2**63:
        return None
    return Message.objects.of(user).filter(pk=number).first()


def unread_count(*, user: Any) -> int:
    """The badge's figure: one indexed count, `Message.objects.of(user).unread().count()`. It is
    on every signed-in page, so its SQL is written once (unread_sql) instead of being built by the
    ORM on each request (about 700 function calls, a twentieth of a list page);
    tests/test_notifications_views.py checks it against the queryset."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return 0
    alias = router.db_for_read(Message)
    with connections[alias].cursor() as cursor:
        cursor.execute(unread_sql(alias), [user.pk])
        return int(cursor.fetchone()[0])


@functools.cache
def unread_sql(alias: str) -> str:
    """The SQL of the unread count on database `alias`, from the model's own names."""
    meta, quote = Message._meta, connections[alias].ops.quote_name
    table = quote(meta.db_table)
    recipient = quote(str(meta.get_field("recipient").column))
    read_at = quote(str(meta.get_field("read_at").column))
    # The model's own names, quoted; the user's id is a parameter.
    return f"SELECT COUNT(*) FROM {table} WHERE {recipient} = %s AND {read_at} IS NULL"  # noqa: S608


def kinds_in_inbox(*, user: Any) -> list[tuple[str, str]]:
    """The kinds the user has messages of, for the filter: (key, label)."""
    keys = Message.objects.of(user).order_by().values_list("kind", flat=True).distinct()
    return sorted(((k, kinds.label_of(k)) for k in keys), key=lambda pair: pair[1])


@dataclass(frozen=True)
class PreferenceRow:
    key: str
    label: str
    todo: bool
    choice: Choice


def preferences_of(*, user: Any) -> list[PreferenceRow]:
    """Each kind that can reach the user with the user's choice (the default where none)."""
    available = kinds.kinds_for(user)
    stored = {
        (p.user_id, p.kind): Choice(sms=p.sms, email=p.email, digest=p.digest)
        for p in Preference.objects.filter(user_id=user.pk)
    }
    return [
        PreferenceRow(k.key, k.label, k.todo, choice(stored, user.pk, k.key)) for k in available
    ]
