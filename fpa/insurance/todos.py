"""The insurance to-do kind (fpa.core.todo): claims submitted to the insurer and not answered
within the configured number of days, on the township's (and the county's) overdue list."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from fpa.accounts.requests import as_user
from fpa.core.todo import TodoKind
from fpa.insurance import selectors

KINDS = (
    TodoKind(
        key="insurance.overdue_claims",
        label=gettext_noop("保险公司超期未答复的理赔"),
        capability="insurance.edit",
        count=lambda user: selectors.overdue_claims(user=as_user(user)).count(),
        url="insurance:claims",
        query="?state=overdue",
        order=75,
        urgent=True,
    ),
)
