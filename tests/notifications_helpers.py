"""Notifications made through the real code paths (the events' listener, `notify`), for the
test_notifications_* files and the scope walk (no tests of its own)."""

from __future__ import annotations

import itertools
from typing import Any

from django.test import TestCase

from fpa.notifications.models import Message
from fpa.notifications.sending import Outgoing, notify
from fpa.organizations import services as org_services
from fpa.organizations.models import Association, Filing
from tests.conftest import staff_in

_numbers = itertools.count(1)


def message_for(user: Any, **overrides: Any) -> Message:
    """One message in `user`'s inbox (kind "reports.returned" unless overridden)."""
    n = next(_numbers)
    data: dict[str, Any] = {
        "recipient": user.pk,
        "kind": "reports.returned",
        "title": f"月报第{n}期被退回",
        "url": "/",
        "reason": "请核对本月走访次数",
    }
    data.update(overrides)
    with TestCase.captureOnCommitCallbacks(execute=True):  # the deliveries are queued on commit
        (message,) = notify([Outgoing(**data)])
    return message


def filing_waiting(village_user: Any, code: str) -> Filing:
    """A filing of association `code` submitted by `village_user` (waiting for the township)."""
    head = staff_in(village_user, code, presides_daily_work=True)
    return org_services.filing_submit(
        actor=village_user, association=Association.objects.get(code=code), person=head
    )


def notifications_world(actor: Any, township_code: str, village_code: str) -> dict[str, Any]:
    """A message in `actor`'s inbox: the routes that load it by id (the scope walk's
    `by_route`: another account's message must be refused on every one)."""
    message = message_for(actor, title=f"{township_code} 的通知")
    return {"notifications:open": message, "notifications:read": message}
