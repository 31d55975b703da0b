"""The rights module's to-do kind (fpa.core.todo): cases received by the user's own association
that are past their deadline and not closed."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from fpa.accounts.requests import as_user
from fpa.core.todo import TodoKind
from fpa.rights import selectors

KINDS = (
    TodoKind(
        key="rights.overdue",
        label=gettext_noop("逾期未办结的权益维护案件"),
        capability="rights.edit",
        count=lambda user: selectors.overdue_here(user=as_user(user)).count(),
        url="rights:list",
        query="?overdue=1&here=1",
        order=72,
        urgent=True,
    ),
)
