"""The childcare module's to-do kind (fpa.core.todo): problems past their rectification deadline,
for the staff of the institution's association and of the inspecting level."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from fpa.accounts.requests import as_user
from fpa.childcare import selectors
from fpa.core.todo import TodoKind

KINDS = (
    TodoKind(
        key="childcare.overdue",
        label=gettext_noop("逾期未整改的托育机构问题"),
        capability="childcare.edit",
        count=lambda user: selectors.overdue_problems(user=as_user(user)).count(),
        url="childcare:problems",
        query="?state=overdue",
        order=70,
        urgent=True,
    ),
)
