"""Cross-cutting write services of the core."""

from __future__ import annotations

from collections.abc import Collection

from django.db import models, transaction

from fpa.core.actors import Actor
from fpa.core.audit import audit_record
from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from fpa.core.protected import Protected


@transaction.atomic
def protected_reveal(
    *,
    actor: Actor,
    obj: models.Model,
    field: str,
    reason: str,
    scope_path: str,
    plain_fields: Collection[str] = (),
    entitled: bool = False,
) -> str:
    """The full value of a protected field, for a user allowed to see it; writes a read-audit row.

    The caller has loaded `obj` through the user's scope; this checks the permission and the reason.
    `plain_fields` names sensitive plain-text fields of `obj` that are shown only this way too
    (health notes, a cause of death). `entitled` is for a caller that has established another
    right to the object's personal values than the `personal.reveal` capability (a family's current
    contact person); the reason and the audit row are required all the same.
    """
    if not ((entitled and actor.is_active) or actor.has_capability("personal.reveal")):
        raise NotAllowed("您没有查看完整个人信息的权限。")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError("请填写查看完整信息的原因。", field="reason")
    value = getattr(obj, field, None)
    if field in plain_fields and isinstance(value, str) and value.strip():
        text = value
    elif isinstance(value, Protected):
        text = value.reveal_unchecked()
    else:
        raise ServiceError("该字段没有可查看的内容。", field=field)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.REVEAL,
        obj=obj,
        changes={"field": field},
        scope_path=scope_path,
        reason=reason,
    )
    return text
