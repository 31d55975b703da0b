"""Reading the inbox: the user's own messages only (another user's message is "not found")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
    """The badge's figure: one indexed count."""
    return Message.objects.of(user).unread().count()


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
