"""The members module's to-do kinds (fpa.core.todo): applications waiting for approval."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from fpa.accounts.requests import as_user
from fpa.core.todo import TodoKind
from fpa.members import selectors

KINDS = (
    TodoKind(
        key="members.applications",
        label=gettext_noop("待审批的入会申请"),
        capability="member.approve",
        count=lambda user: selectors.applications(user=as_user(user)).count(),
        url="members:pending",
        order=50,
    ),
)
