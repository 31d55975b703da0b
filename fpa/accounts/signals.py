"""Sign-in events into the audit trail. Django and django-axes announce them only as signals."""

from __future__ import annotations

import time
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from fpa.accounts import lockout
from fpa.accounts.middleware import LOGIN_AT
from fpa.core.audit import audit_record
from fpa.core.models import AuditEvent


@receiver(user_logged_in)
def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    request.session[LOGIN_AT] = time.time()
    audit_record(actor=user, action=AuditEvent.Action.LOGIN, obj=user, scope_path=_path(user))


@receiver(user_logged_out)
def on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action=AuditEvent.Action.LOGOUT, obj=user, scope_path=_path(user))


@receiver(user_login_failed)
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any
) -> None:
    audit_record(
        actor=None,
        action=AuditEvent.Action.LOGIN_FAILED,
        username=str(credentials.get("username", ""))[:150],
        object_type="accounts.user",
        object_repr=str(credentials.get("username", ""))[:200],
    )
    lockout.record_failure(request, str(credentials.get("username", ""))[:150])


@receiver(user_locked_out)
def on_lockout(sender: Any, request: Any, username: str, ip_address: str, **kwargs: Any) -> None:
    audit_record(
        actor=None,
        action=AuditEvent.Action.LOCKOUT,
        username=(username or "")[:150],
        object_type="accounts.user",
        object_repr=f"{username} @ {ip_address}",
    )


def _path(user: Any) -> str:
    home = getattr(user, "home_association", None)
    return home.path if home else ""
