"""The user's own writes: marking messages read and choosing channels per kind. Each checks the
capability every account holds ("account.self"), touches only the actor's own messages, and
writes the audit trail."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core.audit import audit_record
from fpa.core.errors import ServiceError
from fpa.core.models import AuditEvent
from fpa.core.scope import require, scope_path_of
from fpa.notifications import kinds
from fpa.notifications.models import Message, Preference
from fpa.notifications.sending import Choice

if TYPE_CHECKING:
    from fpa.accounts.models import User

CAPABILITY = "account.self"


@transaction.atomic
def message_mark_read(*, actor: User, message: Message) -> Message:
    """Mark one of the actor's messages read (already read: unchanged, no audit row)."""
    require(actor, CAPABILITY)
    if message.recipient_id != actor.pk:
        raise ServiceError(gettext("消息不存在。"), code="not_found")
    now = timezone.now()
    if Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=now):
        message.read_at = now
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=message,
            object_repr=f"{message.pk} {message.kind}",
            changes={"read_at": [None, str(now)]},
            scope_path=scope_path_of(actor) or "",
        )
    return message


@transaction.atomic
def messages_mark_all_read(*, actor: User, kind: str = "") -> int:
    """Mark every unread message of the actor (of one kind when given) read; how many."""
    require(actor, CAPABILITY)
    rows = Message.objects.of(actor).unread()
    if kind:
        rows = rows.filter(kind=kind)
    count = rows.update(read_at=timezone.now())
    if count:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            object_type="notifications.message",
            object_repr=gettext("全部标为已读（%(n)s 条）") % {"n": count},
            changes={"read": [0, count], "kind": [None, kind or None]},
            scope_path=scope_path_of(actor) or "",
        )
    return count


@transaction.atomic
def preferences_save(*, actor: User, choices: Mapping[str, Choice]) -> int:
    """Store the actor's choices per kind (only kinds that can reach the actor); returns how
    many changed. A kind unknown to the platform is refused."""
    require(actor, CAPABILITY)
    allowed = {k.key for k in kinds.kinds_for(actor)}
    unknown = sorted(set(choices) - allowed)
    if unknown:
        raise ServiceError(
            gettext("没有这种消息类型：%(kind)s。") % {"kind": unknown[0]}, field="kind"
        )
    stored = {p.kind: p for p in Preference.objects.filter(user=actor, kind__in=list(choices))}
    changes: dict[str, list[object]] = {}
    for kind, chosen in choices.items():
        row = stored.get(kind) or Preference(
            user=actor, kind=kind, digest=kinds.default_digest(kind)
        )
        before = (row.sms, row.email, row.digest)
        after = (chosen.sms, chosen.email, chosen.digest)
        if before == after:
            continue
        row.sms, row.email, row.digest = after
        row.save()
        changes[kind] = [list(before), list(after)]
    if changes:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            object_type="notifications.preference",
            object_repr=gettext("通知设置"),
            changes=changes,
            scope_path=scope_path_of(actor) or "",
        )
    return len(changes)
